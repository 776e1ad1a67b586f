"""The payer's instruction to its bank: an ISO 20022 customer credit transfer (pain.001.001.09).

:func:`transfer_for` reads what a shipment's invoice asks to be paid (the buyer pays the
seller the invoice total, in the invoice's currency, against the invoice number and its
ISO 11649 reference) into a :class:`CreditTransfer`; :func:`render` writes it as a
pain.001.001.09 document, one payment with one transaction:

- the debtor and the creditor with their postal addresses, their accounts (an IBAN; a
  CLABE as a proprietary ``CLABE`` identification; a US account as ``BBAN``) and their
  banks (a BIC; an ABA routing number as clearing system member ``USABA``; a CLABE's bank by
  name and country);
- ``EndToEndId`` and ``UETR``, which the banks carry unchanged to the seller's statement;
- the structured remittance: the commercial invoice (``CINV``) with its number, date and
  amount due, and the creditor reference (``SCOR``, issuer ISO) that reconciliation
  matches first.

A value longer than the message allows is refused with the field named
(:class:`PaymentError`), never cut. Element order and lengths follow the ISO 20022
pain.001.001.09 schema; the tests validate every document against it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from lxml import etree  # type: ignore[import-untyped,unused-ignore]  # no stubs

from cruce.i18n import _
from cruce.payments.accounts import account_of
from cruce.payments.errors import PaymentError
from cruce.payments.references import CreditorReferenceError, creditor_reference

if TYPE_CHECKING:
    from datetime import date, datetime

    from cruce.model import Party, Shipment
    from cruce.model.money import Money
    from cruce.payments.accounts import Account

NAMESPACE: Final = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
ChargeBearer = Literal["DEBT", "CRED", "SHAR", "SLEV"]
PURPOSE_GOODS: Final = "GDDS"
"""ExternalPurpose1Code: purchase or sale of goods."""
_MAX: Final = {"id": 35, "name": 140, "street": 70, "building": 16, "postcode": 16, "town": 35}


@dataclass(frozen=True, slots=True)
class Side:
    """The debtor or the creditor: who, and the account checked."""

    party: Party
    account: Account


@dataclass(frozen=True, slots=True)
class CreditTransfer:
    """One credit transfer from the debtor to the creditor for one invoice."""

    message_id: str
    created_at: datetime
    requested_on: date
    debtor: Side
    creditor: Side
    amount: Money
    end_to_end_id: str
    uetr: uuid.UUID
    invoice_number: str
    invoice_date: date | None
    reference: str
    """The invoice's ISO 11649 creditor reference (RF…)."""
    charge_bearer: ChargeBearer = "SHAR"


_MISSING: Final = {"buyer": _("the buyer is missing"), "seller": _("the seller is missing")}
_NO_ACCOUNT: Final = {
    "buyer": _("the buyer has no bank account in the record"),
    "seller": _("the seller has no bank account in the record"),
}


def _side(party: Party | None, role: Literal["buyer", "seller"]) -> Side:
    if party is None:
        raise PaymentError(f"parties.{role}", _MISSING[role])
    if not party.bank_accounts:
        raise PaymentError(f"parties.{role}.bank_accounts", _NO_ACCOUNT[role])
    try:
        return Side(party, account_of(party.bank_accounts[0]))
    except PaymentError as error:
        raise PaymentError(
            f"parties.{role}.bank_accounts[0].{error.field}", error.message
        ) from None


def transfer_for(
    shipment: Shipment,
    *,
    requested_on: date,
    created_at: datetime,
    charge_bearer: ChargeBearer = "SHAR",
    uetr: uuid.UUID | None = None,
) -> CreditTransfer:
    """The buyer's transfer of the invoice total to the seller; PaymentError naming the field."""
    invoice = shipment.terms.invoice_number
    if not invoice:
        raise PaymentError("terms.invoice_number", _("the invoice number is missing"))
    try:
        reference = creditor_reference(invoice)
    except CreditorReferenceError as error:
        raise PaymentError("terms.invoice_number", error.message) from None
    totals = shipment.invoice_total()
    if len(totals) != 1:
        raise PaymentError(
            "goods", _("the invoice is in several currencies: one transfer pays one currency")
        )
    (amount,) = totals.values()
    debtor = _side(shipment.parties.buyer, "buyer")
    creditor = _side(shipment.parties.seller, "seller")
    stamp = created_at.strftime("%Y%m%d%H%M%S")
    return CreditTransfer(
        message_id=_fit("message_id", f"CRUCE-{stamp}-{reference[4:]}"[: _MAX["id"]], "id"),
        created_at=created_at,
        requested_on=requested_on,
        debtor=debtor,
        creditor=creditor,
        amount=amount.rounded(),
        end_to_end_id=_fit("terms.invoice_number", reference, "id"),
        uetr=uetr or uuid.uuid4(),
        invoice_number=_fit("terms.invoice_number", invoice, "id"),
        invoice_date=shipment.terms.invoice_date,
        reference=reference,
        charge_bearer=charge_bearer,
    )


def _fit(field: str, value: str, kind: str) -> str:
    limit = _MAX[kind]
    if len(value) > limit:
        raise PaymentError(
            field,
            _(
                "{count} characters; the payment message allows {limit}",
                count=len(value),
                limit=limit,
            ),
        )
    return value


