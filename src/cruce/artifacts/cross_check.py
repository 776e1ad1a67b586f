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

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from cruce.artifacts import _pdf, _text
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.compliance import valuation
from cruce.i18n import _
from cruce.model.party import TaxScheme
from cruce.model.problems import has_blockers, info, warning
from cruce.reference import units

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from cruce.i18n import Message
    from cruce.model import Problem, Shipment

KEY: Final = "cross_check"
TITLE: Final = "Cross-check of the US and Mexican documents / Cotejo de documentos EE. UU.–México"
US, MX = "US", "MX"
_CENT: Final = Decimal("0.01")
_HALF: Final = Decimal("0.5")
_CITATION: Final = (
    "19 U.S.C. 1592 (material false statements or omissions in an entry); Ley Aduanera "
    "art. 184 fr. III (documents presented with inexact data)"
)
# What each AES unit of quantity (Census, AESTIR appendix) measures, written as the
# c_UnidadAduana that measures the same quantity (Comercio Exterior 2.0 catalog), so that a
# Schedule B quantity and a SAT one can be compared. A gross (144) has no SAT equivalent.
AES_TO_UNIDAD_ADUANA: Final[dict[str, str]] = {
    "KG": "01",
    "G": "02",
    "M": "03",
    "M2": "04",
    "M3": "05",
    "NO": "06",
    "PCS": "06",
    "L": "08",
    "PRS": "09",
    "T": "14",
    "DOZ": "19",
}


class Outcome(StrEnum):
    """What a comparison found."""

    AGREE = "agree"
    EXPLAINED = "explained"  # different figures, and the reason is known (exchange rates)
    DIFFER = "differ"
    NOT_COMPARABLE = "not_comparable"
    NOT_STATED = "not_stated"  # a side's documents do not state it (or are not ready)


# ---------------------------------------------------------------- what one document says


@dataclass(frozen=True, slots=True)
class LineView:
    """What one document states about one or more record lines (0-based indexes)."""

    lines: tuple[int, ...]
    code: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None  # c_UnidadAduana, two digits, when known
    unit_text: str | None = None  # the unit as the document writes it
    value_usd: Decimal | None = None
    adjustment_usd: Decimal = Decimal(0)  # what the document's valuation added to the price
    claimed: bool | None = None  # a USMCA / T-MEC preference is claimed on the line


@dataclass(frozen=True, slots=True)
class DocumentView:
    """One document's statements, as far as the cross-check compares them."""

    key: str
    country: str
    lines: tuple[LineView, ...] = ()
    value_step: Decimal = _CENT  # the document's rounding of a value: 1 for whole dollars
    quantity_step: Decimal = Decimal("0.001")
    rate: Decimal | None = None  # pesos per dollar the document converts with
    rate_source: str | None = None
    gross_weight_kg: Decimal | None = None
    weight_step: Decimal = _CENT
    incoterm: str | None = None
    us_party_id: str | None = None  # the tax number of the party in the United States
    mx_party_id: str | None = None  # the RFC of the party in Mexico
    certificate: bool | None = None  # the document declares a certification of origin


@dataclass(frozen=True, slots=True)
class Finding:
    """One row of the report."""

    topic: str
    subject: Message
    us: str
    mx: str
    outcome: Outcome
    problem: Problem | None = None
    reason: str | None = None  # what explains an EXPLAINED difference: valuation, rate
    lines: tuple[int, ...] = ()  # the record lines a line-level finding is about


# ---------------------------------------------------------------- reading each document


def _compact_id(value: str | None) -> str | None:
    return None if value is None else re.sub(r"[\s\-./]", "", value).upper() or None


def _ready(artifact: Any, shipment: Shipment, ignore: Iterable[str] = ()) -> bool:  # noqa: ANN401
    if not artifact.required(shipment).required:
        return False
    skipped = tuple(ignore)
    problems = [p for p in artifact.problems(shipment) if not p.code.startswith(skipped)]
    return not has_blockers(problems)


