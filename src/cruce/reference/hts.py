"""US tariff schedule (HTSUS) revisions: the official USITC JSON read into dated, sourced lines.

USITC publishes each revision of the Harmonized Tariff Schedule as a JSON list of rows
(``htsno, indent, description, units, general, special, other, footnotes`` ...).
:func:`import_usitc_json` reads one defensively into an :class:`HtsRevision`: the 8- and
10-digit lines, each with its description joined from its ancestors, its units, and the
rates it carries or inherits. Rates live on the 8-digit lines; a 10-digit statistical line
takes them from the nearest ancestor (by indent) whose general column is not blank, and
says which in ``rate_from``. Rate texts are parsed by :mod:`cruce.reference.rates`; a text
that cannot be read is kept, its reason given, and listed in ``unparsed``: never guessed.

An :class:`HtsStore` holds revisions by effective date so a quote can be made as of any
covered day. The package ships a small subset of four revisions (``data/hts``, see its
README); a user imports a full release with :func:`import_hts_file` and
:func:`save_revision`, and :func:`default_store` finds it again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zlib
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, lru_cache
from importlib.resources import files
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from cruce.i18n import Message, _
from cruce.reference.facts import Source
from cruce.reference.rates import Rate, RateParseError, clean_text, parse_rate

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

MAX_JSON_BYTES: Final = 64 * 1024 * 1024  # the official files are about 13 MB
FORMAT: Final = "cruce-hts/1"
USITC_BASE_URL: Final = "https://www.usitc.gov/sites/default/files/tata/hts/"
REVISION_DATES_SOURCE: Final = Source(
    "USITC HTSUS revision list as tabulated by The Budget Lab at Yale, tariff-rate-tracker "
    "config/revision_dates.csv (commit c9b94db402dc9086f8d764832ea0f8ee983c084a)",
    "https://github.com/Budget-Lab-Yale/tariff-rate-tracker",
)
_USMCA: Final = frozenset({"S", "S+"})
_PROGRAM = re.compile(r"[A-Z]{1,2}[+*]?")
_GROUP = re.compile(r"([^()]*)\(([^()]*)\)")
_NOT_DIGIT = re.compile(r"\D")
_DAMAGED = (OSError, EOFError, zlib.error, ValueError, TypeError, KeyError, AttributeError)
_FILE_NAME = re.compile(
    r"hts_(?P<year>\d{4})_(?:(?:revision|rev)_(?P<revision>\d{1,3})|basic(?:_edition)?)"
    r"(?:_json)?\.json(?:\.gz)?",
    re.IGNORECASE,
)
Unparsed = tuple[str, str, str]


class HtsImportError(ValueError):
    """A tariff file that cannot be read; ``message`` says what is wrong, in EN and ES."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, slots=True)
class HtsLine:
    """One 8- or 10-digit line of the schedule with the rates it carries or inherits."""

    code: str
    description: str
    units: tuple[str, ...]
    general_text: str
    special_text: str
    other_text: str
    general: Rate | None
    general_error: str | None
    other: Rate | None
    special_programs: frozenset[str]
    rate_from: str
    footnotes: tuple[str, ...] = ()

    @property
    def usmca_free(self) -> bool:
        """True when the special column grants ``Free`` under USMCA (program S or S+)."""
        return _usmca_free(self.special_text)


@lru_cache(maxsize=4096)
def _usmca_free(special_text: str) -> bool:
    # a few hundred distinct special-column texts serve every line of a revision
    return any(
        rate.strip().lower() == "free" and _USMCA & _programs(codes)
        for rate, codes in _GROUP.findall(special_text)
    )


def _programs(codes: str) -> frozenset[str]:
    found = (code.strip() for code in codes.split(","))
    return frozenset(code for code in found if _PROGRAM.fullmatch(code))


@lru_cache(maxsize=4096)
def _special_programs(text: str) -> frozenset[str]:
    programs: frozenset[str] = frozenset()
    for _rate, codes in _GROUP.findall(text):
        programs |= _programs(codes)
    return programs


@dataclass(frozen=True)
class HtsRevision:
    """One revision of the HTSUS: its lines, when it took effect, and where it comes from."""

    name: str
    year: int
    revision: int
    effective: date
    sha256: str
    source: Source
    lines: Mapping[str, HtsLine]
    unparsed: tuple[Unparsed, ...] = ()
    complete: bool = True
    _index: dict[str, HtsLine] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[0-9a-f]{64}", self.sha256):
            raise ValueError(f"{self.name}: the SHA-256 of its official file is missing")
        index = dict(self.lines)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "lines", MappingProxyType(index))

    def line(self, code: str) -> HtsLine | None:
        """The line of ``code`` (``8481.80.1050`` or ``8481801050``, 8 or 10 digits), or None."""
        found = self._index.get(code)
        if found is None:
            digits = _NOT_DIGIT.sub("", code)
            if digits != code:
                found = self._index.get(digits)
        return found

    def chapter99(self, heading: str) -> HtsLine | None:
        """The Chapter 99 heading (``9903.01.01``) with its texts, or None."""
        digits = _NOT_DIGIT.sub("", heading)
        return self._index.get(digits) if digits.startswith("99") else None

    def subset(self, codes: Iterable[str]) -> HtsRevision:
        """The lines of ``codes`` with the 8-digit lines they take rates from; not complete."""
        keep: set[str] = set()
        for code in codes:
            found = self.line(code)
            if found is None:
                continue
            keep.update(
                c for c in (found.code, found.rate_from, found.code[:8]) if c in self._index
            )
        lines = {code: self._index[code] for code in sorted(keep)}
        return replace(self, lines=lines, unparsed=_unparsed(lines, {}), complete=False)


