"""The cross-check: what the US and the Mexican documents of one shipment say, side by side.

Each side's filings are prepared from the same record, yet they state it in their own terms:
the EEI in whole US dollars per Schedule B number and in Census units, the entry summary in
whole dollars per HTS line, the CFDI's Comercio Exterior complement in dollars at the DOF
rate and in SAT's c_UnidadAduana, the pedimento in pesos with its own exchange rate and its
tariff units, the Carta Porte in kilograms per Mercancía. A broker who finds the two sides
disagreeing has to stop and ask; customs that finds it has a case (19 U.S.C. 1592 for a
material false statement in the US; Ley Aduanera art. 184 fr. III for inexact data in
Mexico). cruce reads what each document would say, from the same builders its renderers
use, and compares:

===========================  =================================================================
topic                        compared
===========================  =================================================================
value                        per line or per Schedule B group, in US dollars; a difference
                             the two exchange rates explain is reported as such (info)
exchange rate                the rate each side converts with, and its source (info)
quantity and unit            when both units measure the same thing (kilograms, pieces,
                             litres...), the quantities; otherwise shown as not comparable
gross weight                 each side's total, in kilograms
classification               HTS or Schedule B against fracción + NICO at HS-6 (the record's
                             own check ``goods.hs6.inconsistent`` reports a mismatch once)
Incoterm                     invoice, CFDI and pedimento
tax identifiers              the foreign party's number as the other side's document states it
USMCA / T-MEC claim          lines claimed (SPI "S", identifier TL) against the certification
                             and the CFDI's CertificadoOrigen
===========================  =================================================================

A document that is not required or not ready (it has blockers of its own) is left out of the
comparison and the report says so. Every disagreement is a problem of this artifact, so it
shows in the readiness checklist (``cruce check``); the rendered file is the bilingual report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from cruce.artifacts import _pdf, _text
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable

    from cruce.i18n import Message
    from cruce.model import Problem, Shipment

from cruce.artifacts._cross_check_compare import (
    EXPECTED,
    Finding,
    Outcome,
    compare,
    explained_notes,
    short_name,
)
from cruce.artifacts._cross_check_views import (
    AES_TO_UNIDAD_ADUANA,
    CITATION,
    KEY,
    MX,
    READERS,
    TITLE,
    US,
    DocumentView,
    LineView,
)

# ---------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class Report:
    """Every finding of one shipment, and the documents left out with the reason."""

    findings: tuple[Finding, ...]
    compared: tuple[str, ...]
    omitted: tuple[tuple[str, Message], ...]

    @property
    def problems(self) -> list[Problem]:
        """The disagreements, then one note per kind of explained difference."""
        found = [f.problem for f in self.findings if f.problem is not None]
        return found + explained_notes(self.findings)


def _omission(key: str, shipment: Shipment) -> Message | None:
    from cruce.artifacts.registry import get  # noqa: PLC0415 - the registry imports us

    try:
        artifact = get(key)
    except KeyError:
        return None
    requirement = artifact.required(shipment)
    if not requirement.required:
        return _("not required: {reason}", reason=requirement.reason)
    return _("not ready: it has problems to fix first (see its checklist entry)")


def _read(
    reader: Callable[[Shipment], DocumentView | None], shipment: Shipment
) -> DocumentView | None:
    """The reader's view; None when the document's builder finds the record incomplete.

    Builders raise ValueError for what their ``problems`` report (a blocker elsewhere in
    the checklist); the document is then left out of the comparison, not guessed at.
    """
    try:
        return reader(shipment)
    except ValueError:
        return None


_LAST: list[tuple[Shipment, Report]] = []


def report(shipment: Shipment) -> Report:
    """Compare the shipment's US and Mexican documents (the last result is kept)."""
    if _LAST and _LAST[0][0] is shipment:
        return _LAST[0][1]
    views = [view for read in READERS if (view := _read(read, shipment)) is not None]
    findings = compare(shipment, views)
    compared = tuple(v.key for v in views)
    omitted = tuple(
        (key, reason)
        for key in EXPECTED.get(shipment.direction, ())
        if key not in compared and (reason := _omission(key, shipment)) is not None
    )
    result = Report(tuple(findings), compared, omitted)
    _LAST[:] = [(shipment, result)]
    return result