def _eei(shipment: Shipment) -> DocumentView | None:
    from cruce.artifacts import eei  # noqa: PLC0415 - only when the EEI is compared

    if not _ready(eei.ARTIFACT, shipment):
        return None
    data = eei.document(shipment)
    lines = tuple(
        LineView(
            lines=tuple(number - 1 for number in item["lines"]),
            code=item["commodity_classification"],
            quantity=None if item["quantity"] is None else Decimal(item["quantity"]),
            unit=AES_TO_UNIDAD_ADUANA.get(item["unit"] or ""),
            unit_text=item["unit"],
            value_usd=Decimal(item["value_usd"]),
        )
        for item in data["commodities"]
    )
    weights = [item["shipping_weight_kg"] for item in data["commodities"]]
    return DocumentView(
        key="eei",
        country=US,
        lines=lines,
        value_step=Decimal(1),
        quantity_step=Decimal(1),
        rate=_record_rate(shipment),
        rate_source=_record_rate_source(shipment),
        gross_weight_kg=None if None in weights else Decimal(sum(weights)),
        weight_step=Decimal(1),
        us_party_id=_compact_id((data["usppi"] or {}).get("ein")),
    )


def _entry_summary(shipment: Shipment) -> DocumentView | None:
    from cruce.artifacts import entry_summary  # noqa: PLC0415

    if not _ready(entry_summary.ARTIFACT, shipment):
        return None
    data = json.loads(entry_summary.ARTIFACT.render(shipment).data)
    adjustments = _us_adjustments(shipment)
    lines = tuple(
        LineView(
            lines=(item["line"] - 1,),
            code=item["hts"].replace(".", ""),
            quantity=Decimal(item["quantity"]),
            unit=units.unidad_aduana(item["unit"]),
            unit_text=item["unit"],
            value_usd=Decimal(item["entered_value"]),
            adjustment_usd=adjustments.get(item["line"] - 1, Decimal(0)),
            claimed=item.get("spi") == "S",
        )
        for item in data["lines"]
    )
    importer = data["header"].get("importer_of_record") or {}
    return DocumentView(
        key="entry_summary",
        country=US,
        lines=lines,
        us_party_id=_compact_id(importer.get("number")),
        value_step=Decimal(1),
        rate=_record_rate(shipment),
        rate_source=_record_rate_source(shipment),
    )


def _emanifest(shipment: Shipment) -> DocumentView | None:
    """The carrier's e-Manifest: the gross weight it declares for the truck's cargo."""
    from cruce.artifacts import emanifest  # noqa: PLC0415

    if not _ready(emanifest.ARTIFACT, shipment):
        return None
    commodities = [c for s in emanifest.document(shipment)["shipments"] for c in s["commodities"]]
    weights = [c["gross_weight_kg"] for c in commodities]
    total = None if None in weights else sum((Decimal(w) for w in weights), Decimal(0))
    return DocumentView(key="emanifest", country=US, gross_weight_kg=total)


def _us_adjustments(shipment: Shipment) -> dict[int, Decimal]:
    """What US transaction value adds to (or takes from) each line's price, in dollars."""
    rate = _record_rate(shipment)
    found: dict[int, Decimal] = {}
    for value in valuation.us_values(shipment):
        total = sum((a.amount.amount for a in value.adjustments), Decimal(0))
        currency = value.price.currency
        if currency == "USD":
            found[value.index] = total
        elif currency == "MXN" and rate is not None:
            found[value.index] = total / rate
    return found


def _cfdi(shipment: Shipment) -> DocumentView | None:
    from cruce.artifacts import cfdi  # noqa: PLC0415

    if shipment.export_country != MX:
        return None
    problems = [p for p in cfdi.ARTIFACT.problems(shipment) if ".csd." not in p.code]
    if has_blockers(problems):
        return None
    try:
        comprobante = cfdi.comprobante(shipment)
    except ValueError:
        return None
    complemento = comprobante["Complemento"]
    cce = complemento[0] if isinstance(complemento, list) else complemento
    if "ComercioExterior" in cce:
        cce = cce["ComercioExterior"]
    mercancias = cce["Mercancias"]
    lines = tuple(
        LineView(
            lines=(index,),
            code=m.get("FraccionArancelaria"),
            quantity=m.get("CantidadAduana"),
            unit=m.get("UnidadAduana"),
            unit_text=units.UNIDAD_ADUANA_NAMES.get(m.get("UnidadAduana") or ""),
            value_usd=m["ValorDolares"],
        )
        for index, m in zip(range(len(shipment.goods)), mercancias, strict=False)
    )
    return DocumentView(
        key="cfdi",
        country=MX,
        lines=lines,
        rate=cce["TipoCambioUSD"],
        rate_source="CFDI TipoCambioUSD",
        incoterm=cce["Incoterm"],
        us_party_id=_compact_id(comprobante["Receptor"].get("NumRegIdTrib")),
        mx_party_id=_compact_id(comprobante["Emisor"].get("Rfc")),
        certificate=str(cce["CertificadoOrigen"]) == "1",
    )


