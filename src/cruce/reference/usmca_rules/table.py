"""The table of USMCA product-specific rules: its rows, their loading and :func:`rule_for`.

Each row of ``data/usmca_psr.yaml`` keeps the legal text and its citation next to the
alternatives parsed from the rule language. A row with ``determinable`` False holds only
alternatives that are sufficient conditions: a good that meets none of them is "not
determined", never "does not qualify".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final

import yaml

from cruce.i18n import _
from cruce.reference.facts import (
    FactDataError,
    package_text,
    period_from,
    source_from,
    text_from,
)
from cruce.reference.usmca_rules.language import (
    CODE_LENGTHS,
    Alternative,
    RuleSyntaxError,
    digits,
    expand,
    parse_rule,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from cruce.reference.facts import Period, Source

DATA_FILE: Final = "usmca_psr.yaml"
_TARIFF_ITEM: Final = 8
_SCOPE = re.compile(r"([0-9]{4}(?:\.[0-9]{2}(?:\.[0-9]{2})?)?)(?:-([0-9.]+))?")
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
        code = digits(hs_code, CODE_LENGTHS)
        if len(code) < _TARIFF_ITEM and code in self._finer:
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
def default_table() -> RuleTable:
    """The shipped rules, indexed (read once)."""
    return RuleTable(rules())


def rule_for(hs_code: str, on: date) -> ProductRule | None:
    """The shipped rule for the good ``hs_code`` on ``on`` (see :meth:`RuleTable.rule_for`)."""
    return default_table().rule_for(hs_code, on)
