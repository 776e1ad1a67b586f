"""Electronic Export Information (15 CFR part 30) facts: threshold, deadlines, legends, codes.

The rows ship in ``data/eei.yaml``, each in force from a date and with its citation:

- ``thresholds``: the USD 2,500 per Schedule B number of 15 CFR 30.37(a) (the same figure
  as ``us_fees.yaml``'s ``eei_per_schedule_b``; a test keeps the two equal);
- ``deadlines``: how long before the border (truck, rail), the departure (air) or the
  loading (vessel) the EEI must be filed, 15 CFR 30.4(b);
- ``legends``: the exemption legends for the commercial loading document
  (``NOEEI 30.37(a)``, ``NOEEI 30.36``), 15 CFR 30.7;
- ``codes``: the AES codes cruce writes (method of transportation, licence code C33, in-bond
  code 70, export information code OS).

Verified (2026-11-28) against: the text of 15 CFR 30.6 (copy of the eCFR section, "current
through 2024-09-30") and appendix C to part 30 (element numbers of 30.6(a)); secondary
sources quoting 30.37(a) and 30.4(b) (one hour before the truck reaches the border); the
AESTIR Appendix F text and the Census 2016 broadcast moving NLR to C33; the AES method of
transportation table (30 truck, 31 truck containerized) as transcribed in public code; the
legends ``NOEEI 30.37(a)`` and ``NOEEI 30.36`` as carriers' APIs spell them (appendix B to
part 30 itself was not seen); the in-bond code 70 "not in bond" as two AES filing programs
in public code list it. Not seen at the source: the AESTIR Appendix Q tables themselves,
the export information code OS, the paragraph number 30.2(a)(1)(iv) (its rule, EEI at any
value when a licence is required, was seen in a secondary source) and the 2008-07-02
start date (as in ``us_fees.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Final, TypeVar

import yaml

from cruce.reference.facts import (
    FactDataError,
    Period,
    Source,
    in_force,
    package_text,
    period_from,
    source_from,
    text_from,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date, datetime

DATA_FILE: Final = "eei.yaml"


@dataclass(frozen=True, slots=True)
class Threshold:
    """A value limit under which no EEI is filed."""

    key: str
    amount: Decimal
    currency: str
    period: Period
    source: Source
    description: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """How many hours before ``event`` the EEI must be filed for a mode of transport."""

    mode: str
    hours_before: int
    event: str
    period: Period
    source: Source

    def latest_filing(self, event_at: datetime) -> datetime:
        """The latest time the EEI may be filed for an event at ``event_at``."""
        return event_at - timedelta(hours=self.hours_before)


@dataclass(frozen=True, slots=True)
class Legend:
    """An exemption legend to write on the commercial loading document."""

    key: str
    text: str
    description: str
    period: Period
    source: Source


@dataclass(frozen=True, slots=True)
class Code:
    """An AES code cruce writes into the EEI."""

    key: str
    code: str
    description: str
    period: Period
    source: Source


@dataclass(frozen=True, slots=True)
class EeiTables:
    """Every table of the EEI data file."""

    thresholds: tuple[Threshold, ...]
    deadlines: tuple[Deadline, ...]
    legends: tuple[Legend, ...]
    codes: tuple[Code, ...]


R = TypeVar("R", Threshold, Deadline, Legend, Code)


def _description(row: Mapping[str, object], where: str) -> str:
    return " ".join(text_from(row, "description", where).split())


def _threshold(row: Mapping[str, object], where: str) -> Threshold:
    try:
        amount = Decimal(text_from(row, "amount", where))
    except InvalidOperation as error:
        raise FactDataError(f"{where}: 'amount' is not a decimal") from error
    if not amount.is_finite() or amount < 0:
        raise FactDataError(f"{where}: 'amount' must be a non-negative amount")
    return Threshold(
        key=text_from(row, "key", where),
        amount=amount,
        currency=text_from(row, "currency", where).upper(),
        period=period_from(row, where),
        source=source_from(row.get("source"), where),
        description=_description(row, where),
    )


def _deadline(row: Mapping[str, object], where: str) -> Deadline:
    hours = row.get("hours_before")
    if not isinstance(hours, int) or isinstance(hours, bool) or hours < 0:
        raise FactDataError(f"{where}: 'hours_before' must be a whole number of hours")
    return Deadline(
        mode=text_from(row, "mode", where),
        hours_before=hours,
        event=text_from(row, "event", where),
        period=period_from(row, where),
        source=source_from(row.get("source"), where),
    )


def _legend(row: Mapping[str, object], where: str) -> Legend:
    return Legend(
        key=text_from(row, "key", where),
        text=text_from(row, "text", where),
        description=_description(row, where),
        period=period_from(row, where),
        source=source_from(row.get("source"), where),
    )


def _code(row: Mapping[str, object], where: str) -> Code:
    return Code(
        key=text_from(row, "key", where),
        code=text_from(row, "code", where),
        description=_description(row, where),
        period=period_from(row, where),
        source=source_from(row.get("source"), where),
    )


def _table(
    document: Mapping[str, object],
    name: str,
    build: Callable[[Mapping[str, object], str], R],
    group: Callable[[R], str],
) -> tuple[R, ...]:
    rows = document.get(name)
    if not isinstance(rows, list) or not rows:
        raise FactDataError(f"the document needs a non-empty list under '{name}'")
    table: list[R] = []
    for index, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise FactDataError(f"{name} #{index}: a row must be a mapping")
        item = build(row, f"{name} #{index}")
        for earlier in table:
            if group(earlier) == group(item) and earlier.period.overlaps(item.period):
                raise FactDataError(f"{name} #{index}: overlaps an earlier row of '{group(item)}'")
        table.append(item)
    return tuple(table)


def parse_eei(text: str) -> EeiTables:
    """The EEI tables of a YAML document; FactDataError for any incomplete row."""
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise FactDataError("the EEI document must be a mapping")
    return EeiTables(
        thresholds=_table(document, "thresholds", _threshold, lambda row: row.key),
        deadlines=_table(document, "deadlines", _deadline, lambda row: row.mode),
        legends=_table(document, "legends", _legend, lambda row: row.key),
        codes=_table(document, "codes", _code, lambda row: row.key),
    )


@cache
def tables() -> EeiTables:
    """The EEI tables shipped with cruce."""
    return parse_eei(package_text(DATA_FILE))


def threshold(on: date) -> Threshold:
    """The value per Schedule B number above which EEI is required (15 CFR 30.37(a))."""
    rows = [row for row in tables().thresholds if row.key == "value_per_schedule_b"]
    return in_force(rows, on, "EEI threshold per Schedule B number")


def deadline(mode: str, on: date) -> Deadline:
    """The filing deadline of ``mode`` (truck, rail, air, ocean) in force on ``on``."""
    rows = [row for row in tables().deadlines if row.mode == mode]
    return in_force(rows, on, f"EEI filing deadline ({mode})")


def legend(key: str, on: date) -> Legend:
    """The exemption legend ``key`` (low_value, canada) in force on ``on``."""
    rows = [row for row in tables().legends if row.key == key]
    return in_force(rows, on, f"EEI exemption legend {key}")


def code(key: str, on: date) -> Code:
    """The AES code ``key`` (``transport.truck``, ``license.nlr``...) in force on ``on``."""
    rows = [row for row in tables().codes if row.key == key]
    return in_force(rows, on, f"AES code {key}")


__all__ = [
    "Code",
    "Deadline",
    "EeiTables",
    "Legend",
    "Threshold",
    "code",
    "deadline",
    "legend",
    "parse_eei",
    "tables",
    "threshold",
]
