"""The W3C Verifiable Credential body of each document cruce signs (VC Data Model 2.0).

A signed document is the rendered file and a credential that states the document's facts
in the W3C CCG Traceability Vocabulary and names the file by its digest. This module
builds the unsigned body; :mod:`cruce.trust` adds ``proof`` and ``credentialStatus``.
Only documents are credentials: for the record, the evidence, the certification's JSON
and the supplier requests :func:`credential_body` returns None.

========================  ===============================  ============  =================
artifact key              credential type                  subject       validUntil
========================  ===============================  ============  =================
``commercial_invoice``    ``CommercialInvoiceCredential``  Invoice       none
``packing_list``          ``PackingListCredential``        PackingList   none
``usmca_certification``   ``USMCACertificationOfOrigin``   USMCAClaims   four years after
                                                                         the signature
========================  ===============================  ============  =================

- ``relatedResource`` (VC 2.0 section 5.3) names the file by its RFC 6920 ``ni`` URI,
  ``ni:///sha-256;<base64url SHA-256>``: a registered scheme made to name an object by its
  hash, so the identifier is unique, checkable, and carries the SHA-256 the pack's manifest
  and the sealed PDF use. ``digestSRI`` is SHA-384, the minimum strength section 5.3
  recommends.
- ``name`` and ``description`` are language value objects, English then Spanish (VC 2.0
  section 4.6). Other texts are plain strings, as the vocabulary's schemas type them:
  English, else Spanish.
- Money is a decimal string, never a float, as the PDF prints it: line values and totals
  rounded to the currency's minor unit, unit prices with every digit. (The schemas type
  ``price`` as a number; a float becomes an ``xsd:double`` when canonicalised for signing,
  and schema.org's ``price`` accepts text.) Weights are decimal strings in ``KGM``
  (UN/CEFACT, as schema.org's ``unitCode`` asks) with two decimals at least, as printed.
- ``validFrom`` is the signing time in UTC to the second. A certification's ``validUntil``
  is 23:59:59Z of its last valid day: a day ends in UTC no later than in any USMCA country,
  so a verifier never accepts it beyond its legal validity.

The vocabulary cannot say, and so the credential leaves out or says in words: the tax
identifiers of the invoice's and packing list's parties; part numbers and the blanket
period of a certification (said in its ``description``); several named producers (stated
as "Various", which Annex 5-A allows); charges other than freight and insurance, and totals
in a second currency (the invoice's ``comments``); quantities not counted in articles.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, TypeVar

from cruce.artifacts import _certification as cert
from cruce.artifacts import _text
from cruce.artifacts._labels import LABELS
from cruce.artifacts.commercial_invoice import ARTIFACT as INVOICE
from cruce.artifacts.packing_list import ARTIFACT as PACKING_LIST
from cruce.artifacts.usmca_certification import ARTIFACT as CERTIFICATION
from cruce.artifacts.usmca_certification import LABELS as CERTIFICATION_LABELS
from cruce.model.codes import USMCA_COUNTRIES
from cruce.model.money import minor_units, total_by_currency
from cruce.reference.rates import hts_quantities

if TYPE_CHECKING:
    from datetime import date, datetime

    from cruce.artifacts._certification import CertifiedLine, Elements, PartyElement
    from cruce.artifacts.base import Rendered
    from cruce.model import Address, GoodsLine, Money, Party, Shipment, UsmcaCertification

CONTEXT: Final = ("https://www.w3.org/ns/credentials/v2", "https://w3id.org/traceability/v1")
CREDENTIAL_TYPES: Final[dict[str, str]] = {
    "commercial_invoice": "CommercialInvoiceCredential",
    "packing_list": "PackingListCredential",
    "usmca_certification": "USMCACertificationOfOrigin",
}
FILE_ID_PREFIX: Final = "ni:///sha-256;"
SRI_ALGORITHM: Final = "sha384"
KILOGRAM: Final = "KGM"
_TITLES: Final = {
    INVOICE.key: INVOICE.title,
    PACKING_LIST.key: PACKING_LIST.title,
    CERTIFICATION.key: CERTIFICATION.title,
}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
# Quantities that count articles: sets and pairs as given; pieces and their multiples (DZN,
# GRO...) as cruce counts them for specific duties.
_ARTICLE_UNITS: Final = frozenset({"SET", "PR", "NPR"})
_HONORIFICS: Final = frozenset({
    "arq", "c.p", "cp", "dr", "dra", "ing", "lic", "lcda", "lcdo", "licda", "mtro", "mtra",
    "prof", "profa", "sr", "sra", "srta", "mr", "mrs", "ms", "miss",
})  # fmt: skip
_PARTICLES: Final = frozenset({
    "da", "de", "del", "der", "di", "la", "las", "los", "san", "santa", "van", "von", "y",
})  # fmt: skip
_Summed = TypeVar("_Summed", int, Decimal)
_MEXICAN_SURNAMES: Final = 2
_NAME_PARTS: Final = 3


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who issues the credentials: its identifier (a DID or another URL) and organisation.

    The vocabulary's issuing ``Organization`` has a name, a location and a telephone (not on
    the certification, whose ``employee`` has one), and no tax identifier.
    """

    did: str
    name: str
    address: Address | None = None
    phone: str | None = None
    """E.164, as the record keeps telephones."""

    def __post_init__(self) -> None:
        if not _URL.match(self.did):
            msg = f"the issuer's identifier must be a URL such as a DID, not {self.did!r}"
            raise ValueError(msg)

    @classmethod
    def from_party(cls, did: str, party: Party) -> Issuer:
        """The issuer a party of the shipment is, under ``did``."""
        phone = party.contact.phone if party.contact is not None else None
        return cls(did=did, name=party.name, address=party.address, phone=phone)


