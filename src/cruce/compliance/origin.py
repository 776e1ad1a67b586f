"""USMCA origin: does one unit of a good qualify, under which criterion, and why (or why not).

The decision for one good, from its bill of materials (values per unit):

- **Criterion B** (USMCA Art. 4.2(c)): every material is originating.
- **Criterion C** (Art. 4.2(b), Annex 4-B; 19 U.S.C. 4531(b)): the product-specific rule
  (:mod:`cruce.reference.usmca_rules`) is met: each non-originating material makes the
  tariff shift of one alternative and, where the alternative asks for it, the regional
  value content holds (Art. 4.5): ``RVC = (base - VNM) / base x 100`` with the transaction
  value or the net cost as base, VNM the value of the non-originating materials.
- **De minimis** (Art. 4.12; 19 U.S.C. 4531(c)): non-originating materials that fail the
  shift may be disregarded when their value is at most 10 % of the transaction value and
  the good meets every other requirement of the alternative. The textile rule (chapters
  50-63, by weight) and the agricultural exceptions (Art. 4.12.2, chapters 1-24 here) are
  not implemented: when de minimis is needed for such a good, the result is "not determined".

Materials of unknown origin count as non-originating. Not determined (``qualifies`` None):
no HS code, automotive goods (chapter 87, headings 8407-8409: the Appendix to Annex 4-B is
not implemented), no bill of materials, amounts in other currencies, a heading whose rule is
not encoded, and a rule marked not determinable whose writable alternatives are not met.
Not implemented: criteria A and D, accumulation (Art. 4.11), intermediate and indirect
materials, packing and accessories (Art. 4.13-4.16), GN 11(p) deemed-originating goods.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

from cruce.i18n import Message, _
from cruce.model.codes import USMCA_COUNTRIES
from cruce.model.goods import Originating, OriginCriterion
from cruce.model.problems import Problem, blocker
from cruce.reference.usmca_rules import CodeTooShortError, de_minimis, rule_for, shifts

if TYPE_CHECKING:
    from datetime import date

    from cruce.model.goods import GoodsLine, Material
    from cruce.model.money import Money
    from cruce.reference.usmca_rules import Alternative, ProductRule, TariffShift

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_AUTOMOTIVE_HEADINGS = frozenset({"8407", "8408", "8409"})


@dataclass(frozen=True, slots=True)
class MaterialVerdict:
    """One material: whether it is originating and whether it makes the tariff shift."""

    index: int
    description: str
    value: Money
    originating: bool
    shifts: bool | None
    reason: Message


@dataclass(frozen=True, slots=True)
class RvcResult:
    """A regional value content computation; ``percent`` is rounded for display only."""

    method: Literal["transaction_value", "net_cost"]
    base: Money
    vnm: Money
    percent: Decimal
    threshold: Decimal
    passes: bool


@dataclass(frozen=True, slots=True)
class OriginResult:
    """The origin decision of one good; ``qualifies`` None means not determined."""

    qualifies: bool | None
    criterion: OriginCriterion | None
    rule: ProductRule | None
    alternative: Alternative | None
    materials: tuple[MaterialVerdict, ...]
    rvc: tuple[RvcResult, ...]
    de_minimis: Decimal | None
    explanation: tuple[Message, ...]
    suggestions: tuple[Message, ...]
    problems: tuple[Problem, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form with every message in English and Spanish."""
        rule = self.rule
        return {
            "qualifies": self.qualifies,
            "criterion": None if self.criterion is None else self.criterion.value,
            "rule": None
            if rule is None
            else {"scope": rule.scope, "text": rule.text, "citation": rule.citation},
            "alternative": None if self.alternative is None else self.alternative.text,
            "materials": [
                {
                    "index": m.index,
                    "description": m.description,
                    "value": str(m.value),
                    "originating": m.originating,
                    "shifts": m.shifts,
                    "reason": m.reason.both(),
                }
                for m in self.materials
            ],
            "rvc": [
                {
                    "method": r.method,
                    "base": str(r.base),
                    "vnm": str(r.vnm),
                    "percent": str(r.percent),
                    "threshold": str(r.threshold),
                    "passes": r.passes,
                }
                for r in self.rvc
            ],
            "de_minimis": None if self.de_minimis is None else str(self.de_minimis),
            "explanation": [m.both() for m in self.explanation],
            "suggestions": [m.both() for m in self.suggestions],
            "problems": [p.as_dict() for p in self.problems],
        }


