"""What the USMCA certification artifacts share: data elements, origin, dates, waiver.

The nine data elements read from the record, the origin decision per claimed line, the
validity and retention dates and the low-value waiver. The evidence behind the decisions
is :mod:`cruce.artifacts.origin_evidence`.

The nine minimum data elements, numbered as USMCA Annex 5-A numbers them (19 CFR
182.12(a)(4) lists the same items):

===  ===============================================  =======================================
 #   element                                          read from
===  ===============================================  =======================================
 1   importer, exporter or producer certification     ``usmca_certification.certifier_role``
 2   certifier: name, title, address, phone, e-mail   the certifier party + the signatory
 3   exporter (not required if the producer           ``parties.seller``
     certifies and does not know the exporter)
 4   producer, or "Various", or "Available upon       ``parties.producers`` +
     request by the importing authorities"            ``usmca_certification.producer_disclosure``
 5   importer, if known                               ``parties.buyer``
 6   description and HS classification (6 digits)     each claimed goods line
 7   origin criterion (A-D, Art. 4.2)                 the line's claim, else the origin engine
 8   blanket period, at most 12 months                ``usmca_certification.blanket_period``
 9   authorized signature and date, with the          the signatory, ``signed_on``
     certification statement
===  ===============================================  =======================================

Dates: a certification is valid for four years after it is completed (USMCA Art. 5.2); the
importer keeps it and the records for at least five years from the importation, the
certifier for five years from the certification (USMCA Art. 5.8; 19 CFR 182.15(a)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, Literal

from cruce.artifacts.base import Requirement
from cruce.compliance.origin import determine
from cruce.i18n import Message, _
from cruce.model.certification import (
    CertifierRole,
    ProducerDisclosure,
    UsmcaCertification,
    add_years,
)
from cruce.model.codes import USMCA_COUNTRIES
from cruce.model.money import CurrencyMismatchError, Money
from cruce.reference.facts import NotCoveredError
from cruce.reference.usmca_rules import (
    YearsRule,
    certification_validity,
    certification_waiver,
    record_retention,
)

if TYPE_CHECKING:
    from decimal import Decimal

    from cruce.compliance.origin import OriginResult
    from cruce.model import GoodsLine, Party, Shipment
    from cruce.model.goods import OriginCriterion

KEY: Final = "usmca_certification"
_USMCA_IN_FORCE: Final = date(2020, 7, 1)

# Annex 5-A, element 9: "The certification shall be signed and dated by the certifier and
# accompanied by the following statement". The English text as CBP and the USTR text give it.
STATEMENT_EN: Final = (
    "I certify that the goods described in this document qualify as originating and the "
    "information contained in this document is true and accurate. I assume responsibility "
    "for proving such representations and agree to maintain and present upon request or to "
    "make available during a verification visit, documentation necessary to support this "
    "certification."
)
STATEMENT_EN_CITATION: Final = "USMCA Annex 5-A, element 9 (Authorized Signature and Date)"
# The Spanish wording of the same statement as Mexican formats reproduce it from the T-MEC
# (Anexo 5-A, "Firma Autorizada y Fecha"). cruce found it only in practitioners' copies and
# could not check it against the text published in the DOF: re-check before relying on it.
STATEMENT_ES: Final = (
    "Certifico que las mercancías descritas en este documento califican como originarias y "
    "que la información contenida en este documento es verdadera y exacta. Asumo la "
    "responsabilidad de comprobar lo aquí declarado y me comprometo a conservar y presentar "
    "en caso de ser requerido o a poner a disposición durante una visita de verificación, la "
    "documentación necesaria que soporte esta certificación."
)
STATEMENT_ES_CITATION: Final = "T-MEC, Anexo 5-A, elemento 9 (Firma Autorizada y Fecha)"


@dataclass(frozen=True, slots=True)
class WaiverLimit:
    """The value up to which an importing country asks no certification, and on what it counts."""

    amount: Decimal
    counts: str
    citation: str


def waiver_limit(shipment: Shipment) -> WaiverLimit:
    """The importing country's low-value waiver on the determination date (dated data)."""
    day, _basis = determination_date(shipment)
    try:
        row = certification_waiver(shipment.import_country, day)
    except NotCoveredError:  # before USMCA: the treaty's first row still names the amount
        row = certification_waiver(shipment.import_country, _USMCA_IN_FORCE)
    return WaiverLimit(row.amount, row.counts, row.source.citation)


