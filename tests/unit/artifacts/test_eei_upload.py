"""The EEI as an AESWebLink upload record for ACE AESDirect: same data, the record's form."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.factories import line, shipment, shipment_data
from cruce.artifacts import eei
from cruce.artifacts.eei_upload import ARTIFACT, contact_name, layout
from cruce.artifacts.registry import get
from cruce.ingest.loader import load_shipment
from cruce.model import Severity, Shipment

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]
EXAMPLE_01 = REPO / "src" / "cruce" / "examples" / "01-phoenix-to-guadalajara" / "shipment.yaml"
BEARING = {
    "hts": "8483.60.8000",
    "schedule_b": "8483.60.8000",
    "fraccion": "84836099",
    "nico": "00",
}


def priced(price: str, **changes: Any) -> dict[str, Any]:
    """One unit of the factory's line at ``price``."""
    return line(quantity="1", unit_price=price, **changes)


def fields(record: Shipment) -> dict[str, str]:
    """The rendered record's variables, by name."""
    pairs = parse_qsl(ARTIFACT.render(record).data.decode("ascii"), strict_parsing=True)
    found = dict(pairs)
    assert len(found) == len(pairs)
    return found


def items(found: dict[str, str]) -> list[dict[str, str]]:
    """The IT{n} groups of a parsed record, in order, keyed by the variable's number."""
    count = sum(1 for name in found if name.startswith("isLine"))
    return [
        {name.split("_")[1]: value for name, value in found.items() if name.startswith(f"IT{n}_")}
        for n in range(1, count + 1)
    ]


def body(pairs: list[tuple[str, str]]) -> bytes:
    return urlencode(pairs, quote_via=quote).encode("ascii")


def example_pairs() -> list[tuple[str, str]]:
    data = ARTIFACT.render(load_shipment(EXAMPLE_01)).data.decode("ascii")
    return parse_qsl(data, strict_parsing=True)


class TestRequired:
    def test_is_registered(self):
        assert get("eei_upload") is ARTIFACT

    @pytest.mark.parametrize(
        "changes",
        [
            {"goods": [priced("2500.00 USD")]},
            {"goods": [priced("2500.01 USD")]},
            {"goods": [priced("10.00 USD", eccn="3A991.a.1")]},
            {"import_country": "CA", "goods": [priced("9000.00 USD")]},
            {"export_country": "MX", "import_country": "US"},
        ],
        ids=["at-threshold", "over-threshold", "controlled-eccn", "canada", "northbound"],
    )
    def test_exactly_when_the_eei_is(self, changes):
        record = shipment(**changes)
        assert ARTIFACT.required(record) == eei.ARTIFACT.required(record)

    def test_not_required_means_no_problems(self):
        assert ARTIFACT.problems(shipment(goods=[priced("100.00 USD")])) == []


class TestRecord:
    def test_one_line_group_per_schedule_b_item_of_the_eei(self):
        goods = [
            priced("1500.40 USD"),
            priced("1000.20 USD", part_number="SPM-7616-002"),
            priced("3000.00 USD", part_number="SPM-8483-001", **BEARING),
        ]
        record = shipment(goods=goods)
        commodities = eei.document(record)["commodities"]
        groups = items(fields(record))
        assert len(groups) == len(commodities) == 2
        for group, item in zip(groups, commodities, strict=True):
            assert group["13"] == item["commodity_classification"]
            assert group["2"] == str(item["value_usd"])
            assert group["7"] == str(item["shipping_weight_kg"])
            assert group["21"] == item["domestic_foreign"]
        assert groups[0]["2"] == "2501"  # 1,500.40 + 1,000.20 in whole dollars

    def test_the_shipment_and_party_fields_are_the_eeis(self):
        record = shipment(goods=[priced("3000.00 USD")])
        data, found = eei.document(record), fields(record)
        assert found["SRN"] == data["shipment_reference_number"]
        assert found["ST"] == data["state_of_origin"] == "AZ"
        assert found["POE"] == data["port_of_export"]["code"] == "2604"
        assert found["COD"] == data["country_of_ultimate_destination"] == "MX"
        assert found["MOT"] == data["method_of_transportation"]["code"] == "30"
        assert found["SCAC"] == data["carrier"]["scac"]
        assert found["VN"] == data["carrier"]["name"]
        assert found["IBT"] == data["inbond_code"]
        assert found["EDA"] == "261203"  # planned crossing 2026-12-03, as YYMMDD
        assert (found["RCC"], found["HAZ"], found["RT"]) == ("N", "N", "N")
        assert found["AD0_1"] == data["usppi"]["name"]
        assert found["AD0_2"] == data["usppi"]["ein"]
        assert found["AD1_3"] == data["ultimate_consignee"]["name"]
        assert found["AD1_14"] == data["ultimate_consignee_type"]
        assert found["AD1_12"] == data["ultimate_consignee"]["address"]["country"]

    def test_a_foreign_controlled_line_keeps_its_eccn_and_indicator(self):
        record = shipment(goods=[priced("3000.00 USD", origin_country="CN")])
        assert items(fields(record))[0]["21"] == "F"

    def test_contact_names_split_before_the_first_comma(self):
        assert contact_name("Dana Whitfield, Export Coordinator") == ("Dana", "Whitfield")
        assert contact_name("Ana María López Ruiz") == ("Ana", "María López Ruiz")
        assert contact_name("Shipping") == ("Shipping", None)
        assert contact_name(None) == (None, None)


