"""The numbers the customs authorities and filers give a shipment once it is declared."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from cruce.i18n import N_
from cruce.model.errors import invalid
from cruce.model.identifiers import compact

_YEAR_DIGIT = 1
_PROGRESSIVE_YEAR_DIGIT = 8


def _compact(value: Any) -> Any:  # noqa: ANN401 - raw input
    return compact(value) if isinstance(value, str) else value


class CustomsReferences(BaseModel):
    """Numbers that tie the shipment's documents together once a filer has them.

    The pedimento number goes into the Carta Porte's DocumentacionAduanera and the CFDI;
    the ITN onto the carrier's loading document; the entry number onto the entry summary.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    pedimento: Annotated[str, BeforeValidator(_compact), Field(pattern=r"^\d{15}$")] | None = Field(
        default=None,
        description=(
            "Mexican pedimento number, 15 digits: year (2), aduana (2), patente (4), the "
            "year's last digit and a 6-digit sequence (Anexo 22, field 1), e.g. "
            "'26 23 3401 6000123'."
        ),
    )
    itn: Annotated[str, BeforeValidator(_compact), Field(pattern=r"^X\d{14}$")] | None = Field(
        default=None,
        description="Internal Transaction Number AES returned for the EEI (15 CFR 30.7).",
    )
    us_entry_number: (
        Annotated[str, BeforeValidator(_compact), Field(pattern=r"^[A-Z0-9]{3}\d{8}$")] | None
    ) = Field(
        default=None,
        description="CBP entry number: filer code (3), entry sequence (7) and check digit.",
    )

    @model_validator(mode="after")
    def _pedimento_year(self) -> Self:
        number = self.pedimento
        if number is not None and number[_PROGRESSIVE_YEAR_DIGIT] != number[_YEAR_DIGIT]:
            raise invalid(
                "pedimento.year_digit",
                N_(
                    "pedimento {value}: the ninth digit must be the last digit of the year "
                    "({digit}), Anexo 22 field 1"
                ),
                {"value": number, "digit": number[_YEAR_DIGIT]},
            )
        return self

    def pedimento_parts(self) -> dict[str, str] | None:
        """The pedimento number's parts: year, aduana, patente, sequence (with year digit)."""
        number = self.pedimento
        if number is None:
            return None
        return {
            "year": number[:2],
            "aduana": number[2:4],
            "patente": number[4:8],
            "sequence": number[8:],
        }

    def pedimento_display(self) -> str | None:
        """``26 23 3401 6000123``: how the pedimento prints its number."""
        parts = self.pedimento_parts()
        return None if parts is None else " ".join(parts.values())
