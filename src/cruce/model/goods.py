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


def _un_number(value: Any) -> Any:  # noqa: ANN401 - raw input
    """``UN1263`` or ``1263`` -> ``1263``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"
    if isinstance(value, str):
        text = value.strip().upper().replace(" ", "")
        return text.removeprefix("UN")
    return value


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

    def render(self, locale: Locale) -> str:
        """As :meth:`get`: a text in two languages renders as a message parameter."""
        return self.get(locale)


class OriginCriterion(StrEnum):
    """USMCA Annex 5-A data element 7: the origin criterion, the paragraph of Art. 4.2.

    A wholly obtained or produced; B the product-specific rule of Annex 4-B is met; C
    produced exclusively from originating materials; D the Art. 4.2(d) case.
    """

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


class MaterialKind(StrEnum):
    """How a material takes part in the good, which decides how origin counts it.

    ``component``: incorporated in the good, counted for the tariff shift and the RVC.
    ``indirect``: used in production but not incorporated (tools, fuel, lubricants, safety
    equipment): originating wherever produced (USMCA Art. 4.9). ``retail_packing``:
    packaging and containers for retail sale classified with the good (Art. 4.15) and
    ``accessory``: accessories, spare parts, tools or instructions delivered with the good,
    classified with it and not invoiced separately (Art. 4.14): both disregarded for the
    tariff shift, counted in the RVC. ``shipping_packing``: packing materials and containers
    for shipment (Art. 4.16): disregarded altogether.
    """

    COMPONENT = "component"
    INDIRECT = "indirect"
    RETAIL_PACKING = "retail_packing"
    ACCESSORY = "accessory"
    SHIPPING_PACKING = "shipping_packing"


_MAX_BOM_DEPTH = 3


class Material(BaseModel):
    """A material in the good's bill of materials, as its origin decision will need it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    description: LocalizedText
    hs_code: Annotated[str, BeforeValidator(_digits), Field(pattern=r"^\d{6,10}$")] | None = None
    origin_country: CountryCode | None = None
    value: Money
    quantity: Decimal | None = Field(default=None, gt=0, allow_inf_nan=False, max_digits=18)
    kind: MaterialKind = MaterialKind.COMPONENT
    originating: Originating = Originating.UNKNOWN
    supplier: Annotated[str, Field(max_length=200)] | None = None
    supplier_certification: Annotated[str, Field(max_length=100)] | None = Field(
        default=None, description="Reference of the supplier's USMCA certification, if any."
    )
    non_originating_value: Money | None = Field(
        default=None,
        description=(
            "For a non-originating material produced in the United States, Mexico or Canada: "
            "the value of the non-originating materials used to produce it, per its producer's "
            "statement. Only that value counts as non-originating in the good's regional value "
            "content (accumulation, USMCA Art. 4.11; Art. 4.7)."
        ),
    )
    materials: list[Material] = Field(
        default_factory=list,
        max_length=500,
        description=(
            "For a self-produced material designated as an intermediate material (USMCA "
            "Art. 4.8): its own bill of materials, so that its origin is decided first."
        ),
    )

    @model_validator(mode="after")
    def _shallow_enough(self) -> Self:
        def depth(material: Material) -> int:
            return 1 + max((depth(m) for m in material.materials), default=0)

        if depth(self) > _MAX_BOM_DEPTH:
            raise invalid(
                "materials.too_deep",
                N_("a bill of materials may nest intermediate materials {limit} levels deep"),
                {"limit": str(_MAX_BOM_DEPTH)},
            )
        return self

    def label(self, locale: Locale = "en") -> str:
        """The description in ``locale``."""
        return self.description.get(locale)


