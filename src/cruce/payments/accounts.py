"""Bank accounts checked and masked: CLABE (Mexico), ABA + account (US), IBAN + BIC.

:func:`account_of` reads a party's :class:`cruce.model.BankAccount` into an
:class:`Account`: the numbers compacted and checked (the CLABE's control digit and its bank
from its first three digits with ``clabe``; the ABA routing number's check digit with
python-stdnum; the IBAN's and the BIC's structure and check digits with ``schwifty``), or
a :class:`~cruce.payments.errors.PaymentError` naming the field, in English and Spanish.
Bank details are sensitive: :meth:`Account.masked` is the only form any output shows,
except the payment file itself (the last four characters, as bank statements show them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import clabe
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.us import rtn

from cruce.i18n import _
from cruce.model.identifiers import check_clabe, compact
from cruce.payments.errors import PaymentError

if TYPE_CHECKING:
    from cruce.model import BankAccount

Kind = Literal["clabe", "aba", "iban"]
SHOWN: Final = 4
"""Characters of a number left visible when it is masked."""
MAX_US_ACCOUNT: Final = 17
"""The longest US account number an ACH entry carries (NACHA, DFI account number field)."""


@dataclass(frozen=True, slots=True)
class Account:
    """A checked account: how it is addressed, its numbers compacted, its bank if known."""

    kind: Kind
    number: str
    """The CLABE, the US account number or the IBAN."""
    routing: str | None = None
    """The ABA routing number (US) or the BIC (elsewhere, when given)."""
    bank_name: str | None = None
    country: str | None = None
    currency: str | None = None

    def masked(self) -> str:
        """The account as outputs show it: its kind, bank and the last four characters."""
        label = {"clabe": "CLABE", "aba": "ABA", "iban": "IBAN"}[self.kind]
        tail = mask(self.number)
        bank = f" ({self.bank_name})" if self.bank_name else ""
        if self.kind == "aba" and self.routing:
            return f"{label} {self.routing} · {tail}{bank}"
        return f"{label} {tail}{bank}"


def mask(number: str) -> str:
    """``"032180000118359719"`` -> ``"•••• 9719"``: never more than the last four."""
    return f"•••• {number[-SHOWN:]}" if len(number) > SHOWN else "••••"


def clabe_bank(number: str) -> str | None:
    """The bank a CLABE's first three digits name (the ``clabe`` package's SPEI list)."""
    try:
        return str(clabe.get_bank_name(number[:3]))
    except (KeyError, ValueError):
        return None


def _clabe(value: str, account: BankAccount) -> Account:
    number = compact(value)
    failure = check_clabe(number)
    if failure == "format":
        raise PaymentError("clabe", _("a CLABE is 18 digits"))
    if failure == "check_digit":
        raise PaymentError("clabe", _("the CLABE's control digit (the 18th) does not match"))
    bank = clabe_bank(number)
    if bank is None:
        message = _(
            "no bank in the SPEI list has the code {code} (the CLABE's first three digits)",
            code=number[:3],
        )
        raise PaymentError("clabe", message)
    return Account("clabe", number, None, account.bank_name or bank, "MX", account.currency)


def _aba(routing: str, account: BankAccount) -> Account:
    number = compact(routing)
    if not rtn.is_valid(number):
        raise PaymentError(
            "aba_routing", _("an ABA routing number is 9 digits with a valid check digit")
        )
    if not account.account_number:
        raise PaymentError(
            "account_number", _("a US account needs its account number with the routing number")
        )
    account_number = compact(account.account_number)
    if not account_number.isdigit() or len(account_number) > MAX_US_ACCOUNT:
        raise PaymentError("account_number", _("a US account number is up to 17 digits"))
    return Account(
        "aba", account_number, number, account.bank_name, "US", account.currency or "USD"
    )


def _iban(value: str, account: BankAccount) -> Account:
    try:
        iban = IBAN(value)
    except SchwiftyException:
        raise PaymentError(
            "iban", _("the IBAN is not valid: its country, length or check digits are wrong")
        ) from None
    bic: str | None = None
    if account.bic:
        try:
            bic = BIC(account.bic).compact
        except SchwiftyException:
            raise PaymentError(
                "bic", _("the BIC is not valid: 8 or 11 letters and digits")
            ) from None
    elif iban.bic is not None:
        bic = iban.bic.compact
    return Account(
        "iban", iban.compact, bic, account.bank_name, iban.country_code, account.currency
    )


def account_of(account: BankAccount) -> Account:
    """The account checked: a CLABE first, then ABA routing, then IBAN; PaymentError if none."""
    if account.clabe:
        return _clabe(account.clabe, account)
    if account.aba_routing:
        return _aba(account.aba_routing, account)
    if account.iban:
        return _iban(account.iban, account)
    raise PaymentError(
        "clabe", _("give a CLABE (Mexico), an ABA routing and account number (US) or an IBAN")
    )
