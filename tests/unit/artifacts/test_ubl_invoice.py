from __future__ import annotations

import io
import time
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from common.factories import line, shipment
from cruce.artifacts import _text, _xsd
from cruce.artifacts.commercial_invoice import ARTIFACT as INVOICE
from cruce.artifacts.registry import get
from cruce.artifacts.ubl_invoice import ARTIFACT as UBL
from cruce.artifacts.ubl_invoice import CAC, CBC, SCHEMA
from cruce.ingest.loader import load_shipment
from cruce.model import Severity, Shipment
from cruce.model.money import Money
from cruce.payments.references import is_creditor_reference

pytestmark = pytest.mark.unit

EXAMPLES = sorted(
    (Path(__file__).parents[3] / "src" / "cruce" / "examples").glob("*/shipment.yaml")
)
NS = {"cac": CAC, "cbc": CBC}
SHIPPED = SCHEMA.parent.parent


@pytest.fixture(scope="module")
def official_schema() -> etree.XMLSchema:
    """The UBL 2.1 Invoice schema from the OASIS release in ../shared/data, not the copy."""
    folder = Path(__file__).parents[4] / "shared" / "data" / "ubl21" / "xsd"
    path = folder / "maindoc" / "UBL-Invoice-2.1.xsd"
    if not path.is_file():
        pytest.skip("../shared/data/ubl21/xsd (the OASIS UBL 2.1 release) is not available")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser))


def _tree(record: Shipment) -> etree._Element:
    return etree.fromstring(UBL.render(record).data)


def _text_of(root: etree._Element, path: str) -> str:
    found = root.find(path, NS)
    assert found is not None, path
    return found.text or ""


def _amount(root: etree._Element, name: str) -> Money:
    element = root.find(f"cac:LegalMonetaryTotal/cbc:{name}", NS)
    assert element is not None, name
    return Money.of(element.text or "", element.get("currencyID") or "")


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.parent.name)
def example(request) -> Shipment:
    return load_shipment(request.param)


class TestUblInvoiceContract:
    def test_the_registry_lists_it_right_after_the_commercial_invoice(self):
        assert get("ubl_invoice") is UBL
        assert UBL.media_type == "application/xml"
        later = [a.order for a in (get("packing_list"), get("origin_evidence"))]
        assert INVOICE.order < UBL.order < min(later)

    def test_it_is_required_whenever_the_commercial_invoice_is(self):
        for record in (shipment(), shipment(export_country="MX", import_country="US")):
            requirement = UBL.required(record)
            assert requirement.required is INVOICE.required(record).required
            assert requirement.citation is not None
            assert "ISO/IEC 19845:2015" in requirement.citation
            assert "machine-readable" in requirement.reason.render("en")

    def test_it_adds_no_problem_the_commercial_invoice_already_reports(self):
        terms = shipment().terms.model_dump(mode="json")
        terms.pop("invoice_number")
        record = shipment(terms=terms)
        assert any(p.code.endswith("invoice_number.missing") for p in INVOICE.problems(record))
        assert UBL.problems(record) == []

    def test_amounts_in_another_currency_are_a_blocker(self):
        record = shipment(goods=[line(), line(unit_price="300 MXN")])
        [problem] = UBL.problems(record)
        assert problem.code == "ubl_invoice.currency.mixed"
        assert problem.path == "terms.currency"
        assert problem.severity is Severity.BLOCKER
        assert "MXN" in problem.render("en")

    def test_render_refuses_a_record_without_an_invoice_number(self):
        terms = shipment().terms.model_dump(mode="json")
        terms.pop("invoice_number")
        with pytest.raises(ValueError, match="invoice number"):
            UBL.render(shipment(terms=terms))


