"""USD/MXN exchange rates: Banxico's FIX as published in the DOF, and the rate customs applies.

A row is the FIX (Banxico series SF43718) keyed by the day the DOF published it; its
``as_of`` is that publication date. Banxico determines the FIX at noon of each banking day
and the DOF publishes it on the next banking day, so the DOF of 2026-02-03 carries the FIX
determined on 2026-01-30.

Customs rule: taxes on an import are caused on the date the goods cross the border (Ley
Aduanera art. 56 fr. I b, land traffic), and foreign amounts are converted at the rate
Banxico published in the DOF on the day before; when none was published that day (weekend,
bank holiday), at the last one published before (Código Fiscal de la Federación art. 20,
third paragraph). :func:`customs_rate` applies that rule over the loaded rows and the bank
holiday calendar; it never silently takes another day's rate when a row is missing.

Import CSV: ``date,rate,source`` (``date`` = DOF publication date, ISO) or Banxico's own SIE
export (``Fecha,SF43718`` with dd/mm/yyyy determination dates, ``N/E`` for no value).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Final

from platformdirs import user_data_path
from pydantic import ValidationError

from cruce.i18n import Message, _
from cruce.model.money import FxRate
from cruce.reference.facts import NotCoveredError, Period, Source, write_table
from cruce.reference.mx_tariff import (
    ImportIssue,
    ReferenceImportError,
    check_header,
    iso_date,
    read_csv,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

BASE: Final = "USD"
QUOTE: Final = "MXN"
SERIES: Final = "SF43718"
COLUMNS: Final = ("date", "rate", "source")
USER_FILE: Final = "usd_mxn.csv"
_MAX_SOURCE: Final = 200
_MAX_WALK: Final = 15
_BANXICO_DATE = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")
_MISSING: Final = frozenset({"n/e", "n/d", ""})


def dof_source(published: date) -> str:
    """The source text of a FIX row published in the DOF on ``published``."""
    return f"Banxico FIX (SF43718), published in the DOF on {published.isoformat()}"


@dataclass(frozen=True, slots=True)
class BankHolidays:
    """The banking days closed by the CNBV in one year (besides Saturdays and Sundays)."""

    days: frozenset[date]
    period: Period
    source: Source


def _closures(year: int, days: tuple[tuple[int, int], ...], citation: str) -> BankHolidays:
    closed = frozenset(date(year, month, day) for month, day in days)
    return BankHolidays(closed, Period(date(year, 1, 1), date(year, 12, 31)), Source(citation))


# Kept here, not in a data file, because the calendar only serves the publication rule below.
HOLIDAYS: Final = (
    _closures(
        2025,
        (
            (1, 1),
            (2, 3),
            (3, 17),
            (4, 17),
            (4, 18),
            (5, 1),
            (9, 16),
            (11, 2),
            (11, 17),
            (12, 12),
            (12, 25),
        ),
        "CNBV, disposiciones de carácter general on the days of 2025 that financial entities "
        "close (DOF 2024-12-27)",
    ),
    _closures(
        2026,
        (
            (1, 1),
            (2, 2),
            (3, 16),
            (4, 2),
            (4, 3),
            (5, 1),
            (9, 16),
            (11, 2),
            (11, 16),
            (12, 12),
            (12, 25),
        ),
        "CNBV, disposiciones de carácter general on the days of 2026 that financial entities "
        "close (DOF 2025-12-10)",
    ),
)


def is_publication_day(day: date) -> bool | None:
    """Whether the DOF carries a FIX on ``day``; None when the year's holidays are not loaded."""
    if day.weekday() >= 5:  # noqa: PLR2004 - Saturday and Sunday
        return False
    for year in HOLIDAYS:
        if year.period.covers(day):
            return day not in year.days
    return None


class FxImportError(ReferenceImportError):
    """A CSV of exchange rates cannot be imported."""


class FxNotLoadedError(NotCoveredError):
    """No rate is loaded for the DOF publication a date needs; ``message`` says what to import."""

    def __init__(self, on: date, needed: date, message: Message) -> None:
        super().__init__("USD/MXN FIX", on)
        self.needed = needed
        self.message = message
        self.args = (str(message),)


def _rate(published: date, value: Decimal, source: str) -> FxRate:
    return FxRate(base=BASE, quote=QUOTE, rate=value, source=source, as_of=published)


