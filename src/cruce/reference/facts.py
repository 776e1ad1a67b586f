"""Dated facts: every rate, fee, threshold and tariff action is a row with a period and a source.

A fact is in force from ``start`` to ``end`` inclusive (``end`` None: still in force). Its
``source`` names the legal text it comes from (a Federal Register or DOF citation, a CBP
decision, a USITC release), so every figure computed from it can say where it came from.
Tests fail when a shipped row lacks either.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact comes from: the citation a broker or an auditor can look up."""

    citation: str
    url: str | None = None

    def __post_init__(self) -> None:
        if not self.citation.strip():
            raise ValueError("a fact needs the citation of its source")


@dataclass(frozen=True, slots=True)
class Period:
    """From ``start`` to ``end``, both days included; ``end`` None means still in force."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"a period cannot end ({self.end}) before it starts ({self.start})")

    def covers(self, on: date) -> bool:
        """True when ``on`` falls in the period."""
        return self.start <= on and (self.end is None or on <= self.end)

    def overlaps(self, other: Period) -> bool:
        """True when the two periods share at least one day."""
        own_end = self.end or date.max
        other_end = other.end or date.max
        return self.start <= other_end and other.start <= own_end


class Dated(Protocol):
    """A fact with its period and source."""

    @property
    def period(self) -> Period:
        """When the fact is in force."""
        ...

    @property
    def source(self) -> Source:
        """Where it comes from."""
        ...


D = TypeVar("D", bound=Dated)


class NotCoveredError(LookupError):
    """No row of a table is in force on the date asked for."""

    def __init__(self, table: str, on: date) -> None:
        super().__init__(f"{table}: no row in force on {on.isoformat()}")
        self.table = table
        self.on = on


def in_force(rows: tuple[D, ...] | list[D], on: date, table: str) -> D:
    """The one row of ``rows`` in force on ``on``; NotCoveredError when there is none."""
    for row in rows:
        if row.period.covers(on):
            return row
    raise NotCoveredError(table, on)


def all_in_force(rows: tuple[D, ...] | list[D], on: date) -> list[D]:
    """Every row of ``rows`` in force on ``on`` (tariff actions can stack)."""
    return [row for row in rows if row.period.covers(on)]


def write_table(directory: Path, name: str, data: bytes) -> Path:
    """Write a user's imported table whole or not at all (a temporary file, then a rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    target = directory / name
    Path(temporary).replace(target)
    return target


# ---------------------------------------------------------------- reading fact files


class FactDataError(ValueError):
    """A row of a dated-fact data file is incomplete or malformed; the table is refused."""


def package_text(name: str) -> str:
    """The text of ``data/<name>`` shipped in the package."""
    return files("cruce.reference").joinpath("data", name).read_text(encoding="utf-8")


def text_from(row: Mapping[str, object], name: str, where: str) -> str:
    """The non-empty text field ``name`` of ``row``; FactDataError otherwise."""
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise FactDataError(f"{where}: '{name}' is missing or empty")
    return value.strip()


def date_from(value: object, name: str, where: str) -> date:
    """A date written in a fact file (YAML date or ``YYYY-MM-DD``); FactDataError otherwise."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FactDataError(f"{where}: '{name}' must be a date (YYYY-MM-DD), got {value!r}")


def period_from(row: Mapping[str, object], where: str) -> Period:
    """The period of ``row`` (``start`` required, ``end`` optional); FactDataError otherwise."""
    if row.get("start") is None:
        raise FactDataError(f"{where}: 'start' is missing")
    start = date_from(row["start"], "start", where)
    end = None if row.get("end") is None else date_from(row["end"], "end", where)
    try:
        return Period(start, end)
    except ValueError as error:
        raise FactDataError(f"{where}: {error}") from error


def source_from(value: object, where: str) -> Source:
    """A row's source: a citation (text, or ``{citation, url}``); FactDataError without one."""
    if isinstance(value, str):
        value = {"citation": value}
    if not isinstance(value, dict):
        raise FactDataError(f"{where}: 'source' is missing (a citation is required)")
    citation = value.get("citation")
    url = value.get("url")
    if not isinstance(citation, str) or not citation.strip():
        raise FactDataError(f"{where}: 'source' has no citation")
    if url is not None and not isinstance(url, str):
        raise FactDataError(f"{where}: 'source.url' must be text")
    return Source(" ".join(citation.split()), url)


R = TypeVar("R", bound=Dated)


def grouped_rows(
    document: Mapping[str, object],
    name: str,
    build: Callable[[Mapping[str, object], str], R],
    group: Callable[[R], str],
) -> tuple[R, ...]:
    """The rows of the list ``name`` in ``document``, each built by ``build``.

    FactDataError when the list is missing or empty, a row is not a mapping, or two rows of
    the same ``group`` are in force at once.
    """
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
