"""The EEI's data: whether it is required, the values per Schedule B, the items, the document.

Package-private: :mod:`cruce.artifacts.eei` documents the rules and re-exports
:func:`requirement` and :func:`document`; :mod:`cruce.artifacts.eei_upload` renders the same
document as an AESWebLink record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from cruce import __version__
from cruce.artifacts.base import Requirement
from cruce.compliance.duties.us import _to_usd
from cruce.i18n import _
from cruce.model.party import TaxScheme
from cruce.reference import eei as facts
from cruce.reference.facts import NotCoveredError
from cruce.reference.hts_store import HtsStore, bundled_revisions
from cruce.reference.rates import hts_quantities

if TYPE_CHECKING:
    from cruce.model import GoodsLine, Money, Party, Problem, Shipment

KEY: Final = "eei"
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


def _usd(amount: Decimal, *, cents: bool = False) -> str:
    """An amount of US dollars as the messages print it: ``2,500`` or ``2,500.01``."""
    return format(amount, ",.2f") if cents else format(amount, ",")


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
    # numbers are formatted before they become parameters: a message's arguments hold no
    # f-strings, so the extractor sees only the msgid (with its {named} placeholders)
    limit_usd = _usd(limit.amount)
    values = _values(shipment)
    over = sorted(
        ((n, v) for n, v in values.by_number.items() if v > limit.amount),
        key=lambda pair: (-pair[1], pair[0]),
    )
    if over:
        number, value = over[0]
        value_usd = _usd(value, cents=True)
        return Requirement(
            required=True,
            reason=_(
                "Schedule B {number} is worth {value} USD, more than {limit} USD: EEI must "
                "be filed in AESDirect",
                number=number,
                value=value_usd,
                limit=limit_usd,
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
                limit=limit_usd,
            ),
            citation=limit.source.citation,
        )
    legend = facts.legend("low_value", on)
    return Requirement(
        required=False,
        reason=_(
            "no Schedule B number is worth more than {limit} USD and no line needs a "
            "licence: no EEI; write {legend} on the commercial invoice or the bill of lading",
            limit=limit_usd,
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


def _hazmat(shipment: Shipment) -> bool | None:
    """True when any line is hazardous, False when every line says it is not, else unknown."""
    flags = [line.hazmat for line in shipment.goods]
    if any(flags):
        return True
    return None if any(flag is None for flag in flags) else False


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
