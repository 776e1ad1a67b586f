"""ACE e-Manifest data for a truck entering the United States, for the carrier to transmit.

The carrier (or its agent) transmits the truck's electronic manifest to CBP in ACE before
the truck reaches the first US port of arrival (19 CFR 123.92: one hour, 30 minutes for
FAST; dated rows in :mod:`cruce.reference.emanifest`). cruce prepares its data from the
record: the trip (carrier SCAC, port of arrival, estimated arrival), the conveyance (truck
number, VIN, plate and its jurisdiction), the equipment (trailers, containers, seals), the
crew (the driver and the travel document: FAST card or licence), and the shipment with its
shipment control number (SCAC + PRO number), shipper, consignee and commodities (description,
HTSUS number, quantity, gross weight, value, country of origin, hazmat). JSON valid against
:data:`SCHEMA` (published as ``schema/emanifest.schema.json``).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import jsonschema
import rfc8785

from cruce import __version__
from cruce.artifacts._json import json_problems
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _
from cruce.model.problems import blocker
from cruce.reference.emanifest import deadline

if TYPE_CHECKING:
    from cruce.model import Party, Problem, Shipment
    from cruce.model.transport import Vehicle

SCHEMA_ID: Final = "https://cruce.dev/schema/emanifest/1"
_TEXT: Final = {"type": ["string", "null"]}
_VEHICLE: Final = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "number": _TEXT,
        "vin": _TEXT,
        "plate": _TEXT,
        "plate_jurisdiction": _TEXT,
    },
}
_PARTY: Final = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "country"],
    "properties": {"name": {"type": "string"}, "city": _TEXT, "country": {"type": "string"}},
}
SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "ACE truck e-Manifest data prepared by cruce",
    "type": "object",
    "additionalProperties": False,
    "required": ["emanifest_version", "generator", "trip", "conveyance", "crew", "shipments"],
    "properties": {
        "emanifest_version": {"const": "1"},
        "generator": {"type": "string"},
        "trip": {
            "type": "object",
            "additionalProperties": False,
            "required": ["carrier_scac", "port_of_arrival", "estimated_arrival", "deadline"],
            "properties": {
                "carrier_scac": {"type": "string", "pattern": "^[A-Z]{2,4}$"},
                "port_of_arrival": {"type": "string", "pattern": r"^\d{4}$"},
                "estimated_arrival": {"type": "string", "format": "date-time"},
                "fast": {"type": "boolean"},
                "deadline": {"type": "string", "format": "date-time"},
                "deadline_citation": {"type": "string"},
            },
        },
        "conveyance": _VEHICLE,
        "equipment": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "trailers": {"type": "array", "items": _VEHICLE},
                "containers": {"type": "array", "items": {"type": "string"}},
                "seals": {"type": "array", "items": {"type": "string"}},
            },
        },
        "crew": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "role": {"const": "driver"},
                    "name": {"type": "string"},
                    "citizenship": _TEXT,
                    "fast_card": _TEXT,
                    "license_number": _TEXT,
                    "license_jurisdiction": _TEXT,
                },
            },
        },
        "shipments": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["shipment_control_number", "shipper", "consignee", "commodities"],
                "properties": {
                    "shipment_control_number": {"type": "string", "minLength": 5},
                    "shipper": _PARTY,
                    "consignee": _PARTY,
                    "commodities": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["description", "quantity"],
                            "properties": {
                                "description": {"type": "string"},
                                "hts": _TEXT,
                                "quantity": {"type": "string"},
                                "unit": {"type": "string"},
                                "gross_weight_kg": _TEXT,
                                "value": _TEXT,
                                "currency": {"type": "string"},
                                "country_of_origin": _TEXT,
                                "hazmat": {"type": ["boolean", "null"]},
                            },
                        },
                    },
                },
            },
        },
    },
}


def _vehicle(vehicle: Vehicle | None) -> dict[str, Any]:
    if vehicle is None:
        return {"number": None, "vin": None, "plate": None, "plate_jurisdiction": None}
    return {
        "number": vehicle.number,
        "vin": vehicle.vin,
        "plate": vehicle.plate,
        "plate_jurisdiction": vehicle.plate_jurisdiction,
    }


def _party(party: Party | None) -> dict[str, Any]:
    if party is None:
        return {"name": "", "city": None, "country": ""}
    return {"name": party.name, "city": party.address.locality, "country": party.address.country}


class EManifest:
    """The ACE e-Manifest data of a truck entering the United States."""

    key = "emanifest"
    title = _("ACE e-Manifest data (truck)")
    media_type = "application/json"
    order = 36

    def required(self, shipment: Shipment) -> Requirement:
        """Every truck bringing cargo into the United States is manifested in advance."""
        if shipment.import_country != "US" or shipment.transport.mode.value != "truck":
            return Requirement(
                required=False,
                reason=_("Only a truck entering the United States files an ACE e-Manifest"),
            )
        day = shipment.crossing_date()
        fast = shipment.transport.fast
        citation = "19 CFR 123.92(a)"
        if day is not None:
            citation = deadline(fast=fast, on=day).source.citation
        return Requirement(
            required=True,
            reason=_(
                "The carrier transmits the truck's e-Manifest in ACE before it reaches the "
                "first US port of arrival; cruce prepares its data"
            ),
            citation=citation,
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """What the carrier cannot transmit without, each naming its field."""
        if not self.required(shipment).required:
            return []
        transport = shipment.transport
        needs = [
            (transport.carrier_scac is None, "transport.carrier_scac", _("the carrier's SCAC")),
            (transport.pro_number is None, "transport.pro_number", _("the PRO number")),
            (transport.crossing is None, "transport.crossing", _("the port of arrival")),
            (
                transport.planned_crossing is None,
                "transport.planned_crossing",
                _("the estimated arrival at the border"),
            ),
            (
                transport.truck is None
                or (transport.truck.vin is None and transport.truck.plate is None),
                "transport.truck",
                _("the truck's VIN or licence plate"),
            ),
            (transport.driver is None, "transport.driver", _("the driver")),
            (
                transport.driver is not None
                and transport.driver.fast_card is None
                and transport.driver.license_number is None,
                "transport.driver",
                _("the driver's FAST card or licence number"),
            ),
        ]
        return [
            blocker(
                "emanifest.missing",
                path,
                _("the e-Manifest needs {what}", what=what),
            )
            for missing, path, what in needs
            if missing
        ]

    def render(self, shipment: Shipment) -> Rendered:
        """The e-Manifest data as canonical JSON."""
        return Rendered(
            safe_filename(shipment.reference, "-emanifest.json"),
            self.media_type,
            rfc8785.dumps(document(shipment)),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """Valid JSON, valid against its schema, and in canonical form."""
        return json_problems(data, _validator(), self.key, self.title)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMA)


def document(shipment: Shipment) -> dict[str, Any]:
    """The e-Manifest data (call when ``problems`` has no blockers)."""
    transport = shipment.transport
    arrival = transport.planned_crossing
    crossing = transport.crossing
    if arrival is None or crossing is None or transport.carrier_scac is None:
        msg = "the e-Manifest needs the arrival, the port and the SCAC: check problems() first"
        raise ValueError(msg)
    due = deadline(fast=transport.fast, on=arrival.date())
    driver = transport.driver
    return {
        "emanifest_version": "1",
        "generator": f"cruce {__version__}",
        "trip": {
            "carrier_scac": transport.carrier_scac,
            "port_of_arrival": crossing.cbp_port_code,
            "estimated_arrival": arrival.isoformat(),
            "fast": transport.fast,
            "deadline": (arrival - timedelta(minutes=due.minutes_before)).isoformat(),
            "deadline_citation": due.source.citation,
        },
        "conveyance": _vehicle(transport.truck),
        "equipment": {
            "trailers": [_vehicle(t) for t in transport.trailers],
            "containers": list(transport.containers),
            "seals": list(transport.seals),
        },
        "crew": [
            {
                "role": "driver",
                "name": "" if driver is None else driver.name,
                "citizenship": None if driver is None else driver.nationality,
                "fast_card": None if driver is None else driver.fast_card,
                "license_number": None if driver is None else driver.license_number,
                "license_jurisdiction": None if driver is None else driver.license_jurisdiction,
            }
        ],
        "shipments": [
            {
                "shipment_control_number": f"{transport.carrier_scac}{transport.pro_number or ''}",
                "shipper": _party(shipment.parties.seller),
                "consignee": _party(shipment.parties.consignee or shipment.parties.buyer),
                "commodities": [
                    {
                        "description": line.description.get("en"),
                        "hts": line.hts,
                        "quantity": str(line.quantity),
                        "unit": line.unit,
                        "gross_weight_kg": None
                        if line.gross_weight_kg is None
                        else str(line.gross_weight_kg),
                        "value": str(line.line_value().amount),
                        "currency": line.line_value().currency,
                        "country_of_origin": line.origin_country,
                        "hazmat": line.hazmat,
                    }
                    for line in shipment.goods
                ],
            }
        ],
    }


ARTIFACT = EManifest()
