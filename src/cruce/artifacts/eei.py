"""The US Electronic Export Information (EEI, 15 CFR part 30) prepared for AESDirect, as JSON.

cruce prepares and checks the EEI; the USPPI or its authorized agent files it in ACE
AESDirect, which returns the ITN. The document carries every mandatory data element of
15 CFR 30.6(a) the record gives, the conditional ones of 30.6(b) it has (intermediate
consignee, authorized agent, ECCN), and the latest filing time of 30.4(b): for a truck,
one hour before it reaches the border (``transport.planned_crossing``).

When is it required (:func:`requirement`): exports from the US only; a Schedule B number
(or the HTSUS number when a line has no Schedule B) worth more than USD 2,500, summed over
the lines that share it (30.37(a): USD 2,500.00 is not required, 2,500.01 is); or a line
classified under an ECCN other than EAR99. The record has no licence flag, so such a line
is read as "a licence may be needed: file EEI" (30.2(a)(1)(iv)); the filer enters the
licence code, not cruce. Exports to Canada need none (30.36) unless a licence may be
needed. When not required, the reason names the exemption legend for the commercial
invoice or bill of lading (``NOEEI 30.37(a)``, ``NOEEI 30.36``).

Values in another currency are converted with the record's exchange rate, as the US
customs value is (:func:`cruce.compliance.duties.us._to_usd`); values are reported in whole
dollars and shipping weights in whole kilograms, rounded half up. Line items are grouped by
classification, domestic/foreign indicator and ECCN, as AES reports them.

Quantities: the units of the HTSUS line of ``goods[].hts`` in the bundled HTS release (the
Schedule B units are not shipped with cruce; for most numbers they are the same),
computed by :func:`cruce.reference.rates.hts_quantities`, in whole units.

From the record, a blocker when not given: the related party indicator
(``terms.related_parties``, 30.6(a)(10)), the ultimate consignee type
(``parties.consignee_type``, 30.6(a)(28)) and the hazardous materials indicator (each
line's ``hazmat``, 30.6(a)(21)). The routed export transaction indicator (30.6(a)(24)) is
"no" when the Incoterm has the seller arrange the main carriage (C and D terms), a blocker
otherwise. The document writes ``null`` for an element it cannot fill.

No AESDirect upload file: the AESDirect batch/upload layout was not found in a form that
could be checked, so this is cruce's own JSON (:data:`SCHEMA`,
``schema/eei.schema.json`` is its published copy; a test keeps them equal).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import jsonschema
import rfc8785

from cruce import __version__
from cruce.artifacts._json import json_problems
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.compliance.duties.us import _to_usd
from cruce.i18n import _
from cruce.model.party import TaxScheme
from cruce.model.problems import blocker, warning
from cruce.reference import eei as facts
from cruce.reference.facts import NotCoveredError
from cruce.reference.hts_store import HtsStore, bundled_revisions
from cruce.reference.ports import port_by_code
from cruce.reference.rates import hts_quantities

if TYPE_CHECKING:
    from cruce.model import GoodsLine, Money, Party, Problem, Shipment

KEY: Final = "eei"
MEDIA_TYPE: Final = "application/json"
SCHEMA_ID: Final = "https://cruce.dev/schema/eei/1"
EAR99: Final = "EAR99"
US: Final = "US"
USD: Final = "USD"
CANADA: Final = "CA"
LICENCE_CITATION: Final = "15 CFR 30.2(a)(1)(iv)"
SELLER_CARRIES: Final = frozenset({"CPT", "CIP", "CFR", "CIF", "DAP", "DPU", "DDP"})
# HTSUS unit of quantity -> the abbreviation AES reports (Schedule B units)
AES_UNITS: Final = {
    "No.": "NO",
    "pcs": "PCS",
    "doz": "DOZ",
    "gross": "GR",
    "pair": "PRS",
    "kg": "KG",
    "g": "G",
    "t": "T",
    "liter": "L",
    "m": "M",
    "m2": "M2",
    "m3": "M3",
}
NO_QUANTITY: Final = "X"
_ONE: Final = Decimal(1)


def _whole(value: Decimal) -> int:
    return int(value.quantize(_ONE, rounding=ROUND_HALF_UP))


def _on(shipment: Shipment) -> date:
    return shipment.crossing_date() or date.today()  # noqa: DTZ011 - a day, not an instant


# ---------------------------------------------------------------- values per Schedule B


@dataclass(slots=True)
class _Values:
    """The USD value of each classification, and what could not be converted."""

    by_number: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    line_usd: dict[int, Decimal] = field(default_factory=dict)
    unconverted: set[str] = field(default_factory=set)


def _number(line: GoodsLine) -> str | None:
    return line.schedule_b or line.hts


def _values(shipment: Shipment) -> _Values:
    found = _Values()
    for index, line in enumerate(shipment.goods):
        scratch: list[Problem] = []
        usd: Money | None = _to_usd(shipment, line.line_value(), scratch)
        if usd is None:
            found.unconverted.add(line.line_value().currency)
            continue
        found.line_usd[index] = usd.amount
        found.by_number[_number(line) or f"line {index + 1}"] += usd.amount
    return found


def _controlled(shipment: Shipment) -> list[tuple[int, str]]:
    return [
        (index, line.eccn)
        for index, line in enumerate(shipment.goods)
        if line.eccn is not None and line.eccn != EAR99
    ]


def requirement(shipment: Shipment) -> Requirement:
    """Whether EEI must be filed for the shipment, why, and on what authority."""
    if shipment.export_country != US:
        return Requirement(
            required=False,
            reason=_(
                "EEI is filed for exports from the United States; this shipment goes {direction}",
                direction=shipment.direction,
            ),
            citation="15 CFR 30.2(a)(1)",
        )
    on = _on(shipment)
    controlled = _controlled(shipment)
    if controlled:
        return Requirement(
            required=True,
            reason=_(
                "line {line} is classified under ECCN {eccn}: an export licence may be "
                "needed, and EEI is filed for every export that requires one, whatever its "
                "value; enter the licence code or exception when filing",
                line=controlled[0][0] + 1,
                eccn=controlled[0][1],
            ),
            citation=LICENCE_CITATION,
        )
    if shipment.import_country == CANADA:
        legend = facts.legend("canada", on)
        return Requirement(
            required=False,
            reason=_(
                "exports from the United States to Canada need no EEI; write {legend} on "
                "the commercial invoice or the bill of lading",
                legend=legend.text,
            ),
            citation=legend.source.citation,
        )
    limit = facts.threshold(on)
    values = _values(shipment)
    over = sorted(
        ((n, v) for n, v in values.by_number.items() if v > limit.amount),
        key=lambda pair: (-pair[1], pair[0]),
    )
    if over:
        number, value = over[0]
        return Requirement(
            required=True,
            reason=_(
                "Schedule B {number} is worth {value} USD, more than {limit} USD: EEI must "
                "be filed in AESDirect",
                number=number,
                value=f"{value:,.2f}",
                limit=f"{limit.amount:,}",
            ),
            citation=f"15 CFR 30.2(a)(1); {limit.source.citation}",
        )
    if values.unconverted:
        return Requirement(
            required=True,
            reason=_(
                "the values in {currency} cannot be compared with the {limit} USD threshold "
                "without an exchange rate: give terms.exchange_rate",
                currency=", ".join(sorted(values.unconverted)),
                limit=f"{limit.amount:,}",
            ),
            citation=limit.source.citation,
        )
    legend = facts.legend("low_value", on)
    return Requirement(
        required=False,
        reason=_(
            "no Schedule B number is worth more than {limit} USD and no line needs a "
            "licence: no EEI; write {legend} on the commercial invoice or the bill of lading",
            limit=f"{limit.amount:,}",
            legend=legend.text,
        ),
        citation=legend.source.citation,
    )


# ---------------------------------------------------------------- the line items


@cache
def _store() -> HtsStore:
    return HtsStore(bundled_revisions())


def _unit(line: GoodsLine, on: date) -> tuple[str, int | None] | None:
    """The AES unit and whole quantity of ``line``, from its HTSUS line; None if unknown."""
    if line.hts is None:
        return None
    try:
        hts = _store().on(on).line(line.hts)
    except NotCoveredError:
        return None
    if hts is None or not hts.units:
        return None
    unit = hts.units[0].split(" and ")[0]  # "No. and kg": the first is the primary unit
    if unit == NO_QUANTITY:
        return NO_QUANTITY, None
    quantity = hts_quantities(line).get(unit)
    if quantity is None or unit not in AES_UNITS:
        return None
    return AES_UNITS[unit], _whole(quantity)


@dataclass(slots=True)
class _Item:
    lines: list[int]
    number: str
    scheme: str
    indicator: str
    eccn: str | None
    description: str
    units: list[tuple[str, int | None] | None] = field(default_factory=list)
    weights: list[Decimal | None] = field(default_factory=list)
    values: list[Decimal | None] = field(default_factory=list)

    def unit(self) -> tuple[str | None, int | None]:
        """The item's unit and total quantity; (None, None) when a line's is unknown."""
        first = self.units[0]
        if first is None or any(u is None or u[0] != first[0] for u in self.units):
            return None, None
        counts = [u[1] for u in self.units if u is not None]
        if first[0] == NO_QUANTITY or None in counts:
            return first[0], None
        return first[0], sum(c for c in counts if c is not None)


def _total(parts: list[Decimal | None]) -> Decimal | None:
    return None if None in parts else sum((p for p in parts if p is not None), Decimal(0))


def _indicator(line: GoodsLine) -> str:
    return "D" if line.origin_country == US else "F"


def _items(shipment: Shipment, values: _Values, on: date) -> list[_Item]:
    items: dict[tuple[str, str, str | None], _Item] = {}
    for index, line in enumerate(shipment.goods):
        number = _number(line) or ""
        key = (number, _indicator(line), line.eccn)
        item = items.get(key)
        if item is None:
            item = _Item(
                lines=[],
                number=number,
                scheme="schedule_b" if line.schedule_b else "hts",
                indicator=key[1],
                eccn=line.eccn,
                description=line.description.get("en"),
            )
            items[key] = item
        item.lines.append(index + 1)
        item.units.append(_unit(line, on))
        item.weights.append(line.gross_weight_kg)
        item.values.append(values.line_usd.get(index))
    return list(items.values())


def _item_json(item: _Item, on: date) -> dict[str, Any]:
    licence = (
        {"license_code": facts.code("license.nlr", on).code, "license_symbol": "NLR"}
        if item.eccn == EAR99
        else {"license_code": None, "license_symbol": None}
    )
    unit, quantity = item.unit()
    weight, value = _total(item.weights), _total(item.values)
    return {
        "lines": item.lines,
        "domestic_foreign": item.indicator,
        "commodity_classification": item.number or None,
        "classification_scheme": item.scheme,
        "description": item.description,
        "unit": unit,
        "quantity": quantity,
        "shipping_weight_kg": None if weight is None else max(_whole(weight), 1),
        "value_usd": None if value is None else _whole(value),
        "export_information_code": facts.code("export_information.other", on).code,
        "eccn": None if item.eccn in {None, EAR99} else item.eccn,
        **licence,
    }


# ---------------------------------------------------------------- the document


def _party(party: Party | None) -> dict[str, Any] | None:
    if party is None:
        return None
    ein = party.tax_id(TaxScheme.US_EIN)
    contact = party.contact
    return {
        "name": party.name,
        "address": party.address.model_dump(mode="json", exclude_none=True),
        "ein": None if ein is None else ein.value,
        "contact": None
        if contact is None
        else {
            "name": contact.name,
            "phone": contact.phone,
            "email": None if contact.email is None else str(contact.email),
        },
    }


def _deadline(shipment: Shipment, on: date) -> dict[str, Any] | None:
    crossing = shipment.transport.planned_crossing
    try:
        rule = facts.deadline(shipment.transport.mode.value, on)
    except NotCoveredError:
        return None
    return {
        "event": rule.event,
        "event_at": None if crossing is None else crossing.isoformat(),
        "hours_before": rule.hours_before,
        "latest_filing": None if crossing is None else rule.latest_filing(crossing).isoformat(),
        "citation": rule.source.citation,
    }


def _mode(shipment: Shipment, on: date) -> dict[str, str]:
    transport = shipment.transport
    key = f"transport.{transport.mode.value}"
    if transport.containers and transport.mode.value != "air":
        key += "_containerized"
    row = facts.code(key, on)
    return {"code": row.code, "description": row.description}


def _routed(shipment: Shipment) -> bool | None:
    incoterm = shipment.terms.incoterm
    return False if incoterm is not None and incoterm.value in SELLER_CARRIES else None


def _state(shipment: Shipment) -> str | None:
    seller = shipment.parties.seller
    subdivision = None if seller is None else seller.address.subdivision
    return subdivision.removeprefix("US-") if subdivision and subdivision[:3] == "US-" else None


def document(shipment: Shipment) -> dict[str, Any]:
    """The EEI as a JSON-ready dict (valid against :data:`SCHEMA`; nulls where unknown)."""
    on = _on(shipment)
    parties, transport = shipment.parties, shipment.transport
    crossing = transport.crossing
    carrier = parties.carrier
    needed = requirement(shipment)
    values = _values(shipment)
    return {
        "eei_version": "1",
        "generator": f"cruce {__version__}",
        "shipment_reference_number": shipment.reference,
        "required": needed.required,
        "citation": needed.citation,
        "filing_deadline": _deadline(shipment, on),
        "usppi": _party(parties.seller),
        "date_of_export": None if shipment.crossing_date() is None else on.isoformat(),
        "ultimate_consignee": _party(parties.ship_to()),
        "ultimate_consignee_type": None
        if parties.consignee_type is None
        else parties.consignee_type.value,
        "intermediate_consignee": None,
        "authorized_agent": _party(parties.us_customs_broker),
        "state_of_origin": _state(shipment),
        "country_of_ultimate_destination": shipment.import_country,
        "method_of_transportation": _mode(shipment, on),
        "carrier": {
            "name": None if carrier is None else carrier.name,
            "scac": transport.carrier_scac,
        },
        "port_of_export": None
        if crossing is None
        else {"code": crossing.cbp_port_code, "name": crossing.cbp_port_name},
        "related_party": shipment.terms.related_parties,
        "routed_export_transaction": _routed(shipment),
        "hazardous_materials": _hazmat(shipment),
        "inbond_code": facts.code("inbond.not_in_bond", on).code,
        "commodities": [_item_json(i, on) for i in _items(shipment, values, on)],
    }


# ---------------------------------------------------------------- problems


def _missing(code: str, path: str, element: str, citation: str) -> Problem:
    return blocker(
        f"{KEY}.{code}",
        path,
        _(
            "EEI data element {element} ({citation}) is mandatory and the record does not give it",
            element=element,
            citation=citation,
        ),
    )


def _party_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    seller = shipment.parties.seller
    if seller is None:
        return [_missing("usppi.missing", "parties.seller", "USPPI", "15 CFR 30.6(a)(1)")]
    if seller.tax_id(TaxScheme.US_EIN) is None:
        found.append(
            _missing(
                "usppi.ein_missing", "parties.seller.tax_ids", "USPPI EIN", "15 CFR 30.6(a)(1)"
            )
        )
    contact = seller.contact
    if contact is None or contact.name is None or contact.phone is None:
        found.append(
            _missing(
                "usppi.contact_missing",
                "parties.seller.contact",
                "USPPI contact name and phone",
                "15 CFR 30.6(a)(1)",
            )
        )
    if _state(shipment) is None:
        found.append(
            _missing(
                "state_of_origin.missing",
                "parties.seller.address.subdivision",
                "US state of origin",
                "15 CFR 30.6(a)(4)",
            )
        )
    if shipment.parties.ship_to() is None:
        found.append(
            _missing(
                "consignee.missing", "parties.buyer", "ultimate consignee", "15 CFR 30.6(a)(3)"
            )
        )
    return found


def _transport_problems(shipment: Shipment) -> list[Problem]:
    transport = shipment.transport
    found: list[Problem] = []
    if transport.planned_crossing is None:
        found.append(
            warning(
                f"{KEY}.deadline.unknown",
                "transport.planned_crossing",
                _(
                    "give the planned crossing: EEI must be filed before the truck reaches "
                    "the border ({citation}), and cruce cannot tell by when",
                    citation="15 CFR 30.4(b)",
                ),
            )
        )
        if shipment.terms.invoice_date is None:
            found.append(
                _missing(
                    "date_of_export.missing",
                    "transport.planned_crossing",
                    "date of export",
                    "15 CFR 30.6(a)(2)",
                )
            )
    if transport.carrier_scac is None:
        found.append(
            _missing(
                "carrier.scac_missing",
                "transport.carrier_scac",
                "carrier identification (SCAC)",
                "15 CFR 30.6(a)(8)",
            )
        )
    if shipment.parties.carrier is None:
        found.append(
            _missing(
                "carrier.missing", "parties.carrier", "conveyance/carrier name", "15 CFR 30.6(a)(7)"
            )
        )
    crossing = transport.crossing
    if crossing is None:
        found.append(
            _missing("port.missing", "transport.crossing", "port of export", "15 CFR 30.6(a)(9)")
        )
    elif port_by_code(crossing.cbp_port_code) is None:
        found.append(
            warning(
                f"{KEY}.port.not_land_port",
                "transport.crossing.cbp_port_code",
                _(
                    "port {code} is not one of the US-Mexico land ports cruce knows: check the "
                    "Schedule D code of the port of export",
                    code=crossing.cbp_port_code,
                ),
            )
        )
    return found


def _hazmat(shipment: Shipment) -> bool | None:
    """True when any line is hazardous, False when every line says it is not, else unknown."""
    flags = [line.hazmat for line in shipment.goods]
    if any(flags):
        return True
    return None if any(flag is None for flag in flags) else False


def _indicator_problems(shipment: Shipment) -> list[Problem]:
    found = []
    if shipment.terms.related_parties is None:
        found.append(
            _missing(
                "related_party.missing",
                "terms.related_parties",
                "related party indicator",
                "15 CFR 30.6(a)(10)",
            )
        )
    if shipment.parties.consignee_type is None:
        found.append(
            _missing(
                "consignee_type.missing",
                "parties.consignee_type",
                "ultimate consignee type",
                "15 CFR 30.6(a)(28)",
            )
        )
    unknown = [i for i, line in enumerate(shipment.goods) if line.hazmat is None]
    if unknown and _hazmat(shipment) is None:
        found.append(
            _missing(
                "hazardous_materials.missing",
                f"goods[{unknown[0]}].hazmat",
                "hazardous materials indicator",
                "15 CFR 30.6(a)(21)",
            )
        )
    if _routed(shipment) is None:
        found.append(
            _missing(
                "routed.missing",
                "terms.incoterm",
                "routed export transaction indicator",
                "15 CFR 30.6(a)(24)",
            )
        )
    return found


def _line_problems(shipment: Shipment, on: date) -> list[Problem]:
    found: list[Problem] = []
    for index, line in enumerate(shipment.goods):
        where = f"goods[{index}]"
        if _number(line) is None:
            found.append(
                _missing(
                    "line.classification_missing",
                    f"{where}.schedule_b",
                    "Schedule B or HTSUS number",
                    "15 CFR 30.6(a)(12)",
                )
            )
        if line.origin_country is None:
            found.append(
                _missing(
                    "line.origin_missing",
                    f"{where}.origin_country",
                    "domestic or foreign indicator",
                    "15 CFR 30.6(a)(11)",
                )
            )
        if line.gross_weight_kg is None:
            found.append(
                _missing(
                    "line.weight_missing",
                    f"{where}.gross_weight_kg",
                    "shipping weight",
                    "15 CFR 30.6(a)(16)",
                )
            )
        if _unit(line, on) is None:
            found.append(
                warning(
                    f"{KEY}.line.quantity_unknown",
                    f"{where}.hts",
                    _(
                        "line {line}: cruce cannot state {quantity} {unit} in the unit of "
                        "quantity of its HTSUS number, which EEI reports ({citation}): the "
                        "filer enters it; check the HTSUS number or give the quantity in that "
                        "unit",
                        line=index + 1,
                        quantity=str(line.quantity),
                        unit=line.unit,
                        citation="15 CFR 30.6(a)(14)-(15)",
                    ),
                )
            )
        if line.eccn is None:
            found.append(
                _missing(
                    "line.eccn_missing",
                    f"{where}.eccn",
                    "licence code (ECCN or EAR99)",
                    "15 CFR 30.6(a)(23)",
                )
            )
        elif line.eccn != EAR99:
            found.append(
                blocker(
                    f"{KEY}.line.licence_unknown",
                    f"{where}.eccn",
                    _(
                        "line {line} is classified {eccn}: give the licence code and the "
                        "licence number or exception to file it ({citation}); cruce fills "
                        "C33 NLR only for EAR99",
                        line=index + 1,
                        eccn=line.eccn,
                        citation="15 CFR 30.6(a)(23), 30.6(b)(5)-(6)",
                    ),
                )
            )
    return found


def eei_problems(shipment: Shipment) -> list[Problem]:
    """What the EEI lacks: mandatory elements are blockers, the planned crossing a warning."""
    if shipment.export_country != US:
        return []
    found = [
        blocker(
            f"{KEY}.fx_missing",
            "terms.exchange_rate",
            _(
                "EEI values are reported in US dollars: give the rate from {currency} to "
                "USD in terms.exchange_rate",
                currency=currency,
            ),
        )
        for currency in sorted(_values(shipment).unconverted)
    ]
    found += _party_problems(shipment)
    found += _transport_problems(shipment)
    found += _indicator_problems(shipment)
    found += _line_problems(shipment, _on(shipment))
    return found


# ---------------------------------------------------------------- the schema


def _object(properties: dict[str, Any], *optional: str) -> dict[str, Any]:
    """A closed object whose properties are all required but ``optional``."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_STRING: Final = {"type": "string", "minLength": 1}
