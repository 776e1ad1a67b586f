"""The cross-check's comparisons of the US and the Mexican documents (see ``cross_check``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from cruce.artifacts import _text
from cruce.i18n import _
from cruce.model.problems import info, warning
from cruce.reference import units

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from cruce.i18n import Message
    from cruce.model import Problem, Shipment

from cruce.artifacts._cross_check_views import (
    CENT,
    HALF,
    KEY,
    MX,
    US,
    DocumentView,
    LineView,
    ready,
)


class Outcome(StrEnum):
    """What a comparison found."""

    AGREE = "agree"
    EXPLAINED = "explained"  # different figures, and the reason is known (exchange rates)
    DIFFER = "differ"
    NOT_COMPARABLE = "not_comparable"
    NOT_STATED = "not_stated"  # a side's documents do not state it (or are not ready)


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


def short_name(key: str) -> str:
    return SHORT_NAMES.get(key, key)


def number_text(value: Decimal, step: Decimal) -> str:
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


def line_numbers(lines: Sequence[int]) -> str:
    """Record line indexes as the user numbers them, runs shortened: ``1-3, 7, 9-10``."""
    runs: list[list[int]] = []
    for number in sorted({n + 1 for n in lines}):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def subject_of(lines: Sequence[int]) -> Message:
    if len(lines) == 1:
        return _("Line {line}", line=lines[0] + 1)
    return _("Lines {lines}", lines=line_numbers(lines))


def line_path(lines: Sequence[int], name: str) -> str:
    return f"goods[{lines[0]}].{name}"


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    found = list(values)
    known = [value for value in found if value is not None]
    return None if not found or len(known) < len(found) else sum(known, Decimal(0))


def _values(shipment: Shipment, us: DocumentView, mx: DocumentView, part: _Part) -> Finding:
    us_value = _sum(v.value_usd for v in part.us)
    mx_value = _sum(v.value_usd for v in part.mx)
    if us_value is None or mx_value is None or not part.us or not part.mx:
        return Finding("value", subject_of(part.lines), "—", "—", Outcome.NOT_STATED)
    us_adjusted = sum((v.adjustment_usd for v in part.us), Decimal(0))
    mx_adjusted = sum((v.adjustment_usd for v in part.mx), Decimal(0))
    subject = subject_of(part.lines)
    us_text = _value_text(us, us_value, us_adjusted)
    mx_text = _value_text(mx, mx_value, mx_adjusted)
    tolerance = len(part.us) * us.value_step * HALF + len(part.mx) * mx.value_step * HALF
    words = {
        "subject": subject,
        "us_document": short_name(us.key),
        "mx_document": short_name(mx.key),
        "us_value": number_text(us_value, us.value_step),
        "mx_value": number_text(mx_value, mx.value_step),
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
        line_path(part.lines, "unit_price"),
        _(
            "{subject}: the {us_document} states {us_value} USD and the {mx_document} "
            "{mx_value} USD; the values must agree",
            **words,
        ),
    )
    return Finding("value", subject, us_text, mx_text, Outcome.DIFFER, problem)


def _value_text(view: DocumentView, value: Decimal, adjusted: Decimal) -> str:
    text = f"{short_name(view.key)}: {number_text(value, view.value_step)} USD"
    if adjusted:
        sign = "+" if adjusted > 0 else "−"
        text += (
            f"\n({number_text(value - adjusted, CENT)} {sign} {number_text(abs(adjusted), CENT)})"
        )
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
        return Finding("quantity", subject_of(part.lines), "—", "—", Outcome.NOT_STATED)
    us_text = f"{short_name(us.key)}: {number_text(us_quantity, us.quantity_step)} {us_units}"
    mx_text = f"{short_name(mx.key)}: {number_text(mx_quantity, mx.quantity_step)} {mx_units}"
    if us_unit is None or mx_unit is None or us_unit != mx_unit:
        return Finding("quantity", subject_of(part.lines), us_text, mx_text, Outcome.NOT_COMPARABLE)
    tolerance = len(part.us) * us.quantity_step * HALF + len(part.mx) * mx.quantity_step * HALF
    if abs(us_quantity - mx_quantity) <= tolerance:
        return Finding("quantity", subject_of(part.lines), us_text, mx_text, Outcome.AGREE)
    problem = warning(
        f"{KEY}.quantity.differ",
        line_path(part.lines, "quantity"),
        _(
            "{subject}: the {us_document} states {us_quantity} and the {mx_document} "
            "{mx_quantity} of the same unit ({unit})",
            subject=subject_of(part.lines),
            us_document=short_name(us.key),
            mx_document=short_name(mx.key),
            us_quantity=number_text(us_quantity, us.quantity_step),
            mx_quantity=number_text(mx_quantity, mx.quantity_step),
            unit=units.UNIDAD_ADUANA_NAMES.get(us_unit, us_unit),
        ),
    )
    return Finding("quantity", subject_of(part.lines), us_text, mx_text, Outcome.DIFFER, problem)


def _classification(us: DocumentView, mx: DocumentView, part: _Part) -> Finding:
    us_codes = {v.code[:6] for v in part.us if v.code}
    mx_codes = {v.code[:6] for v in part.mx if v.code}
    us_text = f"{short_name(us.key)}: " + ", ".join(
        _text.tariff_text(v.code) for v in part.us if v.code
    )
    mx_text = f"{short_name(mx.key)}: " + ", ".join(
        dict.fromkeys(v.code for v in part.mx if v.code)
    )
    if not us_codes or not mx_codes:
        return Finding("classification", subject_of(part.lines), "—", "—", Outcome.NOT_STATED)
    outcome = Outcome.AGREE if us_codes == mx_codes else Outcome.DIFFER
    # a mismatch is the record's own blocker (goods.hs6.inconsistent), reported there once
    return Finding("classification", subject_of(part.lines), us_text, mx_text, outcome)


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
    us_text = f"{short_name(us.key)}: {number_text(us.gross_weight_kg, us.weight_step)} kg"
    mx_text = f"{short_name(mx.key)}: {number_text(mx.gross_weight_kg, mx.weight_step)} kg"
    subject = _("Gross weight")
    groups = max(len(us.lines), 1) if us.weight_step > CENT else 1
    tolerance = groups * us.weight_step * HALF + mx.weight_step * HALF
    if abs(us.gross_weight_kg - mx.gross_weight_kg) <= tolerance:
        return Finding("weight", subject, us_text, mx_text, Outcome.AGREE)
    problem = warning(
        f"{KEY}.weight.differ",
        "goods",
        _(
            "The {us_document} states a gross weight of {us_weight} kg and the {mx_document} "
            "{mx_weight} kg",
            us_document=short_name(us.key),
            mx_document=short_name(mx.key),
            us_weight=number_text(us.gross_weight_kg, us.weight_step),
            mx_weight=number_text(mx.gross_weight_kg, mx.weight_step),
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
    us_text = "\n".join(f"{short_name(v.key)}: {value}" for v, value in us) or "—"
    mx_text = "\n".join(f"{short_name(v.key)}: {value}" for v, value in mx) or "—"
    values = {value for _view, value in (*us, *mx)}
    if len(values) <= 1:
        outcome = Outcome.AGREE if len(us) + len(mx) > 1 else Outcome.NOT_STATED
        return Finding(topic, subject, us_text, mx_text, outcome)
    found = ", ".join(f"{short_name(v.key)} {value}" for v, value in (*us, *mx))
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
    us_text = "\n".join(
        f"{short_name(v.key)}: {rate} MXN/USD ({v.rate_source})" for v, rate in us_rates
    )
    mx_text = "\n".join(
        f"{short_name(v.key)}: {rate} MXN/USD ({v.rate_source})" for v, rate in mx_rates
    )
    rates = {rate for _view, rate in (*us_rates, *mx_rates)}
    outcome = Outcome.AGREE if len(rates) == 1 else Outcome.EXPLAINED
    if shipment.terms.currency == "USD" and outcome is Outcome.EXPLAINED:
        outcome = Outcome.NOT_COMPARABLE  # dollar values need no conversion
    return [Finding("exchange_rate", _("Exchange rate"), us_text or "—", mx_text or "—", outcome)]


def _rate_text(view: DocumentView, rate: Decimal) -> str:
    return f"{short_name(view.key)}: {rate} MXN/USD ({view.rate_source})"


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
        text = f"{short_name(view.key)}: CertificadoOrigen {'1' if declared else '0'}"
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
                    lines=line_numbers(claimed),
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
                        lines=line_numbers(claimed),
                        document=short_name(view.key),
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
    return ready(usmca_certification.ARTIFACT, shipment)


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
    names = ", ".join(short_name(v.key) for v in stating)
    return f"{names}: {line_numbers(claimed) or '—'}"


def explained_notes(findings: Sequence[Finding]) -> list[Problem]:
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
                line_path(numbers, "unit_price"),
                _(
                    "Lines {lines}: the US and the Mexican documents state different values "
                    "for the same prices: each customs value adds its own charges to the price "
                    "(packing, freight, insurance), as the report shows line by line",
                    lines=line_numbers(numbers),
                ),
            )
        )
    if "rate" in lines:
        numbers = sorted(set(lines["rate"]))
        found.append(
            info(
                f"{KEY}.value.exchange_rate",
                line_path(numbers, "unit_price"),
                _(
                    "Lines {lines}: the US and the Mexican documents convert the invoice's "
                    "pesos to dollars at different exchange rates, so their dollar values "
                    "differ, as the report shows line by line",
                    lines=line_numbers(numbers),
                ),
            )
        )
    return found


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
