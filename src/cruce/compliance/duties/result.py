"""What a landed-cost quote is made of: components with rate, base, amount and legal source."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from cruce.model.money import Money, total_by_currency
from cruce.model.problems import has_blockers

if TYPE_CHECKING:
    from datetime import date

    from cruce.i18n import Message
    from cruce.model import FxRate, Problem
    from cruce.reference.facts import Source


@dataclass(frozen=True, slots=True)
class Component:
    """One duty, tax or fee: how much, on what, at what rate, by what law, reported how.

    ``amount`` is None when cruce cannot determine it (a rate not loaded, a quantity
    missing): the quote then says "not determined" instead of showing a wrong number.
    """

    key: str
    label: Message
    rate: str
    base: Money | None
    amount: Money | None
    report: str | None
    source: Source | None
    note: Message | None = None

    @property
    def determined(self) -> bool:
        """The amount is known."""
        return self.amount is not None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, messages in both languages."""
        return {
            "key": self.key,
            "label": self.label.both(),
            "rate": self.rate,
            "base": _money(self.base),
            "amount": _money(self.amount),
            "determined": self.determined,
            "report": self.report,
            "source": None
            if self.source is None
            else {"citation": self.source.citation, "url": self.source.url},
            "note": None if self.note is None else self.note.both(),
        }


def percent(fraction: Decimal) -> str:
    """``Decimal("0.025")`` -> ``"2.5%"``: as the law writes a rate, without trailing zeros."""
    text = format((fraction * 100).normalize(), "f")
    return f"{text}%"


def _money(value: Money | None) -> dict[str, str] | None:
    return None if value is None else {"amount": str(value.amount), "currency": value.currency}


@dataclass(frozen=True, slots=True)
class LineCost:
    """The customs value of one goods line and what it pays."""

    index: int
    customs_value: Money | None
    components: tuple[Component, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "line": self.index + 1,
            "customs_value": _money(self.customs_value),
            "components": [c.as_dict() for c in self.components],
        }


@dataclass(frozen=True, slots=True)
class LandedCost:
    """Duties, taxes and fees of a shipment at its destination's border on one date."""

    reference: str
    destination: str
    on: date
    currency: str
    usmca: str
    lines: tuple[LineCost, ...]
    entry: tuple[Component, ...]
    problems: tuple[Problem, ...]
    fx: FxRate | None = None
    tariff_edition: str | None = None
    notes: tuple[Message, ...] = field(default=())

    def components(self) -> list[Component]:
        """Every component of every line, then the entry's."""
        return [c for line in self.lines for c in line.components] + list(self.entry)

    @property
    def complete(self) -> bool:
        """Every component was determined and nothing blocks the quote."""
        return all(c.determined for c in self.components()) and not has_blockers(
            list(self.problems)
        )

    def totals(self) -> dict[str, Money]:
        """The determined amounts summed per component key (in the destination's currency)."""
        found: dict[str, list[Money]] = {}
        for component in self.components():
            if component.amount is not None:
                found.setdefault(component.key, []).append(component.amount)
        return {key: sum(amounts[1:], amounts[0]) for key, amounts in found.items()}

    def payable(self) -> dict[str, Money]:
        """What is paid per component, as each authority rounds it.

        In Mexico amounts are adjusted to whole pesos, 1 to 50 centavos down and 51 to 99 up
        (Código Fiscal de la Federación, art. 20); in the US they are paid as computed.
        """
        totals = self.totals()
        if self.destination != "MX":
            return totals
        return {
            key: Money.trusted(
                money.amount.quantize(Decimal(1), rounding=ROUND_HALF_DOWN), money.currency
            )
            for key, money in totals.items()
        }

    def total(self) -> Money | None:
        """All duties, taxes and fees; None when any is not determined."""
        if not self.complete:
            return None
        amounts = [c.amount for c in self.components() if c.amount is not None]
        totals = total_by_currency(amounts)
        return totals.get(self.currency, Money.zero(self.currency))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``cruce cost --json``)."""
        total = self.total()
        return {
            "shipment": self.reference,
            "destination": self.destination,
            "on": self.on.isoformat(),
            "currency": self.currency,
            "usmca": self.usmca,
            "tariff_edition": self.tariff_edition,
            "fx": None
            if self.fx is None
            else {
                "base": self.fx.base,
                "quote": self.fx.quote,
                "rate": str(self.fx.rate),
                "source": self.fx.source,
                "as_of": self.fx.as_of.isoformat(),
            },
            "lines": [line.as_dict() for line in self.lines],
            "entry": [c.as_dict() for c in self.entry],
            "totals": {key: _money(value) for key, value in self.totals().items()},
            "payable": {key: _money(value) for key, value in self.payable().items()},
            "total": _money(total),
            "complete": self.complete,
            "problems": [p.as_dict() for p in self.problems],
            "notes": [n.both() for n in self.notes],
        }