_N_STRING: Final = {"type": ["string", "null"], "minLength": 1}
_COUNT: Final = {"type": "integer", "minimum": 0}
_PARTY: Final = {"$ref": "#/$defs/party"}

SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "cruce Electronic Export Information (EEI)",
    "description": (
        "The data elements of 15 CFR 30.6 as cruce prepares them for filing in AESDirect, "
        "with the latest filing time of 15 CFR 30.4(b). Null marks an element the record "
        "does not give: the filer completes it."
    ),
    **_object(
        {
            "eei_version": {"const": "1"},
            "generator": {"type": "string", "pattern": "^cruce \\S+$"},
            "shipment_reference_number": _STRING,
            "required": {"type": "boolean"},
            "citation": _N_STRING,
            "filing_deadline": _nullable(
                _object(
                    {
                        "event": _STRING,
                        "event_at": {"type": ["string", "null"], "format": "date-time"},
                        "hours_before": _COUNT,
                        "latest_filing": {"type": ["string", "null"], "format": "date-time"},
                        "citation": _STRING,
                    }
                )
            ),
            "usppi": _nullable(_PARTY),
            "date_of_export": {"type": ["string", "null"], "format": "date"},
            "ultimate_consignee": _nullable(_PARTY),
            "ultimate_consignee_type": {"enum": ["D", "G", "R", "O", None]},
            "intermediate_consignee": _nullable(_PARTY),
            "authorized_agent": _nullable(_PARTY),
            "state_of_origin": {"type": ["string", "null"], "pattern": "^[A-Z]{2}$"},
            "country_of_ultimate_destination": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "method_of_transportation": _object(
                {"code": {"type": "string", "pattern": "^[0-9]{2}$"}, "description": _STRING}
            ),
            "carrier": _object(
                {"name": _N_STRING, "scac": {"type": ["string", "null"], "pattern": "^[A-Z]{2,4}$"}}
            ),
            "port_of_export": _nullable(
                _object({"code": {"type": "string", "pattern": "^[0-9]{4}$"}, "name": _STRING})
            ),
            "related_party": {"type": ["boolean", "null"]},
            "routed_export_transaction": {"type": ["boolean", "null"]},
            "hazardous_materials": {"type": ["boolean", "null"]},
            "inbond_code": {"type": "string", "pattern": "^[0-9]{2}$"},
            "commodities": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
        }
    ),
    "$defs": {
        "party": _object(
            {
                "name": _STRING,
                "address": {"type": "object"},
                "ein": {"type": ["string", "null"], "pattern": "^[0-9]{9}$"},
                "contact": _nullable(
                    _object({"name": _N_STRING, "phone": _N_STRING, "email": _N_STRING})
                ),
            }
        ),
        "item": _object(
            {
                "lines": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "integer", "minimum": 1},
                },
                "domestic_foreign": {"enum": ["D", "F"]},
                "commodity_classification": {
                    "type": ["string", "null"],
                    "pattern": "^[0-9]{10}$",
                },
                "classification_scheme": {"enum": ["schedule_b", "hts"]},
                "description": _STRING,
                "unit": _N_STRING,
                "quantity": {"type": ["integer", "null"], "minimum": 0},
                "shipping_weight_kg": {"type": ["integer", "null"], "minimum": 1},
                "value_usd": {"type": ["integer", "null"], "minimum": 0},
                "export_information_code": {"type": "string", "pattern": "^[A-Z0-9]{2}$"},
                "eccn": _N_STRING,
                "license_code": {"type": ["string", "null"], "pattern": "^[A-Z][0-9]{2}$"},
                "license_symbol": _N_STRING,
            }
        ),
    },
}


