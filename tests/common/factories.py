"""Shipment records for tests: a complete southbound truck shipment, changed per test."""

from __future__ import annotations

import copy
from typing import Any

from cruce.model import Shipment


def seller() -> dict[str, Any]:
    return {
        "name": "Sonoran Precision Machining LLC",
        "tax_ids": [{"scheme": "us_ein", "value": "86-1234567"}],
        "address": {
            "street": "4420 W Buckeye Rd",
            "locality": "Phoenix",
            "subdivision": "US-AZ",
            "postal_code": "85043",
            "country": "US",
        },
        "contact": {
            "name": "Dana Whitfield",
            "phone": "+1 602 555 0147",
            "email": "dana@example.com",
        },
    }


def buyer() -> dict[str, Any]:
    return {
        "name": "Maquinados Tapatíos, S.A. de C.V.",
        "tax_ids": [{"scheme": "mx_rfc", "value": "MTA1503109K6"}],
        "address": {
            "street": "Av. Industria Textil",
            "exterior_number": "2575",
            "neighborhood": "Parque Industrial Belenes Norte",
            "locality": "Zapopan",
            "municipality": "Zapopan",
            "subdivision": "MX-JAL",
            "postal_code": "45150",
            "country": "MX",
        },
        "contact": {
            "name": "Ing. Lucía Ramírez",
            "phone": "33 3812 4400",
            "email": "compras@example.mx",
        },
    }


def line(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "part_number": "SPM-7616-001",
        "description": {
            "en": "Machined aluminium mounting bracket, 6061-T6",
            "es": "Soporte de montaje de aluminio maquinado, 6061-T6",
        },
        "hts": "7616.99.5190",
        "schedule_b": "7616.99.5090",
        "fraccion": "76169999",
        "nico": "99",
        "origin_country": "US",
        "quantity": "400",
        "unit": "H87",
        "unit_price": "18.75 USD",
        "net_weight_kg": "96",
        "gross_weight_kg": "110",
        "eccn": "EAR99",
        "hazmat": False,
        "packages": 2,
        "package_type": "PX",
    }
    base.update(changes)
    return base


def carrier() -> dict[str, Any]:
    """The truck carrier (SCAC SWFT), as EEI names the conveyance's carrier."""
    return {
        "name": "Swift Transportation Co. of Arizona, LLC",
        "address": {
            "street": "2200 S 75th Ave",
            "locality": "Phoenix",
            "subdivision": "US-AZ",
            "postal_code": "85043",
            "country": "US",
        },
    }


def shipment_data(**changes: Any) -> dict[str, Any]:
    """A southbound (US to MX) shipment that has no blockers; ``changes`` replace top-level keys."""
    data: dict[str, Any] = {
        "reference": "SPM-2026-0412",
        "export_country": "US",
        "import_country": "MX",
        "parties": {
            "seller": seller(),
            "buyer": buyer(),
            "carrier": carrier(),
            "consignee_type": "O",
        },
        "goods": [line()],
        "transport": {
            "mode": "truck",
            "carrier_scac": "SWFT",
            "pro_number": "PRO884201",
            "truck": {"number": "4471", "plate": "AZ77120", "plate_jurisdiction": "AZ"},
            "driver": {
                "name": "Ramón Ibarra",
                "license_number": "D04417782",
                "license_jurisdiction": "AZ",
                "nationality": "US",
            },
            "crossing": {
                "cbp_port_code": "2604",
                "cbp_port_name": "Nogales",
                "aduana": "23",
                "seccion": "0",
                "aduana_name": "Nogales, Nogales, Sonora.",
                "us_unlocode": "USOLS",
                "mx_unlocode": "MXNOG",
            },
            "planned_crossing": "2026-12-03T09:00:00-07:00",
        },
        "terms": {
            "invoice_number": "INV-2026-0412",
            "invoice_date": "2026-11-30",
            "related_parties": False,
            "currency": "USD",
            "incoterm": "DAP",
            "incoterm_place": "Zapopan, Jalisco, México",
            "payment_terms": "Net 30",
        },
    }
    data.update(copy.deepcopy(changes))
    return data


def shipment(**changes: Any) -> Shipment:
    return Shipment.model_validate(shipment_data(**changes))
