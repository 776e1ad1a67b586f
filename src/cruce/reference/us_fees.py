"""CBP user fees (MPF, truck arrival), entry thresholds and fee exemptions, dated and sourced.

The rows ship in ``data/us_fees.yaml`` (see ``data/US_SOURCES.md``); each fiscal year's
amounts are new rows starting on 1 October. Lookups raise
:class:`~cruce.reference.facts.NotCoveredError` for a date no row covers.

MPF rounding: 19 CFR 24.23 states the rate (0.3464 %) and the minimum and maximum but no
rounding rule; ACE reports fees in whole cents. :func:`mpf_amount` rounds the ad valorem
fee half-up to the cent (as :meth:`cruce.model.Money.rounded` does) and then clamps it,
which gives the same result as clamping first because both limits are whole cents. ACE
computes the fee per entry line and applies the limits to the entry's total; callers that
need the per-line figures compute ``value * rate`` per line with the same rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Final

import yaml

from cruce.reference.facts import (
    FactDataError,
    NotCoveredError,
    Period,
    Source,
    grouped_rows,
    in_force,
    package_text,
    period_from,
    source_from,
    text_from,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

DATA_FILE: Final = "us_fees.yaml"
CENT: Final = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class MpfFormal:
    """The merchandise processing fee on formal entries (class 499) for one fiscal year."""

    rate: Decimal
    minimum: Decimal
    maximum: Decimal
    period: Period
    source: Source


@dataclass(frozen=True, slots=True)
class Fee:
    """A fixed fee in USD under its CBP accounting class code (e.g. 311, 492)."""

    code: str
    amount: Decimal
    period: Period
    source: Source
    description: str


@dataclass(frozen=True, slots=True)
class Threshold:
    """A value limit that decides which filing or entry a shipment needs."""

    key: str
    amount: Decimal
    currency: str
    period: Period
    source: Source
    description: str


@dataclass(frozen=True, slots=True)
class FeeExemption:
    """A fee (by class code) that does not apply to some goods or modes, and why."""

    key: str
    fee_codes: tuple[str, ...]
    period: Period
    source: Source
    description: str


@dataclass(frozen=True, slots=True)
class FeeTables:
    """Every table of the fee data file."""

    mpf_formal: tuple[MpfFormal, ...]
    fees: tuple[Fee, ...]
    thresholds: tuple[Threshold, ...]
    exemptions: tuple[FeeExemption, ...]


def _amount(row: Mapping[str, object], name: str, where: str) -> Decimal:
    try:
        value = Decimal(text_from(row, name, where))
    except InvalidOperation as error:
        raise FactDataError(f"{where}: '{name}' is not a decimal") from error
    if not value.is_finite() or value < 0:
        raise FactDataError(f"{where}: '{name}' must be a non-negative amount")
    return value


def _mpf(row: Mapping[str, object], where: str) -> MpfFormal:
    minimum = _amount(row, "minimum", where)
    maximum = _amount(row, "maximum", where)
    if minimum > maximum:
        raise FactDataError(f"{where}: minimum {minimum} is above maximum {maximum}")
    return MpfFormal(
        rate=_amount(row, "rate", where),
        minimum=minimum,
        maximum=maximum,
        period=period_from(row, where),
        source=source_from(row.get("source"), where),
    )


def _fee(row: Mapping[str, object], where: str) -> Fee:
    return Fee(
        code=text_from(row, "code", where),
        amount=_amount(row, "amount", where),
        period=period_from(row, where),
        source=source_from(row.get("source"), where),
        description=" ".join(text_from(row, "description", where).split()),
    )


def _threshold(row: Mapping[str, object], where: str) -> Threshold:
    return Threshold(
        key=text_from(row, "key", where),
        amount=_amount(row, "amount", where),
        currency=text_from(row, "currency", where).upper(),
        period=period_from(row, where),
        source=source_from(row.get("source"), where),
        description=" ".join(text_from(row, "description", where).split()),
    )


def _exemption(row: Mapping[str, object], where: str) -> FeeExemption:
    codes = row.get("fee_codes")
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        raise FactDataError(f"{where}: 'fee_codes' must be a non-empty list of class codes")
    return FeeExemption(
        key=text_from(row, "key", where),
        fee_codes=tuple(codes),
        period=period_from(row, where),
        source=source_from(row.get("source"), where),
        description=" ".join(text_from(row, "description", where).split()),
    )


def parse_fees(text: str) -> FeeTables:
    """The fee tables of a YAML document; FactDataError for any incomplete row."""
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise FactDataError("the fee document must be a mapping")
    return FeeTables(
        mpf_formal=grouped_rows(document, "mpf_formal", _mpf, lambda _row: "mpf_formal"),
        fees=grouped_rows(document, "fees", _fee, lambda row: row.code),
        thresholds=grouped_rows(document, "thresholds", _threshold, lambda row: row.key),
        exemptions=grouped_rows(document, "exemptions", _exemption, lambda row: row.key),
    )


@cache
def tables() -> FeeTables:
    """The fee tables shipped with cruce."""
    return parse_fees(package_text(DATA_FILE))


def mpf_formal(on: date) -> MpfFormal:
    """The formal-entry MPF rate and limits in force on ``on``."""
    return in_force(tables().mpf_formal, on, "US MPF (formal entries)")


def fee(code: str, on: date) -> Fee:
    """The fixed fee of CBP class ``code`` in force on ``on``."""
    rows = [row for row in tables().fees if row.code == code]
    return in_force(rows, on, f"US fee {code}")


def mpf_informal(on: date) -> Fee:
    """The MPF of an automated informal entry (class 311) in force on ``on``."""
    return fee("311", on)


def truck_arrival_fee(on: date) -> Fee:
    """The commercial truck arrival fee (class 492) in force on ``on``."""
    return fee("492", on)


def threshold(key: str, on: date) -> Threshold:
    """The threshold ``key`` (informal_entry_limit, eei_per_schedule_b, de_minimis) on ``on``."""
    rows = [row for row in tables().thresholds if row.key == key]
    return in_force(rows, on, f"US threshold {key}")


def fee_exemption(key: str, on: date) -> FeeExemption:
    """The fee exemption ``key`` (mpf_usmca_originating, hmf_not_for_trucks) on ``on``."""
    rows = [row for row in tables().exemptions if row.key == key]
    return in_force(rows, on, f"US fee exemption {key}")


def fee_exemptions(on: date) -> list[FeeExemption]:
    """Every fee exemption in force on ``on``."""
    return [row for row in tables().exemptions if row.period.covers(on)]


def mpf_amount(value_usd: Decimal, on: date) -> Decimal:
    """The formal-entry MPF in USD on an entered value: 0.3464 %, in cents, within the limits.

    Raises ValueError for a negative or non-finite value and NotCoveredError for a date no
    fiscal-year row covers.
    """
    if not value_usd.is_finite() or value_usd < 0:
        raise ValueError(f"the entered value must be a non-negative amount, got {value_usd}")
    row = mpf_formal(on)
    ad_valorem = (value_usd * row.rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(max(ad_valorem, row.minimum), row.maximum)


__all__ = [
    "Fee",
    "FeeExemption",
    "FeeTables",
    "MpfFormal",
    "NotCoveredError",
    "Threshold",
    "fee",
    "fee_exemption",
    "fee_exemptions",
    "mpf_amount",
    "mpf_formal",
    "mpf_informal",
    "parse_fees",
    "tables",
    "threshold",
    "truck_arrival_fee",
]