# ---------------------------------------------------------------- the artifact

_OUTCOME_LABELS: Final[dict[Outcome, str]] = {
    Outcome.AGREE: "agree / coinciden",
    Outcome.EXPLAINED: "explained / se explica",
    Outcome.DIFFER: "DIFFER / NO COINCIDEN",
    Outcome.NOT_COMPARABLE: "not comparable / no comparable",
    Outcome.NOT_STATED: "not stated / no se indica",
}
_TOPIC_LABELS: Final[dict[str, str]] = {
    "value": "Value / Valor",
    "quantity": "Quantity / Cantidad",
    "classification": "HS-6 / SA-6",
    "weight": "Gross weight / Peso bruto",
    "incoterm": "Incoterm",
    "tax_id": "Tax number / Identificación fiscal",
    "rfc": "RFC",
    "exchange_rate": "Exchange rate / Tipo de cambio",
    "usmca": "USMCA / T-MEC",
}
HEADINGS: Final = (
    "Topic / Tema",
    "Subject / Concepto",
    "US documents / Documentos de EE. UU.",
    "Mexican documents / Documentos de México",
    "Result / Resultado",
)
WIDTHS: Final = (24, 22, 56, 56, 22)


def _both(message: Message) -> str:
    texts = message.both()
    return " / ".join(dict.fromkeys((texts["en"], texts["es"])))


class CrossCheck:
    """The US and Mexican documents of one shipment, compared."""

    key = KEY
    title = _("Cross-check of the US and Mexican documents")
    media_type = "application/pdf"
    order = 90

    def required(self, shipment: Shipment) -> Requirement:
        """For every shipment between the United States and Mexico."""
        if {shipment.export_country, shipment.import_country} != {US, MX}:
            return Requirement(
                required=False,
                reason=_("The shipment does not cross between the United States and Mexico"),
            )
        return Requirement(
            required=True,
            reason=_(
                "The US and the Mexican filings of the same goods must state the same facts; "
                "a contradiction between them stops the crossing and can be penalised"
            ),
            citation=CITATION,
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """Each disagreement between the two sides' documents."""
        if not self.required(shipment).required:
            return []
        return report(shipment).problems

    def render(self, shipment: Shipment) -> Rendered:
        """The bilingual report as PDF bytes; the same record gives the same bytes."""
        result = report(shipment)
        doc = _pdf.TradeDocument(TITLE, _text.header_lines(shipment), shipment.reference)
        doc.date_from(shipment.terms.invoice_date)
        doc.set_subject(f"{TITLE} {shipment.reference}")
        doc.section("Documents compared / Documentos cotejados")
        compared = [(short_name(key), "compared / cotejado") for key in result.compared]
        omitted = [(short_name(key), _both(reason)) for key, reason in result.omitted]
        doc.fields(compared + omitted or [("—", "—")])
        problems = [f for f in result.findings if f.problem is not None]
        doc.section("Disagreements / Discrepancias")
        if problems:
            for finding in problems:
                assert finding.problem is not None  # noqa: S101 - filtered above
                severity = finding.problem.severity.value
                doc.paragraph(f"[{severity}] {_both(finding.problem.message)}")
        else:
            doc.paragraph("None / Ninguna")
        doc.section("Findings / Resultados")
        rows = (
            [
                _TOPIC_LABELS.get(f.topic, f.topic),
                _both(f.subject),
                f.us,
                f.mx,
                _OUTCOME_LABELS[f.outcome],
            ]
            for f in result.findings
        )
        doc.grid(HEADINGS, WIDTHS, "LLLLL", rows)
        return Rendered(
            filename=safe_filename(shipment.reference, "-cross-check.pdf"),
            media_type=self.media_type,
            data=doc.to_bytes(),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """A readable, unencrypted PDF with text whose first page carries the title."""
        return _pdf.validate_pdf(KEY, data, TITLE)


ARTIFACT: Final = CrossCheck()

__all__ = [
    "AES_TO_UNIDAD_ADUANA",
    "ARTIFACT",
    "KEY",
    "CrossCheck",
    "DocumentView",
    "Finding",
    "LineView",
    "Outcome",
    "Report",
    "compare",
    "report",
]
