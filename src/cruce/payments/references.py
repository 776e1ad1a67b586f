"""ISO 11649 structured creditor references ("RF" references) for invoices.

An RF reference is ``RF``, two check digits and up to 21 letters and digits (ISO 11649:2009,
section 4); the check digits are ISO 7064 MOD 97-10 computed over the reference followed by
``RF00``, letters counted as 10 to 35. A payer's bank carries it unchanged in the structured
remittance of a credit transfer (ISO 20022 ``<CdtrRefInf>`` with type ``SCOR``), so the
seller's bank statement names the invoice it pays. Check digits and validation by
python-stdnum (``stdnum.iso7064.mod_97_10``, ``stdnum.iso11649``).
"""

from __future__ import annotations

import re
from typing import Final

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

from cruce.i18n import Message, _

MAX_REFERENCE: Final = 21
"""Letters and digits after ``RF`` and the check digits (ISO 11649)."""
_NOT_ALPHANUMERIC = re.compile(r"[^A-Z0-9]")


class CreditorReferenceError(ValueError):
    """No RF reference can be made from this text; ``message`` says why, in both languages."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render("en"))
        self.message = message


def _as_digits(text: str) -> str:
    """Letters as 10 to 35, digits as themselves (ISO 7064 on alphanumerics)."""
    return "".join(str(int(character, 36)) for character in text)


def creditor_reference(invoice_number: str) -> str:
    """The RF reference of an invoice number, in its electronic form (no spaces).

    Only the letters and digits of the invoice number are kept, upper-cased
    (``SPM-INV-2026/0117`` gives ``RF…SPMINV20260117``); CreditorReferenceError when none are left
    or more than 21 are.
    """
    kept = _NOT_ALPHANUMERIC.sub("", invoice_number.upper())
    if not kept:
        raise CreditorReferenceError(_("the invoice number has no letters or digits to reference"))
    if len(kept) > MAX_REFERENCE:
        raise CreditorReferenceError(
            _(
                "the invoice number has {count} letters and digits; an RF reference holds "
                "at most {limit}",
                count=len(kept),
                limit=MAX_REFERENCE,
            )
        )
    check = mod_97_10.calc_check_digits(_as_digits(kept + "RF"))
    reference = f"RF{check}{kept}"
    iso11649.validate(reference)  # the library's own check of what was made
    return reference


def printed(reference: str) -> str:
    """The reference as printed on paper: in groups of four (``RF18 5390 0754 7034``)."""
    return str(iso11649.format(reference))


def is_creditor_reference(text: str) -> bool:
    """Whether ``text`` (spaces allowed) is a valid RF reference."""
    return bool(iso11649.is_valid(text))
