"""Bank accounts checked with their published check-digit examples, and masked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cruce.model import BankAccount
from cruce.payments.accounts import account_of, mask
from cruce.payments.errors import PaymentError


class TestClabe:
    def test_a_valid_clabe_names_its_bank_from_its_first_three_digits(self):
        # the example CLABE of the clabe package's documentation: bank 002, Banamex
        account = account_of(BankAccount(clabe="002 010 07777777777 1"))
        assert (account.kind, account.number, account.bank_name, account.country) == (
            "clabe",
            "002010077777777771",
            "Banamex",
            "MX",
        )

    def test_a_wrong_control_digit_is_refused_naming_the_field(self):
        with pytest.raises(PaymentError) as refused:
            account_of(BankAccount(clabe="002010077777777772"))
        assert refused.value.field == "clabe"
        assert "control digit" in refused.value.message.render("en")
        assert "dígito" in refused.value.message.render("es")

    def test_a_clabe_of_an_unknown_bank_is_refused(self):
        number = "999010077777777770"
        from clabe import compute_control_digit  # noqa: PLC0415 - only this test makes one

        number = number[:-1] + compute_control_digit(number[:-1])
        with pytest.raises(PaymentError, match="999"):
            account_of(BankAccount(clabe=number))


class TestAba:
    def test_a_valid_routing_number_with_its_account(self):
        # 111000025: the routing number of the Federal Reserve's ACH examples
        account = account_of(BankAccount(aba_routing="111000025", account_number="1234567890"))
        assert (account.kind, account.routing, account.number, account.currency) == (
            "aba",
            "111000025",
            "1234567890",
            "USD",
        )

    def test_a_routing_number_with_a_wrong_check_digit_is_refused(self):
        with pytest.raises(PaymentError) as refused:
            account_of(BankAccount(aba_routing="111000026", account_number="1"))
        assert refused.value.field == "aba_routing"

    def test_a_routing_number_without_an_account_number_is_refused(self):
        with pytest.raises(PaymentError) as refused:
            account_of(BankAccount(aba_routing="111000025"))
        assert refused.value.field == "account_number"


class TestIban:
    def test_the_ecbs_example_iban_and_a_bic(self):
        account = account_of(BankAccount(iban="GB82 WEST 1234 5698 7654 32", bic="NWBKGB2L"))
        assert (account.kind, account.number, account.routing, account.country) == (
            "iban",
            "GB82WEST12345698765432",
            "NWBKGB2L",
            "GB",
        )

    def test_a_wrong_check_digit_is_refused(self):
        with pytest.raises(PaymentError) as refused:
            account_of(BankAccount(iban="GB83 WEST 1234 5698 7654 32"))
        assert refused.value.field == "iban"

    def test_a_bad_bic_is_refused(self):
        with pytest.raises(PaymentError) as refused:
            account_of(BankAccount(iban="DE89370400440532013000", bic="DEUT-DEFF"))
        assert refused.value.field == "bic"


class TestMasking:
    def test_outputs_show_the_kind_the_bank_and_the_last_four_only(self):
        account = account_of(BankAccount(clabe="002010077777777771"))
        assert account.masked() == "CLABE •••• 7771 (Banamex)"
        assert "0100777" not in account.masked()

    def test_nothing_to_use_is_named(self):
        with pytest.raises(PaymentError, match="CLABE"):
            account_of(BankAccount(bank_name="Banamex"))

    @given(st.text(alphabet="0123456789ABCDEF", min_size=0, max_size=40))
    def test_a_masked_number_never_shows_more_than_four_characters(self, number):
        shown = mask(number).replace("•", "").replace(" ", "")
        assert len(shown) <= 4
        assert number.endswith(shown)
