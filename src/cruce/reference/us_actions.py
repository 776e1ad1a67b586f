"""US tariff actions (IEEPA, Section 122, Section 301, Section 232) as dated, sourced rows.

The rows ship in ``data/us_tariff_actions.yaml`` with their product scopes in
``data/us_scope_*.csv`` (see ``data/US_SOURCES.md``). A new action is a new row: nothing
here knows any action by name. :func:`applicable` answers which actions reach a 10-digit
HTS line of a given origin entered on a given day; :func:`usmca_exempt` whether a USMCA
claim exempts it. A row with ``determinable=False`` marks goods cruce cannot price for that
action (partial USMCA treatment, scope lists not shipped): a quote must say "not
determined" rather than use its rate.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Final, Literal, TypeVar, get_args

import yaml

from cruce.reference.facts import (
    FactDataError,
    Period,
    Source,
    package_text,
    period_from,
    source_from,
    text_from,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import date

Authority = Literal["IEEPA", "Section 122", "Section 301", "Section 232"]
Basis = Literal["value", "metal_content"]
_T = TypeVar("_T", bound=str)
_PrefixIndex = tuple[tuple[int, frozenset[str]], ...]

DATA_FILE: Final = "us_tariff_actions.yaml"
_HEADING = re.compile(r"9903\.[0-9]{2}\.[0-9]{2}")
_PREFIX = re.compile(r"[0-9]{2,10}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_SCOPE_FILE = re.compile(r"us_scope_[a-z0-9_]+\.csv")
_FIELDS: Final = frozenset(
    {
        "key",
        "authority",
        "heading",
        "description",
        "rate",
        "basis",
        "origins",
        "includes",
        "excludes",
        "includes_files",
        "excludes_files",
        "not_with",
        "usmca_exemption",
        "start",
        "end",
        "determinable",
        "source",
        "notes",
    }
)


@dataclass(frozen=True, slots=True)
class UsmcaExemption:
    """The Chapter 99 heading under which USMCA-claimed goods escape an action, and when."""

    heading: str
    period: Period
    source: Source


@dataclass(frozen=True, slots=True)
class TariffAction:
    """One additional duty, in force for ``period``, on the products and origins in scope.

    ``includes`` empty means every product; ``origins`` empty means every origin. An action
    does not apply to a good when another applying action is named in ``not_with``.
    """

    key: str
    authority: Authority
    heading: str
    description: str
    rate: Decimal
    basis: Basis
    origins: frozenset[str]
    includes: tuple[str, ...]
    excludes: tuple[str, ...]
    not_with: tuple[str, ...]
    usmca_exemption: UsmcaExemption | None
    period: Period
    source: Source
    notes: str
    determinable: bool = True
    _included: _PrefixIndex = field(init=False, repr=False, compare=False)
    _excluded: _PrefixIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_included", _index(self.includes))
        object.__setattr__(self, "_excluded", _index(self.excludes))

    def covers_product(self, hts10: str) -> bool:
        """True when ``hts10`` (digits only) is in the action's product scope."""
        if self.includes and not _has_prefix(hts10, self._included):
            return False
        return not _has_prefix(hts10, self._excluded)

    def covers_origin(self, origin: str) -> bool:
        """True when goods of ``origin`` (ISO alpha-2) are reached by the action."""
        return not self.origins or origin in self.origins


def _index(prefixes: tuple[str, ...]) -> _PrefixIndex:
    """Prefixes grouped by length, so a lookup costs one set probe per length."""
    lengths = sorted({len(prefix) for prefix in prefixes})
    return tuple((length, frozenset(p for p in prefixes if len(p) == length)) for length in lengths)


def _has_prefix(code: str, index: _PrefixIndex) -> bool:
    for length, group in index:  # noqa: SIM110 - a plain loop: no generator on the hot path
        if code[:length] in group:
            return True
    return False