def _invoice(shipment: Shipment) -> DocumentView | None:
    """The seller's UBL invoice: its Incoterm and the US party's tax number."""
    from cruce.artifacts import commercial_invoice, ubl_invoice  # noqa: PLC0415

    if not _ready(ubl_invoice.ARTIFACT, shipment) or not _ready(
        commercial_invoice.ARTIFACT, shipment
    ):
        return None
    root = ubl_invoice.build(shipment)
    ns = {"cac": ubl_invoice.CAC, "cbc": ubl_invoice.CBC}
    incoterm = root.findtext("cac:DeliveryTerms/cbc:ID", namespaces=ns)
    role = "AccountingSupplierParty" if shipment.export_country == US else "AccountingCustomerParty"
    ids = [
        element.text
        for element in root.iterfind(f"cac:{role}//cac:PartyTaxScheme/cbc:CompanyID", ns)
        if element.get("schemeID") != ubl_invoice.TAX_ID_SCHEMES[TaxScheme.MX_RFC][0]
    ]
    return DocumentView(
        key="ubl_invoice",
        country=shipment.export_country,
        incoterm=incoterm,
        us_party_id=_compact_id(ids[0]) if ids else None,
    )


def _carta_porte(shipment: Shipment) -> DocumentView | None:
    """The carrier's Carta Porte: fracción, quantity, weight, the importer's RFC.

    Read from its complement even without the carrier's CSD, when the record has what it
    needs: the carrier's own system issues the same data.
    """
    from cruce.artifacts import carta_porte  # noqa: PLC0415

    if not carta_porte.applies(shipment) or has_blockers(carta_porte.record_problems(shipment)):
        return None
    mercancias = carta_porte.complemento(shipment)["Mercancias"]
    lines = tuple(
        LineView(
            lines=(index,),
            code=m.get("FraccionArancelaria"),
            quantity=m.get("Cantidad"),
            unit=units.unidad_aduana(m["ClaveUnidad"]),
            unit_text=m["ClaveUnidad"],
        )
        for index, m in enumerate(mercancias["Mercancia"])
    )
    documents = [
        document
        for m in mercancias["Mercancia"]
        for document in _as_list(m.get("DocumentacionAduanera"))
    ]
    importer = next((d.get("RFCImpo") for d in documents if d.get("RFCImpo")), None)
    return DocumentView(
        key="carta_porte",
        country=MX,
        lines=lines,
        gross_weight_kg=mercancias["PesoBrutoTotal"],
        weight_step=Decimal("0.001"),
        mx_party_id=_compact_id(importer),
    )


def _pedimento(shipment: Shipment) -> DocumentView | None:
    """The pedimento draft: its partidas, rate, weight, Incoterm and parties.

    On an import, a partida with identifier TL claims the T-MEC preference.
    """
    from cruce.artifacts import pedimento  # noqa: PLC0415

    if not _ready(pedimento.ARTIFACT, shipment):
        return None
    draft = pedimento.draft(shipment)
    header = draft.header
    rate = None if header.exchange_rate is None else header.exchange_rate.rate
    importing = shipment.import_country == MX
    lines = tuple(_partida(shipment, p, rate, importing=importing) for p in draft.partidas)
    source = header.exchange_rate
    supplier, importer = draft.supplier_buyer, draft.importer_exporter
    return DocumentView(
        key="pedimento",
        country=MX,
        lines=lines,
        rate=rate,
        rate_source=None if source is None else f"{source.source}, {source.as_of.isoformat()}",
        gross_weight_kg=header.gross_weight_kg,
        incoterm=draft.invoice.incoterm,
        us_party_id=_compact_id(None if supplier is None else supplier.tax_id),
        mx_party_id=_compact_id(None if importer is None else importer.tax_id),
    )