def _outcome(  # noqa: PLR0917 - the fields of the result, in order
    rule: ProductRule | None,
    alternative: Alternative | None,
    verdicts: tuple[MaterialVerdict, ...],
    rvc: tuple[RvcResult, ...],
    share: Decimal | None,
    explanation: tuple[Message, ...],
    *,
    qualifies: bool,
    criterion: OriginCriterion | None = None,
    suggestions: tuple[Message, ...] = (),
) -> OriginResult:
    return OriginResult(
        qualifies, criterion, rule, alternative, verdicts, rvc, share, explanation, suggestions, ()
    )


def _undetermined(
    why: Message, code: str, path: str = "", rule: ProductRule | None = None
) -> OriginResult:
    problem = blocker(f"origin.{code}", path, why)
    return OriginResult(None, None, rule, None, (), (), None, (why,), (), (problem,))


def _hs(code: str) -> str:
    """``853400`` -> ``8534.00``, ``8534001000`` -> ``8534.00.1000``."""
    return ".".join(part for part in (code[:4], code[4:6], code[6:]) if part)


def _name(material: Material) -> str:
    country = material.origin_country or "an unknown country"
    code = f" (HS {_hs(material.hs_code)})" if material.hs_code else ""
    return f"the {material.description} from {country}{code}"


def _rvc(
    method: Literal["transaction_value", "net_cost"], base: Money, vnm: Money, threshold: Decimal
) -> RvcResult:
    exact = (base.amount - vnm.amount) / base.amount * _HUNDRED
    rounded = exact.quantize(_CENT, rounding=ROUND_HALF_UP)
    return RvcResult(method, base, vnm, rounded, threshold, exact >= threshold)


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One alternative tried: the materials failing its shift and its RVC computations."""

    alternative: Alternative
    failing: tuple[int, ...]
    rvc: tuple[RvcResult, ...]
    rvc_ok: bool


def _try(
    alternative: Alternative,
    good: str,
    materials: list[Material],
    foreign: list[int],
    values: tuple[Money, Money | None, Money],
) -> _Attempt:
    tv, nc, vnm = values
    failing: tuple[int, ...] = ()
    if alternative.shift is not None:
        shift = alternative.shift
        failing = tuple(
            i
            for i in foreign
            if materials[i].hs_code is None or not shifts(shift, good, materials[i].hs_code or "")
        )
    results: list[RvcResult] = []
    if alternative.rvc is not None:
        if alternative.rvc.transaction_value is not None:
            results.append(_rvc("transaction_value", tv, vnm, alternative.rvc.transaction_value))
        if alternative.rvc.net_cost is not None and nc is not None:
            results.append(_rvc("net_cost", nc, vnm, alternative.rvc.net_cost))
    rvc_ok = alternative.rvc is None or any(r.passes for r in results)
    return _Attempt(alternative, failing, tuple(results), rvc_ok)


def _culprit(material: Material, shift: TariffShift | None, good: str) -> Message:
    if material.hs_code is None:
        return _(
            "{material} has no HS code: the change of classification cannot be shown",
            material=_name(material),
        )
    level = "heading" if shift is None else shift.level
    digits = {"chapter": 2, "heading": 4, "subheading": 6}[level]
    if material.hs_code[:digits] == good[:digits]:
        return _("{material} does not change {level}", material=_name(material), level=level)
    return _("{material} is of a code the rule excludes", material=_name(material))


def _verdicts(
    materials: list[Material], attempt: _Attempt | None, good: str
) -> tuple[MaterialVerdict, ...]:
    verdicts = []
    shift = None if attempt is None else attempt.alternative.shift
    for i, material in enumerate(materials):
        shifted: bool | None = None
        if material.originating is Originating.YES:
            cert = material.supplier_certification
            reason = (
                _("originating per supplier certification {cert}", cert=cert)
                if cert
                else _("originating")
            )
        elif shift is not None and material.hs_code is not None and attempt is not None:
            shifted = i not in attempt.failing
            reason = (
                _("non-originating; makes the change of {level}", level=shift.level)
                if shifted
                else _culprit(material, shift, good)
            )
        elif material.originating is Originating.UNKNOWN:
            reason = _("origin unknown: counted as non-originating")
        else:
            reason = _("non-originating")
        verdicts.append(
            MaterialVerdict(
                i,
                material.description,
                material.value,
                material.originating is Originating.YES,
                shifted,
                reason,
            )
        )
    return tuple(verdicts)


def _checks(line: GoodsLine, produced_in: str | None) -> tuple[str, OriginResult | None]:
    """The good's code and the early "not determined" or "does not qualify" answers."""
    code = line.hts or line.fraccion
    if code is None:
        why = _("not determined: the good has no HS code; give its HTS number or fracción")
        return "", _undetermined(why, "hs_code.missing", "hts")
    if code[:2] == "87" or code[:4] in _AUTOMOTIVE_HEADINGS:
        why = _(
            "not determined: {code} is an automotive good; the automotive rules (Appendix "
            "to Annex 4-B) are not implemented",
            code=_hs(code[:6]),
        )
        return code, _undetermined(why, "automotive", "hts")
    where = produced_in or line.origin_country
    if where is None:
        why = _("not determined: say where the good is produced (US, MX or CA)")
        return code, _undetermined(why, "produced_in.missing", "origin_country")
    if where.upper() not in USMCA_COUNTRIES:
        why = _(
            "does not qualify: the good is produced in {country}, not in the United States, "
            "Mexico or Canada (USMCA Art. 4.2)",
            country=where,
        )
        return code, _outcome(None, None, (), (), None, (why,), qualifies=False)
    if not line.materials:
        why = _("not determined: give the bill of materials of one unit of the good")
        return code, _undetermined(why, "materials.missing", "materials")
    return code, None


