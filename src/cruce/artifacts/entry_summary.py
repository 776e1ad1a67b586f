"""US entry summary data: the CBP Form 7501 fields of a Mexico→US shipment, for the broker.

The licensed customs broker (or the importer) files the entry summary in ACE; cruce hands
over complete, checked data instead of a retyped invoice. The fields come from the record
and from its landed cost as claimed (:mod:`cruce.compliance.duties`): the entry type (01
formal, 11 informal, by the informal-entry limit in force), the port of entry, mode of
transport 30 (truck), the importer of record, the manufacturer identification code of each
line, and per line the HTSUS number with the special programme indicator "S" on a USMCA
claim, the entered value, the duty and each Chapter 99 heading with its amount, then the
fees. Amounts cruce cannot determine are written as null and reported as problems.

The manufacturer identification code (MID) follows CBP Form 7501 instructions, Appendix 2:
the ISO country code; the first three letters of the first two words of the name (one
word: its first three letters; "a", "an", "and", "of", "the" skipped; hyphens and
punctuation dropped; the legal-form words of a company such as "S.A.", "LLC" not counted);
the first four digits of the largest number in the street address; the first three
letters of the city.

JSON, valid against :data:`SCHEMA` (published as ``schema/entry-summary.schema.json``).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import jsonschema
import rfc8785

from cruce import __version__
from cruce.artifacts._json import json_problems
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.compliance.duties import UnsupportedDestinationError, landed_cost
from cruce.i18n import _
from cruce.model.problems import blocker, warning
from cruce.reference import us_fees

if TYPE_CHECKING:
    from datetime import date

    from cruce.compliance.duties import Component, LandedCost
    from cruce.model import GoodsLine, Party, Problem, Shipment

SCHEMA_ID: Final = "https://cruce.dev/schema/entry-summary/1"
_SKIPPED: Final = frozenset({"A", "AN", "AND", "OF", "THE"})
_LEGAL_FORMS: Final = frozenset(
    {"SA", "DE", "CV", "SAPI", "SRL", "S", "RL", "LLC", "INC", "CORP", "CO", "LTD", "LP", "LLP"}
)
_ENTRY_FORMAL, _ENTRY_INFORMAL = "01", "11"
_TRUCK = "30"
_WHOLE = Decimal(1)

_AMOUNT: Final = {"type": ["string", "null"], "pattern": r"^-?\d+(\.\d{1,2})?$"}
SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "US entry summary data (CBP Form 7501 fields) prepared by cruce",
    "type": "object",
    "additionalProperties": False,
    "required": ["entry_summary_version", "generator", "shipment", "header", "lines", "fees"],
    "properties": {
        "entry_summary_version": {"const": "1"},
        "generator": {"type": "string"},
        "shipment": {"type": "string", "minLength": 1},
        "header": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "entry_type",
                "port_code",
                "import_date",
                "mode_of_transport",
                "exporting_country",
                "importer_of_record",
            ],
            "properties": {
                "filer_code": {"type": ["string", "null"], "pattern": r"^[A-Z0-9]{3}$"},
                "entry_type": {"enum": [_ENTRY_FORMAL, _ENTRY_INFORMAL]},
                "port_code": {"type": "string", "pattern": r"^\d{4}$"},
                "import_date": {"type": "string", "format": "date"},
                "mode_of_transport": {"const": _TRUCK},
                "exporting_country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "country_of_origin": {"type": "string", "pattern": "^([A-Z]{2}|MULTI)$"},
                "carrier_scac": {"type": ["string", "null"]},
                "importer_of_record": {"$ref": "#/$defs/party"},
                "consignee": {"$ref": "#/$defs/party"},
                "total_entered_value": _AMOUNT,
            },
        },
        "lines": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/line"}},
        "fees": {"type": "array", "items": {"$ref": "#/$defs/charge"}},
        "citation": {"type": "string"},
    },
    "$defs": {
        "party": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "number": {"type": ["string", "null"]},
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            },
        },
        "charge": {
            "type": "object",
            "additionalProperties": False,
            "required": ["code", "amount"],
            "properties": {
                "code": {"type": ["string", "null"]},
                "description": {"type": "string"},
                "rate": {"type": "string"},
                "amount": _AMOUNT,
                "source": {"type": ["string", "null"]},
            },
        },
        "line": {
            "type": "object",
            "additionalProperties": False,
            "required": ["line", "hts", "country_of_origin", "entered_value", "charges"],
            "properties": {
                "line": {"type": "integer", "minimum": 1},
                "description": {"type": "string"},
                "hts": {"type": "string", "pattern": r"^\d{4}\.\d{2}\.\d{4}$"},
                "spi": {"type": ["string", "null"], "enum": ["S", None]},
                "country_of_origin": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "manufacturer_id": {"type": ["string", "null"], "maxLength": 15},
                "quantity": {"type": "string"},
                "unit": {"type": "string"},
                "entered_value": _AMOUNT,
                "charges": {"type": "array", "items": {"$ref": "#/$defs/charge"}},
            },
        },
    },
}


def _ascii(text: str) -> str:
    """``Electrónica`` -> ``ELECTRONICA``: accents dropped, as CBP's MID is plain letters."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(name: str) -> list[str]:
    cleaned = re.sub(r"[^A-Z0-9 ]+", " ", _ascii(name).replace("-", ""))
    words = [w for w in cleaned.split() if w not in _SKIPPED]
    return [w for w in words if w not in _LEGAL_FORMS] or words