def _partida(
    shipment: Shipment,
    partida: Any,  # noqa: ANN401 - a pedimento.Partida
    rate: Decimal | None,
    *,
    importing: bool,
) -> LineView:
    """One partida; its quantity in the tariff unit (UMT) when known, else the commercial one.

    What its dollar value adds to the line's invoice price (the charges spread over the
    lines, the incrementables of an import) is its adjustment.
    """
    unit, quantity = (
        (partida.umt, partida.umt_quantity)
        if partida.umt is not None and partida.umt_quantity is not None
        else (partida.umc, partida.umc_quantity)
    )
    code = None if unit is None else f"{int(unit):02d}"
    added = partida.customs_value_invoice - shipment.goods[partida.line_index].line_value()
    if added.currency == "USD":
        adjustment: Decimal | None = added.amount
    elif added.currency == "MXN" and rate:
        adjustment = added.amount / rate
    else:
        adjustment = None
    return LineView(
        lines=(partida.line_index,),
        code=f"{partida.fraccion}{partida.nico}",
        quantity=quantity,
        unit=code,
        unit_text=None if code is None else units.UNIDAD_ADUANA_NAMES.get(code, code),
        value_usd=None if partida.value_usd is None else partida.value_usd.amount,
        adjustment_usd=adjustment or Decimal(0),
        claimed=any(i.code == "TL" for i in partida.identifiers) if importing else None,
    )


def _as_list(value: Any) -> list[Any]:  # noqa: ANN401 - satcfdi nodes
    """Satcfdi gives a repeatable node as a list, or as the one node it holds."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _record_rate(shipment: Shipment) -> Decimal | None:
    rate = shipment.terms.exchange_rate
    if rate is None or {rate.base, rate.quote} != {"USD", "MXN"}:
        return None
    return rate.rate if rate.base == "USD" else 1 / rate.rate


def _record_rate_source(shipment: Shipment) -> str | None:
    rate = shipment.terms.exchange_rate
    return None if rate is None else f"{rate.source}, {rate.as_of.isoformat()}"


READERS: Final[tuple[Callable[[Shipment], DocumentView | None], ...]] = (
    _invoice,
    _eei,
    _entry_summary,
    _emanifest,
    _cfdi,
    _pedimento,
    _carta_porte,
)
"""Each reader returns the view of one document, or None when it is not compared."""

SHORT_NAMES: Final[dict[str, str]] = {
    "eei": "EEI",
    "entry_summary": "CBP 7501",
    "emanifest": "e-Manifest",
    "ubl_invoice": "UBL",
    "cfdi": "CFDI",
    "pedimento": "Pedimento",
    "carta_porte": "Carta Porte",
}
EXPECTED: Final[dict[str, tuple[str, ...]]] = {
    "US-MX": ("eei", "pedimento", "carta_porte"),
    "MX-US": ("entry_summary", "emanifest", "cfdi", "pedimento", "carta_porte"),
}
"""The documents each direction's comparison reads, when they are required and ready."""


def _name(key: str) -> str:
    return SHORT_NAMES.get(key, key)


def _number(value: Decimal, step: Decimal) -> str:
    places = max(0, -int(step.normalize().as_tuple().exponent))
    return _text.decimal_text(value.quantize(step), places)


# ---------------------------------------------------------------- comparing


class _Groups:
    """Record lines joined whenever one document states them together (union-find)."""

    def __init__(self) -> None:
        self._parent: dict[int, int] = {}

    def find(self, line: int) -> int:
        parent = self._parent.setdefault(line, line)
        if parent != line:
            parent = self._parent[line] = self.find(parent)
        return parent

    def join(self, lines: Sequence[int]) -> None:
        for line in lines[1:]:
            self._parent[self.find(line)] = self.find(lines[0])


@dataclass(frozen=True, slots=True)
class _Part:
    """The lines of one component, and each document's views inside it."""

    lines: tuple[int, ...]
    us: tuple[LineView, ...]
    mx: tuple[LineView, ...]


def _parts(us: DocumentView, mx: DocumentView) -> list[_Part]:
    groups = _Groups()
    for view in (*us.lines, *mx.lines):
        groups.join(view.lines)
    members: dict[int, list[int]] = {}
    for line in sorted({n for v in (*us.lines, *mx.lines) for n in v.lines}):
        members.setdefault(groups.find(line), []).append(line)
    found = []
    for lines in members.values():
        inside = set(lines)
        found.append(
            _Part(
                tuple(lines),
                tuple(v for v in us.lines if inside & set(v.lines)),
                tuple(v for v in mx.lines if inside & set(v.lines)),
            )
        )
    return sorted(found, key=lambda part: part.lines)


