"""Landed cost in both directions: duties, tariff actions, taxes and fees on a date.

``landed_cost(shipment, on=date)`` quotes the destination country's charges for a crossing
on that date, line by line, each component with its rate, base, amount, legal source and
the code to report. ``usmca`` chooses the claim: None as the record claims it per line,
True every line the origin engine finds eligible, False none, so the saving of a claim is
visible (:func:`with_and_without_usmca`; :mod:`cruce.compliance.duties.claims`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cruce.compliance.duties import mx, us
from cruce.compliance.duties.claims import claims
from cruce.compliance.duties.result import Component, LandedCost, LineCost
from cruce.reference import fx, hts_store, mx_tariff

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from cruce.model import Shipment
    from cruce.model.money import FxRate

__all__ = [
    "Component",
    "LandedCost",
    "LineCost",
    "References",
    "converted_totals",
    "landed_cost",
    "with_and_without_usmca",
]


@dataclass(frozen=True, slots=True)
class References:
    """The tables a quote reads: bundled facts plus what the user imported. Built once, reused."""

    hts: hts_store.HtsStore
    ligie: mx_tariff.LigieTable
    fx: fx.FxTable

    @classmethod
    def default(cls) -> References:
        """The bundled tables and the user's imports from cruce's data folder."""
        return cls(hts_store.default_store(), mx_tariff.default_table(), fx.default_table())


class UnsupportedDestinationError(ValueError):
    """cruce quotes imports into the US and into Mexico only."""


def landed_cost(
    shipment: Shipment,
    on: date,
    *,
    usmca: bool | None = None,
    references: References | None = None,
) -> LandedCost:
    """The destination's duties, taxes and fees for ``shipment`` crossing on ``on``."""
    tables = references or References.default()
    if shipment.import_country not in {"US", "MX"}:
        raise UnsupportedDestinationError(shipment.import_country)
    chosen = claims(shipment, on, usmca)
    if shipment.import_country == "US":
        return us.quote(shipment, on, claims=chosen, store=tables.hts)
    return mx.quote(shipment, on, claims=chosen, ligie=tables.ligie, rates=tables.fx)


def with_and_without_usmca(
    shipment: Shipment, on: date, *, references: References | None = None
) -> tuple[LandedCost, LandedCost]:
    """The quote without any USMCA claim, and with every eligible line claimed."""
    tables = references or References.default()
    return (
        landed_cost(shipment, on, usmca=False, references=tables),
        landed_cost(shipment, on, usmca=True, references=tables),
    )


def converted_totals(
    quotes: Mapping[str, LandedCost], wanted: str, rate: FxRate
) -> dict[str, object]:
    """Each quote's total in ``wanted`` (USD or MXN) at ``rate``, with the rate and its source.

    Amounts are strings (exact decimals); a quote without a total stays None.
    """
    totals: dict[str, str | None] = {}
    for name, each in quotes.items():
        total = each.total()
        if total is None:
            totals[name] = None
        elif total.currency == wanted:
            totals[name] = str(total.amount)
        else:
            totals[name] = str(total.convert(rate).result.amount)
    return {
        "currency": wanted,
        "rate": {
            "base": rate.base,
            "quote": rate.quote,
            "rate": str(rate.rate),
            "source": rate.source,
            "as_of": rate.as_of.isoformat(),
        },
        "totals": totals,
    }
