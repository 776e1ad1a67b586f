"""Electronic Export Information (15 CFR part 30) facts: threshold, deadlines, legends, codes.

The USD 2,500 per Schedule B number of 15 CFR 30.37(a) is ``us_fees.yaml``'s
``eei_per_schedule_b`` (:func:`threshold` reads it there). The other rows ship in
``data/eei.yaml``, each in force from a date and with its citation:

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
from functools import cache
from typing import TYPE_CHECKING, Final

import yaml

from cruce.reference import us_fees
from cruce.reference.facts import (
    FactDataError,
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
    from datetime import date, datetime

DATA_FILE: Final = "eei.yaml"


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

    deadlines: tuple[Deadline, ...]
    legends: tuple[Legend, ...]
    codes: tuple[Code, ...]


def _description(row: Mapping[str, object], where: str) -> str:
    return " ".join(text_from(row, "description", where).split())


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


def parse_eei(text: str) -> EeiTables:
    """The EEI tables of a YAML document; FactDataError for any incomplete row."""
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise FactDataError("the EEI document must be a mapping")
    return EeiTables(
        deadlines=grouped_rows(document, "deadlines", _deadline, lambda row: row.mode),
        legends=grouped_rows(document, "legends", _legend, lambda row: row.key),
        codes=grouped_rows(document, "codes", _code, lambda row: row.key),
    )


@cache
@cache
def tables() -> EeiTables:
    """The EEI tables shipped with cruce."""
    return parse_eei(package_text(DATA_FILE))


def threshold(on: date) -> us_fees.Threshold:
    """The value per Schedule B number above which EEI is required (15 CFR 30.37(a))."""
    return us_fees.threshold("eei_per_schedule_b", on)


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
    "code",
    "deadline",
    "legend",
    "parse_eei",
    "tables",
    "threshold",
]
