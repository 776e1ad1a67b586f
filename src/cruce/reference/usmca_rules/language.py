"""The rule language of the USMCA product-specific rules: parser, codes and tariff shifts.

One alternative per line (``CTH except 8481.90``, ``CTSH or from 8402.90 + RVC 60 TV / 50
NC``, ``NCTC + RVC 60 TV / 50 NC``); ``data/USMCA_RULES.md`` gives the grammar.
:func:`parse_rule` reads a line; :func:`shifts` says whether one material undergoes the
change of classification a :class:`TariffShift` asks for. Both are pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal

from cruce.i18n import Message, _

if TYPE_CHECKING:
    from collections.abc import Iterable

Level = Literal["chapter", "heading", "subheading"]
_PrefixIndex = tuple[tuple[int, frozenset[str]], ...]

_LEVELS: Final[dict[str, Level]] = {"CC": "chapter", "CTH": "heading", "CTSH": "subheading"}
_DIGITS: Final[dict[Level, int]] = {"chapter": 2, "heading": 4, "subheading": 6}
_MAX_TEXT: Final = 500
_MAX_RANGE: Final = 1000
_MEMO_SIZE: Final = 65_536
_PREFIX = r"[0-9]{2}(?:[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2})?)?)?"
_CODE = re.compile(rf"({_PREFIX})(?:-({_PREFIX}))?")
_PERCENT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?")
_TOKEN = re.compile(r"\s*(?:(?P<number>[0-9][0-9.\-]*)|(?P<word>[A-Za-z]+)|(?P<mark>[,+/]))")

GOOD_LENGTHS: Final = frozenset({6, 8, 10})
CODE_LENGTHS: Final = frozenset({4, 6, 8, 10})


class RuleSyntaxError(ValueError):
    """A rule line that is not in the rule language; ``position`` is 0-based in ``text``."""

    def __init__(self, text: str, position: int, reason: Message) -> None:
        super().__init__(f"{text[:120]!r}, at character {position + 1}: {reason}")
        self.text = text
        self.position = position
        self.reason = reason


def digits(code: str, lengths: frozenset[int]) -> str:
    """``code`` without dots or spaces; ValueError unless its length is one of ``lengths``."""
    plain = code.replace(".", "").replace(" ", "") if "." in code or " " in code else code
    if len(plain) not in lengths or not plain.isascii() or not plain.isdigit():
        raise ValueError(str(_("not a tariff classification cruce can read: {code}", code=code)))
    return plain


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
    good = digits(good_hs6, GOOD_LENGTHS)
    material = digits(material_hs, CODE_LENGTHS)
    if _has_prefix(material, shift._except) or material in shift._except_above:  # noqa: SLF001 - the index is the shift's own
        return False
    if shift.also_from and _has_prefix(material, shift._also):  # noqa: SLF001 - same
        return True
    level_digits = min(_DIGITS[shift.level], len(material))
    if material[:level_digits] == good[:level_digits]:
        return False
    return not shift.only_from or _has_prefix(material, shift._only)  # noqa: SLF001 - same