def split_name(name: str, country: str | None = None) -> tuple[str, str]:
    """A person's name as (first name, last name), for the traceability ``Person``.

    With a comma (``Gómez Íñiguez, Araceli``) the name is last, first. Otherwise honorifics
    in front (``Ing.``, ``Lic.``, ``Mtra.``, ``Dr.``, ``Mr.``...) are dropped, particles
    (``de``, ``la``, ``del``, ``van``...) stay with the word after them, and the last name
    is the last word, or the last two when ``country`` is ``MX`` and three words or more are
    left (the father's and the mother's surnames). One word is a last name alone (``Lic.
    Ramírez``).
    """
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
        return first, last
    words = name.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in _HONORIFICS:
        words = words[1:]
    parts: list[str] = []
    pending: list[str] = []
    for word in words:
        pending.append(word)
        if word.lower() not in _PARTICLES:
            parts.append(" ".join(pending))
            pending = []
    if pending:
        parts.append(" ".join(pending))
    if len(parts) < 2:  # noqa: PLR2004 - a first name and a last name
        return "", " ".join(parts)
    surnames = _MEXICAN_SURNAMES if country == "MX" and len(parts) >= _NAME_PARTS else 1
    return " ".join(parts[:-surnames]), " ".join(parts[-surnames:])


# ---------------------------------------------------------------- the related file


def file_id(data: bytes) -> str:
    """The file's RFC 6920 name: ``ni:///sha-256;`` and its SHA-256, base64url unpadded."""
    digest = hashlib.sha256(data).digest()
    return FILE_ID_PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def digest_sri(data: bytes) -> str:
    """The file's Subresource Integrity digest: ``sha384-`` and its SHA-384 in base64."""
    digest = hashlib.new(SRI_ALGORITHM, data).digest()
    return f"{SRI_ALGORITHM}-{base64.b64encode(digest).decode('ascii')}"


def related_resource(rendered: Rendered) -> dict[str, str]:
    """The ``relatedResource`` entry of a rendered file (VC 2.0 section 5.3)."""
    data = rendered.data
    return {"id": file_id(data), "mediaType": rendered.media_type, "digestSRI": digest_sri(data)}


# ---------------------------------------------------------------- values


def _price(money: Money, *, unit: bool = False) -> dict[str, Any]:
    """A total rounded to the currency's minor unit; a unit price with every digit it has."""
    if unit:  # as the PDF prints it, without the thousands separators
        price = _text.decimal_text(money.amount, minor_units(money.currency)).replace(",", "")
    else:
        price = format(money.rounded().amount, "f")
    return {"type": ["PriceSpecification"], "price": price, "priceCurrency": money.currency}


def _kilograms(weight: Decimal | None) -> dict[str, Any] | None:
    if weight is None:
        return None
    value = _text.weight_text(weight).replace(",", "")  # as printed: two decimals at least
    return {"type": ["QuantitativeValue"], "value": value, "unitCode": KILOGRAM}


def _complete_sum(values: list[_Summed | None]) -> _Summed | None:
    """The sum when every line gives a value: a partial sum is no total."""
    if not values or any(value is None for value in values):
        return None
    known = [value for value in values if value is not None]
    return sum(known[1:], known[0])


def _articles(line: GoodsLine) -> int | None:
    """How many articles the line ships, when its unit counts them and the count is whole."""
    count = line.quantity if line.unit in _ARTICLE_UNITS else hts_quantities(line).get("pcs")
    if count is None or count != count.to_integral_value():
        return None
    return int(count)


