"""The Mexican side of a landed-cost quote: IGI, DTA, IVA and prevalidación for a pedimento.

Per line (partida): the valor en aduana in pesos at the exchange rate customs applies,
the IGI at the LIGIE general rate or, for goods claimed under T-MEC, the preferential
rate (identifier TL), and the IVA on valor en aduana + IGI + the line's share of the DTA
(LIVA art. 27). Per pedimento: the DTA and the prevalidación. Amounts are computed with
their cents; what is paid is adjusted to whole pesos (Código Fiscal de la Federación,
art. 20: 1 to 50 centavos down, 51 to 99 up), shown by :meth:`LandedCost.payable`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from cruce.compliance.duties.result import Component, LandedCost, LineCost, percent
from cruce.compliance.valuation import mx_values
from cruce.i18n import _
from cruce.model import Money
from cruce.model.problems import Problem, blocker, warning
from cruce.reference import fx, mx_fees, mx_tariff
from cruce.reference.facts import NotCoveredError

if TYPE_CHECKING:
    from datetime import date

    from cruce.compliance.duties.claims import Claims
    from cruce.model import FxRate, GoodsLine, Shipment

MXN = "MXN"
CENT = Decimal("0.01")
IGI_LABEL = _("IGI (general import tax)")
IVA_LABEL = _("IVA")
IVA_BASE_NOTE = _("base: valor en aduana + IGI + DTA (LIVA art. 27)")
TMEC_NOTE = _("T-MEC preference claimed (identifier TL)")


def _mxn(amount: Decimal) -> Money:
    return Money.trusted(amount.quantize(CENT, rounding=ROUND_HALF_UP), MXN)


def _exchange(
    shipment: Shipment, on: date, rates: fx.FxTable, problems: list[Problem]
) -> FxRate | None:
    currencies = {line.unit_price.currency for line in shipment.goods} | {shipment.terms.currency}
    if currencies <= {MXN}:
        return None
    try:
        return fx.customs_rate(on, table=rates)
    except fx.FxNotLoadedError as error:
        problems.append(blocker("cost.mx.fx_missing", "terms.currency", error.message))
        return None


def _to_mxn(
    amount: Money, rate: FxRate | None, index: int, problems: list[Problem]
) -> Money | None:
    if amount.currency == MXN:
        return amount
    if rate is not None and amount.currency == rate.base and rate.quote == MXN:
        return _mxn(amount.amount * rate.rate)
    if rate is not None:
        problems.append(
            blocker(
                "cost.mx.currency",
                f"goods[{index}].unit_price",
                _(
                    "line {line} is priced in {currency}; only USD and MXN are converted",
                    line=index + 1,
                    currency=amount.currency,
                ),
            )
        )
    return None


def _igi(
    index: int,
    line: GoodsLine,
    value: Money | None,
    *,
    claimed: bool,
    on: date,
    ligie: mx_tariff.LigieTable,
    problems: list[Problem],
) -> Component:
    label = IGI_LABEL
    code = mx_fees.contribution_code("IGI")
    if line.fraccion is None:
        problems.append(
            blocker(
                "cost.mx.fraccion_missing",
                f"goods[{index}].fraccion",
                _("line {line} has no fracción arancelaria", line=index + 1),
            )
        )
        return Component("igi", label, "", value, None, code, None)
    if value is not None and value.amount < 0:
        problems.append(
            blocker(
                "cost.mx.negative_value",
                f"goods[{index}].unit_price",
                _("line {line} has a negative value; no IGI can be computed on it", line=index + 1),
            )
        )
        return Component("igi", label, "", value, None, code, None)
    row = mx_tariff.igi_rate(line.fraccion, line.nico, on, table=ligie)
    if row is None:
        problems.append(
            warning(
                "cost.mx.igi_not_loaded",
                f"goods[{index}].fraccion",
                _(
                    "the IGI rate of fracción {code} is not loaded: import the LIGIE table (cruce "
                    "reference import-ligie FILE)",
                    code=line.fraccion,
                ),
            )
        )
        return Component("igi", label, "", value, None, code, None)
    rate = row.tmec if claimed else row.general
    if rate is None:
        problems.append(
            warning(
                "cost.mx.igi_not_ad_valorem",
                f"goods[{index}].fraccion",
                _(
                    "the IGI of fracción {code} is not an ad valorem rate; it is not determined",
                    code=line.fraccion,
                ),
            )
        )
        return Component("igi", label, "", value, None, code, row.source)
    note = TMEC_NOTE if claimed else None
    amount = None if value is None else _mxn(value.amount * rate)
    return Component("igi", label, percent(rate), value, amount, code, row.source, note)


def _dta(
    pesos: list[Money | None], claims: list[bool], on: date, problems: list[Problem]
) -> tuple[list[Component], list[Money | None]]:
    """The pedimento's DTA and each line's share of it (the share enters the line's IVA base)."""
    label = _("DTA (customs processing fee)")
    code = mx_fees.contribution_code("DTA")
    try:
        rules = mx_fees.dta(on)
    except NotCoveredError:
        problems.append(
            blocker(
                "cost.mx.dta_missing", "", _("no DTA rate is loaded for {day}", day=on.isoformat())
            )
        )
        return [Component("dta", label, "", None, None, code, None)], [None] * len(pesos)
    rule = rules.definitive
    treaty = rules.originating("T-MEC")
    shares: list[Money | None] = []
    for value, claimed in zip(pesos, claims, strict=True):
        if (
            value is None
            or rule.rate is None
            or (claimed and (treaty is None or not treaty.determined or treaty.rate is None))
        ):
            shares.append(None)
        else:
            rate = (
                treaty.rate
                if claimed and treaty is not None and treaty.rate is not None
                else rule.rate
            )
            shares.append(_mxn(value.amount * rate))
    if any(claims) and (treaty is None or not treaty.determined):
        problems.append(
            warning(
                "cost.mx.dta_tmec",
                "goods",
                _(
                    "the DTA of goods claimed under T-MEC is not determined: {note}",
                    note=treaty.notes if treaty else "",
                ),
            )
        )
    known = [v for v in pesos if v is not None]
    base = _mxn(sum((v.amount for v in known), Decimal(0))) if len(known) == len(pesos) else None
    amount = (
        None
        if any(share is None for share in shares)
        else _mxn(sum((sh.amount for sh in shares if sh is not None), Decimal(0)))
    )
    rate_text = f"{rule.rate * 1000:g} al millar" if rule.rate is not None else ""
    return [Component("dta", label, rate_text, base, amount, code, rule.source)], shares


def _prevalidacion(on: date, iva_rate: Decimal, problems: list[Problem]) -> list[Component]:
    label = _("Prevalidación (per pedimento)")
    try:
        row = mx_fees.prevalidacion_row(on)
    except NotCoveredError:
        row = None
    if row is None or row.amount is None:
        problems.append(
            warning(
                "cost.mx.prevalidacion",
                "",
                _("the prevalidación fee for {day} is not determined", day=on.isoformat()),
            )
        )
        return [
            Component(
                "prevalidacion", label, "", None, None, None, None if row is None else row.source
            )
        ]
    tax = _mxn(row.amount.amount * iva_rate)
    return [
        Component(
            "prevalidacion", label, f"{row.amount.amount} MXN", None, row.amount, None, row.source
        ),
        Component(
            "prevalidacion_iva",
            _("IVA on the prevalidación"),
            percent(iva_rate),
            row.amount,
            tax,
            None,
            row.source,
        ),
    ]


def quote(
    shipment: Shipment,
    on: date,
    *,
    claims: Claims,
    ligie: mx_tariff.LigieTable,
    rates: fx.FxTable,
) -> LandedCost:
    """The Mexican landed cost of ``shipment`` imported on ``on``."""
    problems: list[Problem] = []
    rate = _exchange(shipment, on, rates, problems)
    values = mx_values(shipment)
    pesos = [_to_mxn(v.value, rate, v.index, problems) for v in values]
    claimed = claims.claimed
    igis = [
        _igi(
            v.index,
            shipment.goods[v.index],
            pesos[v.index],
            claimed=claimed[v.index],
            on=on,
            ligie=ligie,
            problems=problems,
        )
        for v in values
    ]
    dta_entry, dta_shares = _dta(pesos, list(claimed), on, problems)
    iva = mx_fees.iva_rate(on)
    lines = []
    for v in values:
        i = v.index
        parts = [pesos[i], igis[i].amount, dta_shares[i]]
        if any(part is None for part in parts):
            iva_component = Component(
                "iva",
                IVA_LABEL,
                percent(iva.rate),
                None,
                None,
                mx_fees.contribution_code("IVA"),
                iva.source,
            )
        else:
            base = _mxn(sum((p.amount for p in parts if p is not None), Decimal(0)))
            iva_component = Component(
                "iva",
                IVA_LABEL,
                percent(iva.rate),
                base,
                _mxn(base.amount * iva.rate),
                mx_fees.contribution_code("IVA"),
                iva.source,
                IVA_BASE_NOTE,
            )
        lines.append(LineCost(i, pesos[i], (igis[i], iva_component)))
    entry = [*dta_entry, *_prevalidacion(on, iva.rate, problems)]
    return LandedCost(
        reference=shipment.reference,
        destination="MX",
        on=on,
        currency=MXN,
        usmca=claims.label,
        lines=tuple(lines),
        entry=tuple(entry),
        problems=(*claims.problems, *problems),
        fx=rate,
    )
