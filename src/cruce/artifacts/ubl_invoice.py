"""The commercial invoice as an OASIS UBL 2.1 Invoice (ISO/IEC 19845:2015), in XML.

The same invoice as the PDF (``commercial_invoice``), for the programs of customs brokers,
banks and buyers: the totals come from the same functions (``Shipment.goods_total`` and
``Shipment.invoice_total``), so the XML and the PDF cannot disagree.

=============================  ===========================================================
UBL element                    from the record
=============================  ===========================================================
ID, IssueDate, DueDate         ``terms.invoice_number``, ``invoice_date`` (+ due days)
InvoiceTypeCode                380 (commercial invoice, UNCL 1001)
Note                           ``notes``
DocumentCurrencyCode           ``terms.currency``
BuyerReference, OrderReference ``terms.purchase_order``
AccountingSupplierParty        the seller: name, postal address, RFC / EIN, contact
AccountingCustomerParty        the buyer, likewise
Delivery                       the consignee (or the buyer) and the crossing
DeliveryTerms                  the Incoterm 2020 rule and its named place
PaymentMeans                   credit transfer (UNCL 4461 code 30) with the invoice's ISO
                               11649 creditor reference as PaymentID
PaymentTerms                   ``terms.payment_terms``
AllowanceCharge                each charge billed on the invoice (UNCL 7161 reason code)
TaxTotal                       zero: a cross-border sale, no tax charged on the invoice
LegalMonetaryTotal             goods total, charges, invoice total = payable amount
InvoiceLine                    quantity (UN/CEFACT Rec. 20 unit), value, descriptions in
                               both languages, part number, origin, HTS, Schedule B and
                               the Mexican fracción (+ NICO), unit price
=============================  ===========================================================

Amounts are written from Decimals (never floats), rounded half-up to the currency's minor
unit as the PDF prints them; unit prices keep every decimal they were given. The bytes are
checked against the UBL 2.1 schemas shipped in ``schemas/ubl21`` (see its README).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

from lxml import etree  # type: ignore[import-untyped,unused-ignore]  # no stubs

from cruce.artifacts import _xsd
from cruce.artifacts import commercial_invoice as invoice
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _
from cruce.model.codes import ChargeKind
from cruce.model.money import Money, total_by_currency
from cruce.model.party import TaxScheme
from cruce.model.problems import blocker
from cruce.payments.references import CreditorReferenceError, creditor_reference

if TYPE_CHECKING:
    from decimal import Decimal

    from cruce.model import GoodsLine, Problem, Shipment
    from cruce.model.party import Address, Party, TaxId
    from cruce.model.transport import Port

KEY: Final = "ubl_invoice"
SCHEMA: Final = _xsd.SCHEMAS / "ubl21" / "maindoc" / "UBL-Invoice-2.1.xsd"

INVOICE_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CAC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP: Final = {None: INVOICE_NS, "cac": CAC, "cbc": CBC}

COMMERCIAL_INVOICE: Final = "380"  # UNCL 1001
CREDIT_TRANSFER: Final = "30"  # UNCL 4461
NO_TAX_CATEGORY: Final = "G"  # UNCL 5305: free export item, tax not charged
NO_TAX_REASON: Final = {
    "en": "Cross-border sale: no tax is charged on this invoice",
    "es": "Venta transfronteriza: esta factura no traslada impuestos",
}
CHARGE_REASON: Final = {  # UNCL 7161
    ChargeKind.FREIGHT: ("FC", "Freight / Flete"),
    ChargeKind.INSURANCE: ("IN", "Insurance / Seguro"),
    ChargeKind.PACKING: ("PC", "Packing / Embalaje"),
    ChargeKind.OTHER: ("ZZZ", "Other charge / Otro cargo"),
}
TAX_ID_SCHEMES: Final = {  # PartyTaxScheme: the RFC registers for IVA (VAT); the EIN does not
    TaxScheme.MX_RFC: ("MX:RFC", "VAT"),
    TaxScheme.US_EIN: ("US:EIN", "TAX"),
    TaxScheme.FOREIGN: ("TIN", "TAX"),
}


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _cbc(parent: etree._Element, name: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
    element.text = text
    return element


def _decimal(value: Decimal) -> str:
    """``Decimal('1E+3')`` -> ``1000``: xsd:decimal has no exponent."""
    return f"{value:f}"


def _amount(parent: etree._Element, name: str, money: Money) -> None:
    _cbc(parent, name, _decimal(money.rounded().amount), currencyID=money.currency)


def _charges_billed(shipment: Shipment) -> dict[str, Money]:
    """The charges billed on the invoice, per currency, as the PDF totals them."""
    return total_by_currency([c.amount for c in shipment.terms.charges if c.billed_on_invoice])


class UblInvoice:
    """The commercial invoice in the XML that invoicing and banking software reads."""

    key = KEY
    title = _("UBL 2.1 invoice (XML)")
    media_type = "application/xml"
    order = 21

    def required(self, shipment: Shipment) -> Requirement:
        """Whenever the commercial invoice is: it is that invoice's machine-readable copy."""
        needed = invoice.ARTIFACT.required(shipment).required
        return Requirement(
            required=needed,
            reason=_(
                "The UBL invoice is the machine-readable copy of the commercial invoice "
                "that customs brokers and banks import"
            ),
            citation="OASIS UBL 2.1 Invoice; ISO/IEC 19845:2015",
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """What UBL needs beyond the invoice's own problems: one document currency."""
        currency = shipment.terms.currency
        others = sorted(set(shipment.invoice_total()) - {currency})
        if not others:
            return []
        message = _(
            "A UBL invoice states every amount in its currency {currency}; "
            "amounts in {others} cannot be written",
            currency=currency,
            others=", ".join(others),
        )
        return [blocker(f"{KEY}.currency.mixed", "terms.currency", message)]

    def render(self, shipment: Shipment) -> Rendered:
        """The UBL Invoice bytes; the same record always gives the same bytes."""
        root = build(shipment)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return Rendered(
            filename=safe_filename(shipment.reference, "-ubl-invoice.xml"),
            media_type=self.media_type,
            data=data,
        )

    def validate(self, data: bytes) -> list[Problem]:
        """The bytes against the UBL 2.1 Invoice schema shipped with cruce."""
        return _xsd.problems(data, _xsd.schema(SCHEMA), KEY)


def build(shipment: Shipment) -> etree._Element:
    """The ``Invoice`` element. Needs what ``problems`` and the invoice's problems require."""
    terms, parties = shipment.terms, shipment.parties
    if parties.seller is None or parties.buyer is None:
        raise ValueError("the UBL invoice needs the invoice number and date, seller and buyer")
    root = etree.Element(f"{{{INVOICE_NS}}}Invoice", nsmap=NSMAP)
    _header(root, shipment)
    _party(_cac(root, "AccountingSupplierParty"), parties.seller)
    _party(_cac(root, "AccountingCustomerParty"), parties.buyer)
    _delivery(root, shipment)
    if terms.incoterm is not None:
        delivery_terms = _cac(root, "DeliveryTerms")
        incoterm = terms.incoterm.value
        _cbc(delivery_terms, "ID", incoterm, schemeID="INCOTERMS", schemeVersionID="2020")
        if terms.incoterm_place:
            _cbc(_cac(delivery_terms, "DeliveryLocation"), "Name", terms.incoterm_place)
    _payment_means(root, terms.invoice_number)
    if terms.payment_terms:
        _cbc(_cac(root, "PaymentTerms"), "Note", terms.payment_terms)
    for charge in terms.charges:
        if charge.billed_on_invoice:
            _charge(root, charge.kind, charge.description, charge.amount)
    _totals(root, shipment, terms.currency)
    for number, line in enumerate(shipment.goods, start=1):
        _line(root, number, line)
    return root


def _payment_means(root: etree._Element, invoice_number: str | None) -> None:
    """A credit transfer (UNCL 4461 code 30) against the invoice's ISO 11649 reference.

    The payer's bank carries the reference to the seller's statement, where reconciliation
    matches it first. No account number is written here: bank details appear only in the
    payment instruction itself.
    """
    if invoice_number is None:
        return
    try:
        reference = creditor_reference(invoice_number)
    except CreditorReferenceError:
        return  # an invoice number no reference can be made of: the invoice is paid by number
    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", CREDIT_TRANSFER, listID="UNCL4461")
    _cbc(means, "PaymentID", reference)


def _header(root: etree._Element, shipment: Shipment) -> None:
    terms = shipment.terms
    if terms.invoice_number is None or terms.invoice_date is None:
        raise ValueError("the UBL invoice needs the invoice number and date, seller and buyer")
    _cbc(root, "UBLVersionID", "2.1")
    _cbc(root, "ID", terms.invoice_number)
    _cbc(root, "IssueDate", terms.invoice_date.isoformat())
    if terms.payment_due_days is not None:
        due = terms.invoice_date + timedelta(days=terms.payment_due_days)
        _cbc(root, "DueDate", due.isoformat())
    _cbc(root, "InvoiceTypeCode", COMMERCIAL_INVOICE, listID="UNCL1001")
    if shipment.notes:
        _cbc(root, "Note", shipment.notes)
    _cbc(root, "DocumentCurrencyCode", terms.currency, listID="ISO4217")
    if terms.purchase_order:
        _cbc(root, "BuyerReference", terms.purchase_order)
        _cbc(_cac(root, "OrderReference"), "ID", terms.purchase_order)


def _address(parent: etree._Element, name: str, address: Address) -> None:
    element = _cac(parent, name)
    _cbc(element, "StreetName", address.street)
    if address.interior_number:
        _cbc(element, "AdditionalStreetName", f"Int. {address.interior_number}")
    if address.exterior_number:
        _cbc(element, "BuildingNumber", address.exterior_number)
    if address.neighborhood:
        _cbc(element, "CitySubdivisionName", address.neighborhood)
    _cbc(element, "CityName", address.locality)
    if address.postal_code:
        _cbc(element, "PostalZone", address.postal_code)
    if address.subdivision:
        _cbc(element, "CountrySubentityCode", address.subdivision, listID="ISO3166-2")
    if address.municipality and address.municipality != address.locality:
        _cbc(element, "District", address.municipality)
    country = _cac(element, "Country")
    _cbc(country, "IdentificationCode", address.country, listID="ISO3166-1:Alpha2")


def _tax_scheme(party: etree._Element, name: str, tax_id: TaxId) -> None:
    scheme_id, tax_scheme = TAX_ID_SCHEMES[tax_id.scheme]
    if tax_id.scheme is TaxScheme.FOREIGN:
        scheme_id = f"{tax_id.country}:TIN"
    element = _cac(party, "PartyTaxScheme")
    _cbc(element, "RegistrationName", name)
    _cbc(element, "CompanyID", tax_id.value, schemeID=scheme_id)
    _cbc(_cac(element, "TaxScheme"), "ID", tax_scheme)


def _party(parent: etree._Element, party: Party) -> None:
    element = _cac(parent, "Party")
    _cbc(_cac(element, "PartyName"), "Name", party.name)
    _address(element, "PostalAddress", party.address)
    written: set[str] = set()
    for tax_id in party.tax_ids:  # the CURP is a person's id, not a tax registration
        if tax_id.scheme in TAX_ID_SCHEMES and tax_id.value not in written:
            _tax_scheme(element, party.name, tax_id)
            written.add(tax_id.value)
    _cbc(_cac(element, "PartyLegalEntity"), "RegistrationName", party.name)
    contact = party.contact
    if contact is not None and (contact.name or contact.phone or contact.email):
        person = _cac(element, "Contact")
        if contact.name:
            _cbc(person, "Name", contact.name)
        if contact.phone:
            _cbc(person, "Telephone", contact.phone)
        if contact.email:
            _cbc(person, "ElectronicMail", str(contact.email))


def _crossing(parent: etree._Element, port: Port, import_country: str) -> None:
    location = _cac(parent, "DeliveryLocation")
    unlocode = port.us_unlocode if import_country == "US" else port.mx_unlocode
    if unlocode:
        _cbc(location, "ID", unlocode, schemeID="UN/LOCODE")
    description = (
        f"CBP port {port.cbp_port_code} {port.cbp_port_name} / "
        f"Aduana {port.aduana}-{port.seccion} {port.aduana_name}"
    )
    _cbc(location, "Description", description)
    name = port.cbp_port_name if import_country == "US" else port.aduana_name
    _cbc(location, "Name", name)


def _delivery(root: etree._Element, shipment: Shipment) -> None:
    parties, port = shipment.parties, shipment.transport.crossing
    receiver = parties.consignee or parties.buyer
    if receiver is None and port is None:
        return
    delivery = _cac(root, "Delivery")
    if receiver is not None:
        _address(delivery, "DeliveryAddress", receiver.address)
    if port is not None:
        _crossing(delivery, port, shipment.import_country)
    if receiver is not None:
        _cbc(_cac(_cac(delivery, "DeliveryParty"), "PartyName"), "Name", receiver.name)


def _no_tax_category(parent: etree._Element, name: str, *, reason: bool = False) -> None:
    category = _cac(parent, name)
    _cbc(category, "ID", NO_TAX_CATEGORY, schemeID="UNCL5305")
    _cbc(category, "Percent", "0")
    if reason:
        for language, text in NO_TAX_REASON.items():
            _cbc(category, "TaxExemptionReason", text, languageID=language)
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")


def _charge(root: etree._Element, kind: ChargeKind, description: str | None, amount: Money) -> None:
    code, label = CHARGE_REASON[kind]
    element = _cac(root, "AllowanceCharge")
    _cbc(element, "ChargeIndicator", "true")
    _cbc(element, "AllowanceChargeReasonCode", code, listID="UNCL7161")
    _cbc(element, "AllowanceChargeReason", f"{label} – {description}" if description else label)
    _amount(element, "Amount", amount)
    _no_tax_category(element, "TaxCategory")


def _totals(root: etree._Element, shipment: Shipment, currency: str) -> None:
    zero = Money.zero(currency)
    goods = shipment.goods_total().get(currency, zero)
    charges = _charges_billed(shipment).get(currency, zero)
    total = shipment.invoice_total().get(currency, zero)
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", zero)
    subtotal = _cac(tax_total, "TaxSubtotal")
    _amount(subtotal, "TaxableAmount", total)
    _amount(subtotal, "TaxAmount", zero)
    _no_tax_category(subtotal, "TaxCategory", reason=True)
    monetary = _cac(root, "LegalMonetaryTotal")
    _amount(monetary, "LineExtensionAmount", goods)
    _amount(monetary, "TaxExclusiveAmount", total)
    _amount(monetary, "TaxInclusiveAmount", total)
    if charges.amount:
        _amount(monetary, "ChargeTotalAmount", charges)
    _amount(monetary, "PayableAmount", total)


def _classifications(item: etree._Element, line: GoodsLine) -> None:
    codes = (
        (line.hts, "HTSUS", "USITC"),
        (line.schedule_b, "Schedule B", "US Census Bureau"),
        (line.fraccion and line.fraccion + (line.nico or ""), "TIGIE", "SAT"),
    )
    for code, list_name, agency in codes:
        if code:
            classification = _cac(item, "CommodityClassification")
            _cbc(
                classification,
                "ItemClassificationCode",
                code,
                listID="HS",
                listName=list_name,
                listAgencyName=agency,
            )


def _line(root: etree._Element, number: int, line: GoodsLine) -> None:
    element = _cac(root, "InvoiceLine")
    _cbc(element, "ID", str(number))
    _cbc(
        element,
        "InvoicedQuantity",
        _decimal(line.quantity),
        unitCode=line.unit,
        unitCodeListID="UNECERec20",
    )
    _amount(element, "LineExtensionAmount", line.line_value())
    item = _cac(element, "Item")
    description = line.description
    for language, text in (("en", description.en), ("es", description.es)):
        if text:
            _cbc(item, "Description", text, languageID=language)
    _cbc(item, "Name", (description.en or description.es or "").strip().split("\n", 1)[0][:200])
    if line.brand:
        _cbc(item, "BrandName", line.brand)
    if line.model:
        _cbc(item, "ModelName", line.model)
    if line.part_number:
        _cbc(_cac(item, "SellersItemIdentification"), "ID", line.part_number)
    if line.origin_country:
        origin = _cac(item, "OriginCountry")
        _cbc(origin, "IdentificationCode", line.origin_country, listID="ISO3166-1:Alpha2")
    _classifications(item, line)
    _no_tax_category(item, "ClassifiedTaxCategory")
    price = _cac(element, "Price")
    _cbc(
        price, "PriceAmount", _decimal(line.unit_price.amount), currencyID=line.unit_price.currency
    )


ARTIFACT: Final = UblInvoice()