def determine(  # noqa: C901, PLR0911, PLR0912 - one decision read top to bottom, as the provisions go
    line: GoodsLine,
    on: date,
    *,
    transaction_value: Money | None = None,
    net_cost: Money | None = None,
    produced_in: str | None = None,
) -> OriginResult:
    """Decide whether one unit of ``line``'s good qualifies under USMCA on ``on``.

    ``transaction_value`` defaults to the unit price; ``net_cost`` is optional (the net
    cost method is tried only with it); ``produced_in`` defaults to the line's origin.
    """
    code, early = _checks(line, produced_in)
    if early is not None:
        return early
    good = code[:6]
    materials = list(line.materials)
    tv = transaction_value or line.unit_price
    for i, material in enumerate(materials):
        if material.value.currency != tv.currency:
            why = _(
                "not determined: {material} is valued in {currency}, the transaction value in "
                "{base}; convert it first",
                material=_name(material),
                currency=material.value.currency,
                base=tv.currency,
            )
            return _undetermined(why, "currency.mismatch", f"materials[{i}].value")
    if net_cost is not None and net_cost.currency != tv.currency:
        why = _("not determined: the net cost is not in {base}", base=tv.currency)
        return _undetermined(why, "currency.mismatch", "net_cost")
    if tv.amount <= 0 or (net_cost is not None and net_cost.amount <= 0):
        why = _("not determined: the transaction value and the net cost must be above zero")
        return _undetermined(why, "value.not_positive", "unit_price")
    foreign = [i for i, m in enumerate(materials) if m.originating is not Originating.YES]
    if not foreign:
        why = _("qualifies: every material is originating (criterion B, USMCA Art. 4.2(c))")
        verdicts = _verdicts(materials, None, good)
        return _outcome(
            None, None, verdicts, (), None, (why,), qualifies=True, criterion=OriginCriterion.B
        )
    full = code if line.hts else good  # tariff items in the rules are US (HTSUS) items
    try:
        rule = rule_for(full, on)
    except CodeTooShortError as error:
        return _undetermined(error.message, "rule.code_too_short", "hts")
    if rule is None:
        why = _(
            "not determined: the rule of origin of heading {heading} is not encoded yet",
            heading=code[:4],
        )
        return _undetermined(why, "rule.missing", "hts")
    vnm = sum((materials[i].value for i in foreign), tv * 0)
    attempts = [
        _try(alt, full, materials, foreign, (tv, net_cost, vnm)) for alt in rule.alternatives
    ]
    rvcs = tuple(dict.fromkeys(r for a in attempts for r in a.rvc))
    cited = _(
        "rule {scope}: {text} ({citation})",
        scope=rule.scope,
        text=rule.text,
        citation=rule.citation,
    )
    for attempt in attempts:
        if not attempt.failing and attempt.rvc_ok:
            why = _(
                "qualifies under criterion C: the rule's alternative '{alternative}' is met",
                alternative=attempt.alternative.text,
            )
            return _outcome(
                rule,
                attempt.alternative,
                _verdicts(materials, attempt, good),
                attempt.rvc,
                None,
                (why, cited),
                qualifies=True,
                criterion=OriginCriterion.C,
            )
    shifting = [a for a in attempts if a.alternative.shift is not None]
    focus = min(shifting, key=lambda a: len(a.failing)) if shifting else attempts[0]
    verdicts = _verdicts(materials, focus, good)
    share = None
    if focus.alternative.shift is not None:
        failing_value = sum((materials[i].value for i in focus.failing), tv * 0)
        share = (failing_value.amount / tv.amount * _HUNDRED).quantize(_CENT, ROUND_HALF_UP)
    threshold = de_minimis(on).percent
    for attempt in (a for a in shifting if a.rvc_ok):
        value = sum((materials[i].value for i in attempt.failing), tv * 0)
        if value.amount * _HUNDRED > threshold * tv.amount:
            continue
        if good[:2] <= "24" or "50" <= good[:2] <= "63":
            why = _(
                "not determined: only de minimis could qualify the good, and the de minimis "
                "exceptions for agricultural and textile goods (Art. 4.12) are not implemented"
            )
            return _undetermined(why, "de_minimis.exception", "hts", rule)
        dm = (value.amount / tv.amount * _HUNDRED).quantize(_CENT, ROUND_HALF_UP)
        why = _(
            "qualifies under criterion C by de minimis (USMCA Art. 4.12): the non-originating "
            "materials that fail '{alternative}' are worth {percent} % of the transaction "
            "value, at most 10 %",
            alternative=attempt.alternative.text,
            percent=dm,
        )
        return _outcome(
            rule,
            attempt.alternative,
            _verdicts(materials, attempt, good),
            attempt.rvc,
            dm,
            (why, cited),
            qualifies=True,
            criterion=OriginCriterion.C,
        )
    if not rule.determinable:
        why = _(
            "not determined: none of the rule's written alternatives is met, and part of the "
            "rule cannot be checked by cruce ({reason})",
            reason=rule.reason,
        )
        problem = blocker("origin.rule.not_determinable", "hts", why)
        return OriginResult(
            None, None, rule, None, verdicts, rvcs, share, (why, cited), (), (problem,)
        )
    explanation = [_("does not qualify: no alternative of the rule is met"), cited]
    explanation += [_culprit(materials[i], focus.alternative.shift, good) for i in focus.failing]
    return _outcome(
        rule,
        None,
        verdicts,
        rvcs,
        share,
        tuple(explanation),
        qualifies=False,
        suggestions=_suggestions(materials, focus, attempts),
    )


def _suggestions(
    materials: list[Material], focus: _Attempt, attempts: list[_Attempt]
) -> tuple[Message, ...]:
    found: list[Message] = []
    if focus.failing:
        names = ", ".join(_name(materials[i]) for i in focus.failing)
        found.append(
            _(
                "source {materials} from the United States, Mexico or Canada, with the "
                "supplier's certification of origin",
                materials=names,
            )
        )
    methods = {"transaction_value": "transaction value", "net_cost": "net cost"}
    found.extend(
        _(
            "a regional value content of at least {threshold} % by {method} would qualify "
            "(it is {percent} %)",
            threshold=r.threshold,
            method=methods[r.method],
            percent=r.percent,
        )
        for r in dict.fromkeys(r for a in attempts if not a.failing for r in a.rvc)
        if not r.passes
    )
    return tuple(found)
