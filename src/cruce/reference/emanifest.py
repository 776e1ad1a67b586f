"""When a truck's ACE e-Manifest is due: minutes before arrival, by lane (dated rows).

``data/emanifest.yaml`` holds the rows of 19 CFR 123.92(a): one hour before the truck
reaches the first US port of arrival, 30 minutes for FAST shipments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final

import yaml

from cruce.reference.facts import (
    FactDataError,
    in_force,
    package_text,
    period_from,
    source_from,
    text_from,
)

if TYPE_CHECKING:
    from datetime import date

    from cruce.reference.facts import Period, Source

DATA_FILE: Final = "emanifest.yaml"
LANES: Final = frozenset({"standard", "fast"})


@dataclass(frozen=True, slots=True)
class Deadline:
    """How many minutes before arrival the e-Manifest must be received, on one lane."""

    lane: str
    minutes_before: int
    period: Period
    source: Source


def parse(text: str) -> tuple[Deadline, ...]:
    """The deadline rows of an e-Manifest data file; FactDataError when malformed."""
    document = yaml.safe_load(text) or {}
    rows = document.get("deadlines") if isinstance(document, dict) else None
    if not isinstance(rows, list) or not rows:
        raise FactDataError(f"{DATA_FILE}: 'deadlines' is missing")
    found = []
    for number, row in enumerate(rows):
        where = f"{DATA_FILE}: deadlines[{number}]"
        if not isinstance(row, dict):
            raise FactDataError(f"{where} is not a mapping")
        lane = text_from(row, "lane", where)
        minutes = row.get("minutes_before")
        if lane not in LANES:
            raise FactDataError(f"{where}: 'lane' is one of {sorted(LANES)}")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise FactDataError(f"{where}: 'minutes_before' is a whole number above 0")
        found.append(
            Deadline(lane, minutes, period_from(row, where), source_from(row.get("source"), where))
        )
    return tuple(found)


@cache
def _rows() -> tuple[Deadline, ...]:
    return parse(package_text(DATA_FILE))


def deadline(*, fast: bool, on: date) -> Deadline:
    """The deadline in force on ``on`` for a FAST or a standard crossing."""
    lane = "fast" if fast else "standard"
    return in_force([r for r in _rows() if r.lane == lane], on, f"e-Manifest deadline ({lane})")