def _languages(texts: dict[str, str]) -> list[dict[str, str]]:
    """Language value objects, English first (VC 2.0 section 4.6)."""
    return [{"@value": texts[lang], "@language": lang} for lang in ("en", "es")]


def _some(**values: Any) -> dict[str, Any]:  # noqa: ANN401 - JSON values
    return {key: value for key, value in values.items() if value is not None}


# ---------------------------------------------------------------- parties


def _place(address: Address) -> dict[str, Any]:
    lines = _text.address_lines(address)  # street and number, then the colonia if any
    locality = address.locality
    if address.municipality and address.municipality != address.locality:
        locality += f", {address.municipality}"
    postal = _some(
        type=["PostalAddress"],
        streetAddress=", ".join(lines[: 2 if address.neighborhood else 1]),
        addressLocality=locality,
        addressRegion=address.subdivision.split("-", 1)[1] if address.subdivision else None,
        postalCode=address.postal_code,
        addressCountry=address.country,
    )
    return {"type": ["Place"], "address": postal}


def _organization(party: Party, *, tax_id: bool = False) -> dict[str, Any]:
    """A party; ``tax_id``: with the identifier of its own country (EIN, RFC), else its first."""
    contact = party.contact
    identifier = None
    if tax_id and party.tax_ids:
        own = {"US": "us_ein", "MX": "mx_rfc"}.get(party.address.country)
        ids = party.tax_ids
        identifier = next((t.value for t in ids if t.scheme == own), ids[0].value)
    return _some(
        type=["Organization"],
        name=party.name,
        location=_place(party.address),
        email=None if contact is None or contact.email is None else str(contact.email),
        phoneNumber=None if contact is None else contact.phone,
        taxId=identifier,
    )


def _issuer(issuer: Issuer, *, phone: bool) -> dict[str, Any]:
    return _some(
        type=["Organization"],
        id=issuer.did,
        name=issuer.name,
        location=None if issuer.address is None else _place(issuer.address),
        phoneNumber=issuer.phone if phone else None,
    )


# ---------------------------------------------------------------- the commercial invoice


def _trade_line_item(shipment: Shipment, line: GoodsLine) -> dict[str, Any]:
    hs6 = cert.hs6(shipment, line)
    product = _some(
        type=["Product"],
        description=line.description.get("en"),
        sku=line.part_number,
        commodity=None
        if hs6 is None
        else {"type": ["Commodity"], "commodityCode": hs6, "commodityCodeType": "HS"},
        productPrice=_price(line.unit_price, unit=True),
    )
    return _some(
        type=["TradeLineItem"],
        product=product,
        itemCount=_articles(line),
        countryOfOrigin=line.origin_country,
        freeTradeAgreement="USMCA" if line.usmca.claimed else None,
        netWeight=_kilograms(line.net_weight_kg),
        grossWeight=_kilograms(line.gross_weight_kg),
        lineItemTotalPrice=_price(line.line_value()),
    )


def _charges(shipment: Shipment) -> tuple[dict[str, Any], list[str]]:
    """Freight and insurance in one currency as the vocabulary names them; others in words."""
    named = {"freight": "freightCost", "insurance": "insuranceCost"}
    found: dict[str, Any] = {}
    comments: list[str] = []
    billed = [c for c in shipment.terms.charges if c.billed_on_invoice]
    for kind in dict.fromkeys(c.kind.value for c in billed):
        charges = [c for c in billed if c.kind.value == kind]
        totals = total_by_currency([c.amount for c in charges])
        if kind in named and len(totals) == 1:
            found[named[kind]] = _price(next(iter(totals.values())))
            continue
        for charge in charges:
            label = LABELS[f"charge.{kind}"]
            label += f" – {charge.description}" if charge.description else ""
            comments.append(f"{label}: {_text.money_text(charge.amount)}")
    return found, comments