def _strings(value: object, name: str, where: str) -> list[str]:
    """A list of strings; nested lists (YAML aliases of lists) are flattened one level."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise FactDataError(f"{where}: '{name}' must be a list")
    flat: list[str] = []
    for item in value:
        items = item if isinstance(item, list) else [item]
        for text in items:
            if not isinstance(text, str):
                raise FactDataError(f"{where}: '{name}' holds {text!r}, not text")
            flat.append(text)
    return flat


def _prefixes(
    row: Mapping[str, object],
    name: str,
    where: str,
    read_scope: Callable[[str], str],
) -> tuple[str, ...]:
    prefixes = _strings(row.get(name), name, where)
    for file_name in _strings(row.get(f"{name}_files"), f"{name}_files", where):
        if not _SCOPE_FILE.fullmatch(file_name):
            raise FactDataError(f"{where}: '{file_name}' is not a scope file name")
        prefixes.extend(_read_scope(read_scope(file_name), file_name))
    for prefix in prefixes:
        if not _PREFIX.fullmatch(prefix):
            raise FactDataError(f"{where}: '{prefix}' in '{name}' is not an HTS prefix")
    return tuple(dict.fromkeys(prefixes))


def _read_scope(text: str, file_name: str) -> list[str]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ["hts_prefix"]:
        raise FactDataError(f"{file_name}: the only column must be 'hts_prefix'")
    return [row["hts_prefix"].strip() for row in reader]


def _exemption(value: object, where: str) -> UsmcaExemption | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FactDataError(f"{where}: 'usmca_exemption' must be a mapping")
    inner = f"{where} usmca_exemption"
    heading = text_from(value, "heading", inner)
    if not _HEADING.fullmatch(heading):
        raise FactDataError(f"{inner}: '{heading}' is not a Chapter 99 heading")
    return UsmcaExemption(
        heading, period_from(value, inner), source_from(value.get("source"), inner)
    )


def _choice(value: str, allowed: tuple[_T, ...], name: str, where: str) -> _T:
    for option in allowed:
        if option == value:
            return option
    raise FactDataError(f"{where}: '{name}' must be one of {', '.join(allowed)}")


def _action(row: object, index: int, read_scope: Callable[[str], str]) -> TariffAction:
    if not isinstance(row, dict):
        raise FactDataError(f"action #{index}: a row must be a mapping")
    where = f"action #{index} ({row.get('key', '?')})"
    unknown = set(row) - _FIELDS
    if unknown:
        raise FactDataError(f"{where}: unknown fields {sorted(unknown)}")
    source = source_from(row.get("source"), where)
    period = period_from(row, where)
    heading = text_from(row, "heading", where)
    if not _HEADING.fullmatch(heading):
        raise FactDataError(f"{where}: '{heading}' is not a Chapter 99 heading")
    try:
        rate = Decimal(text_from(row, "rate", where))
    except InvalidOperation as error:
        raise FactDataError(f"{where}: 'rate' is not a decimal") from error
    if not Decimal(0) <= rate <= Decimal(1):
        raise FactDataError(f"{where}: 'rate' is a fraction between 0 and 1, got {rate}")
    origins = _strings(row.get("origins"), "origins", where)
    if not all(_COUNTRY.fullmatch(origin) for origin in origins):
        raise FactDataError(f"{where}: 'origins' are ISO 3166 alpha-2 codes")
    determinable = row.get("determinable", True)
    if not isinstance(determinable, bool):
        raise FactDataError(f"{where}: 'determinable' is true or false")
    notes = row.get("notes", "")
    if not isinstance(notes, str):
        raise FactDataError(f"{where}: 'notes' must be text")
    return TariffAction(
        key=text_from(row, "key", where),
        authority=_choice(
            text_from(row, "authority", where), get_args(Authority), "authority", where
        ),
        heading=heading,
        description=text_from(row, "description", where),
        rate=rate,
        basis=_choice(text_from(row, "basis", where), get_args(Basis), "basis", where),
        origins=frozenset(origins),
        includes=_prefixes(row, "includes", where, read_scope),
        excludes=_prefixes(row, "excludes", where, read_scope),
        not_with=tuple(_strings(row.get("not_with"), "not_with", where)),
        usmca_exemption=_exemption(row.get("usmca_exemption"), where),
        period=period,
        source=source,
        notes=" ".join(notes.split()),
        determinable=determinable,
    )


def check_table(rows: Iterable[TariffAction]) -> None:
    """Refuse a table whose rows of one key overlap or that names an unknown key."""
    table = list(rows)
    keys = {action.key for action in table}
    for number, action in enumerate(table):
        missing = set(action.not_with) - keys
        if missing:
            raise FactDataError(f"{action.key}: not_with names unknown keys {sorted(missing)}")
        for other in table[number + 1 :]:
            if other.key == action.key and action.period.overlaps(other.period):
                raise FactDataError(
                    f"{action.key}: rows from {action.period.start} and "
                    f"{other.period.start} overlap"
                )


def parse_actions(text: str, read_scope: Callable[[str], str]) -> tuple[TariffAction, ...]:
    """The actions of a YAML document; scope files are read with ``read_scope(name)``."""
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or not isinstance(document.get("actions"), list):
        raise FactDataError("the document needs a list under 'actions'")
    table = tuple(
        _action(row, index, read_scope) for index, row in enumerate(document["actions"], 1)
    )
    check_table(table)
    return table


@cache
def actions() -> tuple[TariffAction, ...]:
    """Every tariff action shipped with cruce, in the order of the data file."""
    return parse_actions(package_text(DATA_FILE), package_text)


@lru_cache(maxsize=1024)
def _in_force_on(on: date) -> tuple[TariffAction, ...]:
    return tuple(action for action in actions() if action.period.covers(on))


def normalise_hts(code: str) -> str:
    """``code`` without dots or spaces; ValueError unless 10 digits remain."""
    digits = code.replace(".", "").replace(" ", "")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():  # noqa: PLR2004 - HTS statistical suffix length
        raise ValueError(f"not a 10-digit HTS number: {code!r}")
    return digits


def usmca_exempt(action: TariffAction, on: date) -> bool:
    """True when a USMCA claim exempts goods entered on ``on`` from ``action``."""
    exemption = action.usmca_exemption
    return exemption is not None and exemption.period.covers(on)


def applicable(
    hts10: str,
    origin: str,
    on: date,
    *,
    usmca_claimed: bool = False,
) -> list[TariffAction]:
    """The actions reaching ``hts10`` of ``origin`` entered on ``on``, in data-file order.

    An action named in another's ``not_with`` displaces it only when it applies itself:
    with ``usmca_claimed``, an action the claim exempts (see :func:`usmca_exempt`) still
    appears in the result (its exemption heading must be reported) but displaces nothing.
    Displacement is one level deep: a displaced action still displaces the ones it names.
    A returned action with ``determinable`` False that the claim does not exempt means the
    duty of the good cannot be computed: the quote must say "not determined".
    """
    code = normalise_hts(hts10)
    country = origin.strip().upper()
    if not _COUNTRY.fullmatch(country):
        raise ValueError(f"not an ISO 3166 alpha-2 country code: {origin!r}")
    return list(_applicable(code, country, on, usmca_claimed=usmca_claimed))


@lru_cache(maxsize=16_384)
def _applicable(
    code: str, country: str, on: date, *, usmca_claimed: bool
) -> tuple[TariffAction, ...]:
    # A quote asks the same few (code, origin, date) many times: the table is immutable, so
    # the answer is cached.
    matched = [
        action
        for action in _in_force_on(on)
        if action.covers_origin(country) and action.covers_product(code)
    ]
    applying = {
        action.key for action in matched if not (usmca_claimed and usmca_exempt(action, on))
    }
    return tuple(action for action in matched if applying.isdisjoint(action.not_with))