def revision_name(year: int, revision: int) -> str:
    """``HTSUS 2026 Revision 10``, or ``HTSUS 2026 Basic Edition`` for revision 0."""
    return f"HTSUS {year} " + (f"Revision {revision}" if revision else "Basic Edition")


def usitc_url(year: int, revision: int) -> str:
    """Where USITC publishes the JSON of a revision."""
    if revision:
        return f"{USITC_BASE_URL}hts_{year}_revision_{revision}_json.json"
    return f"{USITC_BASE_URL}hts_{year}_basic{'_edition' if year >= 2023 else ''}_json.json"  # noqa: PLR2004 - USITC renamed basic editions in 2023


def usitc_source(year: int, revision: int) -> Source:
    """The citation of a revision's official release."""
    edition = f"Revision {revision}" if revision else "Basic Edition"
    return Source(
        f"USITC, Harmonized Tariff Schedule of the United States ({year}) {edition}, JSON release",
        usitc_url(year, revision),
    )


@cache
def revision_dates() -> dict[tuple[int, int], date]:
    """(year, revision) -> effective date, from ``data/hts/revision_dates.csv``."""
    text = (files("cruce.reference") / "data" / "hts" / "revision_dates.csv").read_text("utf-8")
    return {
        (int(row["year"]), int(row["revision"])): date.fromisoformat(row["effective"])
        for row in csv.DictReader(io.StringIO(text))
    }


class _Row(NamedTuple):
    indent: int
    code: str
    description: str
    units: tuple[str, ...]
    general: str
    special: str
    other: str
    footnotes: tuple[str, ...]


def _too_large() -> HtsImportError:
    return HtsImportError(
        _("the HTS file is larger than the {limit} MB allowed", limit=MAX_JSON_BYTES >> 20)
    )


def _unreadable(path: Path, error: OSError) -> HtsImportError:
    return HtsImportError(_("cannot read {name}: {detail}", name=path.name, detail=error.strerror))


def _bad_row(index: int, key: str) -> HtsImportError:
    return HtsImportError(
        _("row {row} of the HTS file: '{field}' is missing or not valid", row=index + 1, field=key)
    )


def _text(item: dict[str, Any], key: str, index: int, *, required: bool = False) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _bad_row(index, key)
    return value


def _strings(item: dict[str, Any], key: str, index: int) -> tuple[str, ...]:
    values = item.get(key) or []
    if not isinstance(values, list):
        raise _bad_row(index, key)
    texts = []
    for value in values:
        text = value.get("value") if isinstance(value, dict) else value
        if not isinstance(text, str):
            raise _bad_row(index, key)
        cleaned = clean_text(text, footnotes=False)
        if cleaned and cleaned not in texts:
            texts.append(cleaned)
    return tuple(texts)


def _row(item: object, index: int) -> _Row:
    if not isinstance(item, dict):
        raise _bad_row(index, "row")
    indent = item.get("indent")
    if isinstance(indent, str) and indent.strip().isdigit():
        indent = int(indent)
    if not isinstance(indent, int) or isinstance(indent, bool) or not 0 <= indent <= 30:  # noqa: PLR2004 - sanity bound
        raise _bad_row(index, "indent")
    number = _text(item, "htsno", index, required=True)
    code = _NOT_DIGIT.sub("", number)
    if re.search(r"[^\d.\s]", number) or len(code) > 10:  # noqa: PLR2004 - HTS numbers have 10 digits at most
        raise _bad_row(index, "htsno")
    return _Row(
        indent=indent,
        code=code,
        description=clean_text(_text(item, "description", index, required=True), footnotes=False),
        units=_strings(item, "units", index),
        general=clean_text(_text(item, "general", index)),
        special=clean_text(_text(item, "special", index)),
        other=clean_text(_text(item, "other", index)),
        footnotes=_strings(item, "footnotes", index),
    )


def _decoded(data: bytes) -> bytes:
    """The JSON bytes of ``data``, gunzipped when needed, within :data:`MAX_JSON_BYTES`."""
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(data, MAX_JSON_BYTES + 1)
        except zlib.error as error:
            raise HtsImportError(
                _("the HTS file is not valid gzip ({detail})", detail=error)
            ) from None
        if not inflater.eof and len(data) <= MAX_JSON_BYTES:
            raise HtsImportError(_("the HTS file is not valid gzip ({detail})", detail="truncated"))
    if len(data) > MAX_JSON_BYTES:
        raise _too_large()
    return data


