"""What an origin decision returns: per material, per RVC computation, per good."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from cruce.i18n import KNOWN_LOCALES

if TYPE_CHECKING:
    from decimal import Decimal

    from cruce.i18n import Message
    from cruce.model.goods import LocalizedText, MaterialKind, OriginCriterion
    from cruce.model.money import Money
    from cruce.model.problems import Problem
    from cruce.reference.usmca_rules import Alternative, ProductRule

Method = Literal["transaction_value", "net_cost"]


class MaterialVerdict(NamedTuple):
    """One material: how it counts, whether it is originating and makes the tariff shift.

    ``position`` is the material's place in the bill of materials (0 for the first).
    ``vnm`` is what the material adds to the value of non-originating materials (zero when
    originating or disregarded; less than ``value`` under accumulation). ``shifts`` is None
    when the shift was not tested (originating, disregarded, or no shift in the alternative).
    ``intermediate`` is the decision on a self-produced intermediate material's own BOM.
    """

    position: int
    description: LocalizedText
    kind: MaterialKind
    value: Money
    vnm: Money
    originating: bool
    shifts: bool | None
    reason: Message
    intermediate: OriginResult | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form with the reason in English and Spanish."""
        return {
            "index": self.position,
            "description": {locale: self.description.get(locale) for locale in KNOWN_LOCALES},
            "kind": self.kind.value,
            "value": str(self.value),
            "non_originating_value": str(self.vnm),
            "originating": self.originating,
            "shifts": self.shifts,
            "reason": self.reason.both(),
            "intermediate": None if self.intermediate is None else self.intermediate.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class RvcResult:
    """A regional value content computation; ``percent`` is rounded for display only."""

    method: Method
    base: Money
    vnm: Money
    percent: Decimal
    threshold: Decimal
    passes: bool

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form; amounts and percentages as exact decimal text."""
        return {
            "method": self.method,
            "base": str(self.base),
            "vnm": str(self.vnm),
            "percent": str(self.percent),
            "threshold": str(self.threshold),
            "passes": self.passes,
        }


@dataclass(frozen=True, slots=True)
class OriginResult:
    """The origin decision of one good; ``qualifies`` None means not determined."""

    qualifies: bool | None
    criterion: OriginCriterion | None = None
    rule: ProductRule | None = None
    alternative: Alternative | None = None
    materials: tuple[MaterialVerdict, ...] = ()
    rvc: tuple[RvcResult, ...] = ()
    de_minimis: Decimal | None = None
    explanation: tuple[Message, ...] = ()
    suggestions: tuple[Message, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def vnm(self) -> Money | None:
        """The value of the non-originating materials counted, when there are materials."""
        if not self.materials:
            return None
        first = self.materials[0].vnm
        return sum((m.vnm for m in self.materials[1:]), first)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form with every message in English and Spanish."""
        rule = self.rule
        return {
            "qualifies": self.qualifies,
            "criterion": None if self.criterion is None else self.criterion.value,
            "rule": None
            if rule is None
            else {"scope": rule.scope, "text": rule.text, "citation": rule.citation},
            "alternative": None if self.alternative is None else self.alternative.text,
            "materials": [m.as_dict() for m in self.materials],
            "rvc": [r.as_dict() for r in self.rvc],
            "de_minimis": None if self.de_minimis is None else str(self.de_minimis),
            "explanation": [m.both() for m in self.explanation],
            "suggestions": [m.both() for m in self.suggestions],
            "problems": [p.as_dict() for p in self.problems],
        }
