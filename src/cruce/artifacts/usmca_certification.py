"""The USMCA / T-MEC certification of origin, as a bilingual PDF.

USMCA prescribes no form: the certification is valid when it carries the nine minimum data
elements of Annex 5-A (see :mod:`cruce.artifacts._certification` for the elements and
where each comes from). This document prints them numbered as the Annex numbers them, the
statement in English and Spanish, and the SHA-256 of the origin evidence
(``origin_evidence``) the certifier relies on. The same certification as data is
``usmca_certification_json``; both report the problems below.

=============================================  =============================================
what is missing or wrong                       problem (``usmca_certification.`` + code)
=============================================  =============================================
no certification block, none cited             warning ``certification.missing`` (cruce
                                               writes none; not required)
certifier not found (role, or several          blocker ``certifier.missing``
producers)
signatory, title, telephone, e-mail, date      blocker ``signatory.missing``,
                                               ``signatory.title.missing``,
                                               ``certifier.phone.missing``,
                                               ``certifier.email.missing``,
                                               ``signed_on.missing``
exporter unknown (unless the producer          blocker ``exporter.missing``
certifies), producer not named                 blocker ``producer.missing``
importer unknown                               warning ``importer.missing``
a named party without telephone or e-mail      blocker ``<role>.phone.missing``,
                                               ``<role>.email.missing``
the crossing outside the blanket period,       blocker ``blanket_period.excludes_crossing``,
after the four years of validity               ``expired``
signed after the crossing                      warning ``signed_after_crossing``
claimed line without HS code or criterion      blocker ``hs_code.missing``,
                                               ``criterion.missing``
the origin engine finds the good does not      blocker ``origin.not_qualifying``
qualify; cannot decide; finds another          warning ``origin.not_determined``,
criterion                                      ``criterion.differs``
=============================================  =============================================

A blanket period over 12 months cannot reach this far: the record refuses it.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Final

import phonenumbers
from pypdf import PdfReader

from cruce.artifacts import _certification as cert
from cruce.artifacts import _pdf, _text
from cruce.artifacts import origin_evidence as evidence
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _
from cruce.model.certification import CertifierRole
from cruce.model.problems import blocker, warning

if TYPE_CHECKING:
    from cruce.artifacts._certification import CertifiedLine, Elements, PartyElement
    from cruce.model import Party, Problem, Shipment, UsmcaCertification

KEY: Final = cert.KEY
TITLE: Final = "USMCA Certification of Origin / Certificación de Origen T-MEC"
LABELS: Final[dict[str, str]] = {
    "1": "1. Certification by / Certificación por",
    "2": "2. Certifier / Certificador",
    "3": "3. Exporter / Exportador",
    "4": "4. Producer / Productor",
    "5": "5. Importer / Importador",
    "6": (
        "6. Description and HS classification of the goods / Descripción y clasificación "
        "arancelaria de las mercancías (SA)"
    ),
    "7": "7. Origin criterion / Criterio de origen",
    "8": "8. Blanket period / Periodo global",
    "9": "9. Authorized signature and date / Firma autorizada y fecha",
    "role.importer": "Importer / Importador",
    "role.exporter": "Exporter / Exportador",
    "role.producer": "Producer / Productor",
    "status.same_as_certifier": "Same as the certifier (2) / Igual que el certificador (2)",
    "status.same_as_exporter": "Same as the exporter (3) / Igual que el exportador (3)",
    "status.various": "Various / Varios",
    # cruce's translation of the Annex's "Available upon request by the importing authorities"
    "status.upon_request": (
        "Available upon request by the importing authorities / Disponible a solicitud de "
        "las autoridades importadoras"
    ),
    "status.unknown": "Unknown / Desconocido",
    "name": "Name / Nombre",
    "title": "Title / Cargo",
    "company": "Company / Empresa",
    "phone": "Telephone / Teléfono",
    "email": "E-mail / Correo electrónico",
    "reference": "Certification no. / Núm. de certificación",
    "shipment": "Shipment ref. / Ref. de embarque",
    "invoice": "Invoice no. / Núm. de factura",
    "signed_on": "Date / Fecha",
    "signature": "Signature / Firma",
    "from": "From / Desde",
    "to": "To / Hasta",
    "single": "Single shipment: the invoice above / Embarque único: la factura indicada arriba",
    "col_line": "#",
    "col_part": "Part no. / Núm. de parte",
    "col_description": "Description / Descripción (EN / ES)",
    "col_hs6": "HS (6) / SA (6)",
    "col_criterion": "Criterion (7) / Criterio (7)",
    "criteria": (
        "Origin criteria (USMCA Art. 4.2): A wholly obtained or produced; B produced using "
        "non-originating materials that satisfy Annex 4-B; C produced exclusively from "
        "originating materials; D Art. 4.2(d) · Criterios de origen (T-MEC art. 4.2): A "
        "totalmente obtenida o producida; B producida con materiales no originarios que "
        "cumplen el Anexo 4-B; C producida exclusivamente con materiales originarios; D "
        "art. 4.2(d)"
    ),
    "validity": "Validity and records / Vigencia y registros",
    "valid_until": "Valid until / Vigente hasta",
    "retain_until": "Keep records until / Conservar registros hasta",
    "evidence": "Origin evidence / Evidencia de origen",
    "sha256": "SHA-256",
    "waiver": (
        "Low-value importation: no certification is required for it (USMCA Art. 5.5); this "
        "one is given voluntarily. / Importación de bajo valor: no requiere certificación "
        "(T-MEC art. 5.5); esta se emite de forma voluntaria."
    ),
}
HEADINGS: Final = (
    LABELS["col_line"],
    LABELS["col_part"],
    LABELS["col_description"],
    LABELS["col_hs6"],
    LABELS["col_criterion"],
)
WIDTHS: Final = (6, 22, 100, 20, 18)
ALIGNS: Final = "RLLCC"


# ---------------------------------------------------------------- problems

# the roles as words inside messages, rendered in the reader's language
ROLE_NAMES: Final = {
    "importer": _("importer"),
    "exporter": _("exporter"),
    "producer": _("producer"),
}


def _contact_problems(role: str, path: str, party: Party) -> list[Problem]:
    found: list[Problem] = []
    contact = party.contact
    name = ROLE_NAMES[role]
    if contact is None or contact.phone is None:
        msg = _("The {role}'s telephone is missing (Annex 5-A)", role=name)
        found.append(blocker(f"{KEY}.{role}.phone.missing", f"{path}.contact.phone", msg))
    if contact is None or contact.email is None:
        msg = _("The {role}'s e-mail is missing (Annex 5-A)", role=name)
        found.append(blocker(f"{KEY}.{role}.email.missing", f"{path}.contact.email", msg))
    return found


def _certifier_problems(shipment: Shipment, found: Elements) -> list[Problem]:
    certification = found.certification
    path = "usmca_certification"
    problems: list[Problem] = []
    if found.certifier is None:
        role = certification.certifier_role.value
        several = role == "producer" and len(shipment.parties.producers) > 1
        msg = (
            _("Several producers are listed: give the certifying one as the certifier")
            if several
            else _("The certifier ({role}) is missing from the record", role=ROLE_NAMES[role])
        )
        problems.append(blocker(f"{KEY}.certifier.missing", f"{path}.certifier", msg))
    signatory = certification.signatory
    if signatory is None:
        msg = _("The person who signs the certification (name and title) is missing")
        problems.append(blocker(f"{KEY}.signatory.missing", f"{path}.signatory", msg))
    elif signatory.title is None:
        msg = _("The signatory's title is missing (Annex 5-A, certifier)")
        problems.append(blocker(f"{KEY}.signatory.title.missing", f"{path}.signatory.title", msg))
    if found.phone is None:
        msg = _("The certifier's telephone is missing (Annex 5-A, certifier)")
        problems.append(blocker(f"{KEY}.certifier.phone.missing", f"{path}.signatory.phone", msg))
    if found.email is None:
        msg = _("The certifier's e-mail is missing (Annex 5-A, certifier)")
        problems.append(blocker(f"{KEY}.certifier.email.missing", f"{path}.signatory.email", msg))
    if certification.signed_on is None:
        msg = _("The date of signature is missing")
        problems.append(blocker(f"{KEY}.signed_on.missing", f"{path}.signed_on", msg))
    return problems


def _party_problems(shipment: Shipment, found: Elements) -> list[Problem]:
    problems: list[Problem] = []
    producer_certifies = found.certification.certifier_role is CertifierRole.PRODUCER
    if found.exporter.status == "unknown" and not producer_certifies:
        msg = _("The exporter is missing: only a certifying producer may leave it out")
        problems.append(blocker(f"{KEY}.exporter.missing", "parties.seller", msg))
    elif found.exporter.status == "named":
        problems += _contact_problems("exporter", "parties.seller", found.exporter.parties[0])
    if found.producer.status == "unknown":
        msg = _("The producer is missing: name it, or state 'various' or 'available upon request'")
        problems.append(blocker(f"{KEY}.producer.missing", "parties.producers", msg))
    elif found.producer.status == "named":
        listed = shipment.parties.producers
        for party in found.producer.parties:
            index = next((i for i, p in enumerate(listed) if p == party), 0)
            problems += _contact_problems("producer", f"parties.producers[{index}]", party)
    if found.importer.status == "unknown":
        msg = _("The importer is not named; the certification states it as unknown")
        problems.append(warning(f"{KEY}.importer.missing", "parties.buyer", msg))
    elif found.importer.status == "named":
        problems += _contact_problems("importer", "parties.buyer", found.importer.parties[0])
    return problems


def _date_problems(shipment: Shipment, certification: UsmcaCertification) -> list[Problem]:
    crossing = shipment.crossing_date()
    if crossing is None:
        return []
    problems: list[Problem] = []
    path = "usmca_certification"
    period = certification.blanket_period
    if period is not None and not period.covers(crossing):
        msg = _(
            "The goods cross on {day}, outside the blanket period {start} to {end}",
            day=crossing,
            start=period.start,
            end=period.end,
        )
        code = f"{KEY}.blanket_period.excludes_crossing"
        problems.append(blocker(code, f"{path}.blanket_period", msg))
    signed = certification.signed_on
    if signed is None:
        return problems
    until = cert.valid_until(signed)
    if crossing > until:
        msg = _(
            "The certification signed on {signed} was valid until {until}; the goods cross "
            "on {day}",
            signed=signed,
            until=until,
            day=crossing,
        )
        problems.append(blocker(f"{KEY}.expired", f"{path}.signed_on", msg))
    elif signed > crossing:
        msg = _(
            "The certification is signed on {signed}, after the goods cross on {day}: the "
            "importer must hold it when claiming preference",
            signed=signed,
            day=crossing,
        )
        problems.append(warning(f"{KEY}.signed_after_crossing", f"{path}.signed_on", msg))
    return problems


def _line_problems(item: CertifiedLine) -> list[Problem]:
    number, path, result = item.number, item.path, item.result
    problems: list[Problem] = []
    if item.hs6 is None:
        msg = _("Line {line}: USMCA is claimed but the line has no HS code", line=number)
        problems.append(blocker(f"{KEY}.hs_code.missing", f"{path}.hts", msg))
    if item.criterion is None:
        msg = _(
            "Line {line}: USMCA is claimed without an origin criterion, and cruce could not "
            "find one",
            line=number,
        )
        problems.append(blocker(f"{KEY}.criterion.missing", f"{path}.usmca.criterion", msg))
    reason = cert.joined(result.explanation)
    if result.qualifies is False:
        msg = _(
            "Line {line}: USMCA is claimed, but cruce finds: {reason}",
            line=number,
            reason=reason,
        )
        problems.append(blocker(f"{KEY}.origin.not_qualifying", f"{path}.usmca.claimed", msg))
    elif result.qualifies is None:
        msg = _(
            "Line {line}: cruce cannot decide the good's origin ({reason}); the certifier may "
            "rely on facts cruce does not have, but must hold the evidence",
            line=number,
            reason=reason,
        )
        problems.append(warning(f"{KEY}.origin.not_determined", f"{path}.usmca.claimed", msg))
    stated, found = item.line.usmca.criterion, result.criterion
    if stated is not None and found is not None and stated is not found:
        msg = _(
            "Line {line}: the certifier states criterion {stated}, cruce finds {found}",
            line=number,
            stated=stated.value,
            found=found.value,
        )
        problems.append(warning(f"{KEY}.criterion.differs", f"{path}.usmca.criterion", msg))
    return problems


def certification_problems(shipment: Shipment) -> list[Problem]:
    """What the certification would lack, by the table in the module docstring.

    Without a certification in the record cruce writes none: it warns that one is needed
    (unless the lines cite one, or the waiver applies) and still reports a claimed line the
    origin engine finds does not qualify, which no certification can make right.
    """
    if not cert.claimed(shipment):
        return []
    certification = shipment.usmca_certification
    lines = cert.certified_lines(shipment)
    line_problems = [p for item in lines for p in _line_problems(item)]
    if certification is None:
        failing = [p for p in line_problems if p.code == f"{KEY}.origin.not_qualifying"]
        if cert.external_references(shipment) is not None or cert.waiver(shipment).applies:
            return failing
        msg = _(
            "USMCA preference is claimed but the record has no certification of origin: the "
            "importer must hold one; add who certifies, who signs and when for cruce to write it"
        )
        return [warning(f"{KEY}.certification.missing", "usmca_certification", msg), *failing]
    found = cert.elements(shipment, certification)
    return [
        *_certifier_problems(shipment, found),
        *_party_problems(shipment, found),
        *_date_problems(shipment, certification),
        *line_problems,
    ]


# ---------------------------------------------------------------- the PDF


def _status_text(element: PartyElement) -> str | None:
    return None if element.status == "named" else LABELS[f"status.{element.status}"]


def _party(doc: _pdf.TradeDocument, label: str, element: PartyElement) -> None:
    doc.section(label)
    status = _status_text(element)
    if status is not None:
        doc.paragraph(status, bold=element.status != "unknown")
    if element.status in {"named", "same_as_exporter"}:
        for party in element.parties:
            doc.paragraph(party.name, bold=True)
            doc.paragraph(_text.party_details(party))
    doc.ln(1)


def _certifier(doc: _pdf.TradeDocument, found: Elements) -> None:
    doc.section(LABELS["2"])
    signatory = found.certification.signatory
    party = found.certifier
    address = ", ".join(_text.address_lines(party.address)) if party is not None else "—"
    doc.fields(
        [
            (LABELS["name"], signatory.name if signatory else "—"),
            (LABELS["title"], (signatory.title if signatory else None) or "—"),
            (LABELS["company"], party.name if party is not None else "—"),
            (LABELS["phone"], _phone(found.phone)),
            (LABELS["email"], found.email or "—"),
        ]
    )
    doc.paragraph(address)
    doc.ln(1)


def _phone(e164: str | None) -> str:
    if e164 is None:
        return "—"
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _goods(doc: _pdf.TradeDocument, lines: list[CertifiedLine]) -> None:
    doc.section(f"{LABELS['6']} · {LABELS['7']}")
    rows = [
        [
            str(item.number),
            item.line.part_number or "",
            "\n".join(
                dict.fromkeys(t for t in (item.line.description.en, item.line.description.es) if t)
            ),
            f"{item.hs6[:4]}.{item.hs6[4:]}" if item.hs6 else "—",
            item.criterion.value if item.criterion else "—",
        ]
        for item in lines
    ]
    doc.grid(HEADINGS, WIDTHS, ALIGNS, rows)
    doc.paragraph(LABELS["criteria"], 6.5)


def _signature(doc: _pdf.TradeDocument, found: Elements) -> None:
    """The statement in both languages, then name, title, signature and date, on one page."""
    doc.keep_together(70)
    doc.section(LABELS["9"])
    doc.paragraph(cert.STATEMENT_EN, 7.5, bold=True)
    doc.paragraph(f"({cert.STATEMENT_EN_CITATION})", 6)
    doc.ln(1.5)
    doc.paragraph(cert.STATEMENT_ES, 7.5, bold=True)
    doc.paragraph(f"({cert.STATEMENT_ES_CITATION})", 6)
    doc.ln(11)
    signatory = found.certification.signatory
    name = signatory.name if signatory else ""
    if signatory and signatory.title:
        name = f"{name}, {signatory.title}"
    signed = found.certification.signed_on
    doc.set_font(_pdf.FONT, "", _pdf.BODY_PT)
    doc.set_draw_color(0)
    third, y = doc.epw / 3, doc.get_y()
    values = (name, "", str(signed or ""))
    for index, label in enumerate((LABELS["name"], LABELS["signature"], LABELS["signed_on"])):
        x = doc.l_margin + index * third
        doc.set_xy(x, y - 4.5)
        doc.cell(third - 6, 4, values[index])
        doc.line(x, y, x + third - 6, y)
        doc.set_xy(x, y + 0.5)
        doc.cell(third - 6, 4, label)
    doc.set_y(y + 6)


def _records(doc: _pdf.TradeDocument, shipment: Shipment, found: Elements) -> None:
    certification = found.certification
    kept = cert.retention(shipment, certification)
    doc.section(LABELS["validity"])
    doc.fields(
        [
            (LABELS["valid_until"], str(found.valid_until or "—")),
            (LABELS["retain_until"], str(kept[1]) if kept else "—"),
        ]
    )
    day = cert.determination_date(shipment)[0]
    validity, keeping = cert.validity_rule(day), cert.retention_rule(day)
    doc.paragraph(f"{validity.source.citation}; {keeping.source.citation}", 6)
    doc.section(LABELS["evidence"])
    doc.paragraph(f"{LABELS['sha256']} {evidence.evidence_sha256(shipment)}", bold=True)
    doc.paragraph(f"{evidence.evidence_filename(shipment)} ({evidence.MEDIA_TYPE})")
    if cert.waiver(shipment).applies:
        doc.paragraph(LABELS["waiver"], 6.5)


def _header(shipment: Shipment, certification: UsmcaCertification) -> list[str]:
    return [
        f"{LABELS['reference']}: {certification.reference or '—'}",
        f"{LABELS['signed_on']}: {certification.signed_on or '—'}",
        f"{LABELS['shipment']}: {shipment.reference}",
    ]


def _blanket(doc: _pdf.TradeDocument, shipment: Shipment, found: Elements) -> None:
    doc.section(LABELS["8"])
    period = found.certification.blanket_period
    if period is None:
        doc.fields(
            [
                (LABELS["invoice"], shipment.terms.invoice_number or "—"),
                ("", LABELS["single"]),
            ]
        )
        return
    doc.fields([(LABELS["from"], str(period.start)), (LABELS["to"], str(period.end))])


class UsmcaCertificationPdf:
    """The certification of origin the importer holds to claim USMCA / T-MEC preference."""

    key = KEY
    title = _("USMCA certification of origin")
    media_type = "application/pdf"
    order = 42

    def required(self, shipment: Shipment) -> Requirement:
        """When a line claims USMCA preference, unless the waiver or a cited one covers it."""
        return cert.requirement(shipment)

    def problems(self, shipment: Shipment) -> list[Problem]:
        """What the certification would lack, by the table in the module docstring."""
        return certification_problems(shipment)

    def render(self, shipment: Shipment) -> Rendered:
        """The certification as PDF bytes; the same record always gives the same bytes."""
        certification = shipment.usmca_certification
        if certification is None:
            msg = "the record has no usmca_certification: check problems() first"
            raise ValueError(msg)
        found = cert.elements(shipment, certification)
        doc = _pdf.TradeDocument(TITLE, _header(shipment, certification), shipment.reference)
        doc.date_from(certification.signed_on)
        doc.set_author(found.certifier.name if found.certifier else "")
        doc.set_subject(f"{TITLE} {certification.reference or shipment.reference}")
        doc.section(LABELS["1"])
        doc.paragraph(LABELS[f"role.{certification.certifier_role.value}"], bold=True)
        _certifier(doc, found)
        _party(doc, LABELS["3"], found.exporter)
        _party(doc, LABELS["4"], found.producer)
        _party(doc, LABELS["5"], found.importer)
        _goods(doc, found.lines)
        _blanket(doc, shipment, found)
        _signature(doc, found)
        _records(doc, shipment, found)
        return Rendered(
            filename=safe_filename(shipment.reference, "-usmca-certification.pdf"),
            media_type=self.media_type,
            data=doc.to_bytes(),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """A readable PDF with the title on page one and the statement in both languages."""
        found = _pdf.validate_pdf(KEY, data, TITLE)
        if found:
            return found
        reader = PdfReader(io.BytesIO(data), strict=False)
        text = _flat(" ".join(page.extract_text() or "" for page in reader.pages))
        missing = [
            language
            for language, statement in (("en", cert.STATEMENT_EN), ("es", cert.STATEMENT_ES))
            if _flat(statement) not in text
        ]
        return [
            blocker(
                f"{KEY}.pdf.statement_missing",
                "",
                _("The certification statement is missing in {language}", language=language),
            )
            for language in missing
        ]


def _flat(text: str) -> str:
    """Text with every run of white space as one space, to compare across line breaks."""
    return re.sub(r"\s+", " ", text).strip()


ARTIFACT: Final = UsmcaCertificationPdf()
