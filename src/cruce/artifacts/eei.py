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

This document is cruce's own JSON (:data:`SCHEMA`, ``schema/eei.schema.json`` is its
published copy; a test keeps them equal). The same data as a record to load into ACE
AESDirect is :mod:`cruce.artifacts.eei_upload` (CBP's AESWebLink submission variables).

Code: the requirement, the values and the document are in ``_eei_data``, the problems in
``_eei_problems``; this module holds the schema, the check and ``ARTIFACT``, and re-exports
:func:`requirement`, :func:`document` and :func:`eei_problems`.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import jsonschema
import rfc8785

from cruce.artifacts._eei_data import (
    AES_UNITS,
    CANADA,
    EAR99,
    KEY,
    LICENCE_CITATION,
    NO_QUANTITY,
    SELLER_CARRIES,
    US,
    USD,
    document,
    requirement,
)
from cruce.artifacts._eei_problems import eei_problems
from cruce.artifacts._json import json_problems
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _

if TYPE_CHECKING:
    from cruce.model import Problem, Shipment

MEDIA_TYPE: Final = "application/json"
SCHEMA_ID: Final = "https://cruce.dev/schema/eei/1"


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


__all__ = [
    "AES_UNITS",
    "ARTIFACT",
    "CANADA",
    "EAR99",
    "KEY",
    "LICENCE_CITATION",
    "MEDIA_TYPE",
    "NO_QUANTITY",
    "SCHEMA",
    "SCHEMA_ID",
    "SELLER_CARRIES",
    "US",
    "USD",
    "Eei",
    "document",
    "eei_problems",
    "requirement",
]

if __name__ == "__main__":  # `make schema` writes the published copy
    import sys

    sys.stdout.write(json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n")
