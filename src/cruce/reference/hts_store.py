"""HTS revisions side by side: saving, loading and choosing the one in force on a date.

:class:`HtsStore` holds revisions by effective date; :func:`default_store` gives the subsets
shipped with cruce, replaced by the full releases a user imported (``cruce reference
import-hts``) into the user data folder, saved by :func:`save_revision` as compact gzip JSON.
"""

from __future__ import annotations

import bisect
import gzip
import json
from datetime import date
from functools import cache, lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Final

import platformdirs

from cruce.i18n import _
from cruce.reference.facts import NotCoveredError, Source, write_table
from cruce.reference.hts import (  # the parsing helpers are shared with the importer
    _DAMAGED,
    FORMAT,
    HtsImportError,
    HtsLine,
    HtsRevision,
    _line,
    _RateCache,
    _unparsed,
    _unreadable,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


def file_name(revision: HtsRevision) -> str:
    """``htsus_2026_r10.json.gz``: the name under which a revision is saved."""
    return f"htsus_{revision.year}_r{revision.revision:02d}.json.gz"


_FIELDS: Final = ("code", "description", "units", "general", "special", "other", "from", "notes")


def _fields(line: HtsLine) -> list[object]:
    texts = [line.general_text, line.special_text, line.other_text]
    return [
        line.code,
        line.description,
        list(line.units),
        *texts,
        line.rate_from,
        list(line.footnotes),
    ]


def dump_revision(revision: HtsRevision) -> bytes:
    """The compact, deterministic form (gzip JSON) that :func:`load_revision` reads."""
    document = {
        "format": FORMAT,
        "name": revision.name,
        "year": revision.year,
        "revision": revision.revision,
        "effective": revision.effective.isoformat(),
        "sha256": revision.sha256,
        "source": {"citation": revision.source.citation, "url": revision.source.url},
        "complete": revision.complete,
        "lines": [_fields(line) for _code, line in sorted(revision.lines.items())],
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(what)


def load_revision(data: bytes, origin: str = "") -> HtsRevision:
    """Read what :func:`dump_revision` wrote; HtsImportError naming ``origin`` when damaged."""
    try:
        document = json.loads(gzip.decompress(data))
        _expect(document["format"] == FORMAT, "format")
        rates: _RateCache = {}
        lines = {}
        for fields in document["lines"]:
            _expect(isinstance(fields, list) and len(fields) == len(_FIELDS), "line")
            code, description, units, general, special, other, rate_from, notes = fields
            texts = (code, description, general, special, other, rate_from)
            _expect(set(map(type, texts)) == {str}, "line texts")
            _expect(type(units) is list and type(notes) is list, "line lists")
            lines[code] = _line(tuple(fields), rates)
        source = document["source"]
        return HtsRevision(
            name=str(document["name"]),
            year=int(document["year"]),
            revision=int(document["revision"]),
            effective=date.fromisoformat(document["effective"]),
            sha256=str(document["sha256"]),
            source=Source(str(source["citation"]), source["url"]),
            lines=lines,
            unparsed=_unparsed(lines, rates),
            complete=bool(document["complete"]),
        )
    except _DAMAGED as error:
        detail = repr(error)[:200]
        raise HtsImportError(
            _("the saved HTS revision {name} is damaged ({detail})", name=origin, detail=detail)
        ) from None


def save_revision(revision: HtsRevision, user_dir: Path) -> Path:
    """Write ``revision`` into ``user_dir`` (created if needed); return the file's path."""
    return write_table(user_dir, file_name(revision), dump_revision(revision))


@cache
def bundled_revisions() -> tuple[HtsRevision, ...]:
    """The subsets shipped in the package (``data/hts/htsus_*.json.gz``)."""
    folder = files("cruce.reference") / "data" / "hts"
    return tuple(
        load_revision(item.read_bytes(), item.name)
        for item in sorted(folder.iterdir(), key=lambda item: item.name)
        if item.name.startswith("htsus_") and item.name.endswith(".json.gz")
    )


@lru_cache(maxsize=8)
def _load_saved(path: Path, _mtime_ns: int, _size: int) -> HtsRevision:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _unreadable(path, error) from None
    return load_revision(data, str(path))


class HtsStore:
    """Revisions side by side, by effective date; :meth:`on` gives the one in force."""

    def __init__(self, revisions: Iterable[HtsRevision]) -> None:
        by_edition = {(item.year, item.revision): item for item in revisions}  # later ones win
        ordered = sorted(
            by_edition.values(), key=lambda item: (item.effective, item.year, item.revision)
        )
        self._revisions = tuple(ordered)
        self._dates = [item.effective for item in ordered]

    def on(self, day: date) -> HtsRevision:
        """The revision in force on ``day``: the latest that took effect on or before it."""
        position = bisect.bisect_right(self._dates, day)
        if position == 0:
            raise NotCoveredError("HTSUS", day)
        return self._revisions[position - 1]

    def revisions(self) -> tuple[HtsRevision, ...]:
        """Every revision held, oldest first."""
        return self._revisions


def user_hts_dir() -> Path:
    """Where imported revisions are kept: the user's data folder for cruce, ``hts``."""
    return platformdirs.user_data_path("cruce") / "hts"


def default_store(user_dir: Path | None = None) -> HtsStore:
    """The bundled subsets, replaced by the full revisions imported into ``user_dir``."""
    folder = user_hts_dir() if user_dir is None else user_dir
    revisions = list(bundled_revisions())
    if folder.is_dir():
        for path in sorted(folder.glob("htsus_*.json.gz")):
            status = path.stat()
            revisions.append(_load_saved(path, status.st_mtime_ns, status.st_size))
    return HtsStore(revisions)
