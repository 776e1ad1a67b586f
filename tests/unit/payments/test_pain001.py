"""pain.001.001.09 credit transfers from a shipment's invoice, valid against the ISO schema."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from cruce.ingest.loader import load_shipment
from cruce.model import BankAccount
from cruce.model.money import Money
from cruce.payments.errors import PaymentError
from cruce.payments.pain001 import NAMESPACE, render, transfer_for
from cruce.payments.references import is_creditor_reference

REPO = Path(__file__).resolve().parents[3]
XSD = REPO.parent / "shared" / "data" / "iso20022" / "xsd" / "pain.001.001.09.xsd"
EXAMPLES = REPO / "src" / "cruce" / "examples"
NS = {"p": NAMESPACE}
NOW = datetime(2026, 12, 9, 15, 30, tzinfo=UTC)
UETR = uuid.UUID("8a562c67-ca16-48ba-b074-65581be6f001")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _with_buyer_account(example: str, account: BankAccount):
    shipment = load_shipment(EXAMPLES / example / "shipment.yaml")
    buyer = shipment.parties.buyer.model_copy(update={"bank_accounts": [account]})
    parties = shipment.parties.model_copy(update={"buyer": buyer})
    return shipment.model_copy(update={"parties": parties})


@pytest.fixture
def southbound():
    """Example 01: Guadalajara pays Phoenix in USD from a Banorte CLABE to a US ABA account."""
    return _with_buyer_account(
        "01-phoenix-to-guadalajara", BankAccount(clabe="072320009876543219", currency="USD")
    )


def _transfer(shipment, **changes):
    return transfer_for(
        shipment, requested_on=date(2026, 12, 10), created_at=NOW, uetr=UETR, **changes
    )


class TestRender:
    def test_the_invoice_payment_is_valid_against_the_iso_schema(self, schema, southbound):
        document = etree.fromstring(render(_transfer(southbound)))
        schema.assertValid(document)

    def test_it_pays_the_invoice_total_to_the_seller_with_its_references(self, southbound):
        transfer = _transfer(southbound)
        document = etree.fromstring(render(transfer))
        total = southbound.invoice_total()["USD"].rounded().amount
        amount = document.find(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)
        assert (Decimal(amount.text), amount.get("Ccy")) == (total, "USD")
        assert document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == amount.text
        assert document.findtext(".//p:Cdtr/p:Nm", namespaces=NS) == southbound.parties.seller.name
        assert document.findtext(".//p:CdtrAgt//p:MmbId", namespaces=NS) == "122187238"
        assert document.findtext(".//p:DbtrAcct//p:Prtry", namespaces=NS) == "CLABE"
        reference = document.findtext(".//p:CdtrRefInf/p:Ref", namespaces=NS)
        assert is_creditor_reference(reference)
        assert document.findtext(".//p:RfrdDocInf/p:Nb", namespaces=NS) == (
            southbound.terms.invoice_number
        )
        assert document.findtext(".//p:PmtId/p:EndToEndId", namespaces=NS) == reference
        assert document.findtext(".//p:PmtId/p:UETR", namespaces=NS) == str(UETR)

    def test_the_same_transfer_renders_the_same_bytes(self, southbound):
        assert render(_transfer(southbound)) == render(_transfer(southbound))

    def test_an_iban_account_with_its_bic_is_valid_too(self, schema):
        shipment = _with_buyer_account(
            "01-phoenix-to-guadalajara",
            BankAccount(iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX"),
        )
        document = etree.fromstring(render(_transfer(shipment, charge_bearer="DEBT")))
        schema.assertValid(document)
        assert document.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == (
            "DE89370400440532013000"
        )
        assert document.findtext(".//p:DbtrAgt//p:BICFI", namespaces=NS) == "COBADEFFXXX"


class TestRefusals:
    def test_a_buyer_without_a_bank_account_is_named(self):
        shipment = load_shipment(EXAMPLES / "01-phoenix-to-guadalajara" / "shipment.yaml")
        with pytest.raises(PaymentError) as refused:
            _transfer(shipment)
        assert refused.value.field == "parties.buyer.bank_accounts"

    def test_a_bad_clabe_is_named_with_its_path(self):
        shipment = _with_buyer_account(
            "01-phoenix-to-guadalajara", BankAccount(clabe="072320009876543210")
        )
        with pytest.raises(PaymentError) as refused:
            _transfer(shipment)
        assert refused.value.field == "parties.buyer.bank_accounts[0].clabe"
        assert refused.value.message.render("es") != refused.value.message.render("en")

    def test_an_invoice_without_a_number_cannot_be_referenced(self, southbound):
        terms = southbound.terms.model_copy(update={"invoice_number": None})
        with pytest.raises(PaymentError) as refused:
            _transfer(southbound.model_copy(update={"terms": terms}))
        assert refused.value.field == "terms.invoice_number"


class TestAmounts:
    @settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2),
        st.sampled_from(["USD", "MXN"]),
    )
    def test_any_amount_renders_valid_with_its_control_sum(
        self, schema, southbound, amount, currency
    ):
        transfer = replace(_transfer(southbound), amount=Money(amount=amount, currency=currency))
        document = etree.fromstring(render(transfer))
        schema.assertValid(document)
        instructed = document.find(".//p:InstdAmt", NS)
        assert Decimal(instructed.text) == amount
        assert instructed.get("Ccy") == currency
        assert document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == instructed.text
