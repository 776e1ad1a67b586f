from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from common.factories import line
from cruce.model import GoodsLine, LocalizedText, Material, Money, Originating, UsmcaClaim

pytestmark = pytest.mark.unit


def _line(**changes: Any) -> GoodsLine:
    return GoodsLine.model_validate(line(**changes))


def _errors(error: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    return [(e["loc"], e["type"]) for e in error.errors()]


def _material(**changes: Any) -> dict[str, Any]:
    return {
        "description": "Printed circuit board, bare, 4-layer FR-4",
        "hs_code": "8534.00",
        "origin_country": "CN",
        "value": "6.80 USD",
        **changes,
    }


class TestTariffNumbers:
    @pytest.mark.parametrize(
        "written", ["8481.80.1050", "8481.80.10.50", "8481 80 10 50", "8481-80-1050", 8481801050]
    )
    def test_hts_is_stored_as_ten_digits(self, written):
        assert _line(hts=written).hts == "8481801050"

    @pytest.mark.parametrize("written", ["8481.80.5090", "8481805090"])
    def test_schedule_b_is_stored_as_ten_digits(self, written):
        assert _line(schedule_b=written).schedule_b == "8481805090"

    @pytest.mark.parametrize("written", ["8481.80.99", "84818099", "8481 80 99", 84818099])
    def test_fraccion_is_stored_as_eight_digits(self, written):
        assert _line(fraccion=written).fraccion == "84818099"

    def test_nico_keeps_its_leading_zero(self):
        assert _line(nico="01").nico == "01"

    @pytest.mark.parametrize(
        ("field", "written"),
        [
            ("hts", "8481.80.10"),  # 8 digits
            ("hts", "8481.80.10501"),
            ("hts", "8481.80.105O"),  # a letter O
            ("schedule_b", "8481.80"),
            ("fraccion", "8481.80.99.00"),  # fracción + NICO in one
            ("fraccion", "8481.80.9"),
            ("nico", "1"),
            ("nico", 1),  # a number loses the leading zero, and is refused
            ("nico", "001"),
        ],
    )
    def test_wrong_number_of_digits_is_rejected(self, field, written):
        with pytest.raises(ValidationError) as excinfo:
            _line(**{field: written})
        assert _errors(excinfo.value) == [((field,), "string_pattern_mismatch")]

    def test_a_float_is_not_a_tariff_number(self):
        with pytest.raises(ValidationError) as excinfo:
            _line(hts=8481.801050)
        assert [e["loc"] for e in excinfo.value.errors()] == [("hts",)]

    def test_hs6_gives_the_first_six_digits_of_each_scheme(self):
        assert _line().hs6() == {"hts": "761699", "schedule_b": "761699", "fraccion": "761699"}

    def test_hs6_leaves_out_the_schemes_the_line_lacks(self):
        assert _line(schedule_b=None, fraccion=None).hs6() == {"hts": "761699"}


class TestLineValue:
    def test_value_is_quantity_times_unit_price(self):
        assert _line().line_value() == Money.of("7500.00", "USD")

    @pytest.mark.parametrize(
        ("quantity", "price", "expected"),
        [
            ("3", "0.335 USD", "1.01 USD"),  # 1.005 rounds half up, not to the even 1.00
            ("3", "0.334 USD", "1.00 USD"),
            ("1.5", "0.33 USD", "0.50 USD"),  # 0.495
            ("3", "333.5 JPY", "1001 JPY"),  # 1000.5, no minor unit
            ("0.125", "18.00 MXN", "2.25 MXN"),
        ],
    )
    def test_value_is_rounded_half_up_to_the_minor_unit(self, quantity, price, expected):
        assert _line(quantity=quantity, unit_price=price).line_value() == Money.model_validate(
            expected
        )

    def test_the_invoiced_value_wins_over_the_product(self):
        assert _line(value="7499.99 USD").line_value() == Money.of("7499.99", "USD")

    @given(
        st.decimals(min_value=Decimal("0.001"), max_value=10**6, places=3),
        st.decimals(min_value=0, max_value=10**5, places=4),
    )
    def test_value_is_the_rounded_product_for_any_quantity_and_price(self, quantity, price):
        value = _line(quantity=quantity, unit_price=f"{price} USD").line_value()
        expected = (quantity * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert value == Money.of(expected, "USD")

    @pytest.mark.parametrize("quantity", ["0", "-1", "NaN", "Infinity", "1.1234567"])
    def test_quantity_must_be_a_positive_finite_decimal(self, quantity):
        with pytest.raises(ValidationError) as excinfo:
            _line(quantity=quantity)
        assert [e["loc"] for e in excinfo.value.errors()] == [("quantity",)]

    @pytest.mark.parametrize("price", [18.75, 18, "18.75"])
    def test_unit_price_needs_its_currency(self, price):
        with pytest.raises(ValidationError) as excinfo:
            _line(unit_price=price)
        assert [e["loc"] for e in excinfo.value.errors()] == [("unit_price",)]


class TestLocalizedText:
    def test_plain_text_is_english(self):
        text = LocalizedText.model_validate("Brass ball valve")
        assert (text.en, text.es) == ("Brass ball valve", None)

    def test_a_missing_language_falls_back_to_the_other(self):
        text = LocalizedText(es="Válvula de bola de latón")
        assert text.get("en") == "Válvula de bola de latón"
        assert text.get("es") == "Válvula de bola de latón"

    def test_each_language_gets_its_own_text(self):
        text = LocalizedText(en="Bracket", es="Soporte de montaje, pequeño, año 2026, señal")
        assert text.get("en") == "Bracket"
        assert text.get("es") == "Soporte de montaje, pequeño, año 2026, señal"

    @pytest.mark.parametrize("data", [{}, {"en": None, "es": None}])
    def test_no_language_at_all_is_rejected(self, data):
        with pytest.raises(ValidationError) as excinfo:
            LocalizedText.model_validate(data)
        assert _errors(excinfo.value) == [((), "text.empty")]

    def test_empty_text_is_rejected(self):
        with pytest.raises(ValidationError):
            LocalizedText(en="   ")

    def test_unknown_languages_are_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            LocalizedText.model_validate({"en": "Bracket", "fr": "Support"})
        assert _errors(excinfo.value) == [(("fr",), "extra_forbidden")]


class TestGoodsLine:
    def test_the_factory_line_validates(self):
        goods = _line()
        assert (goods.unit, goods.origin_country, goods.eccn) == ("H87", "US", "EAR99")

    def test_unknown_fields_are_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            _line(colour="blue")
        assert _errors(excinfo.value) == [(("colour",), "extra_forbidden")]

    @pytest.mark.parametrize(
        ("written", "stored"), [("h87", "H87"), (" kgm ", "KGM"), ("SET", "SET")]
    )
    def test_unit_codes_are_upper_cased(self, written, stored):
        assert _line(unit=written).unit == stored

    @pytest.mark.parametrize("unit", ["piece", "H", "H8 7", ""])
    def test_unit_must_look_like_a_rec20_code(self, unit):
        with pytest.raises(ValidationError):
            _line(unit=unit)

    @pytest.mark.parametrize(
        ("written", "stored"), [("ear99", "EAR99"), ("3A991", "3A991"), ("5a992.c", "5A992.c")]
    )
    def test_eccn_is_an_eccn_or_ear99(self, written, stored):
        assert _line(eccn=written).eccn == stored

    @pytest.mark.parametrize("eccn", ["EAR-99", "3Z991", "991", "NLR"])
    def test_other_eccns_are_rejected(self, eccn):
        with pytest.raises(ValidationError):
            _line(eccn=eccn)

    def test_origin_country_is_iso_3166(self):
        assert _line(origin_country="mx").origin_country == "MX"
        with pytest.raises(ValidationError) as excinfo:
            _line(origin_country="USA")
        assert excinfo.value.errors()[0]["loc"] == ("origin_country",)

    @pytest.mark.parametrize("package_type", ["px", "CT"])
    def test_package_type_is_a_two_character_code(self, package_type):
        assert _line(package_type=package_type).package_type == package_type.upper()

    @pytest.mark.parametrize("weight", ["-1", "NaN"])
    def test_weights_are_finite_and_not_negative(self, weight):
        with pytest.raises(ValidationError):
            _line(net_weight_kg=weight)

    def test_usmca_claim_defaults_to_not_claimed(self):
        assert _line().usmca == UsmcaClaim(claimed=False)

    def test_usmca_criterion_is_a_to_d(self):
        assert _line(usmca={"claimed": True, "criterion": "B"}).usmca.criterion == "B"
        with pytest.raises(ValidationError) as excinfo:
            _line(usmca={"claimed": True, "criterion": "E"})
        assert _errors(excinfo.value) == [(("usmca", "criterion"), "enum")]

    def test_goods_line_is_immutable(self):
        goods = _line()
        with pytest.raises(ValidationError):
            goods.quantity = Decimal(1)  # type: ignore[misc]


class TestMaterial:
    def test_a_material_validates_with_its_hs_code_compacted(self):
        material = Material.model_validate(_material())
        assert material.hs_code == "853400"
        assert material.originating is Originating.UNKNOWN

    @pytest.mark.parametrize("hs_code", ["85", "8534", "85340000000", "8534.0X"])
    def test_hs_code_is_six_to_ten_digits(self, hs_code):
        with pytest.raises(ValidationError) as excinfo:
            Material.model_validate(_material(hs_code=hs_code))
        assert [e["loc"] for e in excinfo.value.errors()] == [("hs_code",)]

    @pytest.mark.parametrize("originating", ["yes", "no", "unknown"])
    def test_originating_is_yes_no_or_unknown(self, originating):
        material = Material.model_validate(_material(originating=originating))
        assert material.originating.value == originating

    def test_other_answers_are_rejected(self):
        with pytest.raises(ValidationError):
            Material.model_validate(_material(originating="maybe"))

    def test_value_needs_its_currency(self):
        with pytest.raises(ValidationError) as excinfo:
            Material.model_validate(_material(value="6.80"))
        assert _errors(excinfo.value) == [(("value",), "money.format")]

    def test_quantity_must_be_positive(self):
        with pytest.raises(ValidationError):
            Material.model_validate(_material(quantity="0"))

    def test_a_line_carries_its_bill_of_materials(self):
        goods = _line(materials=[_material(), _material(origin_country="US", originating="yes")])
        assert [m.origin_country for m in goods.materials] == ["CN", "US"]

    def test_errors_in_a_material_name_its_index(self):
        with pytest.raises(ValidationError) as excinfo:
            _line(materials=[_material(), _material(origin_country="XX")])
        assert _errors(excinfo.value) == [(("materials", 1, "origin_country"), "country.unknown")]