def _numbers(lines: Sequence[int]) -> str:
    """Record line indexes as the user numbers them, runs shortened: ``1-3, 7, 9-10``."""
    runs: list[list[int]] = []
    for number in sorted({n + 1 for n in lines}):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def _subject(lines: Sequence[int]) -> Message:
    if len(lines) == 1:
        return _("Line {line}", line=lines[0] + 1)
    return _("Lines {lines}", lines=_numbers(lines))


def _path(lines: Sequence[int], name: str) -> str:
    return f"goods[{lines[0]}].{name}"


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    found = list(values)
    known = [value for value in found if value is not None]
    return None if not found or len(known) < len(found) else sum(known, Decimal(0))


def _values(shipment: Shipment, us: DocumentView, mx: DocumentView, part: _Part) -> Finding:
    us_value = _sum(v.value_usd for v in part.us)
    mx_value = _sum(v.value_usd for v in part.mx)
    if us_value is None or mx_value is None or not part.us or not part.mx:
        return Finding("value", _subject(part.lines), "—", "—", Outcome.NOT_STATED)
    us_adjusted = sum((v.adjustment_usd for v in part.us), Decimal(0))
    mx_adjusted = sum((v.adjustment_usd for v in part.mx), Decimal(0))
    subject = _subject(part.lines)
    us_text = _value_text(us, us_value, us_adjusted)
    mx_text = _value_text(mx, mx_value, mx_adjusted)
    tolerance = len(part.us) * us.value_step * _HALF + len(part.mx) * mx.value_step * _HALF
    words = {
        "subject": subject,
        "us_document": _name(us.key),
        "mx_document": _name(mx.key),
        "us_value": _number(us_value, us.value_step),
        "mx_value": _number(mx_value, mx.value_step),
    }
    if abs(us_value - mx_value) <= tolerance:
        return Finding("value", subject, us_text, mx_text, Outcome.AGREE)
    us_price, mx_price = us_value - us_adjusted, mx_value - mx_adjusted
    if (us_adjusted or mx_adjusted) and abs(us_price - mx_price) <= tolerance:
        return Finding(
            "value",
            subject,
            us_text,
            mx_text,
            Outcome.EXPLAINED,
            reason="valuation",
            lines=part.lines,
        )
    if (
        shipment.terms.currency != "USD"
        and us.rate is not None
        and mx.rate is not None
        and us.rate != mx.rate
        and abs(us_price * us.rate - mx_price * mx.rate) <= tolerance * max(us.rate, mx.rate)
    ):
        return Finding(
            "value", subject, us_text, mx_text, Outcome.EXPLAINED, None, "rate", part.lines
        )
    problem = warning(
        f"{KEY}.value.differ",
        _path(part.lines, "unit_price"),
        _(
            "{subject}: the {us_document} states {us_value} USD and the {mx_document} "
            "{mx_value} USD; the values must agree",
            **words,
        ),
    )
    return Finding("value", subject, us_text, mx_text, Outcome.DIFFER, problem)


def _value_text(view: DocumentView, value: Decimal, adjusted: Decimal) -> str:
    text = f"{_name(view.key)}: {_number(value, view.value_step)} USD"
    if adjusted:
        sign = "+" if adjusted > 0 else "−"
        text += f"\n({_number(value - adjusted, _CENT)} {sign} {_number(abs(adjusted), _CENT)})"
    return text


def _single_unit(views: Sequence[LineView]) -> tuple[str | None, str]:
    codes = {v.unit for v in views}
    texts = ", ".join(dict.fromkeys(v.unit_text or "?" for v in views))
    return (codes.pop() if len(codes) == 1 else None), texts