class TestBundledExamples:
    def test_it_validates_against_the_official_oasis_schema(self, example, official_schema):
        document = etree.fromstring(UBL.render(example).data)
        assert official_schema.validate(document), official_schema.error_log

    def test_it_validates_against_the_shipped_schema(self, example):
        assert UBL.problems(example) == []
        assert UBL.validate(UBL.render(example).data) == []

    def test_its_totals_are_the_commercial_invoice_totals(self, example):
        root = _tree(example)
        currency = example.terms.currency
        total = example.invoice_total()[currency].rounded()
        assert _amount(root, "LineExtensionAmount") == example.goods_total()[currency].rounded()
        assert _amount(root, "TaxExclusiveAmount") == total
        assert _amount(root, "TaxInclusiveAmount") == total
        assert _amount(root, "PayableAmount") == total
        pdf = "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(INVOICE.render(example).data)).pages
        )
        assert _text.money_text(_amount(root, "PayableAmount")) in pdf

    def test_it_has_one_invoice_line_per_goods_line(self, example):
        root = _tree(example)
        lines = root.findall("cac:InvoiceLine", NS)
        assert [_text_of(e, "cbc:ID") for e in lines] == [
            str(n) for n in range(1, len(example.goods) + 1)
        ]
        quantity = lines[0].find("cbc:InvoicedQuantity", NS)
        assert quantity is not None
        assert quantity.get("unitCode") == example.goods[0].unit