class FxTable:
    """Rows by DOF publication date; a user row replaces a bundled row of the same date."""

    def __init__(self, bundled: Iterable[FxRate], user: Iterable[FxRate] = ()) -> None:
        self._rows: dict[date, FxRate] = {row.as_of: row for row in bundled}
        self._rows.update({row.as_of: row for row in user})
        self._dates = sorted(self._rows)

    def rate_on(self, day: date) -> FxRate:
        """The FIX published in the DOF on ``day``."""
        row = self._rows.get(day)
        if row is not None:
            return row
        if is_publication_day(day) is False:
            message = _(
                "Banxico publishes no FIX in the DOF on {day} (weekend or bank holiday)",
                day=day.isoformat(),
            )
        else:
            message = _(
                "no USD/MXN FIX is loaded for the DOF of {day}: import Banxico's rates "
                "for that date (CSV: date,rate,source)",
                day=day.isoformat(),
            )
        raise FxNotLoadedError(day, day, message)

    def customs_rate(self, on: date) -> FxRate:
        """The rate for taxes caused on ``on``: the DOF of the day before, or the last before."""
        day = on - timedelta(days=1)
        for _step in range(_MAX_WALK):
            row = self._rows.get(day)
            if row is not None:
                return row
            publishes = is_publication_day(day)
            if publishes is False:
                day -= timedelta(days=1)
                continue
            if publishes is None:
                message = _(
                    "no USD/MXN FIX is loaded for the DOF of {day}, and the bank holiday "
                    "calendar of {year} is not loaded: import Banxico's rates for that date",
                    day=day.isoformat(),
                    year=day.year,
                )
            else:
                message = _(
                    "customs converts at the FIX published in the DOF on {day}, which is not "
                    "loaded: import Banxico's rates for that date (CSV: date,rate,source)",
                    day=day.isoformat(),
                )
            raise FxNotLoadedError(on, day, message)
        raise FxNotLoadedError(on, day, _("no DOF publication found before {on}", on=on))

    def latest_before(self, day: date) -> FxRate | None:
        """The latest row published on or before ``day`` (the caller must say how old it is)."""
        earlier = [published for published in self._dates if published <= day]
        return self._rows[earlier[-1]] if earlier else None

    def rows(self) -> tuple[FxRate, ...]:
        """Every row, oldest first."""
        return tuple(self._rows[day] for day in self._dates)


def _plain(header: list[str], rows: list[tuple[int, list[str]]]) -> tuple[FxRate, ...]:
    check_header(header, COLUMNS, ())
    issues: list[ImportIssue] = []
    parsed: dict[date, FxRate] = {}
    for number, cells in rows:
        cell = dict(zip(header, cells, strict=False))
        found: list[ImportIssue] = []
        if len(cells) > len(header):
            found.append(ImportIssue(number, "", _("the row has more cells than the header")))
        published = iso_date(cell.get("date", ""))
        if published is None:
            found.append(
                ImportIssue(number, "date", _("a DOF publication date is required (YYYY-MM-DD)"))
            )
        value = _positive(cell.get("rate", ""))
        if value is None:
            found.append(
                ImportIssue(number, "rate", _("the rate is a positive number of pesos per dollar"))
            )
        source = cell.get("source", "")
        if not source or len(source) > _MAX_SOURCE:
            found.append(
                ImportIssue(
                    number, "source", _("each rate needs its source (at most 200 characters)")
                )
            )
        if published is not None and published in parsed:
            found.append(
                ImportIssue(number, "date", _("{day} appears twice", day=published.isoformat()))
            )
        issues.extend(found)
        if not found and published is not None and value is not None:
            parsed[published] = _rate(published, value, source)
    if issues:
        raise FxImportError(issues)
    return tuple(parsed[day] for day in sorted(parsed))


