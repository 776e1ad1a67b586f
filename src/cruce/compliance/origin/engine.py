"""The origin decision of one good, read top to bottom as the provisions go."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from cruce.compliance.origin.materials import (
    Attempt,
    Counted,
    Good,
    count,
    culprit,
    finer_exceptions,
    in_usmca,
    verdicts,
)
from cruce.compliance.origin.result import OriginResult, RvcResult
from cruce.compliance.origin.wording import hs_text, material_name, method_name
from cruce.i18n import Country, Message, _
from cruce.model.goods import OriginCriterion, OriginFacts
from cruce.model.money import Money
from cruce.model.problems import Problem, blocker, warning
from cruce.reference.usmca_rules import (
    CodeTooShortError,
    RuleTable,
    criterion_d,
    de_minimis,
    default_table,
    shifts,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from cruce.compliance.origin.result import Method
    from cruce.model.goods import GoodsLine, Material
    from cruce.reference.usmca_rules import Alternative, ProductRule, Rvc

_NOTHING = Decimal(0)
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_AUTOMOTIVE_HEADINGS = frozenset({"8407", "8408", "8409"})


def _undetermined(
    why: Message, code: str, path: str = "", rule: ProductRule | None = None
) -> OriginResult:
    problem = blocker(f"origin.{code}", path, why)
    return OriginResult(None, rule=rule, explanation=(why,), problems=(problem,))


def _rvc(method: Method, base: Money, vnm: Money, threshold: Decimal) -> RvcResult:
    exact = (base.amount - vnm.amount) / base.amount * _HUNDRED
    rounded = exact.quantize(_CENT, rounding=ROUND_HALF_UP)
    return RvcResult(method, base, vnm, rounded, threshold, exact >= threshold)


def _rvcs(rvc: Rvc | None, good: Good, vnm: Money) -> tuple[RvcResult, ...]:
    if rvc is None:
        return ()
    results = []
    if rvc.transaction_value is not None:
        results.append(_rvc("transaction_value", good.tv, vnm, rvc.transaction_value))
    if rvc.net_cost is not None and good.nc is not None:
        results.append(_rvc("net_cost", good.nc, vnm, rvc.net_cost))
    return tuple(results)


def _share(part: Money, whole: Money) -> Decimal:
    return (part.amount / whole.amount * _HUNDRED).quantize(_CENT, ROUND_HALF_UP)


def _value(counted: Sequence[Counted], indexes: Sequence[int], zero: Money) -> Money:
    return sum((counted[i].material.value for i in indexes), zero)


def _try(alternative: Alternative, good: Good, counted: Sequence[Counted], vnm: Money) -> Attempt:
    failing: tuple[int, ...] = ()
    shift = alternative.shift
    if shift is not None:
        failing = tuple(
            i
            for i, item in enumerate(counted)
            if item.tested
            and not item.originating
            and (
                item.material.hs_code is None or not shifts(shift, good.code, item.material.hs_code)
            )
        )
    results = _rvcs(alternative.rvc, good, vnm)
    rvc_ok = alternative.rvc is None or any(r.passes for r in results)
    return Attempt(alternative, failing, results, rvc_ok, good.code)


# --------------------------------------------------------------- de minimis and criterion D


def _excepted_from_de_minimis(good: Good) -> bool:
    """Agricultural (chapters 1-24) and textile (50-63) goods: Art. 4.12 exceptions."""
    chapter = good.hs6[:2]
    return chapter <= "24" or "50" <= chapter <= "63"


def _de_minimis(
    good: Good, counted: Sequence[Counted], attempt: Attempt
) -> tuple[Decimal, Message] | None:
    """The share of the failing materials when within de minimis (Art. 4.12), else None."""
    threshold = de_minimis(good.on).percent
    failing = _value(counted, attempt.failing, good.tv * 0)
    if failing.amount * _HUNDRED <= threshold * good.tv.amount:
        share = _share(failing, good.tv)
        return share, _(
            "qualifies under criterion B by de minimis (USMCA Art. 4.12): the non-originating "
            "materials that fail '{alternative}' are worth {percent} % of the transaction "
            "value, at most 10 %",
            alternative=attempt.alternative.text,
            percent=share,
        )
    total = good.total_cost
    if total is not None and failing.amount * _HUNDRED <= threshold * total.amount:
        share = _share(failing, total)
        return share, _(
            "qualifies under criterion B by de minimis (USMCA Art. 4.12): the non-originating "
            "materials that fail '{alternative}' are worth {percent} % of the total cost, at "
            "most 10 %",
            alternative=attempt.alternative.text,
            percent=share,
        )
    return None


@dataclass(frozen=True, slots=True)
class _CaseD:
    """The Art. 4.2(d) case: its RVC computations, and whether the producer states it."""

    attempt: Attempt
    rvc: tuple[RvcResult, ...]
    stated: bool

    def passing(self) -> RvcResult | None:
        return next((r for r in self.rvc if r.passes), None)


def _criterion_d(
    good: Good, counted: Sequence[Counted], attempts: Sequence[Attempt], vnm: Money
) -> _CaseD | None:
    """Whether the failing materials could be the Art. 4.2(d) case, and its RVC.

    From the codes cruce sees whether the materials that fail the shift share the good's
    subheading (or heading, when not subdivided); whether the Harmonized System provides
    for them as parts, or the good came unassembled, is the producer's statement.
    """
    if "61" <= good.hs6[:2] <= "63":
        return None
    for attempt in attempts:
        if attempt.alternative.shift is None or not attempt.failing:
            continue
        same = all(
            (code := counted[i].material.hs_code) is not None
            and (code[:6] == good.hs6 or (good.hs6[4:6] == "00" and code[:4] == good.hs6[:4]))
            for i in attempt.failing
        )
        if same or good.unassembled:
            thresholds = _rvcs(criterion_d(good.on).rvc, good, vnm)
            stated = good.unassembled or (same and good.parts_with_good)
            return _CaseD(attempt, thresholds, stated)
    return None


# ---------------------------------------------------------------------------- the decision


def _wholly_obtained(
    facts: OriginFacts | None, counted: Sequence[Counted]
) -> OriginResult | tuple[Problem, ...]:
    """Criterion A when the producer states it and no material contradicts it."""
    if facts is None or facts.wholly_obtained is None:
        return ()
    foreign = [item for item in counted if not item.originating and not item.disregarded]
    if foreign:
        why = _(
            "not wholly obtained: {material} is non-originating, so criterion A cannot apply",
            material=material_name(foreign[0].material),
        )
        return (warning("origin.wholly_obtained.contradicted", "origin.wholly_obtained", why),)
    why = _(
        "qualifies under criterion A: wholly obtained or produced entirely in the territory "
        "of the USMCA countries ({category}; USMCA Art. 4.3; 19 U.S.C. 4531(a)(4))",
        category=facts.wholly_obtained.value,
    )
    return OriginResult(
        True,  # noqa: FBT003
        OriginCriterion.A,
        materials=verdicts(counted, None),
        explanation=(why,),
    )


def _decide(  # noqa: C901, PLR0911, PLR0912 - one decision read top to bottom, as the provisions go
    good: Good, materials: Sequence[Material], facts: OriginFacts | None = None
) -> OriginResult:
    counted = [count(m, good, _decide) for m in materials]
    wholly = _wholly_obtained(facts, counted)
    if isinstance(wholly, OriginResult):
        return wholly
    if not materials:
        why = _("not determined: give the bill of materials of one unit of the good")
        return _undetermined(why, "materials.missing", "materials")
    if all(item.originating for item in counted):
        why = _("qualifies under criterion C: every material is originating (USMCA Art. 4.2(c))")
        return OriginResult(
            True,  # noqa: FBT003
            OriginCriterion.C,
            materials=verdicts(counted, None),
            explanation=(why,),
            problems=wholly,
        )
    try:
        rule = good.table.rule_for(good.code, good.on)
    except CodeTooShortError as error:
        return _undetermined(error.message, "rule.code_too_short", "hts")
    if rule is None:
        why = _(
            "not determined: the rule of origin of heading {heading} is not encoded yet",
            heading=good.code[:4],
        )
        return _undetermined(why, "rule.missing", "hts")
    vnm = Money.trusted(sum((item.vnm.amount for item in counted), _NOTHING), good.tv.currency)
    attempts = [_try(alt, good, counted, vnm) for alt in rule.alternatives]
    cited = _(
        "rule {scope}: {text} ({citation})",
        scope=rule.scope,
        text=rule.text,
        citation=rule.citation,
    )

    def qualified(
        criterion: OriginCriterion,
        attempt: Attempt,
        why: Message,
        rvc: tuple[RvcResult, ...] | None = None,
        share: Decimal | None = None,
    ) -> OriginResult:
        return OriginResult(
            True,  # noqa: FBT003
            criterion,
            rule=rule,
            alternative=attempt.alternative,
            materials=verdicts(counted, attempt),
            rvc=attempt.rvc if rvc is None else rvc,
            de_minimis=share,
            explanation=(why, cited),
            problems=wholly,
        )

    for attempt in attempts:
        if not attempt.failing and attempt.rvc_ok:
            why = _(
                "qualifies under criterion B (USMCA Art. 4.2(b)): the rule's alternative "
                "'{alternative}' is met",
                alternative=attempt.alternative.text,
            )
            return qualified(OriginCriterion.B, attempt, why)
    shifting = [a for a in attempts if a.alternative.shift is not None]
    for attempt in (a for a in shifting if a.rvc_ok):
        found = _de_minimis(good, counted, attempt)
        if found is None:
            continue
        if _excepted_from_de_minimis(good):
            why = _(
                "not determined: only de minimis could qualify the good, and the de minimis "
                "exceptions for agricultural and textile goods (Art. 4.12) are not implemented"
            )
            return _undetermined(why, "de_minimis.exception", "hts", rule)
        return qualified(OriginCriterion.B, attempt, found[1], share=found[0])
    rvcs = tuple(dict.fromkeys(r for a in attempts for r in a.rvc))
    focus = _focus(shifting, attempts)
    share: Decimal | None = None
    if focus.failing:
        share = _share(_value(counted, focus.failing, good.tv * 0), good.tv)
    case_d = _criterion_d(good, counted, attempts, vnm)
    if case_d is not None:
        passing = case_d.passing()
        if passing is not None and case_d.stated:
            why = _(
                "qualifies under criterion D (USMCA Art. 4.2(d)): the parts that fail the "
                "tariff shift are classified with the good, and its regional value content "
                "is {percent} % by {method}, at least {threshold} %",
                percent=passing.percent,
                method=method_name(passing.method),
                threshold=passing.threshold,
            )
            return qualified(OriginCriterion.D, case_d.attempt, why, case_d.rvc, share)
        rvcs = tuple(dict.fromkeys((*rvcs, *case_d.rvc)))
    unsure = _undecidable(counted, attempts)
    if unsure is not None:
        names = [material_name(counted[i].material) for i in unsure.failing]
        why = _(
            "not determined: alternative '{alternative}' is met unless these materials are of "
            "the tariff items it excludes: {materials}; give their full HTS numbers",
            alternative=unsure.alternative.text,
            materials=_joined(names),
        )
        problem = blocker("origin.material.code_too_short", "materials", why)
        return OriginResult(
            None,
            rule=rule,
            materials=verdicts(counted, unsure),
            rvc=rvcs,
            de_minimis=share,
            explanation=(why, cited),
            problems=(problem, *wholly),
        )
    if not rule.determinable:
        why = _(
            "not determined: none of the rule's written alternatives is met, and part of the "
            "rule cannot be checked by cruce ({reason})",
            reason=rule.reason,
        )
        problem = blocker("origin.rule.not_determinable", "hts", why)
        return OriginResult(
            None,
            rule=rule,
            materials=verdicts(counted, focus),
            rvc=rvcs,
            de_minimis=share,
            explanation=(why, cited),
            problems=(problem, *wholly),
        )
    explanation = [_("does not qualify: no alternative of the rule is met"), cited]
    explanation += [_unmet(attempt, counted) for attempt in attempts]
    explanation += [culprit(counted[i].material, focus) for i in focus.failing]
    return OriginResult(
        False,  # noqa: FBT003
        rule=rule,
        materials=verdicts(counted, focus),
        rvc=rvcs,
        de_minimis=share,
        explanation=tuple(explanation),
        suggestions=_suggestions(counted, focus, attempts, case_d),
        problems=wholly,
    )


def _undecidable(counted: Sequence[Counted], attempts: Sequence[Attempt]) -> Attempt | None:
    """An alternative failed only by materials whose short codes hide an exception."""
    for attempt in attempts:
        if (
            attempt.failing
            and attempt.rvc_ok
            and all(finer_exceptions(counted[i].material, attempt) for i in attempt.failing)
        ):
            return attempt
    return None


def _focus(shifting: Sequence[Attempt], attempts: Sequence[Attempt]) -> Attempt:
    """The alternative whose materials explain the failure: the fewest culprits, if any."""
    failing = [a for a in shifting if a.failing]
    if failing:
        return min(failing, key=lambda a: len(a.failing))
    return shifting[0] if shifting else attempts[0]


def _unmet(attempt: Attempt, counted: Sequence[Counted]) -> Message:
    """Why one alternative of the rule is not met."""
    if attempt.failing:
        names = [material_name(counted[i].material) for i in attempt.failing]
        return _(
            "alternative '{alternative}' is not met; failing its change of classification: "
            "{materials}",
            alternative=attempt.alternative.text,
            materials=_joined(names),
        )
    best = max(attempt.rvc, key=lambda r: r.percent - r.threshold, default=None)
    if best is None:
        return _(
            "alternative '{alternative}' is not met: it needs a net cost, which is not given",
            alternative=attempt.alternative.text,
        )
    return _(
        "alternative '{alternative}' is not met: the regional value content is {percent} % "
        "by {method}, below {threshold} %",
        alternative=attempt.alternative.text,
        percent=best.percent,
        method=method_name(best.method),
        threshold=best.threshold,
    )


def _suggestions(
    counted: Sequence[Counted],
    focus: Attempt,
    attempts: Sequence[Attempt],
    case_d: _CaseD | None,
) -> tuple[Message, ...]:
    found: list[Message] = []
    if focus.failing:
        names = [material_name(counted[i].material) for i in focus.failing]
        found.append(
            _(
                "source {materials} from the United States, Mexico or Canada, with the "
                "supplier's certification of origin",
                materials=_joined(names),
            )
        )
    candidates = [r for a in attempts if not a.failing for r in a.rvc]
    if case_d is not None:
        candidates += case_d.rvc
        passing = case_d.passing()
        if passing is not None and not case_d.stated:
            parts = [material_name(counted[i].material) for i in case_d.attempt.failing]
            found.append(
                _(
                    "criterion D (USMCA Art. 4.2(d)) would apply if the Harmonized System "
                    "provides for {materials} as parts of the good: its regional value "
                    "content is {percent} % by {method}, at least {threshold} %; state it "
                    "in the origin facts (parts_with_good)",
                    materials=_joined(parts),
                    percent=passing.percent,
                    method=method_name(passing.method),
                    threshold=passing.threshold,
                )
            )
    found.extend(
        _(
            "a regional value content of at least {threshold} % by {method} would qualify "
            "(it is {percent} %)",
            threshold=r.threshold,
            method=method_name(r.method),
            percent=r.percent,
        )
        for r in dict.fromkeys(candidates)
        if not r.passes
    )
    return tuple(found)


def _joined(names: Sequence[Message]) -> Message:
    """Several names as one list: ``a; b; c``."""
    if len(names) == 1:
        return names[0]
    return _("{first}; {rest}", first=names[0], rest=_joined(names[1:]))


# ---------------------------------------------------------------------------- entry point


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
            code=hs_text(code[:6]),
        )
        return code, _undetermined(why, "automotive", "hts")
    if produced_in is None:
        why = _("not determined: say where the good is produced (US, MX or CA)")
        return code, _undetermined(why, "produced_in.missing", "origin_country")
    if not in_usmca(produced_in):
        why = _(
            "does not qualify: the good is produced in {country}, not in the United States, "
            "Mexico or Canada (USMCA Art. 4.2)",
            country=Country(produced_in),
        )
        return code, OriginResult(False, explanation=(why,))  # noqa: FBT003
    return code, None


def _currency_problem(
    materials: Sequence[Material], currency: str, path: str = "materials"
) -> OriginResult | None:
    """The first material (at any depth) valued in another currency than the good."""
    for i, material in enumerate(materials):
        stated = material.non_originating_value
        if material.value.currency == currency and (stated is None or stated.currency == currency):
            if material.materials:
                nested = _currency_problem(material.materials, currency, f"{path}[{i}].materials")
                if nested is not None:
                    return nested
            continue
        other = material.value.currency if material.value.currency != currency else currency
        if stated is not None and stated.currency != currency:
            other = stated.currency
        why = _(
            "not determined: {material} is valued in {currency}, the transaction value in "
            "{base}; convert it first",
            material=material_name(material),
            currency=other,
            base=currency,
        )
        return _undetermined(why, "currency.mismatch", f"{path}[{i}].value")
    return None


def determine(
    line: GoodsLine,
    on: date,
    *,
    transaction_value: Money | None = None,
    net_cost: Money | None = None,
    produced_in: str | None = None,
    rules: RuleTable | None = None,
) -> OriginResult:
    """Decide whether one unit of ``line``'s good qualifies under USMCA on ``on``.

    The producer's facts come from ``line.origin``; the keyword arguments override them.
    The transaction value defaults to the unit price, the place of production to the
    line's origin; the net cost method is tried only with a net cost. ``rules`` replaces
    the shipped rule table.
    """
    facts = line.origin or OriginFacts()
    where = produced_in or facts.produced_in or line.origin_country
    code, early = _checks(line, where)
    if early is not None:
        return early
    tv = transaction_value or facts.transaction_value or line.unit_price
    total_cost = None if facts.net_cost is None else facts.net_cost.total_cost
    nc = net_cost or (None if facts.net_cost is None else facts.net_cost.amount())
    for path, amount in (("net_cost", nc), ("origin.net_cost.total_cost", total_cost)):
        if amount is not None and amount.currency != tv.currency:
            why = _("not determined: the net cost is not in {base}", base=tv.currency)
            return _undetermined(why, "currency.mismatch", path)
    if tv.amount <= 0 or (nc is not None and nc.amount <= 0):
        why = _("not determined: the transaction value and the net cost must be above zero")
        return _undetermined(why, "value.not_positive", "unit_price")
    mismatch = _currency_problem(line.materials, tv.currency)
    if mismatch is not None:
        return mismatch
    good = Good(
        code if line.hts else code[:6],  # tariff items in the rules are US (HTSUS) items
        tv,
        on,
        rules or default_table(),
        nc=nc,
        total_cost=total_cost,
        parts_with_good=facts.parts_with_good,
        unassembled=facts.unassembled,
    )
    return _decide(good, line.materials, facts)