class TestProblems:
    def test_an_eei_with_blockers_blocks_the_upload_once(self):
        data = shipment_data(goods=[priced("3000.00 USD")])
        data["terms"]["related_parties"] = None
        record = Shipment.model_validate(data)
        assert "eei.related_party.missing" in {p.code for p in eei.ARTIFACT.problems(record)}
        found = [p for p in ARTIFACT.problems(record) if p.severity is Severity.BLOCKER]
        assert [p.code for p in found] == ["eei_upload.eei.not_ready"]

    def test_the_eeis_warnings_are_not_repeated(self):
        transport = {**shipment_data()["transport"], "planned_crossing": None}
        record = shipment(goods=[priced("3000.00 USD")], transport=transport)
        assert all(p.severity is Severity.BLOCKER for p in ARTIFACT.problems(record))
        assert "eei.deadline.unknown" in {p.code for p in eei.ARTIFACT.problems(record)}

    def test_without_a_planned_crossing_the_date_of_export_is_the_eeis(self):
        transport = {**shipment_data()["transport"], "planned_crossing": None}
        record = shipment(goods=[priced("3000.00 USD")], transport=transport)
        assert eei.document(record)["date_of_export"] == "2026-11-30"  # the invoice date
        assert fields(record)["EDA"] == "261130"

    def test_a_reference_longer_than_17_characters_is_a_blocker(self):
        record = shipment(reference="SPM-2026-0412-SOUTH", goods=[priced("3000.00 USD")])
        found = {p.code: p for p in ARTIFACT.problems(record)}
        problem = found["eei_upload.srn.too_long"]
        assert (problem.severity, problem.path) == (Severity.BLOCKER, "reference")
        assert "17" in str(problem.message)
        assert problem.message.both()["es"]

    def test_a_one_word_usppi_contact_is_a_blocker(self):
        data = shipment_data(goods=[priced("3000.00 USD")])
        data["parties"]["seller"]["contact"]["name"] = "Shipping"
        found = {p.code: p for p in ARTIFACT.problems(Shipment.model_validate(data))}
        assert found["eei_upload.usppi.contact_name"].path == "parties.seller.contact.name"

    def test_a_ready_shipment_has_none(self):
        assert ARTIFACT.problems(shipment(goods=[priced("3000.00 USD")])) == []


class TestExample01:
    def test_is_required_renders_and_validates(self):
        record = load_shipment(EXAMPLE_01)
        assert ARTIFACT.required(record).required
        assert [p for p in ARTIFACT.problems(record) if p.severity is Severity.BLOCKER] == []
        rendered = ARTIFACT.render(record)
        assert rendered.media_type == "application/x-www-form-urlencoded"
        assert rendered.filename == "SPM-2026-1187-eei-aesweblink.txt"
        assert ARTIFACT.validate(rendered.data) == []
        found = fields(record)
        commodities = eei.document(record)["commodities"]
        assert len(items(found)) == len(commodities)
        aluminium = next(g for g in items(found) if g["13"] == "7616995090")
        assert aluminium["2"] == "11050"
        assert (found["AD0_9"], found["AD0_11"]) == ("Dana", "Whitfield")
        assert found["AD0_12"] == "6025550147"
        assert found["AD3_4"] == "860518342"

    def test_rendering_is_deterministic(self):
        record = load_shipment(EXAMPLE_01)
        assert ARTIFACT.render(record).data == ARTIFACT.render(record).data


_NUMBERS = (
    {"hts": "7616.99.5190", "schedule_b": "7616.99.5090", "fraccion": "76169999", "nico": "99"},
    BEARING,
)
_LINES = st.lists(
    st.tuples(
        st.sampled_from(range(len(_NUMBERS))),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal(99999), places=2),
        st.integers(min_value=1, max_value=500),
        st.sampled_from(["US", "CN"]),
    ),
    min_size=1,
    max_size=5,
)