def _positive(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    max_rate = Decimal(10_000)
    return value if value.is_finite() and Decimal(0) < value < max_rate else None


def _banxico(rows: list[tuple[int, list[str]]]) -> tuple[FxRate, ...]:
    start = next(
        (
            index
            for index, (_n, cells) in enumerate(rows)
            if [c.lower() for c in cells[:2]] == ["fecha", SERIES.lower()]
        ),
        None,
    )
    if start is None:
        raise FxImportError(
            [ImportIssue(1, "", _("no 'Fecha,SF43718' header in the Banxico file"))]
        )
    issues: list[ImportIssue] = []
    determined: list[tuple[date, Decimal]] = []
    for number, cells in rows[start + 1 :]:
        text = cells[0] if cells else ""
        day = _banxico_date(text)
        if day is None:
            issues.append(
                ImportIssue(
                    number, "Fecha", _("'{value}' is not a date (dd/mm/yyyy)", value=text[:40])
                )
            )
            continue
        raw = cells[1] if len(cells) > 1 else ""
        if raw.lower() in _MISSING:
            continue
        value = _positive(raw)
        if value is None:
            issues.append(
                ImportIssue(number, SERIES, _("the rate is a positive number of pesos per dollar"))
            )
            continue
        if determined and day <= determined[-1][0]:
            issues.append(ImportIssue(number, "Fecha", _("dates must go forward, one row per day")))
            continue
        determined.append((day, value))
    if issues:
        raise FxImportError(issues)
    return tuple(_published(determined))


def _published(determined: list[tuple[date, Decimal]]) -> list[FxRate]:
    """FIX by determination date -> rows by DOF date (the next banking day: series or calendar)."""
    out: list[FxRate] = []
    for index, (day, value) in enumerate(determined):
        publication = (
            determined[index + 1][0] if index + 1 < len(determined) else _next_publication(day)
        )
        if publication is None:
            continue  # the last FIX of the file, in a year whose holidays are not loaded
        source = f"{dof_source(publication)}; determined {day.isoformat()} (Banxico SIE export)"
        out.append(_rate(publication, value, source))
    return out


def _next_publication(day: date) -> date | None:
    candidate = day + timedelta(days=1)
    for _step in range(_MAX_WALK):
        publishes = is_publication_day(candidate)
        if publishes is None:
            return None
        if publishes:
            return candidate
        candidate += timedelta(days=1)
    return None


def _banxico_date(text: str) -> date | None:
    if _BANXICO_DATE.fullmatch(text) is None:
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date, no time
    except ValueError:
        return None


def import_fx_csv(data: bytes) -> tuple[FxRate, ...]:
    """USD/MXN rows from ``date,rate,source`` or Banxico's SIE CSV; FxImportError otherwise."""
    try:
        header, rows = read_csv(data, "exchange-rate")
        if header[:1] == ["date"]:
            return _plain(header, rows)
        return _banxico([(1, header), *rows])
    except FxImportError:
        raise
    except ReferenceImportError as error:
        raise FxImportError(error.issues) from None
    except ValidationError as error:  # an FxRate the model refuses: report, never a traceback
        raise FxImportError(
            [ImportIssue(0, "", _("a rate was refused: {reason}", reason=error.errors()[0]["msg"]))]
        ) from None


def export_fx_csv(rows: Iterable[FxRate]) -> bytes:
    """The ``date,rate,source`` CSV that :func:`import_fx_csv` reads back."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in sorted(rows, key=lambda item: item.as_of):
        writer.writerow((row.as_of.isoformat(), format(row.rate, "f"), row.source))
    return out.getvalue().encode("utf-8")


def _user_dir(user_dir: Path | None) -> Path:
    return user_dir if user_dir is not None else user_data_path("cruce") / "fx"


def load_user_rates(user_dir: Path | None = None) -> tuple[FxRate, ...]:
    """The rates the user imported (none when there is no file)."""
    path = _user_dir(user_dir) / USER_FILE
    return import_fx_csv(path.read_bytes()) if path.is_file() else ()


def save_user_rates(rows: Iterable[FxRate], user_dir: Path | None = None) -> Path:
    """Store ``rows`` with the user's earlier ones (a new row replaces one of the same date)."""
    directory = _user_dir(user_dir)
    merged = {row.as_of: row for row in load_user_rates(directory)}
    merged.update({row.as_of: row for row in rows})
    data = export_fx_csv(merged.values())
    import_fx_csv(data)  # never store a file that would not load again
    target = write_table(directory, USER_FILE, data)
    default_table.cache_clear()
    return target


@cache
def bundled_rates() -> tuple[FxRate, ...]:
    """The FIX values shipped with cruce (``data/fx_usd_mxn.csv``, evidence in MX_SOURCES.md)."""
    return import_fx_csv((files("cruce.reference") / "data" / "fx_usd_mxn.csv").read_bytes())


@cache
def default_table() -> FxTable:
    """Bundled rows and the user's imported ones."""
    return FxTable(bundled_rates(), load_user_rates())


def rate_on(day: date, *, table: FxTable | None = None) -> FxRate:
    """The FIX published in the DOF on ``day``; FxNotLoadedError (a NotCoveredError) otherwise."""
    return (table or default_table()).rate_on(day)


def customs_rate(on: date, *, table: FxTable | None = None) -> FxRate:
    """The rate customs applies to taxes caused on ``on`` (CFF art. 20; LA art. 56)."""
    return (table or default_table()).customs_rate(on)


def latest_before(day: date, *, table: FxTable | None = None) -> FxRate | None:
    """The most recent rate published on or before ``day``; None when there is none."""
    return (table or default_table()).latest_before(day)