def _quantities(us: DocumentView, mx: DocumentView, part: _Part) -> Finding:
    us_quantity = _sum(v.quantity for v in part.us)
    mx_quantity = _sum(v.quantity for v in part.mx)
    us_unit, us_units = _single_unit(part.us)
    mx_unit, mx_units = _single_unit(part.mx)
    if us_quantity is None or mx_quantity is None or not part.us or not part.mx:
        return Finding("quantity", _subject(part.lines), "—", "—", Outcome.NOT_STATED)
    us_text = f"{_name(us.key)}: {_number(us_quantity, us.quantity_step)} {us_units}"
    mx_text = f"{_name(mx.key)}: {_number(mx_quantity, mx.quantity_step)} {mx_units}"
    if us_unit is None or mx_unit is None or us_unit != mx_unit:
        return Finding("quantity", _subject(part.lines), us_text, mx_text, Outcome.NOT_COMPARABLE)
    tolerance = len(part.us) * us.quantity_step * _HALF + len(part.mx) * mx.quantity_step * _HALF
    if abs(us_quantity - mx_quantity) <= tolerance:
        return Finding("quantity", _subject(part.lines), us_text, mx_text, Outcome.AGREE)
    problem = warning(
        f"{KEY}.quantity.differ",
        _path(part.lines, "quantity"),
        _(
            "{subject}: the {us_document} states {us_quantity} and the {mx_document} "
            "{mx_quantity} of the same unit ({unit})",
            subject=_subject(part.lines),
            us_document=_name(us.key),
            mx_document=_name(mx.key),
            us_quantity=_number(us_quantity, us.quantity_step),
            mx_quantity=_number(mx_quantity, mx.quantity_step),
            unit=units.UNIDAD_ADUANA_NAMES.get(us_unit, us_unit),
        ),
    )
    return Finding("quantity", _subject(part.lines), us_text, mx_text, Outcome.DIFFER, problem)


def _classification(us: DocumentView, mx: DocumentView, part: _Part) -> Finding:
    us_codes = {v.code[:6] for v in part.us if v.code}
    mx_codes = {v.code[:6] for v in part.mx if v.code}
    us_text = f"{_name(us.key)}: " + ", ".join(_text.tariff_text(v.code) for v in part.us if v.code)
    mx_text = f"{_name(mx.key)}: " + ", ".join(dict.fromkeys(v.code for v in part.mx if v.code))
    if not us_codes or not mx_codes:
        return Finding("classification", _subject(part.lines), "—", "—", Outcome.NOT_STATED)
    outcome = Outcome.AGREE if us_codes == mx_codes else Outcome.DIFFER
    # a mismatch is the record's own blocker (goods.hs6.inconsistent), reported there once
    return Finding("classification", _subject(part.lines), us_text, mx_text, outcome)


def _line_findings(shipment: Shipment, us: DocumentView, mx: DocumentView) -> list[Finding]:
    found: list[Finding] = []
    compare_values = any(v.value_usd is not None for v in us.lines) and any(
        v.value_usd is not None for v in mx.lines
    )
    compare_quantities = any(v.quantity is not None for v in us.lines) and any(
        v.quantity is not None for v in mx.lines
    )
    for part in _parts(us, mx):
        if compare_values:
            found.append(_values(shipment, us, mx, part))
        if compare_quantities:
            found.append(_quantities(us, mx, part))
        found.append(_classification(us, mx, part))
    return [f for f in found if f.outcome is not Outcome.NOT_STATED]


def _weights(us: DocumentView, mx: DocumentView) -> Finding | None:
    if us.gross_weight_kg is None or mx.gross_weight_kg is None:
        return None
    us_text = f"{_name(us.key)}: {_number(us.gross_weight_kg, us.weight_step)} kg"
    mx_text = f"{_name(mx.key)}: {_number(mx.gross_weight_kg, mx.weight_step)} kg"
    subject = _("Gross weight")
    groups = max(len(us.lines), 1) if us.weight_step > _CENT else 1
    tolerance = groups * us.weight_step * _HALF + mx.weight_step * _HALF
    if abs(us.gross_weight_kg - mx.gross_weight_kg) <= tolerance:
        return Finding("weight", subject, us_text, mx_text, Outcome.AGREE)
    problem = warning(
        f"{KEY}.weight.differ",
        "goods",
        _(
            "The {us_document} states a gross weight of {us_weight} kg and the {mx_document} "
            "{mx_weight} kg",
            us_document=_name(us.key),
            mx_document=_name(mx.key),
            us_weight=_number(us.gross_weight_kg, us.weight_step),
            mx_weight=_number(mx.gross_weight_kg, mx.weight_step),
        ),
    )
    return Finding("weight", subject, us_text, mx_text, Outcome.DIFFER, problem)


def _stated(views: Sequence[DocumentView], attribute: str) -> list[tuple[DocumentView, str]]:
    return [(v, getattr(v, attribute)) for v in views if getattr(v, attribute) is not None]


