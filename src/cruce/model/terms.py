"""Commercial terms: the invoice, the Incoterm, payment, and the costs beside the price."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cruce.model.codes import ChargeKind, Incoterm
from cruce.model.money import CurrencyCode, FxRate, Money


class Charge(BaseModel):
    """Freight, insurance, packing or another cost, and whether the invoice bills it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    kind: ChargeKind
    amount: Money
    billed_on_invoice: bool = Field(
        default=True, description="False when the cost is known but not on the invoice."
    )
    description: Annotated[str, Field(max_length=200)] | None = None


class CommercialTerms(BaseModel):
    """What the seller and the buyer agreed."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    invoice_number: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    related_parties: bool | None = Field(
        default=None,
        description=(
            "Whether the seller and the buyer are related parties (EEI related party "
            "indicator, 15 CFR 30.6(a)(10)); unknown when absent."
        ),
    )
    invoice_date: date | None = None
    currency: CurrencyCode = Field(description="The invoice's currency.")
    incoterm: Incoterm | None = None
    incoterm_place: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="The Incoterm's named place, e.g. 'Guadalajara, Jalisco'."
    )
    payment_terms: Annotated[str, Field(max_length=200)] | None = None
    payment_due_days: int | None = Field(default=None, ge=0, le=3650)
    purchase_order: Annotated[str, Field(max_length=40)] | None = None
    charges: list[Charge] = Field(default_factory=list, max_length=20)
    declared_total: Money | None = Field(
        default=None,
        description="The invoice total as the seller states it; checked against the lines.",
    )
    exchange_rate: FxRate | None = Field(
        default=None, description="Rate used on the invoice, with its source and date."
    )