class TestUblInvoiceContent:
    def test_the_header_carries_the_invoice_data(self):
        root = _tree(shipment())
        assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
        assert _text_of(root, "cbc:ID") == "INV-2026-0412"
        assert _text_of(root, "cbc:IssueDate") == "2026-11-30"
        assert _text_of(root, "cbc:InvoiceTypeCode") == "380"
        assert _text_of(root, "cbc:DocumentCurrencyCode") == "USD"
        assert _text_of(root, "cac:DeliveryTerms/cbc:ID") == "DAP"
        place = "cac:DeliveryTerms/cac:DeliveryLocation/cbc:Name"
        assert _text_of(root, place) == "Zapopan, Jalisco, México"
        assert _text_of(root, "cac:PaymentTerms/cbc:Note") == "Net 30"
        location = "cac:Delivery/cac:DeliveryLocation/cbc:ID"
        assert _text_of(root, location) == "MXNOG"

    def test_parties_carry_their_tax_ids_and_countries(self):
        root = _tree(shipment())
        seller = "cac:AccountingSupplierParty/cac:Party/"
        buyer = "cac:AccountingCustomerParty/cac:Party/"
        assert _text_of(root, seller + "cac:PartyTaxScheme/cbc:CompanyID") == "861234567"
        assert _text_of(root, buyer + "cac:PartyTaxScheme/cbc:CompanyID") == "MTA1503109K6"
        company = root.find(buyer + "cac:PartyTaxScheme/cbc:CompanyID", NS)
        assert company is not None
        assert company.get("schemeID") == "MX:RFC"
        country = "cac:PostalAddress/cac:Country/cbc:IdentificationCode"
        assert _text_of(root, seller + country) == "US"
        assert _text_of(root, buyer + country) == "MX"

    def test_the_purchase_order_is_the_order_reference(self):
        terms = shipment().terms.model_dump(mode="json") | {"purchase_order": "PO-77"}
        root = _tree(shipment(terms=terms))
        assert _text_of(root, "cbc:BuyerReference") == "PO-77"
        assert _text_of(root, "cac:OrderReference/cbc:ID") == "PO-77"

    def test_a_line_carries_its_codes_origin_and_part_number(self):
        root = _tree(shipment())
        item = root.find("cac:InvoiceLine/cac:Item", NS)
        assert item is not None
        codes = {
            e.get("listName"): (e.get("listID"), e.text)
            for e in item.iterfind("cac:CommodityClassification/cbc:ItemClassificationCode", NS)
        }
        assert codes == {
            "HTSUS": ("HS", "7616995190"),
            "Schedule B": ("HS", "7616995090"),
            "TIGIE": ("HS", "7616999999"),
        }
        assert _text_of(item, "cac:SellersItemIdentification/cbc:ID") == "SPM-7616-001"
        assert _text_of(item, "cac:OriginCountry/cbc:IdentificationCode") == "US"
        languages = [e.get("languageID") for e in item.iterfind("cbc:Description", NS)]
        assert languages == ["en", "es"]

    def test_amounts_keep_exact_decimals(self):
        goods = [line(quantity="3.5", unit_price="0.0375 USD"), line(unit_price="1234.5 USD")]
        terms = shipment().terms.model_dump(mode="json") | {
            "charges": [
                {"kind": "freight", "amount": "12.3 USD"},
                {"kind": "insurance", "amount": "99 USD", "billed_on_invoice": False},
            ]
        }
        record = shipment(goods=goods, terms=terms)
        root = _tree(record)
        prices = [e.text for e in root.iterfind("cac:InvoiceLine/cac:Price/cbc:PriceAmount", NS)]
        assert prices == ["0.0375", "1234.5"]
        values = [e.text for e in root.iterfind("cac:InvoiceLine/cbc:LineExtensionAmount", NS)]
        assert values == ["0.13", "493800.00"]
        assert _text_of(root, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount") == "493800.13"
        assert _text_of(root, "cac:LegalMonetaryTotal/cbc:ChargeTotalAmount") == "12.30"
        assert _text_of(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "493812.43"
        assert _amount(root, "PayableAmount").amount == Decimal("493812.43")
        assert UBL.validate(UBL.render(record).data) == []

    def test_only_charges_billed_on_the_invoice_are_charged(self):
        terms = shipment().terms.model_dump(mode="json") | {
            "charges": [
                {"kind": "freight", "amount": "450 USD", "description": "Phoenix–Nogales"},
                {"kind": "insurance", "amount": "99 USD", "billed_on_invoice": False},
            ]
        }
        root = _tree(shipment(terms=terms))
        [charge] = root.findall("cac:AllowanceCharge", NS)
        assert _text_of(charge, "cbc:ChargeIndicator") == "true"
        assert _text_of(charge, "cbc:AllowanceChargeReasonCode") == "FC"
        assert "Phoenix–Nogales" in _text_of(charge, "cbc:AllowanceChargeReason")
        assert _text_of(charge, "cbc:Amount") == "450.00"

    def test_no_tax_is_charged_and_the_reason_is_given_in_both_languages(self):
        root = _tree(shipment())
        assert _text_of(root, "cac:TaxTotal/cbc:TaxAmount") == "0.00"
        category = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
        assert category is not None
        reasons = {
            e.get("languageID"): e.text for e in category.iterfind("cbc:TaxExemptionReason", NS)
        }
        assert set(reasons) == {"en", "es"}

    def test_the_invoice_is_paid_by_credit_transfer_against_its_rf_reference(self):
        root = _tree(shipment())
        means = root.find("cac:PaymentMeans", NS)
        assert means is not None
        assert _text_of(means, "cbc:PaymentMeansCode") == "30"
        reference = _text_of(means, "cbc:PaymentID")
        assert is_creditor_reference(reference)
        assert reference.endswith("INV20260412")  # the factory's invoice INV-2026-0412
        assert UBL.validate(UBL.render(shipment()).data) == []

    def test_no_bank_account_number_is_written_in_the_invoice(self):
        data = UBL.render(shipment()).data
        assert b"PayeeFinancialAccount" not in data

    def test_the_same_record_gives_the_same_bytes(self):
        assert UBL.render(shipment()).data == UBL.render(shipment()).data
        assert UBL.render(shipment()).filename == "SPM-2026-0412-ubl-invoice.xml"

    def test_250_lines_render_and_validate_in_reasonable_time(self):
        goods = [line(part_number=f"P-{i:04d}") for i in range(250)]
        record = shipment(goods=goods)
        started = time.perf_counter()
        data = UBL.render(record).data
        assert UBL.validate(data) == []
        assert time.perf_counter() - started < 5
        assert len(etree.fromstring(data).findall("cac:InvoiceLine", NS)) == 250


class TestUblInvoiceValidation:
    def test_a_document_without_its_id_fails_and_the_problem_names_it(self):
        root = _tree(shipment())
        identifier = root.find("cbc:ID", NS)
        assert identifier is not None
        root.remove(identifier)
        found = UBL.validate(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        assert found
        assert {p.code for p in found} == {"ubl_invoice.xsd.invalid"}
        assert all(p.severity is Severity.BLOCKER for p in found)
        message = found[0].render("en")
        assert "Line " in message
        assert "ID" in message

    def test_bytes_that_are_not_xml_are_a_blocker(self):
        [problem] = UBL.validate(b"%PDF-1.7 not xml")
        assert problem.code == "ubl_invoice.xml.malformed"

    def test_the_shipped_schemas_are_the_official_files(self):
        official = Path(__file__).parents[4] / "shared" / "data" / "ubl21" / "xsd"
        if not official.is_dir():
            pytest.skip("../shared/data/ubl21/xsd is not available")
        shipped = sorted(SHIPPED.rglob("*.xsd"))
        assert len(shipped) == 14
        for path in shipped:
            relative = path.relative_to(SHIPPED)
            assert path.read_bytes() == (official / relative).read_bytes(), relative


class TestXsdHelper:
    def _schemas(self, tmp_path: Path) -> Path:
        (tmp_path / "remote").mkdir()
        (tmp_path / "remote" / "part.xsd").write_text(
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"'
            ' targetNamespace="urn:part" elementFormDefault="qualified">'
            '<xs:element name="code" type="xs:string"/></xs:schema>',
            encoding="utf-8",
        )
        main = tmp_path / "main.xsd"
        main.write_text(
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:p="urn:part"'
            ' targetNamespace="urn:main" elementFormDefault="qualified">'
            '<xs:import namespace="urn:part"'
            ' schemaLocation="http://schemas.example.test/cfd/part.xsd"/>'
            '<xs:element name="doc"><xs:complexType><xs:sequence>'
            '<xs:element ref="p:code"/></xs:sequence></xs:complexType></xs:element>'
            "</xs:schema>",
            encoding="utf-8",
        )
        return main

    def test_remote_imports_resolve_to_the_shipped_folder(self, tmp_path):
        main = self._schemas(tmp_path)
        locations = (("http://schemas.example.test/cfd/", tmp_path / "remote"),)
        compiled = _xsd.schema(main, locations)
        assert _xsd.schema(main, locations) is compiled
        valid = b'<doc xmlns="urn:main"><code xmlns="urn:part">A1</code></doc>'
        assert _xsd.problems(valid, compiled, "x") == []
        invalid = b'<doc xmlns="urn:main"/>'
        [problem] = _xsd.problems(invalid, compiled, "x")
        assert problem.code == "x.xsd.invalid"
        assert problem.path == "/*"

    def test_an_unmapped_remote_import_is_never_fetched(self, tmp_path):
        main = self._schemas(tmp_path)
        with pytest.raises(etree.XMLSchemaParseError):
            _xsd.schema(main, (("http://elsewhere.test/", tmp_path / "remote"),))

    def test_a_document_cannot_read_files_through_entities(self, tmp_path):
        secret = tmp_path / "secret.txt"
        secret.write_text("TOP-SECRET", encoding="utf-8")
        data = (
            f'<!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
            "<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>"
            "&x;</Invoice>"
        ).encode()
        [problem] = _xsd.problems(data, _xsd.schema(SCHEMA), "ubl_invoice")
        assert problem.code == "ubl_invoice.xml.doctype"
        assert "TOP-SECRET" not in problem.render("en")

    def test_a_schema_that_cannot_finish_is_a_blocker_not_a_crash(self):
        class Failing:
            def validate(self, _document):
                raise etree.XMLSchemaValidateError("internal error")

        [problem] = _xsd.problems(b"<a/>", Failing(), "x")
        assert problem.code == "x.xsd.unchecked"
