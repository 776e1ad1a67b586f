"""The shipment record: the one thing a user enters, from which everything else is derived."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cruce.model.certification import UsmcaCertification
from cruce.model.codes import CountryCode
from cruce.model.customs import CustomsReferences
from cruce.model.goods import GoodsLine
from cruce.model.money import Money, total_by_currency
from cruce.model.party import Parties
from cruce.model.terms import CommercialTerms
from cruce.model.transport import Transport

if TYPE_CHECKING:
    from datetime import date

RECORD_VERSION: Literal["1"] = "1"
MAX_GOODS_LINES = 10_000


class Shipment(BaseModel):
    """A cross-border shipment: parties, goods, transport and terms, in one record.

    Either direction: ``export_country`` US and ``import_country`` MX for a southbound
    truck, the reverse for a northbound one. Fields a document needs but the record lacks
    are not errors here: they are problems that ``cruce check`` lists per document.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        title="cruce shipment record",
        json_schema_extra={"$id": "https://cruce.dev/schema/shipment/1"},
    )

    record_version: Literal["1"] = RECORD_VERSION
    reference: Annotated[str, Field(min_length=1, max_length=60)] = Field(
        description="The shipper's own reference for this shipment."
    )
    export_country: CountryCode
    import_country: CountryCode
    parties: Parties = Field(default_factory=Parties)
    goods: list[GoodsLine] = Field(default_factory=list, max_length=MAX_GOODS_LINES)
    transport: Transport = Field(default_factory=Transport)
    terms: CommercialTerms
    customs: CustomsReferences = Field(
        default_factory=CustomsReferences,
        description="Pedimento number, ITN and entry number, once the filers have them.",
    )
    notes: Annotated[str, Field(max_length=2000)] | None = None
    usmca_certification: UsmcaCertification | None = Field(
        default=None,
        description="The USMCA / T-MEC certification of origin for the lines that claim it.",
    )

    @property
    def direction(self) -> str:
        """``US-MX`` for a southbound shipment, ``MX-US`` for a northbound one."""
        return f"{self.export_country}-{self.import_country}"

    def crossing_date(self) -> date | None:
        """The day the goods cross, or None when the record does not say.

        The planned crossing's date in its own time zone, else the invoice date.
        """
        planned = self.transport.planned_crossing
        return planned.date() if planned is not None else self.terms.invoice_date

    def goods_total(self) -> dict[str, Money]:
        """The sum of the line values, per currency."""
        return total_by_currency([line.line_value() for line in self.goods])

    def invoice_total(self) -> dict[str, Money]:
        """Line values plus the charges billed on the invoice, per currency."""
        billed = [c.amount for c in self.terms.charges if c.billed_on_invoice]
        return total_by_currency([line.line_value() for line in self.goods] + billed)