def manufacturer_id(party: Party) -> str:
    """The MID of a manufacturer (CBP Form 7501 instructions, Appendix 2)."""
    words = _words(party.name)
    name_part = "".join(w[:3] for w in words[:2])
    address = party.address
    street = " ".join(filter(None, (address.street, address.exterior_number)))
    numbers = re.findall(r"\d+", street)
    largest = max(numbers, key=int, default="")
    city = re.sub(r"[^A-Z]", "", _ascii(address.locality))[:3]
    return f"{address.country}{name_part}{largest[:4]}{city}"[:15]


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount.quantize(Decimal("0.01")))


def _charge(component: Component) -> dict[str, Any]:
    return {
        "code": component.report,
        "description": component.label.render("en"),
        "rate": component.rate,
        "amount": _money(None if component.amount is None else component.amount.amount),
        "source": None if component.source is None else component.source.citation,
    }


def _party(party: Party | None) -> dict[str, Any]:
    if party is None:
        return {"name": "unknown"}
    number = next((t.value for t in party.tax_ids if t.scheme.value == "us_ein"), None)
    return {"name": party.name, "number": number, "country": party.address.country}


def _hts(code: str) -> str:
    return f"{code[:4]}.{code[4:6]}.{code[6:]}"


def _manufacturer(shipment: Shipment) -> Party | None:
    producers = shipment.parties.producers
    return producers[0] if producers else shipment.parties.seller


def _day(shipment: Shipment) -> date | None:
    return shipment.crossing_date()