def _agreement(
    topic: str,
    subject: Message,
    us: list[tuple[DocumentView, str]],
    mx: list[tuple[DocumentView, str]],
    on_differ: Callable[[str], Problem],
) -> Finding | None:
    if not us and not mx:
        return None
    us_text = "\n".join(f"{_name(v.key)}: {value}" for v, value in us) or "—"
    mx_text = "\n".join(f"{_name(v.key)}: {value}" for v, value in mx) or "—"
    values = {value for _view, value in (*us, *mx)}
    if len(values) <= 1:
        outcome = Outcome.AGREE if len(us) + len(mx) > 1 else Outcome.NOT_STATED
        return Finding(topic, subject, us_text, mx_text, outcome)
    found = ", ".join(f"{_name(v.key)} {value}" for v, value in (*us, *mx))
    return Finding(topic, subject, us_text, mx_text, Outcome.DIFFER, on_differ(found))


def _shipment_findings(
    shipment: Shipment, us: list[DocumentView], mx: list[DocumentView]
) -> list[Finding]:
    found: list[Finding] = []
    for us_view in us:
        for mx_view in mx:
            weight = _weights(us_view, mx_view)
            if weight is not None:
                found.append(weight)
    incoterm = _agreement(
        "incoterm",
        _("Incoterm"),
        _stated(us, "incoterm"),
        _stated(mx, "incoterm"),
        lambda stated: warning(
            f"{KEY}.incoterm.differ",
            "terms.incoterm",
            _("The documents state different Incoterms: {stated}", stated=stated),
        ),
    )
    party = _agreement(
        "tax_id",
        _("Tax number of the party in the United States"),
        _stated(us, "us_party_id"),
        _stated(mx, "us_party_id"),
        lambda stated: warning(
            f"{KEY}.tax_id.differ",
            "parties",
            _(
                "The documents give the party in the United States different tax numbers: {stated}",
                stated=stated,
            ),
        ),
    )
    mx_party = _agreement(
        "rfc",
        _("RFC of the party in Mexico"),
        _stated(us, "mx_party_id"),
        _stated(mx, "mx_party_id"),
        lambda stated: warning(
            f"{KEY}.rfc.differ",
            "parties",
            _("The documents give the party in Mexico different RFCs: {stated}", stated=stated),
        ),
    )
    found += [f for f in (incoterm, party, mx_party) if f is not None]
    found += _rate_findings(shipment, us, mx)
    found += _usmca_findings(shipment, us, mx)
    return found


def _rate_findings(
    shipment: Shipment, us: list[DocumentView], mx: list[DocumentView]
) -> list[Finding]:
    us_rates = [(v, v.rate) for v in us if v.rate is not None]
    mx_rates = [(v, v.rate) for v in mx if v.rate is not None]
    if not us_rates and not mx_rates:
        return []
    us_text = "\n".join(f"{_name(v.key)}: {rate} MXN/USD ({v.rate_source})" for v, rate in us_rates)
    mx_text = "\n".join(f"{_name(v.key)}: {rate} MXN/USD ({v.rate_source})" for v, rate in mx_rates)
    rates = {rate for _view, rate in (*us_rates, *mx_rates)}
    outcome = Outcome.AGREE if len(rates) == 1 else Outcome.EXPLAINED
    if shipment.terms.currency == "USD" and outcome is Outcome.EXPLAINED:
        outcome = Outcome.NOT_COMPARABLE  # dollar values need no conversion
    return [Finding("exchange_rate", _("Exchange rate"), us_text or "—", mx_text or "—", outcome)]


