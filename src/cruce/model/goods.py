"""Goods lines: what is shipped, how it is classified on both sides, what it is worth."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from cruce.i18n import N_, Locale
from cruce.model.codes import CountryCode
from cruce.model.errors import invalid
from cruce.model.money import Money


def _digits(value: Any) -> Any:  # noqa: ANN401 - raw input
    """``8481.80.1050`` -> ``8481801050``: tariff numbers are written with dots and spaces."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return re.sub(r"[\s.\-]", "", value)
    return value


def _upper(value: Any) -> Any:  # noqa: ANN401 - raw input
    return value.strip().upper() if isinstance(value, str) else value


HtsNumber = Annotated[
    str,
    BeforeValidator(_digits),
    Field(pattern=r"^\d{10}$", description="US HTSUS statistical number, 10 digits."),
]
ScheduleBNumber = Annotated[
    str,
    BeforeValidator(_digits),
    Field(pattern=r"^\d{10}$", description="US Schedule B export number, 10 digits."),
]
Fraccion = Annotated[
    str,
    BeforeValidator(_digits),
    Field(pattern=r"^\d{8}$", description="Mexican fracción arancelaria (LIGIE), 8 digits."),
]
Nico = Annotated[
    str,
    BeforeValidator(_digits),
    Field(pattern=r"^\d{2}$", description="Número de identificación comercial, 2 digits."),
]
UnitCode = Annotated[
    str,
    BeforeValidator(_upper),
    Field(
        pattern=r"^[A-Z0-9]{2,3}$",
        description="UN/CEFACT Recommendation 20 unit code (H87 piece, KGM kilogram, ...).",
        examples=["H87", "KGM", "SET"],
    ),
]


def _eccn(value: Any) -> Any:  # noqa: ANN401 - raw input
    """``ear99`` -> ``EAR99``, ``5a992.c`` -> ``5A992.c``: paragraphs keep their case."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    return text[:5].upper() + text[5:]


Eccn = Annotated[
    str,
    BeforeValidator(_eccn),
    Field(
        pattern=r"^(EAR99|[0-9][A-E][0-9]{3}(\.[A-Za-z0-9.]+)?)$",
        description="Export Control Classification Number, or EAR99.",
        examples=["EAR99", "3A991.a.1"],
    ),
]
Weight = Annotated[Decimal, Field(ge=0, allow_inf_nan=False, max_digits=18, decimal_places=6)]


class LocalizedText(BaseModel):
    """Text a party enters in both languages; a missing one falls back to the other."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    en: Annotated[str, Field(min_length=1, max_length=1000)] | None = None
    es: Annotated[str, Field(min_length=1, max_length=1000)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:  # noqa: ANN401 - raw input
        return {"en": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_at_least(self) -> Self:
        if self.en is None and self.es is None:
            raise invalid("text.empty", N_("give the text in English, in Spanish, or both"))
        return self

    def get(self, locale: Locale) -> str:
        """The text in ``locale``, or in the other language when that one is missing."""
        primary, other = (self.es, self.en) if locale == "es" else (self.en, self.es)
        return primary or other or ""


class OriginCriterion(StrEnum):
    """USMCA Annex 5-A data element 7: the origin criterion (A to D)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class UsmcaClaim(BaseModel):
    """Whether preferential treatment under USMCA / T-MEC is claimed for the line.

    A placeholder until the origin engine decides it: the claim and its criterion are what
    the certification of origin and the entry (SPI "S", identifier TL) need.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    claimed: bool = False
    criterion: OriginCriterion | None = None
    certification_reference: Annotated[str, Field(max_length=100)] | None = None


class Originating(StrEnum):
    """Whether a material is known to be originating under USMCA."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Material(BaseModel):
    """A material in the good's bill of materials, as its origin decision will need it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    description: Annotated[str, Field(min_length=1, max_length=300)]
    hs_code: Annotated[str, BeforeValidator(_digits), Field(pattern=r"^\d{6,10}$")] | None = None
    origin_country: CountryCode | None = None
    value: Money
    quantity: Decimal | None = Field(default=None, gt=0, allow_inf_nan=False, max_digits=18)
    originating: Originating = Originating.UNKNOWN
    supplier: Annotated[str, Field(max_length=200)] | None = None
    supplier_certification: Annotated[str, Field(max_length=100)] | None = Field(
        default=None, description="Reference of the supplier's USMCA certification, if any."
    )


class GoodsLine(BaseModel):
    """One line of goods: one classification, one origin, one price."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    part_number: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="Seller's part or SKU number (CFDI NoIdentificacion)."
    )
    description: LocalizedText
    hts: HtsNumber | None = None
    schedule_b: ScheduleBNumber | None = None
    fraccion: Fraccion | None = None
    nico: Nico | None = None
    origin_country: CountryCode | None = None
    quantity: Decimal = Field(gt=0, allow_inf_nan=False, max_digits=18, decimal_places=6)
    unit: UnitCode
    unit_price: Money
    value: Money | None = Field(
        default=None, description="Line value as invoiced; quantity x unit price when absent."
    )
    net_weight_kg: Weight | None = None
    gross_weight_kg: Weight | None = None
    usmca: UsmcaClaim = Field(default_factory=UsmcaClaim)
    eccn: Eccn | None = None
    marks: Annotated[str, Field(max_length=500)] | None = None
    brand: Annotated[str, Field(max_length=100)] | None = None
    model: Annotated[str, Field(max_length=100)] | None = None
    serial_numbers: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=1000
    )
    metal_content_value: Money | None = Field(
        default=None,
        description=(
            "Value of the steel, aluminium or copper contained in all of the line's goods: "
            "the base of US Section 232 duties on derivative products."
        ),
    )
    materials: list[Material] = Field(
        default_factory=list,
        max_length=500,
        description="Bill of materials of one unit of the good, for the USMCA origin decision.",
    )
    packages: int | None = Field(default=None, ge=0, le=1_000_000)
    package_type: (
        Annotated[str, BeforeValidator(_upper), Field(pattern=r"^[A-Z0-9]{2}$")] | None
    ) = Field(
        default=None, description="UN/ECE Recommendation 21 package code (PX pallet, CT carton)."
    )

    def line_value(self) -> Money:
        """The value as invoiced, or quantity x unit price rounded to the currency's minor unit."""
        if self.value is not None:
            return self.value
        return (self.unit_price * self.quantity).rounded()

    def hs6(self) -> dict[str, str]:
        """The first six digits of each classification the line carries, by scheme."""
        codes = {"hts": self.hts, "schedule_b": self.schedule_b, "fraccion": self.fraccion}
        return {scheme: code[:6] for scheme, code in codes.items() if code}