# ---------------------------------------------------------------- the XML


def _add(
    parent: etree._Element, tag: str, text: str | None = None, **attributes: str
) -> etree._Element:
    child = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
    if text is not None:
        child.text = text
    return child


def _party(parent: etree._Element, tag: str, party: Party, field: str) -> None:
    element = _add(parent, tag)
    _add(element, "Nm", _fit(f"{field}.name", party.name, "name"))
    address = party.address
    postal = _add(element, "PstlAdr")
    _add(postal, "StrtNm", _fit(f"{field}.address.street", address.street, "street"))
    if address.exterior_number:
        number = _fit(f"{field}.address.exterior_number", address.exterior_number, "building")
        _add(postal, "BldgNb", number)
    if address.postal_code:
        _add(postal, "PstCd", _fit(f"{field}.address.postal_code", address.postal_code, "postcode"))
    _add(postal, "TwnNm", _fit(f"{field}.address.locality", address.locality, "town"))
    if address.subdivision:
        _add(postal, "CtrySubDvsn", address.subdivision.split("-", 1)[1])
    _add(postal, "Ctry", address.country)


def _account(parent: etree._Element, tag: str, account: Account) -> None:
    identified = _add(_add(parent, tag), "Id")
    if account.kind == "iban":
        _add(identified, "IBAN", account.number)
        return
    other = _add(identified, "Othr")
    _add(other, "Id", account.number)
    scheme = _add(other, "SchmeNm")
    if account.kind == "clabe":
        _add(scheme, "Prtry", "CLABE")
    else:
        _add(scheme, "Cd", "BBAN")


def _agent(parent: etree._Element, tag: str, account: Account) -> None:
    institution = _add(_add(parent, tag), "FinInstnId")
    if account.kind == "iban" and account.routing:
        _add(institution, "BICFI", account.routing)
    elif account.kind == "aba" and account.routing:
        member = _add(institution, "ClrSysMmbId")
        _add(_add(member, "ClrSysId"), "Cd", "USABA")
        _add(member, "MmbId", account.routing)
    if account.bank_name:
        _add(institution, "Nm", account.bank_name[: _MAX["name"]])
    if account.country:
        _add(_add(institution, "PstlAdr"), "Ctry", account.country)


def _amount(money: Money) -> str:
    return f"{money.rounded().amount:f}"


def render(transfer: CreditTransfer) -> bytes:
    """The pain.001.001.09 document (UTF-8, with its XML declaration)."""
    document = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _add(document, "CstmrCdtTrfInitn")
    header = _add(initiation, "GrpHdr")
    _add(header, "MsgId", transfer.message_id)
    _add(header, "CreDtTm", transfer.created_at.isoformat(timespec="seconds"))
    _add(header, "NbOfTxs", "1")
    _add(header, "CtrlSum", _amount(transfer.amount))
    _add(
        _add(header, "InitgPty"),
        "Nm",
        _fit("parties.buyer.name", transfer.debtor.party.name, "name"),
    )

    payment = _add(initiation, "PmtInf")
    _add(payment, "PmtInfId", transfer.message_id)
    _add(payment, "PmtMtd", "TRF")
    _add(payment, "NbOfTxs", "1")
    _add(payment, "CtrlSum", _amount(transfer.amount))
    _add(_add(payment, "ReqdExctnDt"), "Dt", transfer.requested_on.isoformat())
    _party(payment, "Dbtr", transfer.debtor.party, "parties.buyer")
    _account(payment, "DbtrAcct", transfer.debtor.account)
    _agent(payment, "DbtrAgt", transfer.debtor.account)
    _add(payment, "ChrgBr", transfer.charge_bearer)

    transaction = _add(payment, "CdtTrfTxInf")
    ids = _add(transaction, "PmtId")
    _add(ids, "EndToEndId", transfer.end_to_end_id)
    _add(ids, "UETR", str(transfer.uetr))
    _add(
        _add(transaction, "Amt"), "InstdAmt", _amount(transfer.amount), Ccy=transfer.amount.currency
    )
    _agent(transaction, "CdtrAgt", transfer.creditor.account)
    _party(transaction, "Cdtr", transfer.creditor.party, "parties.seller")
    _account(transaction, "CdtrAcct", transfer.creditor.account)
    _add(_add(transaction, "Purp"), "Cd", PURPOSE_GOODS)

    structured = _add(_add(transaction, "RmtInf"), "Strd")
    document_info = _add(structured, "RfrdDocInf")
    _add(_add(_add(document_info, "Tp"), "CdOrPrtry"), "Cd", "CINV")
    _add(document_info, "Nb", transfer.invoice_number)
    if transfer.invoice_date is not None:
        _add(document_info, "RltdDt", transfer.invoice_date.isoformat())
    amounts = _add(structured, "RfrdDocAmt")
    _add(amounts, "DuePyblAmt", _amount(transfer.amount), Ccy=transfer.amount.currency)
    creditor_ref = _add(structured, "CdtrRefInf")
    kind = _add(creditor_ref, "Tp")
    _add(_add(kind, "CdOrPrtry"), "Cd", "SCOR")
    _add(kind, "Issr", "ISO")
    _add(creditor_ref, "Ref", transfer.reference)
    return bytes(
        etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    )