class WhollyObtained(StrEnum):
    """How a good is wholly obtained or produced in USMCA territory (19 U.S.C. 4531(a)(4))."""

    MINERAL = "mineral"
    PLANT = "plant"
    LIVE_ANIMAL = "live_animal"
    FROM_LIVE_ANIMAL = "from_live_animal"
    HUNTING_FISHING = "hunting_fishing"
    AQUACULTURE = "aquaculture"
    SEA_FISHING = "sea_fishing"
    FACTORY_SHIP = "factory_ship"
    SEABED = "seabed"
    WASTE_SCRAP = "waste_scrap"
    FROM_WHOLLY_OBTAINED = "from_wholly_obtained"


class NetCost(BaseModel):
    """The net cost of one unit of the good (USMCA Art. 4.5(3); 19 U.S.C. 4531(a)).

    Net cost is the total cost minus the sales promotion, marketing and after-sales service
    costs, royalties, shipping and packing costs and non-allowable interest costs that are
    included in the total cost.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    total_cost: Money
    sales_promotion: Money | None = Field(
        default=None, description="Sales promotion, marketing and after-sales service costs."
    )
    royalties: Money | None = None
    shipping_packing: Money | None = None
    non_allowable_interest: Money | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for name in ("sales_promotion", "royalties", "shipping_packing", "non_allowable_interest"):
            part: Money | None = getattr(self, name)
            if part is not None and part.currency != self.total_cost.currency:
                raise invalid(
                    "net_cost.currency",
                    N_("{field} must be in the currency of the total cost ({currency})"),
                    {"field": name, "currency": self.total_cost.currency},
                )
        if self.amount().amount <= 0:
            raise invalid(
                "net_cost.not_positive",
                N_("the deductions leave no net cost: they must be less than the total cost"),
            )
        return self

    def deductions(self) -> Money:
        """What is taken off the total cost."""
        parts = (
            self.sales_promotion,
            self.royalties,
            self.shipping_packing,
            self.non_allowable_interest,
        )
        return sum((p for p in parts if p is not None), self.total_cost * 0)

    def amount(self) -> Money:
        """Total cost minus the deductions."""
        return self.total_cost - self.deductions()


class OriginFacts(BaseModel):
    """What the producer states about one unit of the good for its USMCA origin decision."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    produced_in: CountryCode | None = Field(
        default=None, description="Where the good is produced; the line's origin when absent."
    )
    wholly_obtained: WhollyObtained | None = Field(
        default=None, description="How the good is wholly obtained or produced (criterion A)."
    )
    transaction_value: Money | None = Field(
        default=None,
        description=(
            "Transaction value of one unit adjusted to exclude the costs of its international "
            "shipment (FOB); the unit price when absent."
        ),
    )
    net_cost: NetCost | None = Field(
        default=None, description="Net cost of one unit, for the net cost method."
    )
    parts_with_good: bool = Field(
        default=False,
        description=(
            "The non-originating materials that fail the tariff shift are provided for as "
            "parts in the Harmonized System and classified in the good's subheading, or its "
            "heading when not divided into subheadings (USMCA Art. 4.2(d)(ii))."
        ),
    )
    unassembled: bool = Field(
        default=False,
        description=(
            "The good is imported unassembled or disassembled and classified as the assembled "
            "good under General Rule of Interpretation 2(a) (USMCA Art. 4.2(d)(ii))."
        ),
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
    origin: OriginFacts | None = Field(
        default=None, description="The producer's facts for the USMCA origin decision."
    )
    hazmat: bool | None = Field(
        default=None,
        description="Whether the goods are hazardous materials (49 CFR 172.101); absent: unknown.",
    )
    un_number: Annotated[str, BeforeValidator(_un_number), Field(pattern=r"^\d{4}$")] | None = (
        Field(
            default=None,
            description=(
                "UN number of hazardous goods (49 CFR 172.101; SAT c_MaterialPeligroso), "
                "4 digits: 1263."
            ),
        )
    )
    clave_prod_serv: Annotated[str, BeforeValidator(_digits), Field(pattern=r"^\d{8}$")] | None = (
        Field(
            default=None,
            description=(
                "SAT product or service key (c_ClaveProdServ, 8 digits) for the CFDI and the "
                "Carta Porte: 31171504."
            ),
        )
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