@cache
def _validator() -> jsonschema.Draft202012Validator:
    # compiled once: the schema is a constant of the package
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


# ---------------------------------------------------------------- the artifact


class Eei:
    """The Electronic Export Information, prepared for the USPPI or its agent to file."""

    key = KEY
    title = _("Electronic Export Information (EEI) for AESDirect")
    media_type = MEDIA_TYPE
    order = 35

    def required(self, shipment: Shipment) -> Requirement:
        """Exports from the US over USD 2,500 per Schedule B number, or with a controlled ECCN."""
        return requirement(shipment)

    def problems(self, shipment: Shipment) -> list[Problem]:
        """The mandatory elements the record lacks (blockers), and a missing crossing time."""
        return eei_problems(shipment)

    def render(self, shipment: Shipment) -> Rendered:
        """RFC 8785 canonical JSON bytes."""
        return Rendered(
            safe_filename(shipment.reference, "-eei.json"),
            MEDIA_TYPE,
            rfc8785.dumps(document(shipment)),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """Valid JSON, valid against its schema, and in canonical form."""
        return json_problems(data, _validator(), KEY, self.title)


ARTIFACT: Final = Eei()


if __name__ == "__main__":  # `make schema` writes the published copy
    import sys

    sys.stdout.write(json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n")
