"""The Electronic Export Information (15 CFR part 30): when it is required, what it says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import jsonschema
import pytest

from common.factories import line, shipment, shipment_data
from cruce.artifacts.eei import ARTIFACT, SCHEMA, document
from cruce.artifacts.registry import get
from cruce.ingest.loader import load_shipment
from cruce.model import Severity, Shipment

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]
EXAMPLE_01 = REPO / "src" / "cruce" / "examples" / "01-phoenix-to-guadalajara" / "shipment.yaml"
RATE: Final = {
    "base": "USD",
    "quote": "MXN",
    "rate": "20.00",
    "source": "DOF FIX",
    "as_of": "2026-11-30",
}
MANDATORY = (
    "usppi",
    "date_of_export",
    "ultimate_consignee",
    "ultimate_consignee_type",
    "state_of_origin",
    "country_of_ultimate_destination",
    "method_of_transportation",
    "carrier",
    "port_of_export",
    "related_party",
    "routed_export_transaction",
    "hazardous_materials",
    "inbond_code",
    "shipment_reference_number",
    "commodities",
)
LINE_ELEMENTS = (
    "domestic_foreign",
    "commodity_classification",
    "description",
    "unit",
    "quantity",
    "shipping_weight_kg",
    "value_usd",
    "export_information_code",
    "license_code",
)


def priced(price: str, **changes: Any) -> dict[str, Any]:
    """One unit of the factory's line at ``price``."""
    return line(quantity="1", unit_price=price, **changes)


def codes(record: Any) -> dict[str, Severity]:
    return {p.code: p.severity for p in ARTIFACT.problems(record)}


class TestRequired:
    def test_is_registered(self):
        assert get("eei") is ARTIFACT

    def test_exactly_2500_usd_for_one_schedule_b_is_not_required(self):
        requirement = ARTIFACT.required(shipment(goods=[priced("2500.00 USD")]))
        assert not requirement.required
        assert "NOEEI 30.37(a)" in str(requirement.reason)
        assert "30.37(a)" in (requirement.citation or "")

    def test_one_cent_over_2500_usd_is_required(self):
        requirement = ARTIFACT.required(shipment(goods=[priced("2500.01 USD")]))
        assert requirement.required
        assert "7616995090" in str(requirement.reason)
        assert "30.37(a)" in (requirement.citation or "")

    def test_two_lines_of_one_schedule_b_add_up_over_the_threshold(self):
        goods = [priced("1500.00 USD"), priced("1000.01 USD", part_number="SPM-7616-002")]
        assert ARTIFACT.required(shipment(goods=goods)).required

    def test_two_schedule_b_numbers_each_under_the_threshold_are_not_required(self):
        other = priced(
            "2000.00 USD",
            hts="8483.60.8000",
            schedule_b="8483.60.8000",
            fraccion="84836099",
            nico="00",
        )
        requirement = ARTIFACT.required(shipment(goods=[priced("2000.00 USD"), other]))
        assert not requirement.required

    def test_a_controlled_eccn_requires_eei_whatever_the_value(self):
        record = shipment(goods=[priced("10.00 USD", eccn="3A991.a.1")])
        requirement = ARTIFACT.required(record)
        assert requirement.required
        assert "3A991.a.1" in str(requirement.reason)
        assert requirement.citation == "15 CFR 30.2(a)(1)(iv)"
        assert codes(record)["eei.line.licence_unknown"] is Severity.BLOCKER

    def test_exports_to_canada_are_exempt_with_their_legend(self):
        record = shipment(import_country="CA", goods=[priced("9000.00 USD")])
        requirement = ARTIFACT.required(record)
        assert not requirement.required
        assert "NOEEI 30.36" in str(requirement.reason)
        assert "30.36" in (requirement.citation or "")

    def test_a_controlled_eccn_to_canada_is_still_required(self):
        record = shipment(import_country="CA", goods=[priced("10.00 USD", eccn="5A992.c")])
        assert ARTIFACT.required(record).required

    def test_a_northbound_shipment_is_not_applicable(self):
        record = shipment(export_country="MX", import_country="US")
        assert not ARTIFACT.required(record).required
        assert ARTIFACT.problems(record) == []


class TestCurrencies:
    def terms(self, **changes: Any) -> dict[str, Any]:
        base = {
            "invoice_number": "INV-2026-0412",
            "invoice_date": "2026-11-30",
            "currency": "MXN",
            "incoterm": "DAP",
        }
        return {**base, **changes}

    def test_mxn_values_are_converted_with_the_record_rate(self):
        under = shipment(goods=[priced("50000.00 MXN")], terms=self.terms(exchange_rate=RATE))
        over = shipment(goods=[priced("50000.20 MXN")], terms=self.terms(exchange_rate=RATE))
        assert not ARTIFACT.required(under).required  # 2,500.00 USD
        assert ARTIFACT.required(over).required  # 2,500.01 USD
        assert document(over)["commodities"][0]["value_usd"] == 2500

    def test_without_a_rate_the_value_is_a_blocker(self):
        record = shipment(goods=[priced("50000.00 MXN")], terms=self.terms())
        assert ARTIFACT.required(record).required
        assert codes(record)["eei.fx_missing"] is Severity.BLOCKER
        assert document(record)["commodities"][0]["value_usd"] is None


