"""Mexico's import duty (IGI): LIGIE rates per fracción and NICO, as dated rows with their source.

Machine-readable LIGIE rates are not published, so the bundled table
(``data/mx_igi_rates.csv``) holds only rates verified against their DOF source, and a user
imports the full table with :func:`import_ligie_csv` and :func:`save_user_rates`. Every row
gives the general rate and the T-MEC preferential rate for originating goods, each an ad
valorem fraction (``Decimal("0.15")`` for 15 %); ``Ex.`` (exento) reads as ``Decimal(0)``.

The CSV columns are ``fraccion`` (8 digits, dots allowed), ``nico`` (2 digits, or empty
for every NICO of the fracción), ``igi_general`` (a percentage such as ``15`` or ``15%``,
``Ex.`` for exempt, ``-`` when the LIGIE gives a specific or mixed rate), ``igi_tmec`` (the
same, or empty when not given), ``start`` and ``end`` (ISO dates, ``end`` empty while in
force), ``source`` (the DOF citation), an optional ``notes`` and an optional ``umt``.

``umt`` is the fracción's tariff unit (unidad de medida de la tarifa, UMT), the unit the
LIGIE assigns to it, as an Anexo 22 Apéndice 7 clave (``1`` kilo, ``6`` pieza; ``01`` reads
as ``1``). Only the claves of the Apéndice 7 cruce ships (``anexo22_codes.yaml``) are
accepted; an empty cell means the row does not give it. :func:`tariff_unit` finds it with
the same precedence as the rate: a NICO row before the fracción's, a user row before a
bundled one, the first row in force that gives a UMT.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Final

from platformdirs import user_data_path

from cruce.i18n import Locale, Message, _
from cruce.reference import anexo22
from cruce.reference.facts import Period, Source, write_table

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

COLUMNS: Final = ("fraccion", "nico", "igi_general", "igi_tmec", "start", "end", "source")
OPTIONAL_COLUMNS: Final = ("notes", "umt")
USER_FILE: Final = "rates.csv"
MAX_BYTES: Final = 32 * 1024 * 1024
MAX_ISSUES: Final = 50
_EXEMPT: Final = frozenset({"ex", "ex.", "exento", "exenta"})
_NOT_AD_VALOREM: Final = "-"
_HUNDRED: Final = Decimal(100)
_MAX_PERCENT: Final = Decimal(1000)
_SEPARATORS = re.compile(r"[\s.\-]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UNIT_APPENDIX: Final = 7  # Anexo 22 Apéndice 7, unidades de medida


@dataclass(frozen=True, slots=True)
class IgiRate:
    """The IGI of a fracción (or of one of its NICOs) in force during ``period``.

    ``general`` is None when the LIGIE gives a specific or mixed rate rather than an ad
    valorem one; ``tmec`` is None when the row does not give the preferential rate.
    ``umt`` is the fracción's tariff unit as an Apéndice 7 clave (``"1"`` kilo), None when
    the row does not give it.
    """

    fraccion: str
    nico: str | None
    general: Decimal | None
    tmec: Decimal | None
    period: Period
    source: Source
    notes: str = ""
    umt: str | None = None


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """One reason an imported table is unusable: the row (1 is the header) and column."""

    row: int
    column: str
    message: Message

    def render(self, locale: str = "en") -> str:
        """``row 3, column igi_general: ...`` in ``locale``."""
        language: Locale = "es" if locale == "es" else "en"
        where = _("row {row}", row=self.row).render(language)
        if self.column:
            where += ", " + _("column {column}", column=self.column).render(language)
        return f"{where}: {self.message.render(language)}"


class ReferenceImportError(ValueError):
    """An imported reference table cannot be used; ``issues`` say where and why."""

    def __init__(self, issues: Iterable[ImportIssue]) -> None:
        self.issues = tuple(issues)[:MAX_ISSUES]
        super().__init__("; ".join(issue.render() for issue in self.issues))


class LigieImportError(ReferenceImportError):
    """A LIGIE table (CSV) cannot be imported."""


def read_csv(data: bytes, label: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and numbered rows of a UTF-8 CSV; ReferenceImportError for unreadable bytes."""
    if len(data) > MAX_BYTES:
        raise ReferenceImportError(
            [ImportIssue(0, "", _("the {table} file is larger than 32 MiB", table=label))]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = _("the {table} file is not UTF-8 text (byte {at})", table=label, at=error.start)
        raise ReferenceImportError([ImportIssue(0, "", message)]) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        rows = [(reader.line_num, [cell.strip() for cell in row]) for row in reader]
    except csv.Error as error:
        message = _("the {table} file is not valid CSV: {reason}", table=label, reason=error)
        raise ReferenceImportError([ImportIssue(reader.line_num, "", message)]) from error
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        raise ReferenceImportError(
            [ImportIssue(1, "", _("the {table} file is empty", table=label))]
        )
    return [cell.lower() for cell in rows[0][1]], rows[1:]


def check_header(header: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    """ReferenceImportError naming each missing, unknown or repeated column."""
    issues = [
        ImportIssue(1, name, _("the column '{name}' is missing", name=name))
        for name in required
        if name not in header
    ]
    issues += [
        ImportIssue(1, name or "?", _("the column '{name}' is not known", name=name))
        for name in header
        if name not in required and name not in optional
    ]
    issues += [
        ImportIssue(1, name, _("the column '{name}' appears twice", name=name))
        for name in sorted({name for name in header if header.count(name) > 1})
    ]
    if issues:
        raise ReferenceImportError(issues)


class _Row:
    """The cells of one CSV row by column name, collecting issues instead of raising."""

    def __init__(self, number: int, header: list[str], cells: list[str]) -> None:
        self.number = number
        self.cells = dict(zip(header, cells, strict=False))
        self.issues: list[ImportIssue] = []
        if len(cells) > len(header):
            self.problem("", _("the row has more cells than the header"))

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def problem(self, column: str, message: Message) -> None:
        self.issues.append(ImportIssue(self.number, column, message))

    def day(self, column: str, *, required: bool) -> date | None:
        value = self.get(column)
        if not value:
            if required:
                self.problem(column, _("a date is required (YYYY-MM-DD)"))
            return None
        parsed = iso_date(value)
        if parsed is None:
            self.problem(column, _("'{value}' is not a date (YYYY-MM-DD)", value=value[:40]))
        return parsed


def iso_date(value: str) -> date | None:
    """``2026-01-31`` as a date; None for anything else (no other formats)."""
    if _ISO_DATE.fullmatch(value) is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _digits(code: str, length: int) -> str | None:
    compact = _SEPARATORS.sub("", code)
    return compact if len(compact) == length and compact.isascii() and compact.isdigit() else None


def parse_percent(text: str) -> Decimal:
    """``"15"`` / ``"15%"`` -> ``Decimal("0.15")``; ``"Ex."`` -> 0. ValueError otherwise."""
    value = text.strip()
    if value.lower() in _EXEMPT:
        return Decimal(0)
    try:
        percent = Decimal(value.removesuffix("%").strip())
    except InvalidOperation as error:
        raise ValueError(value) from error
    if not percent.is_finite() or not Decimal(0) <= percent <= _MAX_PERCENT:
        raise ValueError(value)
    return percent / _HUNDRED


def _rate(row: _Row, column: str, *, optional: bool) -> tuple[bool, Decimal | None]:
    value = row.get(column)
    if not value:
        if not optional:
            row.problem(column, _("a rate is required: a percentage, 'Ex.' or '-'"))
        return optional, None
    if value == _NOT_AD_VALOREM:
        return True, None
    try:
        return True, parse_percent(value)
    except ValueError:
        row.problem(column, _("'{value}' is not a percentage, 'Ex.' or '-'", value=value[:40]))
        return False, None


def unit_clave(value: str) -> str | None:
    """``"01"`` / ``"1"`` -> ``"1"`` when Apéndice 7 (as cruce ships it) lists it; else None."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    code = str(int(text))
    return code if code in anexo22.appendix(_UNIT_APPENDIX) else None


def _umt(row: _Row) -> tuple[bool, str | None]:
    value = row.get("umt")
    if not value:
        return True, None
    code = unit_clave(value)
    if code is None:
        codes = ", ".join(sorted(anexo22.appendix(_UNIT_APPENDIX), key=int))
        row.problem(
            "umt",
            _(
                "'{value}' is not a unit of measure of Anexo 22 Apéndice 7 (claves {codes})",
                value=value[:40],
                codes=codes,
            ),
        )
        return False, None
    return True, code


def _parse_row(row: _Row) -> IgiRate | None:
    fraccion = _digits(row.get("fraccion"), 8)
    if fraccion is None:
        row.problem("fraccion", _("a fracción has 8 digits, e.g. 7616.99.99"))
    nico_text = row.get("nico")
    nico = _digits(nico_text, 2) if nico_text else None
    if nico_text and nico is None:
        row.problem("nico", _("a NICO has 2 digits, or is empty for the whole fracción"))
    general_ok, general = _rate(row, "igi_general", optional=False)
    tmec_ok, tmec = _rate(row, "igi_tmec", optional=True)
    umt_ok, umt = _umt(row)
    start = row.day("start", required=True)
    end = row.day("end", required=False)
    citation = row.get("source")
    if not citation:
        row.problem("source", _("each row needs its source (the DOF citation)"))
    if start is not None and end is not None and end < start:
        row.problem("end", _("the period ends before it starts"))
    if row.issues or fraccion is None or start is None or not (general_ok and tmec_ok and umt_ok):
        return None
    return IgiRate(
        fraccion, nico, general, tmec, Period(start, end), Source(citation), row.get("notes"), umt
    )


def import_ligie_csv(data: bytes) -> tuple[IgiRate, ...]:
    """Rows of a LIGIE table in the documented CSV form; LigieImportError names each bad cell."""
    try:
        header, rows = read_csv(data, "LIGIE")
        check_header(header, COLUMNS, OPTIONAL_COLUMNS)
    except ReferenceImportError as error:
        raise LigieImportError(error.issues) from None
    issues: list[ImportIssue] = []
    parsed: list[tuple[int, IgiRate]] = []
    for number, cells in rows:
        row = _Row(number, header, cells)
        rate = _parse_row(row)
        issues.extend(row.issues)
        if rate is not None:
            parsed.append((number, rate))
    issues.extend(_overlaps(parsed))
    if issues:
        raise LigieImportError(issues)
    return tuple(rate for _number, rate in parsed)


def _overlaps(rows: list[tuple[int, IgiRate]]) -> Iterator[ImportIssue]:
    seen: dict[tuple[str, str | None], list[Period]] = {}
    for number, rate in rows:
        periods = seen.setdefault((rate.fraccion, rate.nico), [])
        if any(rate.period.overlaps(other) for other in periods):
            code = rate.fraccion + (rate.nico or "")
            yield ImportIssue(
                number, "start", _("{code} has two rows in force on the same day", code=code)
            )
        periods.append(rate.period)


def _percent_text(value: Decimal | None, *, empty: str) -> str:
    if value is None:
        return empty
    return format((value * _HUNDRED).normalize(), "f")


def export_ligie_csv(rows: Iterable[IgiRate]) -> bytes:
    """The CSV form :func:`import_ligie_csv` reads back to the same rows."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*COLUMNS, *OPTIONAL_COLUMNS))
    for rate in rows:
        end = rate.period.end.isoformat() if rate.period.end else ""
        writer.writerow(
            (
                rate.fraccion,
                rate.nico or "",
                _percent_text(rate.general, empty=_NOT_AD_VALOREM),
                _percent_text(rate.tmec, empty=""),
                rate.period.start.isoformat(),
                end,
                rate.source.citation,
                rate.notes,
                rate.umt or "",
            )
        )
    return out.getvalue().encode("utf-8")


def _user_dir(user_dir: Path | None) -> Path:
    return user_dir if user_dir is not None else user_data_path("cruce") / "ligie"


def load_user_rates(user_dir: Path | None = None) -> tuple[IgiRate, ...]:
    """The LIGIE table the user imported (none when there is no file)."""
    path = _user_dir(user_dir) / USER_FILE
    return import_ligie_csv(path.read_bytes()) if path.is_file() else ()


def save_user_rates(rows: Iterable[IgiRate], user_dir: Path | None = None) -> Path:
    """Store ``rows`` as the user's LIGIE table (replacing the previous one); the file path."""
    data = export_ligie_csv(rows)
    import_ligie_csv(data)  # never store a table that would not load again
    target = write_table(_user_dir(user_dir), USER_FILE, data)
    default_table.cache_clear()
    return target


class LigieTable:
    """Bundled and user rows: the most specific row in force wins, a user row before a bundled."""

    def __init__(self, bundled: Iterable[IgiRate], user: Iterable[IgiRate] = ()) -> None:
        self._tiers: tuple[dict[tuple[str, str | None], list[IgiRate]], ...] = (
            _index(user),
            _index(bundled),
        )

    def lookup(self, fraccion: str, nico: str | None, on: date) -> IgiRate | None:
        """The row for ``fraccion`` (and ``nico``) in force on ``on``; None when none is loaded."""
        return next(self._in_force(fraccion, nico, on), None)

    def tariff_unit(self, fraccion: str, nico: str | None, on: date) -> str | None:
        """The UMT (Apéndice 7 clave) of the first row in force that gives one, or None."""
        return next((r.umt for r in self._in_force(fraccion, nico, on) if r.umt), None)

    def _in_force(self, fraccion: str, nico: str | None, on: date) -> Iterator[IgiRate]:
        """Rows in force on ``on``, most specific first; ValueError for a malformed code."""
        code = _digits(fraccion, 8)
        if code is None:
            raise ValueError(f"not an 8-digit fracción: {fraccion!r}")
        keys: list[tuple[str, str | None]] = []
        if nico:
            nico_code = _digits(nico, 2)
            if nico_code is None:
                raise ValueError(f"not a 2-digit NICO: {nico!r}")
            keys.append((code, nico_code))
        keys.append((code, None))
        for key in keys:
            for tier in self._tiers:
                yield from (rate for rate in tier.get(key, ()) if rate.period.covers(on))


def _index(rows: Iterable[IgiRate]) -> dict[tuple[str, str | None], list[IgiRate]]:
    index: dict[tuple[str, str | None], list[IgiRate]] = {}
    for rate in rows:
        index.setdefault((rate.fraccion, rate.nico), []).append(rate)
    return index


@cache
def bundled_rates() -> tuple[IgiRate, ...]:
    """The verified rates shipped with cruce (``data/mx_igi_rates.csv``, see MX_SOURCES.md)."""
    return import_ligie_csv((files("cruce.reference") / "data" / "mx_igi_rates.csv").read_bytes())


@cache
def default_table() -> LigieTable:
    """Bundled rows and the user's imported table."""
    return LigieTable(bundled_rates(), load_user_rates())


def igi_rate(
    fraccion: str, nico: str | None, on: date, *, table: LigieTable | None = None
) -> IgiRate | None:
    """The IGI row in force on ``on``: fracción + NICO before fracción; None when not loaded."""
    return (table or default_table()).lookup(fraccion, nico, on)


def tariff_unit(
    fraccion: str, nico: str | None, on: date, *, table: LigieTable | None = None
) -> str | None:
    """The fracción's tariff unit (UMT, Apéndice 7 clave) on ``on``; None when not loaded."""
    return (table or default_table()).tariff_unit(fraccion, nico, on)
