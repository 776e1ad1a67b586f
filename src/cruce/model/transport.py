"""How the goods travel and where they cross."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from cruce.model.codes import CountryCode, TransportMode
from cruce.model.identifiers import compact
from cruce.model.party import TaxId


def _compact(value: Any) -> Any:  # noqa: ANN401 - raw input
    return compact(value) if isinstance(value, str) else value


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


Identifier = Annotated[str, Field(min_length=1, max_length=40)]


class Port(_Record):
    """A crossing, named as each side names it.

    One object carries the CBP port code (Schedule D, 4 digits), the Mexican aduana and
    sección (Anexo 22 Apéndice 1) and the UN/LOCODEs of both sides. In a shipment file a
    port may be given by its CBP code alone; the loader fills in the rest from the table
    of land ports that ships with cruce.
    """

    cbp_port_code: Annotated[str, Field(pattern=r"^\d{4}$")]
    cbp_port_name: Annotated[str, Field(min_length=1, max_length=100)]
    aduana: Annotated[str, Field(pattern=r"^\d{2}$", description="Aduana clave, 2 digits.")]
    seccion: Annotated[str, Field(pattern=r"^\d$", description="Sección aduanera, 1 digit.")]
    aduana_name: Annotated[str, Field(min_length=1, max_length=100)]
    us_unlocode: Annotated[str, Field(pattern=r"^US[A-Z2-9]{3}$")] | None = None
    mx_unlocode: Annotated[str, Field(pattern=r"^MX[A-Z2-9]{3}$")] | None = None


class Vehicle(_Record):
    """A tractor, a trailer or a rail car."""

    number: Identifier | None = Field(default=None, description="Unit or economic number.")
    plate: Identifier | None = None
    plate_jurisdiction: Annotated[str, Field(min_length=2, max_length=6)] | None = Field(
        default=None, description="ISO 3166-2 subdivision (US-AZ) or country (MX) of the plate."
    )
    vin: (
        Annotated[str, BeforeValidator(_compact), Field(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")] | None
    ) = None
    model_year: int | None = Field(default=None, ge=1900, le=2100)
    configuration: (
        Annotated[str, BeforeValidator(_compact), Field(pattern=r"^[A-Z0-9]{2,8}$")] | None
    ) = Field(
        default=None,
        description=(
            "A truck's configuration as SAT's c_ConfigAutotransporte codes it (NOM-012-SCT-2): "
            "C2, T3S2, T3S2R4..."
        ),
    )
    trailer_subtype: (
        Annotated[str, BeforeValidator(_compact), Field(pattern=r"^CTR\d{3}$")] | None
    ) = Field(
        default=None, description="A trailer's type as SAT's c_SubTipoRem codes it: CTR004..."
    )
    gross_weight_t: Decimal | None = Field(
        default=None,
        gt=0,
        le=200,
        allow_inf_nan=False,
        max_digits=6,
        decimal_places=2,
        description="A truck's gross vehicle weight in tonnes (Carta Porte PesoBrutoVehicular).",
    )


class Driver(_Record):
    """The driver who takes the truck across."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    license_number: Identifier | None = None
    license_jurisdiction: Annotated[str, Field(min_length=2, max_length=6)] | None = None
    fast_card: Identifier | None = Field(default=None, description="FAST commercial driver card.")
    nationality: CountryCode | None = None
    tax_ids: list[TaxId] = Field(
        default_factory=list,
        max_length=3,
        description="The driver's RFC, or a foreign tax number with its country (Carta Porte).",
    )


class Permit(_Record):
    """The carrier's federal road permit in Mexico (SICT), as Carta Porte states it."""

    type: Annotated[str, BeforeValidator(_compact), Field(pattern=r"^TP[A-Z0-9]{2,6}$")] = Field(
        description="SAT c_TipoPermiso: TPAF01 general cargo, TPAF02 specialised cargo..."
    )
    number: Identifier


class Insurance(_Record):
    """A policy covering the truck's trip."""

    insurer: Annotated[str, Field(min_length=1, max_length=50)]
    policy: Annotated[str, Field(min_length=1, max_length=30)]


class Transport(_Record):
    """Mode, carrier, equipment and the crossing."""

    mode: TransportMode = TransportMode.TRUCK
    carrier_scac: Annotated[str, Field(pattern=r"^[A-Z]{2,4}$")] | None = Field(
        default=None, description="Standard Carrier Alpha Code (NMFTA)."
    )
    carrier_caat: Annotated[str, Field(pattern=r"^[A-Z0-9]{4}$")] | None = Field(
        default=None, description="Código Alfanumérico Armonizado del Transportista (SAT)."
    )
    pro_number: Identifier | None = Field(
        default=None, description="Carrier's PRO number; SCAC + PRO is the shipment control number."
    )
    truck: Vehicle | None = None
    trailers: list[Vehicle] = Field(default_factory=list, max_length=3)
    containers: list[
        Annotated[str, BeforeValidator(_compact), Field(min_length=1, max_length=15)]
    ] = Field(default_factory=list, max_length=10, description="ISO 6346 container numbers.")
    seals: list[Identifier] = Field(default_factory=list, max_length=20)
    driver: Driver | None = None
    crossing: Port | None = None
    fast: bool = Field(default=False, description="The trip crosses in a FAST lane.")
    planned_crossing: AwareDatetime | None = Field(
        default=None, description="Planned arrival at the border, with its UTC offset."
    )
    planned_departure: AwareDatetime | None = Field(
        default=None, description="Planned departure from where the goods are picked up."
    )
    planned_delivery: AwareDatetime | None = Field(
        default=None, description="Planned arrival where the goods are delivered."
    )
    mx_distance_km: Decimal | None = Field(
        default=None,
        gt=0,
        le=99999,
        allow_inf_nan=False,
        max_digits=7,
        decimal_places=2,
        description=(
            "Kilometres the truck travels in Mexico between the border and the Mexican "
            "pickup or delivery place (Carta Porte DistanciaRecorrida)."
        ),
    )
    permit: Permit | None = Field(
        default=None, description="The carrier's SICT permit for Mexican federal roads."
    )
    liability_insurance: Insurance | None = Field(
        default=None, description="The carrier's civil liability policy (Carta Porte)."
    )
