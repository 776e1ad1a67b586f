"""Customs value on each side of the border, line by line, from the price and the charges.

- **United States**: transaction value, the price actually paid or payable, *without*
  international freight and insurance (19 U.S.C. 1401a(b)(1) and (b)(4)(A); 19 CFR
  152.103(a)(5)). Freight and insurance billed on the invoice are left out of the value;
  when the Incoterm makes the seller pay the main carriage (C and D rules) and the record
  states the cost without billing it separately, it is taken to be inside the goods' prices
  and deducted.
- **Mexico**: valor en aduana, the transaction value *plus* the incrementables not already
  in the price: freight, insurance and packing up to the place of entry into Mexico (Ley
  Aduanera arts. 64 and 65). Charges billed on the invoice are part of the price paid;
  costs the buyer pays apart (E and F rules: the record states them, not billed) are added.

Charges are spread over the lines in proportion to their value. Simplification, stated in
every result: a freight charge is treated as carriage to the border crossing; the record
does not yet split the leg beyond the border, which neither value should include.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from cruce.i18n import Message, _
from cruce.model import ChargeKind, Money
from cruce.model.money import minor_units

if TYPE_CHECKING:
    from cruce.model import Charge, Shipment

INTERNATIONAL = frozenset({ChargeKind.FREIGHT, ChargeKind.INSURANCE})
INCREMENTABLE = frozenset({ChargeKind.FREIGHT, ChargeKind.INSURANCE, ChargeKind.PACKING})
US_CITATION = "19 U.S.C. 1401a(b)(1), (b)(4)(A); 19 CFR 152.103(a)(5)"
MX_CITATION = "Ley Aduanera, arts. 64 y 65"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An amount added to or deducted from a line's price, and why."""

    kind: ChargeKind
    amount: Money
    reason: Message


@dataclass(frozen=True, slots=True)
class LineValue:
    """A line's customs value in the invoice's currency, with the adjustments that made it."""

    index: int
    price: Money
    value: Money
    adjustments: tuple[Adjustment, ...]
    citation: str


def _share(total: Money, weight: Decimal, whole: Decimal) -> Money:
    if whole == 0:
        return Money.zero(total.currency)
    exponent = Decimal(1).scaleb(-minor_units(total.currency))
    amount = (total.amount * weight / whole).quantize(exponent, rounding=ROUND_HALF_UP)
    return Money.trusted(amount, total.currency)


def _prices(shipment: Shipment) -> list[Money]:
    return [line.line_value() for line in shipment.goods]


def _spread(charges: list[Charge], prices: list[Money]) -> list[list[tuple[Charge, Money]]]:
    """Each charge split over the lines in proportion to their value (same currency only).

    Shares are rounded to the currency's minor unit; the last line takes what rounding left,
    so the shares always add up to the charge.
    """
    spread: list[list[tuple[Charge, Money]]] = [[] for _ in prices]
    for charge in charges:
        same = [i for i, price in enumerate(prices) if price.currency == charge.amount.currency]
        whole = sum((prices[i].amount for i in same), Decimal(0))
        given = Money.zero(charge.amount.currency)
        for position, i in enumerate(same):
            last = position == len(same) - 1
            share = (
                charge.amount - given if last else _share(charge.amount, prices[i].amount, whole)
            )
            given += share
            spread[i].append((charge, share))
    return spread


def _us_treatment(charge: Charge, *, seller_carries: bool) -> tuple[int, Message] | None:
    """+1 add to the price, -1 deduct from it, None leave out (with the reason)."""
    if charge.kind in INTERNATIONAL:
        if not charge.billed_on_invoice and seller_carries:
            return -1, _("international freight and insurance are not part of the US customs value")
        return None  # billed apart from the goods, or paid by the buyer: never in the value
    if charge.kind is ChargeKind.PACKING:
        return 1, _("packing costs incurred by the buyer are added to the US transaction value")
    if charge.billed_on_invoice:
        return 1, _("charges billed on the invoice are part of the price paid")
    return None


def _mx_treatment(charge: Charge, *, seller_carries: bool) -> tuple[int, Message] | None:
    if charge.billed_on_invoice:
        return 1, _("charges billed on the invoice are part of the price paid")
    if charge.kind in INCREMENTABLE and not seller_carries:
        return 1, _("freight, insurance and packing to the place of entry are incrementables")
    return None  # already inside the price (C and D rules), or not a cost customs adds


def _values(shipment: Shipment, *, side: str) -> list[LineValue]:
    prices = _prices(shipment)
    incoterm = shipment.terms.incoterm
    seller_carries = incoterm is not None and incoterm.seller_pays_main_carriage
    treat = _us_treatment if side == "US" else _mx_treatment
    decided = [
        (charge, decision)
        for charge in shipment.terms.charges
        if (decision := treat(charge, seller_carries=seller_carries)) is not None
    ]
    spread = _spread([charge for charge, _decision in decided], prices)
    reasons = {id(charge): decision for charge, decision in decided}
    citation = US_CITATION if side == "US" else MX_CITATION
    result = []
    for index, (price, parts) in enumerate(zip(prices, spread, strict=True)):
        adjustments = tuple(
            Adjustment(
                charge.kind, share if reasons[id(charge)][0] > 0 else -share, reasons[id(charge)][1]
            )
            for charge, share in parts
        )
        total = price.amount + sum((a.amount.amount for a in adjustments), Decimal(0))
        value = Money.trusted(total, price.currency) if adjustments else price
        result.append(LineValue(index, price, value, adjustments, citation))
    return result


def us_values(shipment: Shipment) -> list[LineValue]:
    """The US transaction value of each line (19 U.S.C. 1401a)."""
    return _values(shipment, side="US")


def mx_values(shipment: Shipment) -> list[LineValue]:
    """The Mexican valor en aduana of each line (Ley Aduanera arts. 64 and 65)."""
    return _values(shipment, side="MX")