# ---------------------------------------------------------------- the claimed lines


@dataclass(frozen=True, slots=True)
class CertifiedLine:
    """A goods line that claims USMCA preference, with its origin decision."""

    index: int
    line: GoodsLine
    hs6: str | None
    result: OriginResult

    @property
    def number(self) -> int:
        """The line's number as printed (1-based)."""
        return self.index + 1

    @property
    def path(self) -> str:
        """The line's path in the record."""
        return f"goods[{self.index}]"

    @property
    def criterion(self) -> OriginCriterion | None:
        """The criterion the certifier states, else the one the origin engine found."""
        return self.line.usmca.criterion or self.result.criterion

    @property
    def criterion_source(self) -> Literal["certifier", "cruce"] | None:
        """Who gave the criterion printed."""
        if self.line.usmca.criterion is not None:
            return "certifier"
        return None if self.result.criterion is None else "cruce"


def claimed(shipment: Shipment) -> list[tuple[int, GoodsLine]]:
    """The lines that claim USMCA preference, with their index."""
    return [(i, line) for i, line in enumerate(shipment.goods) if line.usmca.claimed]


def hs6(shipment: Shipment, line: GoodsLine) -> str | None:
    """The line's HS subheading, from the importing country's classification first."""
    codes = line.hs6()
    first = "fraccion" if shipment.import_country == "MX" else "hts"
    order = (first, "hts", "fraccion", "schedule_b")
    return next((codes[scheme] for scheme in order if scheme in codes), None)


DateBasis = Literal["planned_crossing", "invoice_date", "signed_on", "today"]


def determination_date(shipment: Shipment) -> tuple[date, DateBasis]:
    """The day origin is decided on: the crossing's, else the signature's, else today.

    The crossing's day is the record's (:meth:`Shipment.crossing_date`: the planned crossing,
    else the invoice date), as the checklist and ``cruce cost`` take it.
    """
    crossing = shipment.crossing_date()
    if crossing is not None:
        planned = shipment.transport.planned_crossing is not None
        return crossing, "planned_crossing" if planned else "invoice_date"
    certification = shipment.usmca_certification
    if certification is not None and certification.signed_on is not None:
        return certification.signed_on, "signed_on"
    return date.today(), "today"  # noqa: DTZ011 - a calendar day; origin_evidence warns


def certified_lines(shipment: Shipment) -> list[CertifiedLine]:
    """Each claimed line with its HS subheading and the origin engine's decision."""
    on, _basis = determination_date(shipment)
    return [
        CertifiedLine(index, line, hs6(shipment, line), determine(line, on))
        for index, line in claimed(shipment)
    ]


# ---------------------------------------------------------------- the waiver


@dataclass(frozen=True, slots=True)
class Waiver:
    """Whether the low-value waiver applies: ``applies`` None when the value is not in USD."""

    limit: WaiverLimit
    value: Money | None

    @property
    def applies(self) -> bool | None:
        """True when the value counted does not exceed the limit."""
        return None if self.value is None else self.value.amount <= self.limit.amount

    @property
    def limit_money(self) -> Money:
        """The limit as money."""
        return Money.of(self.limit.amount, "USD")


def _in_usd(amount: Money, shipment: Shipment) -> Money | None:
    if amount.currency == "USD":
        return amount
    rate = shipment.terms.exchange_rate
    if rate is None or "USD" not in {rate.base, rate.quote}:
        return None
    try:
        converted = amount.convert(rate).result
    except CurrencyMismatchError:
        return None
    return converted if converted.currency == "USD" else None


def waiver(shipment: Shipment) -> Waiver:
    """The low-value waiver of the importing country, on the value it counts, in USD."""
    limit = waiver_limit(shipment)
    lines = (
        [line for _i, line in claimed(shipment)]
        if limit.counts == "originating_goods"
        else shipment.goods
    )
    total = Money.zero("USD")
    for line in lines:
        value = _in_usd(line.line_value(), shipment)
        if value is None:
            return Waiver(limit, None)
        total += value
    return Waiver(limit, total)


# ---------------------------------------------------------------- the parties