class TestDeadline:
    def test_truck_files_one_hour_before_the_planned_crossing(self):
        deadline = document(shipment())["filing_deadline"]
        assert deadline["event_at"] == "2026-12-03T09:00:00-07:00"
        assert deadline["latest_filing"] == "2026-12-03T08:00:00-07:00"
        assert deadline["hours_before"] == 1
        assert "30.4(b)" in deadline["citation"]

    def test_a_missing_planned_crossing_is_a_warning(self):
        transport = {"mode": "truck", "carrier_scac": "SWFT"}
        record = shipment(transport=transport)
        assert codes(record)["eei.deadline.unknown"] is Severity.WARNING
        assert document(record)["filing_deadline"]["latest_filing"] is None
        assert ARTIFACT.validate(ARTIFACT.render(record).data) == []


class TestDocument:
    def test_lines_of_one_schedule_b_are_one_item_in_whole_dollars_and_kilograms(self):
        goods = [priced("1500.40 USD"), priced("1000.20 USD", part_number="SPM-7616-002")]
        item = document(shipment(goods=goods))["commodities"][0]
        assert item["lines"] == [1, 2]
        assert item["value_usd"] == 2501
        assert item["shipping_weight_kg"] == 220
        assert (item["domestic_foreign"], item["license_code"], item["license_symbol"]) == (
            "D",
            "C33",
            "NLR",
        )

    def test_foreign_goods_are_marked_f(self):
        record = shipment(goods=[priced("3000.00 USD", origin_country="CN")])
        assert document(record)["commodities"][0]["domestic_foreign"] == "F"

    def test_the_mode_port_and_codes_are_aes_codes(self):
        data = document(shipment())
        assert data["method_of_transportation"]["code"] == "30"
        assert data["port_of_export"] == {"code": "2604", "name": "Nogales"}
        assert data["inbond_code"] == "70"
        assert data["state_of_origin"] == "AZ"
        assert data["routed_export_transaction"] is False

    def test_elements_the_record_lacks_are_blockers_naming_the_field(self):
        data = shipment_data(goods=[line(hazmat=None)])
        data["terms"]["related_parties"] = None
        del data["parties"]["consignee_type"]
        del data["parties"]["carrier"]
        found = {p.code: p for p in ARTIFACT.problems(Shipment.model_validate(data))}
        expected = {
            "related_party": "terms.related_parties",
            "consignee_type": "parties.consignee_type",
            "hazardous_materials": "goods[0].hazmat",
        }
        for code, path in expected.items():
            assert found[f"eei.{code}.missing"].severity is Severity.BLOCKER
            assert found[f"eei.{code}.missing"].path == path
        assert found["eei.carrier.missing"].path == "parties.carrier"

    def test_a_missing_ein_and_weight_are_blockers(self):
        seller = {**shipment().parties.seller.model_dump(mode="json"), "tax_ids": []}
        record = shipment(
            parties={"seller": seller, "buyer": shipment().parties.buyer.model_dump(mode="json")},
            goods=[line(gross_weight_kg=None)],
        )
        found = {p.code: p.path for p in ARTIFACT.problems(record)}
        assert found["eei.usppi.ein_missing"] == "parties.seller.tax_ids"
        assert found["eei.line.weight_missing"] == "goods[0].gross_weight_kg"

    def test_exw_leaves_the_routed_indicator_to_the_filer(self):
        terms = {"invoice_number": "I-1", "currency": "USD", "incoterm": "EXW"}
        record = shipment(terms=terms)
        assert codes(record)["eei.routed.missing"] is Severity.BLOCKER


class TestExample01:
    def test_is_required_and_renders_valid_json_with_every_mandatory_element(self):
        record = load_shipment(EXAMPLE_01)
        requirement = ARTIFACT.required(record)
        assert requirement.required
        rendered = ARTIFACT.render(record)
        assert rendered.media_type == "application/json"
        assert rendered.filename == "SPM-2026-1187-eei.json"
        assert ARTIFACT.validate(rendered.data) == []
        data = json.loads(rendered.data)
        assert set(MANDATORY) <= set(data)
        aluminium = next(
            c for c in data["commodities"] if c["commodity_classification"] == "7616995090"
        )
        assert aluminium["value_usd"] == 11050
        for item in data["commodities"]:
            assert set(LINE_ELEMENTS) <= set(item)
        assert data["filing_deadline"]["latest_filing"] == "2026-12-08T06:30:00-07:00"
        assert data["usppi"]["ein"] == "862741953"

    def test_it_is_ready(self):
        found = [
            p
            for p in ARTIFACT.problems(load_shipment(EXAMPLE_01))
            if p.severity is Severity.BLOCKER
        ]
        assert found == []


class TestValidation:
    def test_malformed_json_is_a_blocker(self):
        assert [p.code for p in ARTIFACT.validate(b"{")] == ["eei.json.malformed"]

    def test_a_document_missing_an_element_fails_the_schema(self):
        data = document(shipment())
        del data["port_of_export"]
        problems = ARTIFACT.validate(json.dumps(data).encode())
        assert [p.code for p in problems] == ["eei.schema.invalid"]

    def test_non_canonical_json_is_a_warning(self):
        data = json.dumps(document(shipment()), indent=1).encode()
        assert [p.code for p in ARTIFACT.validate(data)] == ["eei.json.not_canonical"]


class TestPublishedSchema:
    def test_the_schema_in_the_repository_is_the_packages(self):
        published = json.loads((REPO / "schema" / "eei.schema.json").read_text(encoding="utf-8"))
        assert published == SCHEMA

    def test_the_schema_is_a_valid_2020_12_schema(self):
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
