"""The general provisions the origin engine applies around the product-specific rules.

Dated rows under ``general`` in ``data/usmca_psr.yaml``: the de minimis share (USMCA Art.
4.12), the regional value content of the Art. 4.2(d) case (criterion D) and the value up to
which no certification of origin is required (Art. 5.5). Each key holds
one row or a list of rows, each with its period and its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Final, TypeVar

import yaml

from cruce.reference.facts import (
    FactDataError,
    in_force,
    package_text,
    period_from,
    source_from,
    text_from,
)
from cruce.reference.usmca_rules.language import Rvc
from cruce.reference.usmca_rules.table import DATA_FILE

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date

    from cruce.reference.facts import Period, Source

_R = TypeVar("_R")
_HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, slots=True)
class DeMinimis:
    """The de minimis share of non-originating materials (percent of the transaction value)."""

    percent: Decimal
    period: Period
    source: Source


@dataclass(frozen=True, slots=True)
class CriterionD:
    """The regional value content of the Art. 4.2(d) case, in percent, by either method."""

    transaction_value: Decimal
    net_cost: Decimal
    period: Period
    source: Source

    @property
    def rvc(self) -> Rvc:
        """The two thresholds as a rule-language :class:`Rvc` (either method suffices)."""
        return Rvc(self.transaction_value, self.net_cost)


@dataclass(frozen=True, slots=True)
class CertificationWaiver:
    """The value in US dollars up to which an importing country asks no certification.

    ``counts`` says what the value is: the originating goods, or the whole importation.
    ``country`` is the importing country the row is for; None for the treaty's default.
    """

    amount: Decimal
    counts: str
    country: str | None
    period: Period
    source: Source


@dataclass(frozen=True, slots=True)
class YearsRule:
    """A length of time in whole years the Agreement sets (validity, record keeping)."""

    years: int
    period: Period
    source: Source


_COUNTS: Final = frozenset({"originating_goods", "importation"})


def _percent(row: Mapping[str, object], name: str, where: str) -> Decimal:
    """The percentage ``name`` of ``row`` (above 0, at most 100); FactDataError otherwise."""
    text = text_from(row, name, where)
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not 0 < value <= _HUNDRED:
        raise FactDataError(f"{where}: '{name}' is not a percentage above 0 and at most 100")
    return value


def _general(key: str, build: Callable[[Mapping[str, object], str], _R]) -> tuple[_R, ...]:
    """The rows of ``general.<key>`` (one mapping or a list of them), built by ``build``."""
    document = yaml.safe_load(package_text(DATA_FILE))
    value = (document.get("general") or {}).get(key)
    where = f"{DATA_FILE}: general.{key}"
    rows: list[object] = value if isinstance(value, list) else [value]
    if not rows:
        raise FactDataError(f"{where} is missing")
    built = []
    for number, row in enumerate(rows):
        at = where if len(rows) == 1 else f"{where}[{number}]"
        if not isinstance(row, dict):
            raise FactDataError(f"{at} is missing or not a mapping")
        built.append(build(row, at))
    return tuple(built)


def _de_minimis_row(row: Mapping[str, object], where: str) -> DeMinimis:
    return DeMinimis(
        _percent(row, "percent", where),
        period_from(row, where),
        source_from(row.get("source"), where),
    )


def _criterion_d_row(row: Mapping[str, object], where: str) -> CriterionD:
    return CriterionD(
        transaction_value=_percent(row, "transaction_value", where),
        net_cost=_percent(row, "net_cost", where),
        period=period_from(row, where),
        source=source_from(row.get("source"), where),
    )


def _waiver_row(row: Mapping[str, object], where: str) -> CertificationWaiver:
    text = text_from(row, "amount_usd", where)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0:
        raise FactDataError(f"{where}: 'amount_usd' is not an amount above 0")
    counts = text_from(row, "counts", where)
    if counts not in _COUNTS:
        raise FactDataError(f"{where}: 'counts' is one of {sorted(_COUNTS)}")
    country = row.get("country")
    if country is not None and not (isinstance(country, str) and len(country) == 2):  # noqa: PLR2004 - ISO 3166 alpha-2
        raise FactDataError(f"{where}: 'country' is an ISO 3166 alpha-2 code")
    return CertificationWaiver(
        amount, counts, country, period_from(row, where), source_from(row.get("source"), where)
    )


@cache
def _waiver_rows() -> tuple[CertificationWaiver, ...]:
    return _general("certification_waiver", _waiver_row)


def certification_waiver(importing_country: str, on: date) -> CertificationWaiver:
    """The low-value waiver of a certification of origin for an importation on ``on``.

    The importing country's own row when one is in force (USMCA Art. 5.5 lets a Party set
    a higher amount), else the treaty's. NotCoveredError before USMCA.
    """
    rows = _waiver_rows()
    own = [r for r in rows if r.country == importing_country and r.period.covers(on)]
    if own:
        return own[0]
    return in_force([r for r in rows if r.country is None], on, "USMCA certification waiver")


def _years_row(row: Mapping[str, object], where: str) -> YearsRule:
    text = text_from(row, "years", where)
    if not text.isdigit() or int(text) <= 0:
        raise FactDataError(f"{where}: 'years' is a whole number above 0")
    return YearsRule(int(text), period_from(row, where), source_from(row.get("source"), where))


@cache
def _years_rows(key: str) -> tuple[YearsRule, ...]:
    return _general(key, _years_row)


def certification_validity(on: date) -> YearsRule:
    """How long a certification of origin may be used after it is completed (Art. 5.2)."""
    return in_force(_years_rows("certification_validity"), on, "USMCA certification validity")


def record_retention(on: date) -> YearsRule:
    """How long the records behind a certification are kept (Art. 5.8)."""
    return in_force(_years_rows("record_retention"), on, "USMCA record retention")


@cache
def _de_minimis_rows() -> tuple[DeMinimis, ...]:
    return _general("de_minimis", _de_minimis_row)


@cache
def _criterion_d_rows() -> tuple[CriterionD, ...]:
    return _general("criterion_d", _criterion_d_row)


def de_minimis(on: date) -> DeMinimis:
    """The de minimis threshold in force on ``on``; NotCoveredError before USMCA."""
    return in_force(_de_minimis_rows(), on, "USMCA de minimis")


def criterion_d(on: date) -> CriterionD:
    """The Art. 4.2(d) value content in force on ``on``; NotCoveredError before USMCA."""
    return in_force(_criterion_d_rows(), on, "USMCA criterion D")
