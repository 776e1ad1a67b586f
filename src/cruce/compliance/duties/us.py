"""The US side of a landed-cost quote: duty, tariff actions, MPF and fees for an entry.

Per line: the HTS general rate (or Free under USMCA, special program "S", when the line
is claimed and the HTSUS grants it), then each tariff action in force for the good's origin
on the date (Chapter 99 heading reported; the USMCA exemption heading when the claim makes
it apply). Per entry: the merchandise processing fee, formal (ad valorem with the fiscal
year's minimum and maximum) or informal, with USMCA-originating goods left out of its base.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING

from cruce.compliance.duties.result import Component, LandedCost, LineCost, percent
from cruce.compliance.valuation import us_values
from cruce.i18n import Message, _
from cruce.model import Money
from cruce.model.problems import Problem, blocker, info, warning
from cruce.reference import us_actions, us_fees
from cruce.reference.facts import NotCoveredError, Source
from cruce.reference.rates import MissingQuantityError, apply_rate, hts_quantities

if TYPE_CHECKING:
    from datetime import date

    from cruce.compliance.duties.claims import Claims
    from cruce.model import GoodsLine, Shipment
    from cruce.reference.hts import HtsLine, HtsRevision
    from cruce.reference.hts_store import HtsStore

USD = "USD"
CENT = Decimal("0.01")
DUTY_LABEL = _("Duty (HTSUS)")
S_NOTE = _("USMCA preference claimed (special program indicator S)")
EXEMPT_NOTE = _("exempt: USMCA claimed")


def _usd(amount: Decimal) -> Money:
    return Money.trusted(amount.quantize(CENT, rounding=ROUND_HALF_UP), USD)


@dataclass(frozen=True, slots=True)
class _Line:
    index: int
    line: GoodsLine
    value: Money | None  # USD
    claimed: bool


def _to_usd(shipment: Shipment, amount: Money, problems: list[Problem]) -> Money | None:
    if amount.currency == USD:
        return amount
    rate = shipment.terms.exchange_rate
    if rate is not None and {rate.base, rate.quote} == {USD, amount.currency}:
        return amount.convert(rate).result
    problems.append(
        blocker(
            "cost.us.fx_missing",
            "terms.exchange_rate",
            _(
                "the US customs value is in US dollars: give the rate from {currency} to USD in "
                "terms.exchange_rate; CBP converts at the rate certified for the date of "
                "exportation (19 CFR 159.32)",
                currency=amount.currency,
            ),
        )
    )
    return None


def _duty(
    item: _Line, hts: HtsLine | None, revision: HtsRevision, problems: list[Problem]
) -> Component:
    path = f"goods[{item.index}].hts"
    label = DUTY_LABEL
    source = Source(revision.name, revision.source.url)
    if hts is None or item.value is None:
        return Component("duty", label, "", item.value, None, None, source)
    if item.claimed and hts.usmca_free:
        return Component(
            "duty",
            label,
            "Free (S)",
            item.value,
            _usd(Decimal(0)),
            f"S {hts.code}",
            source,
            S_NOTE,
        )
    if item.value.amount < 0:
        problems.append(
            blocker(
                "cost.us.negative_value",
                f"goods[{item.index}].unit_price",
                _(
                    "line {line} has a negative value; no duty can be computed on it",
                    line=item.index + 1,
                ),
            )
        )
        return Component("duty", label, "", item.value, None, hts.code, source)
    rate = hts.general
    if rate is None:
        problems.append(
            warning(
                "cost.us.rate_unparsed",
                path,
                _(
                    "the general rate '{text}' of HTS {code} could not be read; the duty is not "
                    "determined",
                    text=hts.general_text,
                    code=hts.code,
                ),
            )
        )
        return Component("duty", label, hts.general_text, item.value, None, hts.code, source)
    try:
        amount = apply_rate(rate, item.value.amount, hts_quantities(item.line))
    except MissingQuantityError as error:
        problems.append(
            warning(
                "cost.us.quantity_missing",
                f"goods[{item.index}]",
                _(
                    "HTS {code} charges per {unit}: give that quantity (net weight or count) to "
                    "determine the duty",
                    code=hts.code,
                    unit=error.unit,
                ),
            )
        )
        return Component("duty", label, rate.text, item.value, None, hts.code, source)
    return Component("duty", label, rate.text, item.value, _usd(amount), hts.code, source)


@cache
def _action_label(authority: str, heading: str) -> Message:
    return _("{authority} ({heading})", authority=authority, heading=heading)


def _actions(item: _Line, shipment: Shipment, on: date, problems: list[Problem]) -> list[Component]:
    line = item.line
    if line.hts is None or line.origin_country is None:
        return []
    found = []
    for action in us_actions.applicable(
        line.hts, line.origin_country, on, usmca_claimed=item.claimed
    ):
        label = _action_label(action.authority, action.heading)
        rate_text = percent(action.rate)
        key = f"action:{action.key}"
        exemption = action.usmca_exemption
        if item.claimed and exemption is not None and exemption.period.covers(on):
            found.append(
                Component(
                    key,
                    label,
                    rate_text,
                    item.value,
                    _usd(Decimal(0)),
                    exemption.heading,
                    exemption.source,
                    EXEMPT_NOTE,
                )
            )
            continue
        if not action.determinable:
            problems.append(
                warning(
                    "cost.us.action_not_determined",
                    f"goods[{item.index}].hts",
                    _(
                        "{authority} ({heading}) applies to this good, but its amount is not "
                        "determined: {note}",
                        authority=action.authority,
                        heading=action.heading,
                        note=action.notes,
                    ),
                )
            )
            found.append(
                Component(key, label, rate_text, None, None, action.heading, action.source)
            )
            continue
        base = item.value
        if action.basis == "metal_content":
            content = line.metal_content_value
            base = None if content is None else _to_usd(shipment, content, problems)
            if content is None:
                problems.append(
                    warning(
                        "cost.us.metal_content_missing",
                        f"goods[{item.index}].metal_content_value",
                        _(
                            "{authority} is charged on the value of the metal content: give "
                            "metal_content_value for line {line}",
                            authority=action.authority,
                            line=item.index + 1,
                        ),
                    )
                )
        amount = None if base is None else _usd(base.amount * action.rate)
        found.append(Component(key, label, rate_text, base, amount, action.heading, action.source))
    return found


def formal_entry(total: Decimal, limit: us_fees.Threshold) -> Problem:
    """The finding that an entry of goods worth ``total`` USD must be a formal one."""
    return info(
        "entry.us.formal",
        "goods",
        _(
            "formal entry required: the goods are worth {total} USD, over the {limit} USD "
            "limit for informal entries ({citation})",
            total=_usd(total).amount,
            limit=limit.amount,
            citation=limit.source.citation,
        ),
    )


def _mpf_components(items: list[_Line], on: date, problems: list[Problem]) -> list[Component]:
    values = [i.value for i in items]
    if any(v is None for v in values):
        return [Component("mpf", _("Merchandise processing fee"), "", None, None, None, None)]
    total = sum((v.amount for v in values if v is not None), Decimal(0))
    base = sum((i.value.amount for i in items if i.value is not None and not i.claimed), Decimal(0))
    limit = us_fees.threshold("informal_entry_limit", on)
    if total > limit.amount:
        mpf = us_fees.mpf_formal(on)
        rate = f"{percent(mpf.rate)} (min {mpf.minimum}, max {mpf.maximum})"
        amount = us_fees.mpf_amount(base, on) if base > 0 else Decimal(0)
        note = _("USMCA-originating goods are left out of the fee's base") if base < total else None
        problems.append(formal_entry(total, limit))
        return [
            Component(
                "mpf",
                _("Merchandise processing fee (formal entry)"),
                rate,
                _usd(base),
                _usd(amount),
                "499",
                mpf.source,
                note,
            )
        ]
    fee = us_fees.mpf_informal(on)
    return [
        Component(
            "mpf",
            _("Merchandise processing fee (informal entry)"),
            f"{fee.amount} USD",
            _usd(total),
            _usd(fee.amount),
            fee.code,
            fee.source,
        )
    ]


def _truck_fee(shipment: Shipment, on: date) -> list[Component]:
    """The arrival fee the carrier pays per truck (or by annual decal): part of landing goods."""
    if shipment.transport.mode.value != "truck":
        return []
    fee = us_fees.truck_arrival_fee(on)
    return [
        Component(
            "truck_arrival",
            _("Commercial truck arrival fee"),
            f"{fee.amount} USD",
            None,
            _usd(fee.amount),
            fee.code,
            fee.source,
            _("paid by the carrier for each arrival, or once a year by transponder"),
        )
    ]


def _mpf(items: list[_Line], on: date, problems: list[Problem]) -> list[Component]:
    try:
        return _mpf_components(items, on, problems)
    except NotCoveredError as error:
        problems.append(
            blocker(
                "cost.us.fee_not_loaded",
                "",
                _("{table}: no row in force on {day}", table=error.table, day=on.isoformat()),
            )
        )
        return [Component("mpf", _("Merchandise processing fee"), "", None, None, None, None)]


def quote(shipment: Shipment, on: date, *, claims: Claims, store: HtsStore) -> LandedCost:
    """The US landed cost of ``shipment`` entered on ``on``."""
    problems: list[Problem] = []
    try:
        revision = store.on(on)
    except NotCoveredError:
        revision = None
        problems.append(
            blocker(
                "cost.us.no_tariff",
                "",
                _("no HTSUS revision in force on {day} is loaded", day=on.isoformat()),
            )
        )
    items = []
    for value in us_values(shipment):
        line = shipment.goods[value.index]
        items.append(
            _Line(
                value.index,
                line,
                _to_usd(shipment, value.value, problems),
                claims.claimed[value.index],
            )
        )
    lines = []
    for item in items:
        components: list[Component] = []
        if revision is not None:
            hts = None
            if item.line.hts is None:
                problems.append(
                    blocker(
                        "cost.us.hts_missing",
                        f"goods[{item.index}].hts",
                        _("line {line} has no HTS number", line=item.index + 1),
                    )
                )
            else:
                hts = revision.line(item.line.hts)
                if hts is None:
                    problems.append(
                        blocker(
                            "cost.us.hts_unknown",
                            f"goods[{item.index}].hts",
                            _(
                                "HTS {code} is not in {edition}",
                                code=item.line.hts,
                                edition=revision.name,
                            ),
                        )
                    )
            components.append(_duty(item, hts, revision, problems))
        else:
            # no tariff in force: the duty is unknown, not zero
            components.append(Component("duty", DUTY_LABEL, "", item.value, None, None, None))
        if item.line.origin_country is None:
            problems.append(
                blocker(
                    "cost.us.origin_missing",
                    f"goods[{item.index}].origin_country",
                    _(
                        "line {line} has no country of origin; tariff actions depend on it",
                        line=item.index + 1,
                    ),
                )
            )
        components.extend(_actions(item, shipment, on, problems))
        lines.append(LineCost(item.index, item.value, tuple(components)))
    entry = _mpf(items, on, problems)
    try:
        entry += _truck_fee(shipment, on)
    except NotCoveredError:
        entry.append(
            Component(
                "truck_arrival", _("Commercial truck arrival fee"), "", None, None, "492", None
            )
        )
    return LandedCost(
        reference=shipment.reference,
        destination="US",
        on=on,
        currency=USD,
        usmca=claims.label,
        lines=tuple(lines),
        entry=tuple(entry),
        problems=(*claims.problems, *problems),
        tariff_edition=None if revision is None else revision.name,
    )
