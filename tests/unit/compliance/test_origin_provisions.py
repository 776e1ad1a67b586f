"""The general provisions of USMCA chapter 4 beyond the product-specific rule.

Criteria A and D, how each kind of material counts (indirect materials, retail packaging,
accessories, packing for shipment), accumulation, intermediate materials, de minimis on the
total cost, and the explanations in Spanish. Numbers worked by hand in each test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from common.factories import line
from cruce.compliance.origin import OriginResult, determine
from cruce.model import Money
from cruce.model.goods import GoodsLine, OriginCriterion

pytestmark = pytest.mark.unit

ON = date(2026, 1, 15)


def _usd(text: str) -> Money:
    return Money.of(text, "USD")


def material(
    description: str, hs: str | None, country: str, value: str, originating: str, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": description,
        "origin_country": country,
        "value": f"{value} USD",
        "originating": originating,
        **extra,
    }
    if hs is not None:
        data["hs_code"] = hs
    return data


def good(hts: str, price: str, materials: list[dict[str, Any]], **changes: Any) -> GoodsLine:
    return GoodsLine.model_validate(
        line(hts=hts, fraccion=None, unit_price=f"{price} USD", materials=materials, **changes)
    )


def text(result: OriginResult, locale: str = "en") -> str:
    return " | ".join(m.render(locale) for m in (*result.explanation, *result.suggestions))


# A printed circuit of heading 8534 (rule "CTH"), 20.00 USD: a Chinese bare board of the
# same heading worth 3.00 (15 % of TV: beyond de minimis) and Mexican copper foil.
def circuit(**changes: Any) -> GoodsLine:
    return good(
        "8534.00.0020",
        "20.00",
        [
            material("bare board", "8534.00", "CN", "3.00", "no"),
            material("copper foil", "7410.21", "MX", "4.00", "yes"),
        ],
        **changes,
    )


class TestCriterionA:
    def test_a_wholly_obtained_good_qualifies_under_criterion_a(self):
        ore = good("2603.00.0010", "90.00", [], origin={"wholly_obtained": "mineral"})
        result = determine(ore, ON, produced_in="MX")
        assert result.qualifies is True
        assert result.criterion is OriginCriterion.A

    def test_a_non_originating_material_contradicts_wholly_obtained(self):
        data = circuit(origin={"wholly_obtained": "from_wholly_obtained"})
        result = determine(data, ON, produced_in="US")
        assert result.criterion is not OriginCriterion.A
        assert result.problems[0].code == "origin.wholly_obtained.contradicted"


class TestCriterionD:
    # VNM 3.00 of TV 20.00: RVC (20 - 3) / 20 = 85.00 % >= 60 %
    def test_parts_classified_with_the_good_qualify_under_d_when_stated(self):
        result = determine(circuit(origin={"parts_with_good": True}), ON, produced_in="US")
        assert result.qualifies is True
        assert result.criterion is OriginCriterion.D
        assert result.rvc[0].percent == Decimal("85.00")
        assert result.rvc[0].threshold == Decimal(60)

    def test_without_the_statement_d_is_only_suggested(self):
        result = determine(circuit(), ON, produced_in="US")
        assert result.qualifies is False
        assert "criterion D (USMCA Art. 4.2(d)) would apply" in text(result)

    def test_d_needs_an_rvc_of_60_percent_by_transaction_value(self):
        # a board of 9.00: RVC (20 - 9) / 20 = 55.00 % < 60 %
        data = circuit(origin={"parts_with_good": True})
        board = data.materials[0].model_copy(update={"value": _usd("9.00")})
        data = data.model_copy(update={"materials": [board, data.materials[1]]})
        result = determine(data, ON, produced_in="US")
        assert result.qualifies is False
        assert "at least 60 % by transaction value would qualify (it is 55.00 %)" in text(result)

    def test_d_never_applies_to_materials_of_another_subheading(self):
        # 9031.90 rule "CTSH or from 9031.90": an 8534 board shifts; a 9031.80 one fails
        # the shift and is of another subheading than the good: no criterion D
        part = good(
            "9031.90.9195",
            "20.00",
            [material("gauge body", "9031.80", "CN", "5.00", "no")],
            origin={"parts_with_good": True},
        )
        result = determine(part, ON, produced_in="MX")
        assert result.criterion is not OriginCriterion.D


class TestMaterialKinds:
    def test_an_indirect_material_is_originating_wherever_made(self):
        foil = material("copper foil", "7410.21", "MX", "4.00", "yes")
        glove = material("gloves", "4015.19", "CN", "0.50", "no", kind="indirect")
        result = determine(good("8534.00.0020", "20.00", [foil, glove]), ON, produced_in="US")
        assert result.criterion is OriginCriterion.C
        assert result.materials[1].originating is True

    def test_packing_for_shipment_is_disregarded(self):
        crate = material("crate", "4415.10", "CN", "5.00", "no", kind="shipping_packing")
        foil = material("copper foil", "7410.21", "MX", "4.00", "yes")
        result = determine(good("8534.00.0020", "20.00", [foil, crate]), ON, produced_in="US")
        assert result.criterion is OriginCriterion.C
        assert result.materials[1].vnm == _usd("0")

    def test_retail_packaging_skips_the_shift_but_counts_in_the_rvc(self):
        # boiler part 8402.90, "CTH" or "NCTC + RVC 60 TV / 50 NC"; a retail box of
        # 8402.90 would fail CTH but is not tested; it is the only non-originating input
        box = material("retail box", "8402.90", "CN", "30.00", "no", kind="retail_packing")
        plate = material("steel plate", "7208.51", "US", "20.00", "yes")
        result = determine(good("8402.90.0010", "100.00", [plate, box]), ON, produced_in="MX")
        assert result.qualifies is True
        assert result.criterion is OriginCriterion.B
        assert result.materials[1].shifts is None
        assert result.vnm == _usd("30.00")

    def test_an_accessory_of_the_same_heading_does_not_break_the_shift(self):
        tool = material("wrench", "8534.00", "CN", "5.00", "no", kind="accessory")
        foil = material("copper foil", "7410.21", "CN", "4.00", "no")
        result = determine(good("8534.00.0020", "20.00", [foil, tool]), ON, produced_in="US")
        assert result.qualifies is True
        assert result.criterion is OriginCriterion.B


class TestAccumulation:
    def test_only_the_foreign_content_of_a_material_made_in_mexico_counts(self):
        # 8402.90 boiler part, 100.00: a Mexican casting of 45.00 (same heading, fails CTH)
        # holding 10.00 of Chinese iron. Without accumulation RVC = 55 % < 60 %; with it
        # VNM = 10.00 and RVC = 90.00 %
        casting = material(
            "cast boiler section",
            "8402.90",
            "MX",
            "45.00",
            "no",
            non_originating_value="10.00 USD",
        )
        plate = material("steel plate", "7208.51", "US", "20.00", "yes")
        result = determine(good("8402.90.0010", "100.00", [casting, plate]), ON, produced_in="MX")
        assert result.qualifies is True
        assert result.rvc[0].vnm == _usd("10.00")
        assert result.rvc[0].percent == Decimal("90.00")

    def test_a_material_made_outside_the_region_gets_no_accumulation(self):
        casting = material(
            "cast boiler section",
            "8402.90",
            "CN",
            "45.00",
            "no",
            non_originating_value="10.00 USD",
        )
        result = determine(good("8402.90.0010", "100.00", [casting]), ON, produced_in="MX")
        assert result.qualifies is False
        assert result.rvc[0].vnm == _usd("45.00")


class TestIntermediateMaterials:
    def test_an_originating_intermediate_counts_as_originating(self):
        # a self-made bare board (8534) from Chinese laminate (7410.21): the board qualifies
        # by CTH, so the good of 9031.90 is made only of originating materials
        board = material(
            "bare board",
            "8534.00",
            "MX",
            "5.00",
            "no",
            materials=[material("laminate", "7410.21", "CN", "2.00", "no")],
        )
        part = good("9031.90.9195", "20.00", [board])
        result = determine(part, ON, produced_in="MX")
        assert result.criterion is OriginCriterion.C
        verdict = result.materials[0]
        assert verdict.originating is True
        assert verdict.intermediate is not None
        assert verdict.intermediate.criterion is OriginCriterion.B

    def test_a_non_originating_intermediate_adds_only_its_foreign_inputs(self):
        # the board's own input is a Chinese board blank of 8534 worth 1.00 of 5.00 (20 %,
        # beyond de minimis): the board is non-originating but only 1.00 counts as VNM
        board = material(
            "bare board",
            "8534.00",
            "MX",
            "5.00",
            "no",
            materials=[material("board blank", "8534.00", "CN", "1.00", "no")],
        )
        part = good("8402.90.0010", "100.00", [board])
        result = determine(part, ON, produced_in="MX")
        assert result.materials[0].originating is False
        assert result.materials[0].vnm == _usd("1.00")


class TestDeMinimisOnTotalCost:
    def test_de_minimis_may_use_the_total_cost(self):
        # bare board 3.00 of TV 20.00 = 15 %; of a total cost of 31.00 = 9.68 % <= 10 %
        data = circuit(origin={"net_cost": {"total_cost": "31.00 USD"}})
        result = determine(data, ON, produced_in="US")
        assert result.qualifies is True
        assert result.de_minimis == Decimal("9.68")
        assert "of the total cost" in text(result)


class TestNetCostFacts:
    def test_the_net_cost_is_the_total_cost_less_the_deductions(self):
        # boiler part: VNM 45; NC = 110 - 10 - 5 = 95: (95 - 45) / 95 = 52.63 % >= 50 %
        facts = {
            "net_cost": {
                "total_cost": "110.00 USD",
                "royalties": "10.00 USD",
                "shipping_packing": "5.00 USD",
            }
        }
        casting = material("cast boiler section", "8402.90", "CN", "45.00", "no")
        part = good("8402.90.0010", "100.00", [casting], origin=facts)
        result = determine(part, ON, produced_in="MX")
        assert result.qualifies is True
        net = next(r for r in result.rvc if r.method == "net_cost")
        assert net.base == _usd("95.00")
        assert net.percent == Decimal("52.63")


class TestSpanish:
    def test_the_explanation_names_materials_and_countries_in_spanish(self):
        result = determine(circuit(), ON, produced_in="US")
        spanish = text(result, "es")
        assert "bare board de China (SA 8534.00)" in spanish
        assert "partida" in spanish
        assert "does not change" not in spanish  # the rule itself is quoted in English

    def test_a_material_described_in_both_languages_is_named_in_each(self):
        board = material("x", "8534.00", "CN", "3.00", "no")
        board["description"] = {"en": "bare board", "es": "tablilla sin componentes"}
        result = determine(good("8534.00.0020", "20.00", [board]), ON, produced_in="US")
        assert "tablilla sin componentes de China" in text(result, "es")
        assert "bare board from China" in text(result, "en")


_parts = st.lists(
    st.tuples(
        st.sampled_from(["8402.90", "7208.51", "7326.90", "8481.80"]),
        st.integers(min_value=1, max_value=4000),
        st.sampled_from(["yes", "no", "unknown"]),
        st.sampled_from(["US", "MX", "CN", "DE"]),
    ),
    min_size=1,
    max_size=6,
)


def _boiler(parts: list[tuple[str, int, str, str]], extra: list[dict[str, Any]]) -> GoodsLine:
    materials = [
        material(f"part {i}", code, country, str(Decimal(cents) / 100), origin)
        for i, (code, cents, origin, country) in enumerate(parts)
    ]
    return good("8402.90.0010", "100.00", [*materials, *extra])


class TestProperties:
    @settings(max_examples=100, deadline=None)
    @given(_parts, st.sampled_from(["indirect", "shipping_packing"]), st.integers(1, 9999))
    def test_indirect_materials_and_shipping_packing_never_change_the_outcome(
        self, parts, kind, cents
    ):
        extra = material("added", "8402.90", "CN", str(Decimal(cents) / 100), "no", kind=kind)
        before = determine(_boiler(parts, []), ON, produced_in="MX")
        after = determine(_boiler(parts, [extra]), ON, produced_in="MX")
        assert after.qualifies == before.qualifies
        assert after.vnm == before.vnm

    @settings(max_examples=100, deadline=None)
    @given(_parts, st.data())
    def test_a_supplier_statement_of_foreign_content_never_lowers_the_rvc(self, parts, data):
        before = determine(_boiler(parts, []), ON, produced_in="MX")
        index = data.draw(st.integers(min_value=0, max_value=len(parts) - 1))
        code, cents, origin, _country = parts[index]
        assume(origin != "yes")  # a non-originating material, now with its supplier's figure
        share = data.draw(st.integers(min_value=0, max_value=cents))
        stated = material(
            "stated",
            code,
            "MX",
            str(Decimal(cents) / 100),
            "no",
            non_originating_value=f"{Decimal(share) / 100} USD",
        )
        others = [p for i, p in enumerate(parts) if i != index]
        after = determine(_boiler(others, [stated]), ON, produced_in="MX")
        if before.rvc and after.rvc:
            assert after.rvc[0].percent >= before.rvc[0].percent
        if before.qualifies is True:
            assert after.qualifies is True


# An inductive sensor of 8536.50 (rule: "CTH except 8538.90.10, 8538.90.30, 8538.90.60", or
# from those items with an RVC of 60 % TV), 17.90 USD, from a Chinese sensor head of 8538.90
# worth 6.90 (RVC (17.90 - 6.90) / 17.90 = 61.45 %, but 42 % with other foreign parts).
def sensor(head_code: str, extra_value: str = "3.45") -> GoodsLine:
    return good(
        "8536.50.9065",
        "17.90",
        [
            material("sensor head", head_code, "CN", "6.90", "no"),
            material("housing and cable", "8544.49", "CN", extra_value, "no"),
        ],
    )


class TestExplanations:
    def test_each_alternative_says_why_it_is_not_met(self):
        result = determine(sensor("8538.90.3000"), ON, produced_in="MX")
        assert result.qualifies is False
        english = text(result)
        assert (
            "alternative 'CTH except 8538.90.10, 8538.90.30, 8538.90.60' is not met; failing "
            "its change of classification: sensor head from China (HS 8538.90.3000)" in english
        )
        assert "the regional value content is 42.18 % by transaction value, below 60 %" in english
        assert "sensor head from China (HS 8538.90.3000) is of a code the rule excludes" in english

    def test_a_code_too_short_to_show_an_exception_is_not_determined(self):
        result = determine(sensor("8538.90"), ON, produced_in="MX")
        assert result.qualifies is None
        assert result.problems[0].code == "origin.material.code_too_short"
        assert "give their full HTS numbers" in text(result)

    def test_a_full_code_outside_the_exceptions_makes_the_shift(self):
        result = determine(sensor("8538.90.8180"), ON, produced_in="MX")
        assert result.qualifies is True
        assert result.criterion is OriginCriterion.B