class EntrySummary:
    """The CBP Form 7501 data of an import into the United States."""

    key = "entry_summary"
    title = _("US entry summary data (CBP Form 7501)")
    media_type = "application/json"
    order = 30

    def required(self, shipment: Shipment) -> Requirement:
        """Every import into the United States is entered; the broker files the summary."""
        if shipment.import_country != "US":
            return Requirement(
                required=False,
                reason=_("Only goods imported into the United States are entered with CBP"),
            )
        return Requirement(
            required=True,
            reason=_(
                "The importer or its licensed broker enters the goods with CBP and files the "
                "entry summary (CBP Form 7501) in ACE; cruce prepares its data"
            ),
            citation="19 CFR 141, 142 (formal entry); 19 CFR 143.21-143.23 (informal entry)",
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """What the entry summary cannot be filled without."""
        found: list[Problem] = []
        if shipment.import_country != "US":
            return found
        if shipment.transport.crossing is None:
            found.append(
                blocker(
                    "entry_summary.port.missing",
                    "transport.crossing",
                    _("the entry summary needs the port of entry: give the crossing"),
                )
            )
        if _day(shipment) is None:
            found.append(
                blocker(
                    "entry_summary.date.missing",
                    "transport.planned_crossing",
                    _("the entry summary needs the date of importation: give the planned crossing"),
                )
            )
        for index, line in enumerate(shipment.goods):
            if line.hts is None:
                found.append(
                    blocker(
                        "entry_summary.hts.missing",
                        f"goods[{index}].hts",
                        _(
                            "line {line} needs its HTSUS number for the entry summary",
                            line=index + 1,
                        ),
                    )
                )
            if line.origin_country is None:
                found.append(
                    blocker(
                        "entry_summary.origin.missing",
                        f"goods[{index}].origin_country",
                        _("line {line} needs its country of origin", line=index + 1),
                    )
                )
        if shipment.parties.buyer is None:
            found.append(
                blocker(
                    "entry_summary.importer.missing",
                    "parties.buyer",
                    _("the entry summary needs the importer of record"),
                )
            )
        if not found:
            found.extend(_undetermined(self._quote(shipment)))
        return found

    def _quote(self, shipment: Shipment) -> LandedCost:
        day = _day(shipment)
        if day is None:
            raise ValueError("no date")
        return landed_cost(shipment, day)

    def render(self, shipment: Shipment) -> Rendered:
        """The entry summary data as canonical JSON."""
        try:
            quote = self._quote(shipment)
        except (UnsupportedDestinationError, ValueError) as error:
            raise ValueError(str(error)) from error
        document = _document(shipment, quote)
        return Rendered(
            safe_filename(shipment.reference, "-entry-summary.json"),
            self.media_type,
            rfc8785.dumps(document),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """Valid JSON, valid against its schema, and in canonical form."""
        return json_problems(data, _validator(), self.key, self.title)


def _undetermined(quote: LandedCost) -> list[Problem]:
    """A warning for each amount the broker must complete (cruce could not determine it)."""
    found: list[Problem] = []
    for cost in quote.lines:
        found.extend(
            warning(
                "entry_summary.amount.undetermined",
                f"goods[{cost.index}]",
                _(
                    "line {line}: {charge} is not determined; the entry summary leaves it for "
                    "the broker (cruce cost says why)",
                    line=cost.index + 1,
                    charge=component.label,
                ),
            )
            for component in cost.components
            if component.amount is None
        )
    found.extend(
        warning(
            "entry_summary.fee.undetermined",
            "",
            _(
                "{charge} is not determined; the entry summary leaves it for the broker",
                charge=component.label,
            ),
        )
        for component in quote.entry
        if component.amount is None
    )
    return found


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMA)


def _line(index: int, line: GoodsLine, quote: LandedCost, mid: str | None) -> dict[str, Any]:
    cost = next(c for c in quote.lines if c.index == index)
    value = cost.customs_value
    return {
        "line": index + 1,
        "description": line.description.get("en"),
        "hts": _hts(line.hts or "0000000000"),
        "spi": "S" if any((c.report or "").startswith("S ") for c in cost.components) else None,
        "country_of_origin": line.origin_country or "",
        "manufacturer_id": mid,
        "quantity": str(line.quantity),
        "unit": line.unit,
        "entered_value": _money(
            None if value is None else value.amount.quantize(_WHOLE, ROUND_HALF_UP)
        ),
        "charges": [_charge(c) for c in cost.components],
    }


def _document(shipment: Shipment, quote: LandedCost) -> dict[str, Any]:
    manufacturer = _manufacturer(shipment)
    mid = None if manufacturer is None else manufacturer_id(manufacturer)
    values = [c.customs_value.amount for c in quote.lines if c.customs_value is not None]
    total = sum(values, Decimal(0))
    limit = us_fees.threshold("informal_entry_limit", quote.on)
    origins = {line.origin_country for line in shipment.goods}
    crossing = shipment.transport.crossing
    broker = shipment.parties.us_customs_broker
    return {
        "entry_summary_version": "1",
        "generator": f"cruce {__version__}",
        "shipment": shipment.reference,
        "header": {
            "filer_code": None if broker is None else broker.filer_code,
            "entry_type": _ENTRY_FORMAL if total > limit.amount else _ENTRY_INFORMAL,
            "port_code": "" if crossing is None else crossing.cbp_port_code,
            "import_date": quote.on.isoformat(),
            "mode_of_transport": _TRUCK,
            "exporting_country": shipment.export_country,
            "country_of_origin": origins.pop()
            if len(origins) == 1 and None not in origins
            else "MULTI",
            "carrier_scac": shipment.transport.carrier_scac,
            "importer_of_record": _party(shipment.parties.buyer),
            "consignee": _party(shipment.parties.consignee or shipment.parties.buyer),
            "total_entered_value": _money(total.quantize(_WHOLE, ROUND_HALF_UP)),
        },
        "lines": [_line(i, line, quote, mid) for i, line in enumerate(shipment.goods)],
        "fees": [_charge(c) for c in quote.entry],
        "citation": "CBP Form 7501 instructions; " + limit.source.citation,
    }


ARTIFACT = EntrySummary()
