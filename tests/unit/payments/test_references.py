"""ISO 11649 creditor references made from invoice numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from cruce.payments.references import (
    CreditorReferenceError,
    creditor_reference,
    is_creditor_reference,
    printed,
)


class TestCreditorReference:
    def test_the_standards_example_gets_its_published_check_digits(self):
        # ISO 11649:2009 example, as printed: RF18 5390 0754 7034
        assert creditor_reference("539007547034") == "RF18539007547034"
        assert printed("RF18539007547034") == "RF18 5390 0754 7034"

    def test_an_invoice_number_keeps_its_letters_and_digits_upper_cased(self):
        reference = creditor_reference("spm-inv-2026/0117")
        assert reference.endswith("SPMINV20260117")
        assert is_creditor_reference(reference)

    def test_a_changed_character_is_caught_by_the_check_digits(self):
        reference = creditor_reference("SPMINV20260117")
        assert not is_creditor_reference(reference.replace("0117", "0118"))

    def test_an_invoice_number_with_more_than_21_letters_and_digits_is_refused(self):
        with pytest.raises(CreditorReferenceError) as refused:
            creditor_reference("A" * 22)
        assert "at most 21" in refused.value.message.render("en")
        assert refused.value.message.render("es") != refused.value.message.render("en")

    def test_an_invoice_number_of_punctuation_only_is_refused(self):
        with pytest.raises(CreditorReferenceError):
            creditor_reference("--/--")

    @given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/ ", min_size=1, max_size=30))
    def test_every_reference_made_validates_or_the_number_is_refused(self, number):
        kept = "".join(c for c in number if c.isalnum())
        if not kept or len(kept) > 21:
            with pytest.raises(CreditorReferenceError):
                creditor_reference(number)
            return
        reference = creditor_reference(number)
        assert iso11649.is_valid(reference)
        assert reference[4:] == kept