def _invoice(shipment: Shipment) -> dict[str, Any]:
    parties, terms, lines = shipment.parties, shipment.terms, shipment.goods
    if parties.seller is None or parties.buyer is None or not lines:
        msg = "the invoice needs a seller, a buyer and goods: check problems() first"
        raise ValueError(msg)
    totals = shipment.invoice_total()  # per currency, as the PDF's totals table
    currency = terms.currency if terms.currency in totals else next(iter(totals))
    charges, comments = _charges(shipment)
    comments += [
        f"{LABELS['invoice_total']}: {_text.money_text(total)}"
        for other, total in totals.items()
        if other != currency
    ]
    port, locode = shipment.transport.crossing, None
    if port is not None:
        locode = port.us_unlocode if shipment.import_country == "US" else port.mx_unlocode
    origins = {line.origin_country for line in lines}
    incoterm = None
    if terms.incoterm is not None:
        incoterm = " ".join(p for p in (terms.incoterm.value, terms.incoterm_place) if p)
    consignee = parties.consignee
    goods = shipment.goods_total().get(currency)
    return _some(
        type=["Invoice"],
        invoiceNumber=terms.invoice_number,
        invoiceDate=None if terms.invoice_date is None else terms.invoice_date.isoformat(),
        purchaseOrderNumbers=[terms.purchase_order] if terms.purchase_order else None,
        portOfEntry=None if locode is None else {"type": ["Place"], "unLocode": locode},
        originCountry=next(iter(origins)) if len(origins) == 1 else None,
        destinationCountry=shipment.import_country,
        seller=_organization(parties.seller),
        buyer=_organization(parties.buyer),
        consignee=None
        if consignee is None or consignee == parties.buyer
        else [_organization(consignee)],
        itemsShipped=[_trade_line_item(shipment, line) for line in lines],
        packageQuantity=_complete_sum([line.packages for line in lines]),
        totalWeight=_kilograms(_complete_sum([line.gross_weight_kg for line in lines])),
        termsOfDelivery=incoterm,
        termsOfPayment=terms.payment_terms,
        currencyOfSettlement=terms.currency,
        invoiceSubtotal=None if goods is None else _price(goods),
        **charges,
        totalPaymentDue=_price(totals[currency]),
        comments=comments or None,
    )


# ---------------------------------------------------------------- the packing list


def _consignment_item(line: GoodsLine) -> dict[str, Any]:
    goods = _some(
        type=["TradeLineItem"], description=line.description.get("en"), itemCount=_articles(line)
    )
    package = _some(
        type=["Package"],
        packagingType=line.package_type,
        physicalShippingMarks=line.marks,
        includedTradeLineItems=[goods],
    )
    return _some(
        type=["ConsignmentItem"],
        packageQuantity=line.packages,
        transportPackages=[package],
        netWeight=_kilograms(line.net_weight_kg),
        grossWeight=_kilograms(line.gross_weight_kg),
    )


def _packing_list(shipment: Shipment) -> dict[str, Any]:
    parties, lines = shipment.parties, shipment.goods
    ship_to = parties.ship_to()
    if parties.seller is None or ship_to is None or not lines:
        msg = "the packing list needs a seller, where the goods go and goods: check problems()"
        raise ValueError(msg)
    return _some(
        type=["PackingList"],
        seller=_organization(parties.seller),
        buyer=None if parties.buyer is None else _organization(parties.buyer),
        consignee=None if parties.consignee is None else _organization(parties.consignee),
        shipFromParty=_organization(parties.seller),
        shipToParty=_organization(ship_to),
        orderNumber=shipment.terms.purchase_order,
        invoiceId=shipment.terms.invoice_number,
        trackingNumber=shipment.transport.pro_number,
        items=[_consignment_item(line) for line in lines],
        totalNetWeight=_kilograms(_complete_sum([line.net_weight_kg for line in lines])),
        totalGrossWeight=_kilograms(_complete_sum([line.gross_weight_kg for line in lines])),
        totalNumberOfPackages=_complete_sum([line.packages for line in lines]),
        totalItemQuantity=_complete_sum([_articles(line) for line in lines]),
    )


# ---------------------------------------------------------------- the certification


def _party_element(element: PartyElement) -> tuple[dict[str, Any], bool]:
    """Element 3 or 4 as one ``Organization``, and whether it stands for several parties.

    Named: the party. Several named: "Various", as Annex 5-A allows (the vocabulary holds
    one). Otherwise the words the PDF prints ("Various", "Available upon request"...).
    """
    if len(element.parties) == 1:
        return _organization(element.parties[0], tax_id=True), False
    several = bool(element.parties) or element.status == "various"
    status = "various" if element.parties else element.status
    return {"type": ["Organization"], "name": CERTIFICATION_LABELS[f"status.{status}"]}, several


def _good(item: CertifiedLine) -> dict[str, Any]:
    line = item.line
    country = (line.origin.produced_in if line.origin else None) or line.origin_country
    if item.hs6 is None or item.criterion is None or country not in USMCA_COUNTRIES:
        msg = f"line {item.number} lacks its HS code, criterion or USMCA country: see problems()"
        raise ValueError(msg)
    return {
        "type": ["USMCAProduct"],
        "description": line.description.get("en"),
        "commodityCode": item.hs6,
        "commodityCodeType": "HS",
        "originCriterion": item.criterion.value,
        "countryOfOrigin": country,
    }