_RateCache = dict[str, tuple[Rate | None, str | None]]


def _rate(text: str, rates: _RateCache) -> tuple[Rate | None, str | None]:
    found = rates.get(text)
    if found is None:
        try:
            found = (parse_rate(text), None)
        except RateParseError as error:
            found = (None, str(error.reason))
        rates[text] = found
    return found


def _line(fields: tuple[Any, ...], rates: _RateCache) -> HtsLine:
    code, description, units, general_text, special_text, other_text, rate_from, footnotes = fields
    general, error = _rate(general_text, rates)
    other = _rate(other_text, rates)[0] if other_text else None
    programs = _special_programs(special_text)
    texts = (general_text, special_text, other_text)
    return HtsLine(
        code,
        description,
        tuple(units),
        *texts,
        general,
        error,
        other,
        programs,
        rate_from,
        tuple(footnotes),
    )


def _unparsed(lines: dict[str, HtsLine], rates: _RateCache) -> tuple[Unparsed, ...]:
    """(code, text, reason) of each rate text that could not be read, where it is written."""
    found = []
    for code in sorted(lines):
        line = lines[code]
        if line.rate_from != code:
            continue
        if line.general is None and line.general_text:
            found.append((code, line.general_text, f"general: {line.general_error}"))
        if line.other is None and line.other_text:
            reason = _rate(line.other_text, rates)[1]
            found.append((code, line.other_text, f"other: {reason}"))
    return tuple(found)


def _bearer(stack: list[_Row]) -> _Row | None:
    """The nearest row (the line itself first) whose rates a line takes."""
    for row in reversed(stack):
        if row.general:
            return row
    for row in reversed(stack):
        if row.special or row.other:
            return row
    return None


def import_usitc_json(data: bytes, *, year: int, revision: int, effective: date) -> HtsRevision:
    """Read a USITC HTS JSON release (plain or gzipped); HtsImportError when it cannot be."""
    raw = _decoded(data)
    try:
        rows = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise HtsImportError(_("the HTS file is not UTF-8 JSON ({detail})", detail=error)) from None
    if not isinstance(rows, list):
        raise HtsImportError(
            _("the HTS file is not a USITC JSON release: it holds no list of rows")
        )
    stack: list[_Row] = []
    lines: dict[str, HtsLine] = {}
    rates: _RateCache = {}
    for index, item in enumerate(rows):
        row = _row(item, index)
        while stack and stack[-1].indent >= row.indent:
            stack.pop()
        path = [ancestor.description for ancestor in stack if ancestor.description]
        stack.append(row)
        if len(row.code) not in (8, 10) or row.code in lines:
            continue
        bearer = _bearer(stack) or row
        footnotes = row.footnotes + tuple(n for n in bearer.footnotes if n not in row.footnotes)
        description = " > ".join([*path, row.description])
        texts = (bearer.general, bearer.special, bearer.other)
        fields = (row.code, description, row.units, *texts, bearer.code, footnotes)
        lines[row.code] = _line(fields, rates)
    if not lines:
        raise HtsImportError(_("the HTS file holds no 8- or 10-digit tariff lines"))
    return HtsRevision(
        name=revision_name(year, revision),
        year=year,
        revision=revision,
        effective=effective,
        sha256=hashlib.sha256(raw).hexdigest(),
        source=usitc_source(year, revision),
        lines=lines,
        unparsed=_unparsed(lines, rates),
    )


def import_hts_file(
    path: Path,
    *,
    year: int | None = None,
    revision: int | None = None,
    effective: date | None = None,
) -> HtsRevision:
    """Import an official file; year, revision and date come from its name when not given.

    ``hts_2026_revision_10_json.json`` (as USITC names it; ``.gz`` accepted) is 2026
    Revision 10, and its effective date comes from :func:`revision_dates`.
    """
    match = _FILE_NAME.fullmatch(path.name)
    if year is None or revision is None:
        if match is None:
            raise HtsImportError(
                _(
                    "cannot tell the year and revision from the file name {name}: give them",
                    name=path.name,
                )
            )
        year = int(match["year"]) if year is None else year
        revision = int(match["revision"] or 0) if revision is None else revision
    if effective is None:
        effective = revision_dates().get((year, revision))
        if effective is None:
            raise HtsImportError(
                _(
                    "the effective date of {edition} is not known: give it",
                    edition=revision_name(year, revision),
                )
            )
    try:
        too_large = path.stat().st_size > MAX_JSON_BYTES
        data = b"" if too_large else path.read_bytes()
    except OSError as error:
        raise _unreadable(path, error) from None
    if too_large:
        raise _too_large()
    return import_usitc_json(data, year=year, revision=revision, effective=effective)