def _usmca_findings(
    shipment: Shipment, us: list[DocumentView], mx: list[DocumentView]
) -> list[Finding]:
    claimed_us = sorted({n for v in us for lv in v.lines if lv.claimed for n in lv.lines})
    claimed_mx = sorted({n for v in mx for lv in v.lines if lv.claimed for n in lv.lines})
    certificates = [(v, v.certificate) for v in (*us, *mx) if v.certificate is not None]
    if not claimed_us and not claimed_mx and not certificates:
        return []
    subject = _("USMCA / T-MEC claim")
    us_text = _lines_text(us, claimed_us)
    mx_text = _lines_text(mx, claimed_mx)
    for view, declared in certificates:
        text = f"{_name(view.key)}: CertificadoOrigen {'1' if declared else '0'}"
        if view.country == US:
            us_text += f"\n{text}"
        else:
            mx_text += f"\n{text}"
    claimed = claimed_us or claimed_mx
    problems: list[Problem] = []
    unsupported = bool(claimed) and not _certified(shipment, claimed)
    if unsupported and not _missing_reported(shipment):
        problems.append(
            warning(
                f"{KEY}.usmca.no_certification",
                "usmca_certification",
                _(
                    "USMCA / T-MEC preference is claimed on lines {lines}, but no "
                    "certification of origin supports the claim (see its checklist entry)",
                    lines=_numbers(claimed),
                ),
            )
        )
    for view, declared in certificates:
        if claimed and not declared:
            problems.append(
                warning(
                    f"{KEY}.usmca.certificate_not_declared",
                    "usmca_certification",
                    _(
                        "USMCA / T-MEC preference is claimed on lines {lines}, but the "
                        "{document} declares no certification of origin (CertificadoOrigen 0)",
                        lines=_numbers(claimed),
                        document=_name(view.key),
                    ),
                )
            )
    if not problems:
        # an unsupported claim the certification's own entry reports is shown, not repeated
        outcome = Outcome.DIFFER if unsupported else Outcome.AGREE
        return [Finding("usmca", subject, us_text, mx_text, outcome)]
    return [
        Finding("usmca", subject, us_text, mx_text, Outcome.DIFFER, problem) for problem in problems
    ]


def _certified(shipment: Shipment, claimed: Sequence[int]) -> bool:
    """Whether a certification of origin supports the claimed lines.

    Either every claimed line cites one held outside cruce, or cruce prepares it.
    """
    from cruce.artifacts import usmca_certification  # noqa: PLC0415

    goods = shipment.goods
    if all(goods[n].usmca.certification_reference for n in claimed if n < len(goods)):
        return True
    return _ready(usmca_certification.ARTIFACT, shipment)


def _missing_reported(shipment: Shipment) -> bool:
    """The certification's own checklist entry already says it is missing."""
    from cruce.artifacts import usmca_certification  # noqa: PLC0415

    return any(
        p.code.endswith(".certification.missing")
        for p in usmca_certification.ARTIFACT.problems(shipment)
    )


def _lines_text(views: Sequence[DocumentView], claimed: Sequence[int]) -> str:
    stating = [v for v in views if any(lv.claimed is not None for lv in v.lines)]
    if not stating:
        return "—"
    names = ", ".join(_name(v.key) for v in stating)
    return f"{names}: {_numbers(claimed) or '—'}"


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
        return found + _explained(self.findings)


def _explained(findings: Sequence[Finding]) -> list[Problem]:
    lines: dict[str, list[int]] = {}
    for finding in findings:
        if finding.outcome is Outcome.EXPLAINED and finding.reason is not None:
            lines.setdefault(finding.reason, []).extend(finding.lines)
    found: list[Problem] = []
    if "valuation" in lines:
        numbers = sorted(set(lines["valuation"]))
        found.append(
            info(
                f"{KEY}.value.valuation",
                _path(numbers, "unit_price"),
                _(
                    "Lines {lines}: the US and the Mexican documents state different values "
                    "for the same prices: each customs value adds its own charges to the price "
                    "(packing, freight, insurance), as the report shows line by line",
                    lines=_numbers(numbers),
                ),
            )
        )
    if "rate" in lines:
        numbers = sorted(set(lines["rate"]))
        found.append(
            info(
                f"{KEY}.value.exchange_rate",
                _path(numbers, "unit_price"),
                _(
                    "Lines {lines}: the US and the Mexican documents convert the invoice's "
                    "pesos to dollars at different exchange rates, so their dollar values "
                    "differ, as the report shows line by line",
                    lines=_numbers(numbers),
                ),
            )
        )
    return found


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


def compare(shipment: Shipment, views: Sequence[DocumentView]) -> list[Finding]:
    """What the US documents and the Mexican documents among ``views`` say differently."""
    us = [v for v in views if v.country == US]
    mx = [v for v in views if v.country == MX]
    if not us or not mx:
        return []
    findings: list[Finding] = []
    for us_view in us:
        for mx_view in mx:
            findings += _line_findings(shipment, us_view, mx_view)
    return findings + _shipment_findings(shipment, us, mx)


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
            citation=_CITATION,
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
        compared = [(_name(key), "compared / cotejado") for key in result.compared]
        omitted = [(_name(key), _both(reason)) for key, reason in result.omitted]
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