def _claims(shipment: Shipment, found: Elements) -> dict[str, Any]:
    exporter, various_exporters = _party_element(found.exporter)
    producer, various_producers = _party_element(found.producer)
    importers = [_organization(party, tax_id=True) for party in found.importer.parties]
    single = found.certification.blanket_period is None
    return _some(
        type=["USMCAClaims"],
        invoiceNumber=shipment.terms.invoice_number if single else None,
        variousExporters=various_exporters or None,
        exporterDetails=exporter,
        variousProducers=various_producers or None,
        producerDetails=producer,
        importerDetails=importers or None,
        goods=[_good(item) for item in found.lines],
    )


def _employee(found: Elements) -> dict[str, Any]:
    """The signatory (element 2), name split by :func:`split_name` in the certifier's country."""
    signatory = found.certification.signatory
    if signatory is None or signatory.title is None or found.email is None:
        msg = "the certification needs its signatory's name, title and e-mail: see problems()"
        raise ValueError(msg)
    country = None if found.certifier is None else found.certifier.address.country
    first, last = split_name(signatory.name, country)
    return _some(
        type=["Person"],
        firstName=first,
        lastName=last,
        jobTitle=signatory.title,
        email=found.email,
        phoneNumber=found.phone,
    )


def _certification(shipment: Shipment) -> tuple[UsmcaCertification, date]:
    """The certification and the day it was signed."""
    certification = shipment.usmca_certification
    if certification is None or certification.signed_on is None:
        msg = "the record has no signed usmca_certification: check problems() first"
        raise ValueError(msg)
    return certification, certification.signed_on


# ---------------------------------------------------------------- the body


def _description(key: str, shipment: Shipment) -> dict[str, str]:
    number = shipment.terms.invoice_number or "—"
    day = shipment.terms.invoice_date or "—"
    reference = shipment.reference
    if key == INVOICE.key:
        return {
            "en": f"Commercial invoice {number} of {day}, shipment {reference}.",
            "es": f"Factura comercial {number} del {day}, embarque {reference}.",
        }
    if key == PACKING_LIST.key:
        return {
            "en": f"Packing list of shipment {reference}, invoice {number}.",
            "es": f"Lista de empaque del embarque {reference}, factura {number}.",
        }
    certification, signed = _certification(shipment)
    period = certification.blanket_period
    covers = (
        {"en": f"for invoice {number}", "es": f"para la factura {number}"}
        if period is None
        else {
            "en": f"blanket period {period.start} to {period.end}",
            "es": f"periodo global del {period.start} al {period.end}",
        }
    )
    ref = certification.reference or reference
    return {
        "en": f"USMCA certification of origin {ref}, signed on {signed}, {covers['en']}.",
        "es": f"Certificación de origen T-MEC {ref}, firmada el {signed}, {covers['es']}.",
    }


def credential_body(
    key: str,
    shipment: Shipment,
    rendered: Rendered,
    *,
    issuer: Issuer,
    credential_id: str,
    valid_from: datetime,
) -> dict[str, Any] | None:
    """The unsigned credential of the document ``key``, rendered from ``shipment`` as ``rendered``.

    None when the artifact is not a document signed as a credential. Call it when the
    document has no blockers, as ``render``: an element the credential needs and the record
    lacks raises ValueError, and so do a ``valid_from`` without a time zone and an id that
    is not a URL (``urn:uuid:...``).
    """
    credential_type = CREDENTIAL_TYPES.get(key)
    if credential_type is None:
        return None
    if not _URL.match(credential_id):
        msg = f"the credential's id must be a URL such as urn:uuid:..., not {credential_id!r}"
        raise ValueError(msg)
    if valid_from.utcoffset() is None:
        msg = "valid_from needs its time zone"
        raise ValueError(msg)
    body: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", credential_type],
        "name": _languages(_TITLES[key].both()),
        "description": _languages(_description(key, shipment)),
        "issuer": _issuer(issuer, phone=key != CERTIFICATION.key),
        "validFrom": valid_from.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if key == INVOICE.key:
        body["credentialSubject"] = _invoice(shipment)
    elif key == PACKING_LIST.key:
        body["credentialSubject"] = _packing_list(shipment)
    else:
        certification, signed = _certification(shipment)
        found = cert.elements(shipment, certification)
        body["validUntil"] = f"{cert.valid_until(signed).isoformat()}T23:59:59Z"
        body["issuer"]["employee"] = _employee(found)
        body["credentialSubject"] = _claims(shipment, found)
    body["relatedResource"] = [related_resource(rendered)]
    return body