class TestRoundTrip:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_LINES)
    def test_render_then_parse_gives_the_eeis_values(self, drawn):
        goods = [
            line(
                part_number=f"P-{i}",
                quantity=str(quantity),
                unit_price=f"{price} USD",
                origin_country=origin,
                **_NUMBERS[number],
            )
            for i, (number, price, quantity, origin) in enumerate(drawn)
        ]
        record = shipment(goods=goods)
        rendered = ARTIFACT.render(record).data
        assert ARTIFACT.validate(rendered) == []
        groups = items(dict(parse_qsl(rendered.decode("ascii"), strict_parsing=True)))
        commodities = eei.document(record)["commodities"]
        assert len(groups) == len(commodities)
        for group, item in zip(groups, commodities, strict=True):
            assert int(group["2"]) == item["value_usd"]
            assert int(group["7"]) == item["shipping_weight_kg"]
            assert group["13"] == item["commodity_classification"]
            assert group["21"] == item["domestic_foreign"]
            assert group.get("3") == item["unit"]
            assert group.get("4") == (None if item["quantity"] is None else str(item["quantity"]))
            assert group["12"] == item["description"]


class TestValidation:
    def test_not_a_form_body_is_malformed(self):
        assert [p.code for p in ARTIFACT.validate(b"SRN&&")] == ["eei_upload.record.malformed"]
        assert [p.code for p in ARTIFACT.validate("SRN=ñ".encode())] == [
            "eei_upload.record.malformed"
        ]

    def test_a_line_missing_a_required_variable_names_the_line_and_variable(self):
        pairs = [(k, v) for k, v in example_pairs() if k != "IT2_13"]
        problems = ARTIFACT.validate(body(pairs))
        assert [(p.code, p.path) for p in problems] == [("eei_upload.record.invalid", "IT2_13")]
        assert "line 2" in str(problems[0].message)
        assert problems[0].message.both()["es"]

    def test_an_extra_variable_in_a_line_is_refused(self):
        pairs = [*example_pairs(), ("IT1_99", "X")]
        problems = ARTIFACT.validate(body(pairs))
        assert [(p.code, p.path) for p in problems] == [("eei_upload.record.invalid", "IT1_99")]

    def test_a_bad_code_names_the_line_and_variable(self):
        pairs = [(k, "Z" if k == "IT3_21" else v) for k, v in example_pairs()]
        problems = ARTIFACT.validate(body(pairs))
        assert [(p.code, p.path) for p in problems] == [("eei_upload.record.invalid", "IT3_21")]
        assert "line 3" in str(problems[0].message)
        assert "D, F" in str(problems[0].message)

    def test_a_bad_consignee_type_and_schedule_b_are_refused(self):
        changed = {"AD1_14": "X", "IT1_13": "7616.99.5090"}
        pairs = [(k, changed.get(k, v)) for k, v in example_pairs()]
        assert {p.path for p in ARTIFACT.validate(body(pairs))} == {"AD1_14", "IT1_13"}

    def test_a_reference_over_17_characters_is_refused(self):
        pairs = [(k, "X" * 18 if k == "SRN" else v) for k, v in example_pairs()]
        problems = ARTIFACT.validate(body(pairs))
        assert [p.path for p in problems] == ["SRN"]
        assert "17" in str(problems[0].message)

    def test_a_gap_in_line_numbers_and_a_repeated_variable_are_refused(self):
        renumbered = [
            (k.replace("IT13_", "IT15_").replace("isLine13", "isLine15"), v)
            for k, v in example_pairs()
        ]
        assert [p.path for p in ARTIFACT.validate(body(renumbered))] == ["isLine15"]
        repeated = [*example_pairs(), ("SRN", "OTHER")]
        assert [p.path for p in ARTIFACT.validate(body(repeated))] == ["SRN"]

    def test_a_record_without_lines_or_with_system_variables_is_refused(self):
        no_lines = [(k, v) for k, v in example_pairs() if not k.startswith(("IT", "isLine"))]
        assert [p.path for p in ARTIFACT.validate(body(no_lines))] == ["isLine1"]
        with_app = [("wl_app_ident", "wltest01"), *example_pairs()]
        assert [p.path for p in ARTIFACT.validate(body(with_app))] == ["wl_app_ident"]


class TestLayout:
    def test_every_variable_cruce_writes_is_in_the_layout(self):
        spec = layout()
        for name, _value in example_pairs():
            item = name.startswith("IT")
            known = spec.line_variable(int(name.split("_")[1])) if item else spec.named(name)
            assert known is not None or name.startswith("isLine"), name

    def test_the_layout_names_its_source_and_the_srn_size_cbp_gives(self):
        spec = layout()
        assert spec.url.startswith("https://www.cbp.gov/")
        srn = spec.named("SRN")
        assert srn is not None
        assert srn.max_length == 17
        assert "wl_app_ident" in spec.system_variables