def same_party(first: Party | None, second: Party | None) -> bool:
    """The same organisation: same name and address (contacts may differ)."""
    if first is None or second is None:
        return False
    return first.name == second.name and first.address == second.address


def certifier(shipment: Shipment, certification: UsmcaCertification) -> Party | None:
    """The certifying party: given, else the buyer, the seller or the only producer."""
    if certification.certifier is not None:
        return certification.certifier
    parties = shipment.parties
    if certification.certifier_role is CertifierRole.IMPORTER:
        return parties.buyer
    if certification.certifier_role is CertifierRole.EXPORTER:
        return parties.seller
    return parties.producers[0] if len(parties.producers) == 1 else None


PartyStatus = Literal[
    "named", "same_as_certifier", "same_as_exporter", "various", "upon_request", "unknown"
]


@dataclass(frozen=True, slots=True)
class PartyElement:
    """Elements 3 to 5: who, or how the certification states it."""

    status: PartyStatus
    parties: tuple[Party, ...] = ()


@dataclass(frozen=True, slots=True)
class Elements:
    """The nine data elements of one certification, read from the record."""

    certification: UsmcaCertification
    certifier: Party | None
    phone: str | None
    email: str | None
    exporter: PartyElement
    producer: PartyElement
    importer: PartyElement
    lines: list[CertifiedLine]

    @property
    def valid_until(self) -> date | None:
        """Four years after the signature."""
        signed = self.certification.signed_on
        return None if signed is None else valid_until(signed)


def _usmca_day(day: date) -> date:
    """``day``, or the Agreement's entry into force for a day before it (its first rows)."""
    return max(day, _USMCA_IN_FORCE)


def validity_rule(on: date) -> YearsRule:
    """How long a certification completed on ``on`` may be used (dated row, Art. 5.2)."""
    return certification_validity(_usmca_day(on))


def retention_rule(on: date) -> YearsRule:
    """How long the records counted from ``on`` are kept (dated row, Art. 5.8)."""
    return record_retention(_usmca_day(on))


def valid_until(signed: date) -> date:
    """The last day a certification signed on ``signed`` may be used: four years on."""
    return add_years(signed, validity_rule(signed).years)


def _exporter(shipment: Shipment, party: Party | None) -> PartyElement:
    seller = shipment.parties.seller
    if seller is None:
        return PartyElement("unknown")
    return PartyElement("same_as_certifier" if same_party(seller, party) else "named", (seller,))


def _producer(
    shipment: Shipment, certification: UsmcaCertification, party: Party | None
) -> PartyElement:
    disclosure = certification.producer_disclosure
    if disclosure is ProducerDisclosure.VARIOUS:
        return PartyElement("various")
    if disclosure is ProducerDisclosure.UPON_REQUEST:
        return PartyElement("upon_request")
    producers = tuple(shipment.parties.producers)
    if not producers and certification.certifier_role is CertifierRole.PRODUCER and party:
        producers = (party,)
    if not producers:
        return PartyElement("unknown")
    if len(producers) == 1 and same_party(producers[0], party):
        return PartyElement("same_as_certifier", producers)
    if len(producers) == 1 and same_party(producers[0], shipment.parties.seller):
        return PartyElement("same_as_exporter", producers)
    return PartyElement("named", producers)


def _importer(shipment: Shipment, party: Party | None) -> PartyElement:
    buyer = shipment.parties.buyer
    if buyer is None:
        return PartyElement("unknown")
    return PartyElement("same_as_certifier" if same_party(buyer, party) else "named", (buyer,))


def elements(shipment: Shipment, certification: UsmcaCertification) -> Elements:
    """The nine data elements; the certifier's phone and e-mail: the signatory's, else its own."""
    party = certifier(shipment, certification)
    signatory = certification.signatory
    contact = party.contact if party is not None else None
    phone = (signatory.phone if signatory else None) or (contact.phone if contact else None)
    email = (signatory.email if signatory else None) or (contact.email if contact else None)
    return Elements(
        certification=certification,
        certifier=party,
        phone=phone,
        email=None if email is None else str(email),
        exporter=_exporter(shipment, party),
        producer=_producer(shipment, certification, party),
        importer=_importer(shipment, party),
        lines=certified_lines(shipment),
    )


