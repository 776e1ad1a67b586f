"""The pedimento's contributions and amounts: the landed-cost quote as Anexo 22 codes.

Values are whole pesos rounded half up; contributions follow CFF art. 20 (1 to 50 centavos
down, 51 to 99 up). See :mod:`cruce.artifacts.pedimento`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final

from cruce.artifacts._pedimento_model import CASH, CENT, MXN, USD, WHOLE, Contribution
from cruce.model import Money
from cruce.reference import anexo22, mx_fees
from cruce.reference.facts import NotCoveredError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from cruce.compliance.duties import Component, LandedCost
    from cruce.model import FxRate


def mxn(amount: Decimal) -> Money:
    return Money.trusted(amount.quantize(CENT, rounding=ROUND_HALF_UP), MXN)


def whole_pesos(money: Money | None) -> Money | None:
    """A value in whole pesos, half up."""
    if money is None:
        return None
    return Money.trusted(money.amount.quantize(WHOLE, rounding=ROUND_HALF_UP), money.currency)


def payable_pesos(money: Money | None) -> Money | None:
    """A contribution in whole pesos: 1 to 50 centavos down, 51 to 99 up (CFF art. 20)."""
    if money is None:
        return None
    return Money.trusted(money.amount.quantize(WHOLE, rounding=ROUND_HALF_DOWN), money.currency)


def to_mxn(money: Money, rate: FxRate | None) -> Money | None:
    if money.currency == MXN:
        return mxn(money.amount)
    if rate is not None and money.currency == rate.base and rate.quote == MXN:
        return mxn(money.amount * rate.rate)
    return None


def to_usd(money: Money, rate: FxRate | None) -> Money | None:
    if money.currency == USD:
        return Money.trusted(money.amount.quantize(CENT, rounding=ROUND_HALF_UP), USD)
    if money.currency == MXN and rate is not None and rate.base == USD and rate.quote == MXN:
        return Money.trusted((money.amount / rate.rate).quantize(CENT, rounding=ROUND_HALF_UP), USD)
    return None


def money_sum(amounts: Sequence[Money | None], currency: str) -> Money | None:
    if any(a is None for a in amounts):
        return None
    return Money.trusted(sum((a.amount for a in amounts if a is not None), Decimal(0)), currency)


def _rate_number(text: str) -> Decimal | None:
    """``"16%"`` -> 16, ``"8 al millar"`` -> 8, ``"290.00 MXN"`` -> 290.00."""
    match = re.match(r"^\s*(-?\d+(?:\.\d+)?)", text)
    if match is None:
        return None
    try:
        return Decimal(match.group(1))
    except InvalidOperation:
        return None


def _contribution(component: Component, code: str, rate_type: str | None) -> Contribution:
    return Contribution(
        code=code,
        abbreviation=anexo22.contribution_abbreviation(code),
        rate=_rate_number(component.rate),
        rate_type=rate_type,
        rate_text=component.rate,
        base=component.base,
        amount=component.amount,
        payable=payable_pesos(component.amount),
        payment_form=CASH,
        citation=None if component.source is None else component.source.citation,
    )


_ENTRY_CODES: Final = {
    "dta": ("DTA", "dta_per_thousand"),
    "prevalidacion": ("PRV", "fixed"),
    "prevalidacion_iva": ("IVA_PRV", "ad_valorem"),
}


def quote_contributions(
    quote: LandedCost,
) -> tuple[tuple[Contribution, ...], dict[int, tuple[Contribution, ...]]]:
    """The quote's components as pedimento contributions: per pedimento and per line."""
    entry = tuple(
        _contribution(
            component,
            mx_fees.contribution_code(_ENTRY_CODES[component.key][0]),
            mx_fees.rate_type_code(_ENTRY_CODES[component.key][1]),
        )
        for component in quote.entry
        if component.key in _ENTRY_CODES
    )
    lines = {
        cost.index: tuple(
            _contribution(
                component,
                component.report or mx_fees.contribution_code(component.key.upper()),
                mx_fees.rate_type_code("ad_valorem"),
            )
            for component in cost.components
        )
        for cost in quote.lines
    }
    return entry, lines


def export_contributions(on: date) -> tuple[Contribution, ...]:
    """Per pedimento on an export: the DTA's fixed fee and the prevalidación with its IVA."""
    found: list[Contribution] = []
    try:
        rule = mx_fees.dta(on).fixed_fee("V")
    except NotCoveredError:
        rule = None
    dta_code = mx_fees.contribution_code("DTA")
    if rule is not None and rule.determined and rule.fixed is not None:
        found.append(
            Contribution(
                dta_code,
                "DTA",
                rule.fixed.amount,
                mx_fees.rate_type_code("fixed"),
                f"{rule.fixed.amount} MXN",
                None,
                rule.fixed,
                payable_pesos(rule.fixed),
                CASH,
                rule.source.citation,
            )
        )
    else:
        found.append(
            Contribution(
                dta_code,
                "DTA",
                None,
                mx_fees.rate_type_code("fixed"),
                "",
                None,
                None,
                None,
                CASH,
                None if rule is None else rule.source.citation,
            )
        )
    try:
        row = mx_fees.prevalidacion_row(on)
        iva = mx_fees.iva_rate(on)
    except NotCoveredError:
        row = None
    if row is not None and row.amount is not None:
        tax = mxn(row.amount.amount * iva.rate)
        found.append(
            Contribution(
                mx_fees.contribution_code("PRV"),
                "PRV",
                row.amount.amount,
                mx_fees.rate_type_code("fixed"),
                f"{row.amount.amount} MXN",
                None,
                row.amount,
                payable_pesos(row.amount),
                CASH,
                row.source.citation,
            )
        )
        found.append(
            Contribution(
                mx_fees.contribution_code("IVA_PRV"),
                "IVA/PRV",
                iva.rate * 100,
                mx_fees.rate_type_code("ad_valorem"),
                f"{(iva.rate * 100).normalize()}%",
                row.amount,
                tax,
                payable_pesos(tax),
                CASH,
                iva.source.citation,
            )
        )
    else:
        source = None if row is None else row.source.citation
        found.append(
            Contribution(
                mx_fees.contribution_code("PRV"),
                "PRV",
                None,
                mx_fees.rate_type_code("fixed"),
                "",
                None,
                None,
                None,
                CASH,
                source,
            )
        )
    return tuple(found)
