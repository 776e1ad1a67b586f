"""The USMCA / T-MEC certification of origin: who certifies, who signs, when, for what period.

USMCA has no official certificate form: a certification is valid when it carries the nine
minimum data elements of Annex 5-A (USMCA Art. 5.2; 19 CFR 182.12(a)(4)). The record holds
what cruce cannot derive from the rest of the shipment: the certifier's role (element 1),
the certifier itself when it is not a party of the shipment already (element 2), how the
producer is disclosed (element 4), the blanket period (element 8), the signatory and the
date of signature (element 9). Exporter, importer, goods, HS codes and origin criteria
come from the parties and the goods lines.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cruce.i18n import N_
from cruce.model.errors import invalid
from cruce.model.party import Contact, Party

BLANKET_MAX_MONTHS = 12
"""A blanket certification covers identical goods within at most 12 months (USMCA Art. 5.2)."""


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` years; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)


class CertifierRole(StrEnum):
    """Who completes the certification (USMCA Art. 5.2; Annex 5-A element 1)."""

    IMPORTER = "importer"
    EXPORTER = "exporter"
    PRODUCER = "producer"


class ProducerDisclosure(StrEnum):
    """How the certification names the producer (Annex 5-A element 4).

    ``named``: the producers of the shipment (or the certifier, when the producer certifies).
    ``various``: several producers, stated as "Various". ``upon_request``: kept confidential
    as "Available upon request by the importing authorities".
    """

    NAMED = "named"
    VARIOUS = "various"
    UPON_REQUEST = "upon_request"


class Signatory(Contact):
    """The person who signs for the certifier: name, title, telephone and e-mail (element 2).

    The telephone is stored in E.164 form and must be written with its country code.
    """

    name: Annotated[str, Field(min_length=1, max_length=300)]
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="The signatory's title or position (Annex 5-A element 2)."
    )


class BlanketPeriod(BaseModel):
    """The period a blanket certification covers, both days included: at most 12 months."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date = Field(description="First day covered.")
    end: date = Field(description="Last day covered; at most 12 months after the start.")

    @model_validator(mode="after")
    def _at_most_twelve_months(self) -> Self:
        if self.end < self.start:
            raise invalid(
                "blanket_period.reversed",
                N_("the blanket period ends on {end}, before it starts on {start}"),
                {"start": self.start.isoformat(), "end": self.end.isoformat()},
            )
        latest = self.latest_end(self.start)
        if self.end > latest:
            raise invalid(
                "blanket_period.too_long",
                N_(
                    "a blanket period covers at most 12 months: from {start} it may end on "
                    "{latest} at the latest, not on {end}"
                ),
                {
                    "start": self.start.isoformat(),
                    "end": self.end.isoformat(),
                    "latest": latest.isoformat(),
                },
            )
        return self

    @staticmethod
    def latest_end(start: date) -> date:
        """The last day a period starting on ``start`` may cover: the day before 12 months on."""
        return add_months(start, BLANKET_MAX_MONTHS) - timedelta(days=1)

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls within the period."""
        return self.start <= day <= self.end


class UsmcaCertification(BaseModel):
    """The certification of origin for the lines that claim USMCA / T-MEC preference."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    certifier_role: CertifierRole = Field(
        description="Whether the importer, the exporter or the producer certifies (element 1)."
    )
    certifier: Party | None = Field(
        default=None,
        description=(
            "The certifying company, when it is not a party of the shipment already: by "
            "default the buyer for the importer, the seller for the exporter, the only "
            "producer for the producer (element 2)."
        ),
    )
    signatory: Signatory | None = Field(
        default=None, description="The person who signs: name, title, telephone, e-mail."
    )
    signed_on: date | None = Field(
        default=None,
        description="Date of signature; the certification is valid for four years from it.",
    )
    blanket_period: BlanketPeriod | None = Field(
        default=None,
        description=(
            "For multiple shipments of identical goods: the period covered, at most 12 months "
            "(element 8). Absent for a single shipment."
        ),
    )
    producer_disclosure: ProducerDisclosure = Field(
        default=ProducerDisclosure.NAMED,
        description="How the producer is stated: named, 'Various', or upon request (element 4).",
    )
    reference: Annotated[str, Field(min_length=1, max_length=60)] | None = Field(
        default=None, description="The certifier's own number for this certification."
    )
