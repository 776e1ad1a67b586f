from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from cruce.model import CustomsReferences


class TestPedimentoNumber:
    def test_it_is_stored_compact_and_printed_in_its_four_parts(self):
        refs = CustomsReferences(pedimento="26 23 3217 6000418")
        assert refs.pedimento == "262332176000418"
        assert refs.pedimento_parts() == {
            "year": "26",
            "aduana": "23",
            "patente": "3217",
            "sequence": "6000418",
        }
        assert refs.pedimento_display() == "26 23 3217 6000418"

    def test_the_ninth_digit_must_repeat_the_year(self):
        with pytest.raises(ValidationError) as raised:
            CustomsReferences(pedimento="26 23 3217 5000418")
        assert raised.value.errors()[0]["type"] == "pedimento.year_digit"

    @pytest.mark.parametrize(
        "number", ["26 23 3217 600041", "26 23 3217 60004189", "2623321760004A8"]
    )
    def test_a_number_not_of_15_digits_is_refused(self, number):
        with pytest.raises(ValidationError):
            CustomsReferences(pedimento=number)

    @given(st.from_regex(r"\A\d{15}\Z"))
    def test_any_15_digits_are_accepted_exactly_when_the_year_digit_repeats(self, number):
        try:
            refs = CustomsReferences(pedimento=number)
        except ValidationError:
            assert number[8] != number[1]
        else:
            assert number[8] == number[1]
            assert refs.pedimento_display().replace(" ", "") == number

    def test_none_is_the_default(self):
        assert CustomsReferences().pedimento_parts() is None


class TestOtherNumbers:
    def test_an_itn_is_x_and_14_digits(self):
        assert CustomsReferences(itn="x20261127123456").itn == "X20261127123456"
        with pytest.raises(ValidationError):
            CustomsReferences(itn="X2026112712345")

    def test_an_entry_number_is_a_filer_code_and_8_digits(self):
        assert CustomsReferences(us_entry_number="SCB-1234567-8").us_entry_number == "SCB12345678"
        with pytest.raises(ValidationError):
            CustomsReferences(us_entry_number="SCB-1234567")