def retention(shipment: Shipment, certification: UsmcaCertification) -> tuple[date, date] | None:
    """Keep the records until five years after the latest of the days that start a count.

    The certifier counts from the certification, the importer from each importation
    (USMCA Art. 5.8): the signature, this shipment's crossing and, for a blanket
    certification, the last day an importation may use it. Returns (counted from, until).
    """
    days = [certification.signed_on, shipment.crossing_date()]
    if certification.blanket_period is not None:
        days.append(certification.blanket_period.end)
    known = [day for day in days if day is not None]
    if not known:
        return None
    start = max(known)
    return start, add_years(start, retention_rule(start).years)


# ---------------------------------------------------------------- whether it is required


def _citation(shipment: Shipment) -> str:
    if shipment.import_country == "US":
        return "USMCA Art. 5.2, Annex 5-A; 19 CFR 182.11, 182.12"
    if shipment.import_country == "MX":
        return "T-MEC art. 5.2 y Anexo 5-A"
    return "USMCA Art. 5.2, Annex 5-A"


def external_references(shipment: Shipment) -> list[str] | None:
    """The certification references the claimed lines cite, when every one cites one."""
    references = [line.usmca.certification_reference for _i, line in claimed(shipment)]
    if not references or any(reference is None for reference in references):
        return None
    return sorted({reference for reference in references if reference is not None})


def requirement(shipment: Shipment) -> Requirement:
    """Whether the shipment needs cruce to write a certification of origin, and why.

    Required when a line claims preference and the record holds a certification
    (``usmca_certification``), unless the low-value waiver covers the importation. A claim
    without one is not cruce's to certify: the certification may come from the importer,
    the exporter or the producer outside cruce; ``problems`` warns unless the lines cite it.
    """
    lines = claimed(shipment)
    limit = waiver_limit(shipment)
    limit_text = f"{limit.amount:,} USD"
    if not lines:
        return Requirement(
            required=False,
            reason=_(
                "No line claims USMCA / T-MEC preferential treatment: a certification of "
                "origin is needed only to claim it (and not even then for an importation "
                "worth no more than {limit})",
                limit=limit_text,
            ),
            citation="USMCA Art. 5.2, Art. 5.5",
        )
    if shipment.import_country not in USMCA_COUNTRIES:
        return Requirement(
            required=False,
            reason=_(
                "USMCA / T-MEC preference is claimed, but the goods are imported into "
                "{country}, which is not a party to the agreement",
                country=shipment.import_country,
            ),
            citation=None,
        )
    found = waiver(shipment)
    if found.applies:
        return Requirement(
            required=False,
            reason=_(
                "The goods counted are worth {value}, not more than {limit}: the importation "
                "needs no certification of origin (one may still be given)",
                value=_money(found.value),
                limit=limit_text,
            ),
            citation=found.limit.citation,
        )
    if shipment.usmca_certification is None:
        return _not_recorded(shipment, len(lines))
    return Requirement(
        required=True,
        reason=_(
            "USMCA / T-MEC preference is claimed on {count} line(s): the importer must hold a "
            "certification of origin with the nine data elements of Annex 5-A (none is needed "
            "for an importation worth no more than {limit})",
            count=len(lines),
            limit=limit_text,
        ),
        citation=_citation(shipment),
    )


def _not_recorded(shipment: Shipment, count: int) -> Requirement:
    """Claimed, but the record holds no certification for cruce to write."""
    references = external_references(shipment)
    if references is not None:
        reason = _(
            "The claimed lines cite a certification of origin held outside cruce: {references}",
            references=", ".join(references),
        )
    else:
        reason = _(
            "USMCA / T-MEC preference is claimed on {count} line(s) but the record holds no "
            "certification of origin for cruce to write: the importer must hold one from the "
            "importer, the exporter or the producer",
            count=count,
        )
    return Requirement(required=False, reason=reason, citation=_citation(shipment))


def _money(value: Money | None) -> str:
    return "—" if value is None else f"{value.rounded().amount:,} {value.currency}"


def joined(messages: tuple[Message, ...]) -> Message:
    """Several messages as one, separated by semicolons, each rendered in the reader's language."""
    if not messages:
        return _("no explanation given")
    first, *rest = messages
    if not rest:
        return first
    return _("{first}; {rest}", first=first, rest=joined(tuple(rest)))
