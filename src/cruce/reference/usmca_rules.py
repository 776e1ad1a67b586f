"""USMCA product-specific rules of origin (Annex 4-B, HTSUS General Note 11) as data.

The rows ship in ``data/usmca_psr.yaml``; ``data/USMCA_RULES.md`` documents the rule language
(one line per alternative: ``CTH except 8481.90``, ``CTSH or from 8402.90 + RVC 60 TV / 50
NC``, ``NCTC + RVC 60 TV / 50 NC``), the sources and what is not encoded. Each row keeps the
legal text and its citation next to the parsed alternatives. A row with ``determinable``
False holds only alternatives that are sufficient conditions: a good that meets none of
them is "not determined", never "does not qualify".

:func:`rule_for` finds the rule of a good (a dictionary probe per prefix length);
:func:`shifts` says whether one material undergoes the change of classification an
alternative asks for. Both are pure; the table is read once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Final, Literal

import yaml

from cruce.i18n import Message, _
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
    from collections.abc import Iterable
    from datetime import date

    from cruce.reference.facts import (
        Period,
        Source,
    )

Level = Literal["chapter", "heading", "subheading"]
_PrefixIndex = tuple[tuple[int, frozenset[str]], ...]

DATA_FILE: Final = "usmca_psr.yaml"
_LEVELS: Final[dict[str, Level]] = {"CC": "chapter", "CTH": "heading", "CTSH": "subheading"}
_DIGITS: Final[dict[Level, int]] = {"chapter": 2, "heading": 4, "subheading": 6}
_MAX_TEXT: Final = 500
_MAX_RANGE: Final = 1000
_MEMO_SIZE: Final = 65_536
_PREFIX = r"[0-9]{2}(?:[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2})?)?)?"
_CODE = re.compile(rf"({_PREFIX})(?:-({_PREFIX}))?")
_SCOPE = re.compile(r"([0-9]{4}(?:\.[0-9]{2}(?:\.[0-9]{2})?)?)(?:-([0-9.]+))?")
_PERCENT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?")
_TOKEN = re.compile(r"\s*(?:(?P<number>[0-9][0-9.\-]*)|(?P<word>[A-Za-z]+)|(?P<mark>[,+/]))")
_FIELDS: Final = frozenset(
    [
        "scope",
        "rule",
        "text",
        "citation",
        "start",
        "end",
        "determinable",
        "reason",
        "note",
        "source",
    ]
)


class RuleSyntaxError(ValueError):
    """A rule line that is not in the rule language; ``position`` is 0-based in ``text``."""

    def __init__(self, text: str, position: int, reason: Message) -> None:
        super().__init__(f"{text[:120]!r}, at character {position + 1}: {reason}")
        self.text = text
        self.position = position
        self.reason = reason


class CodeTooShortError(LookupError):
    """The rule of a good depends on more digits than its code gives (a tariff-item rule)."""

    def __init__(self, code: str) -> None:
        self.message = _(
            "the rule of origin of {code} depends on more digits: give the 8 or 10-digit "
            "tariff number",
            code=code,
        )
        super().__init__(str(self.message))
        self.code = code


def _digits(code: str, lengths: frozenset[int]) -> str:
    """``code`` without dots or spaces; ValueError unless its length is one of ``lengths``."""
    digits = code.replace(".", "").replace(" ", "") if "." in code or " " in code else code
    if len(digits) not in lengths or not digits.isascii() or not digits.isdigit():
        raise ValueError(str(_("not a tariff classification cruce can read: {code}", code=code)))
    return digits


_GOOD_LENGTHS: Final = frozenset({6, 8, 10})
_CODE_LENGTHS: Final = frozenset({4, 6, 8, 10})


def expand(code: str) -> tuple[str, ...]:
    """The digit prefixes a written code stands for: ``8481.90`` or ``7208-7229`` (inclusive)."""
    match = _CODE.fullmatch(code)
    if match is None:
        raise ValueError(f"'{code}' is not a chapter, heading, subheading or tariff item")
    low = match.group(1).replace(".", "")
    if match.group(2) is None:
        return (low,)
    high = match.group(2).replace(".", "")
    if len(high) != len(low) or high < low:
        raise ValueError(f"'{code}': a range joins two codes of one length, the lower first")
    if int(high) - int(low) >= _MAX_RANGE:
        raise ValueError(f"'{code}': a range spans at most {_MAX_RANGE} codes")
    return tuple(str(number).zfill(len(low)) for number in range(int(low), int(high) + 1))


def _index(codes: Iterable[str]) -> _PrefixIndex:
    prefixes = {prefix for code in codes for prefix in expand(code)}
    lengths = sorted({len(prefix) for prefix in prefixes})
    return tuple((n, frozenset(p for p in prefixes if len(p) == n)) for n in lengths)


def _has_prefix(code: str, index: _PrefixIndex) -> bool:
    for length, group in index:  # noqa: SIM110 - a plain loop: no generator on the hot path
        if code[:length] in group:
            return True
    return False


@dataclass(frozen=True, slots=True)
class TariffShift:
    """A required change of chapter, heading or subheading of the non-originating materials.

    Materials of ``except_from`` never qualify. With ``only_from``, only materials of those
    codes qualify (and they must still change at ``level``). Materials of ``also_from``
    qualify whether or not they change at ``level`` (the legal "from subheading 8402.90,
    whether or not there is also a change from any other heading"). Codes are written as in
    the rule: ``72``, ``7208``, ``8481.90``, ``8466.93.15``, ranges ``7208-7229``.
    """

    level: Level
    except_from: tuple[str, ...] = ()
    only_from: tuple[str, ...] = ()
    also_from: tuple[str, ...] = ()
    _except: _PrefixIndex = field(init=False, repr=False, compare=False)
    _except_above: frozenset[str] = field(init=False, repr=False, compare=False)
    _only: _PrefixIndex = field(init=False, repr=False, compare=False)
    _also: _PrefixIndex = field(init=False, repr=False, compare=False)
    _memo: dict[tuple[str, str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.level not in _DIGITS:
            raise ValueError(f"unknown level of change: {self.level!r}")
        excepted = _index(self.except_from)
        above = {p[:n] for _len, group in excepted for p in group for n in (2, 4, 6) if n < len(p)}
        object.__setattr__(self, "_except", excepted)
        object.__setattr__(self, "_except_above", frozenset(above))
        object.__setattr__(self, "_only", _index(self.only_from))
        object.__setattr__(self, "_also", _index(self.also_from))
        object.__setattr__(self, "_memo", {})


@dataclass(frozen=True, slots=True)
class Rvc:
    """Regional value content thresholds in percent; None: that method is not offered."""

    transaction_value: Decimal | None
    net_cost: Decimal | None

    def __post_init__(self) -> None:
        if self.transaction_value is None and self.net_cost is None:
            raise ValueError("a regional value content needs at least one threshold")


@dataclass(frozen=True, slots=True)
class Alternative:
    """One way to meet a rule: the shift and the RVC, both required when both are present."""

    shift: TariffShift | None
    rvc: Rvc | None
    text: str

    def __post_init__(self) -> None:
        if self.shift is None and self.rvc is None:
            raise ValueError("an alternative needs a tariff shift, a value content or both")


@dataclass(frozen=True, slots=True)
class ProductRule:
    """The rule of the goods of ``scope`` in force for ``period``; any alternative suffices."""

    scope: str
    alternatives: tuple[Alternative, ...]
    text: str
    citation: str
    period: Period
    source: Source
    determinable: bool
    reason: str
    note: str = ""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while text[position:].strip():
            match = _TOKEN.match(text, position)
            if match is None or match.lastgroup is None:
                at = len(text) - len(text[position:].lstrip())
                raise self.error(at, _("'{char}' is not part of a rule", char=text[at]))
            kind = match.lastgroup
            self.tokens.append((kind, match.group(kind), match.start(kind)))
            position = match.end()
        self.at = 0

    def error(self, position: int, reason: Message) -> RuleSyntaxError:
        return RuleSyntaxError(self.text, position, reason)

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            reason = _("the rule ends where {expected} was expected", expected=expected)
            raise self.error(len(self.text), reason)
        self.at += 1
        return token

    def expect(self, *values: str) -> str:
        """The next token, which must be one of ``values`` (keywords and marks)."""
        expected = " or ".join(f"'{value}'" for value in values)
        _kind, value, position = self.take(expected)
        if value not in values:
            reason = _("expected {expected}, not '{found}'", expected=expected, found=value)
            raise self.error(position, reason)
        return value

    def accept(self, value: str) -> bool:
        """Consume the next token when it is ``value``."""
        token = self.peek()
        if token is None or token[1] != value:
            return False
        self.at += 1
        return True

    def alternative(self) -> Alternative:
        first = self.peek()
        if first is None:
            raise self.error(0, _("the rule is empty"))
        shift = rvc = None
        if self.accept("NCTC"):
            self.expect("+")
            rvc = self.rvc()
        elif first[1] == "RVC":
            rvc = self.rvc()
        elif first[1] in _LEVELS:
            shift = self.shift()
            if self.accept("+"):
                rvc = self.rvc()
        else:
            reason = _(
                "a rule starts with CC, CTH, CTSH, NCTC or RVC, not '{found}'", found=first[1]
            )
            raise self.error(first[2], reason)
        if (token := self.peek()) is not None:
            raise self.error(token[2], _("'{found}' follows the end of the rule", found=token[1]))
        return Alternative(shift, rvc, " ".join(self.text.split()))

    def shift(self) -> TariffShift:
        level = _LEVELS[self.take("a level")[1]]
        clauses: dict[str, tuple[str, ...]] = {}
        while (token := self.peek()) is not None and token[1] in {"from", "except", "or"}:
            self.at += 1
            clause = token[1]
            if clause == "or":
                self.expect("from")
                clause = "or from"
            if clause in clauses:
                raise self.error(token[2], _("'{clause}' appears twice", clause=clause))
            clauses[clause] = self.codes()
        return TariffShift(
            level, clauses.get("except", ()), clauses.get("from", ()), clauses.get("or from", ())
        )

    def codes(self) -> tuple[str, ...]:
        codes: list[str] = []
        while True:
            kind, value, position = self.take("a tariff code")
            if kind != "number":
                raise self.error(position, _("expected a tariff code, not '{found}'", found=value))
            try:
                expand(value)
            except ValueError:
                reason = _(
                    "'{code}' is not a chapter, heading, subheading, tariff item or a range "
                    "of one of them",
                    code=value,
                )
                raise self.error(position, reason) from None
            codes.append(value)
            if not self.accept(","):
                return tuple(codes)

    def percent(self) -> Decimal:
        kind, value, position = self.take("a percentage")
        if kind != "number" or not _PERCENT.fullmatch(value) or not 0 < Decimal(value) <= 100:  # noqa: PLR2004 - a percentage
            reason = _("'{found}' is not a percentage above 0 and at most 100", found=value)
            raise self.error(position, reason)
        return Decimal(value)

    def rvc(self) -> Rvc:
        self.expect("RVC")
        first = self.percent()
        if self.expect("TV", "NC") == "NC":
            return Rvc(None, first)
        if not self.accept("/"):
            return Rvc(first, None)
        second = self.percent()
        self.expect("NC")
        return Rvc(first, second)


def parse_rule(text: str) -> Alternative:
    """One alternative written in the rule language; RuleSyntaxError says where and why not."""
    if len(text) > _MAX_TEXT:
        reason = _("a rule line has at most {limit} characters", limit=_MAX_TEXT)
        raise RuleSyntaxError(text, _MAX_TEXT, reason)
    return _Parser(text).alternative()


def shifts(shift: TariffShift, good_hs6: str, material_hs: str) -> bool:
    """True when a non-originating material of ``material_hs`` makes the change to the good.

    ``good_hs6`` has 6, 8 or 10 digits; ``material_hs`` 4, 6, 8 or 10 (dots allowed). False
    also when the material's code is too short to show the change: a 4-digit material of
    the good's heading against a change of subheading, or a 6-digit material under an
    8-digit exception (it may be the excepted tariff item).
    """
    # A BOM asks the same (good, material) pairs again and again: the answer is memoised
    # per shift (a bounded dictionary; the function stays pure).
    key = (good_hs6, material_hs)
    memo = shift._memo  # noqa: SLF001 - the memo is the shift's own
    found = memo.get(key)
    if found is None:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        found = memo[key] = _shifts(shift, good_hs6, material_hs)
    return found


def _shifts(shift: TariffShift, good_hs6: str, material_hs: str) -> bool:
    good = _digits(good_hs6, _GOOD_LENGTHS)
    material = _digits(material_hs, _CODE_LENGTHS)
    if _has_prefix(material, shift._except) or material in shift._except_above:  # noqa: SLF001 - the index is the shift's own
        return False
    if shift.also_from and _has_prefix(material, shift._also):  # noqa: SLF001 - same
        return True
    digits = min(_DIGITS[shift.level], len(material))
    if material[:digits] == good[:digits]:
        return False
    return not shift.only_from or _has_prefix(material, shift._only)  # noqa: SLF001 - same


def _scope_keys(scope: str, where: str) -> tuple[tuple[str, ...], bool]:
    """The digit keys ``scope`` covers, and whether it is a range; FactDataError otherwise."""
    if not _SCOPE.fullmatch(scope):
        raise FactDataError(f"{where}: scope '{scope}' is not a heading, subheading, item or range")
    try:
        return expand(scope), "-" in scope
    except ValueError as error:
        raise FactDataError(f"{where}: {error}") from error


def _row(row: object, number: int, default: Source | None) -> ProductRule:
    if not isinstance(row, dict):
        raise FactDataError(f"rule #{number}: a row must be a mapping")
    where = f"rule #{number} ({row.get('scope', '?')})"
    unknown = set(row) - _FIELDS
    if unknown:
        raise FactDataError(f"{where}: unknown fields {sorted(unknown)}")
    scope = text_from(row, "scope", where)
    _scope_keys(scope, where)
    lines = row.get("rule", [])
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise FactDataError(f"{where}: 'rule' is a list of rule lines")
    try:
        alternatives = tuple(parse_rule(line) for line in lines)
    except RuleSyntaxError as error:
        raise FactDataError(f"{where}: {error}") from error
    determinable = row.get("determinable")
    reason = row.get("reason", "")
    note = row.get("note", "")
    if not isinstance(determinable, bool):
        raise FactDataError(f"{where}: 'determinable' is true or false")
    if not isinstance(reason, str) or not isinstance(note, str):
        raise FactDataError(f"{where}: 'reason' and 'note' are text")
    if determinable and (reason.strip() or not alternatives):
        raise FactDataError(f"{where}: a determinable rule has alternatives and no reason")
    if not determinable and not reason.strip():
        raise FactDataError(f"{where}: a rule that is not determinable says why in 'reason'")
    own = row.get("source")
    source = source_from(own, where) if own is not None or default is None else default
    return ProductRule(
        scope=scope,
        alternatives=alternatives,
        text=" ".join(text_from(row, "text", where).split()),
        citation=" ".join(text_from(row, "citation", where).split()),
        period=period_from(row, where),
        source=source,
        determinable=determinable,
        reason=" ".join(reason.split()),
        note=" ".join(note.split()),
    )


def parse_table(text: str) -> tuple[ProductRule, ...]:
    """The rules of a YAML document (``source`` for every row, ``rules`` the rows)."""
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise FactDataError("the document needs a list under 'rules'")
    default = None
    if document.get("source") is not None:
        default = source_from(document["source"], "the document")
    table = tuple(_row(row, number, default) for number, row in enumerate(document["rules"], 1))
    RuleTable(table)  # refuses overlapping rows
    return table


class RuleTable:
    """The rules indexed by the digits of their scopes, for :meth:`rule_for`."""

    def __init__(self, rows: Iterable[ProductRule]) -> None:
        self.rows = tuple(rows)
        # (exact scopes, ranges): subheading over heading over range, as in rule_for
        self._exact: dict[str, list[ProductRule]] = {}
        self._ranged: dict[str, list[ProductRule]] = {}
        for rule in self.rows:
            keys, ranged = _scope_keys(rule.scope, rule.scope)
            target = self._ranged if ranged else self._exact
            for key in keys:
                for other in target.get(key, []):
                    if rule.period.overlaps(other.period):
                        raise FactDataError(
                            f"{rule.scope}: overlaps {other.scope} from {other.period.start}"
                        )
                target.setdefault(key, []).append(rule)
        self._finer = frozenset(
            key[:n] for key in (*self._exact, *self._ranged) for n in (4, 6) if n < len(key)
        )
        self._order = tuple((n, table) for n in (8, 6, 4) for table in (self._exact, self._ranged))

    def rule_for(self, hs_code: str, on: date) -> ProductRule | None:
        """The most specific rule covering ``hs_code`` in force on ``on``; None if none is.

        Tariff item over subheading over heading; at each length an exact scope over a
        range. CodeTooShortError when a rule of a longer code lies under ``hs_code``.
        """
        code = _digits(hs_code, _CODE_LENGTHS)
        if len(code) < 8 and code in self._finer:  # noqa: PLR2004 - tariff-item length
            raise CodeTooShortError(hs_code)
        for length, table in self._order:
            if length <= len(code):
                for rule in table.get(code[:length], ()):
                    if rule.period.covers(on):
                        return rule
        return None


@cache
def rules() -> tuple[ProductRule, ...]:
    """Every product-specific rule shipped with cruce, in the order of the data file."""
    return parse_table(package_text(DATA_FILE))


@cache
def _table() -> RuleTable:
    return RuleTable(rules())


def rule_for(hs_code: str, on: date) -> ProductRule | None:
    """The shipped rule for the good ``hs_code`` on ``on`` (see :meth:`RuleTable.rule_for`)."""
    return _table().rule_for(hs_code, on)


@dataclass(frozen=True, slots=True)
class DeMinimis:
    """The de minimis share of non-originating materials (percent of the transaction value)."""

    percent: Decimal
    period: Period
    source: Source


@cache
def _de_minimis_rows() -> tuple[DeMinimis, ...]:
    document = yaml.safe_load(package_text(DATA_FILE))
    row = (document.get("general") or {}).get("de_minimis")
    where = f"{DATA_FILE}: general.de_minimis"
    if not isinstance(row, dict):
        raise FactDataError(f"{where} is missing")
    return (
        DeMinimis(
            Decimal(text_from(row, "percent", where)),
            period_from(row, where),
            source_from(row.get("source"), where),
        ),
    )


def de_minimis(on: date) -> DeMinimis:
    """The de minimis threshold in force on ``on``; NotCoveredError before USMCA."""
    return in_force(_de_minimis_rows(), on, "USMCA de minimis")
