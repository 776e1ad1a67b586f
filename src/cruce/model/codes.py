"""Code lists the record uses: ISO 3166 countries and subdivisions, Incoterms 2020, modes.

Each list stores the official code; the label is a translatable message (STYLE.md 5).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, WithJsonSchema

from cruce.i18n import N_
from cruce.model.errors import invalid


@lru_cache(maxsize=1024)
def check_country(code: str) -> str:
    """Return ``code`` upper-cased when it is an ISO 3166-1 alpha-2 country; raise otherwise."""
    normalised = code.strip().upper()
    if len(normalised) != 2 or pycountry.countries.get(alpha_2=normalised) is None:  # noqa: PLR2004
        raise invalid(
            "country.unknown",
            N_("'{value}' is not an ISO 3166-1 alpha-2 country code (e.g. US, MX)"),
            {"value": code},
        )
    return normalised


@lru_cache(maxsize=4096)
def check_subdivision(code: str) -> str:
    """Return ``code`` upper-cased when it is an ISO 3166-2 subdivision (``MX-JAL``, ``US-AZ``)."""
    normalised = code.strip().upper()
    # pycountry's subdivision lookup is untyped; it returns the subdivision or None
    if pycountry.subdivisions.get(code=normalised) is None:  # type: ignore[no-untyped-call]
        raise invalid(
            "subdivision.unknown",
            N_("'{value}' is not an ISO 3166-2 subdivision code (e.g. US-AZ, MX-JAL)"),
            {"value": code},
        )
    return normalised


CountryCode = Annotated[
    str,
    AfterValidator(check_country),
    WithJsonSchema({"type": "string", "pattern": r"^\s*[A-Za-z]{2}\s*$", "examples": ["US", "MX"]}),
]
SubdivisionCode = Annotated[
    str,
    AfterValidator(check_subdivision),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[A-Za-z]{2}-[A-Za-z0-9]{1,3}\s*$",
            "examples": ["US-AZ", "MX-JAL"],
        }
    ),
]


USMCA_COUNTRIES = frozenset({"US", "MX", "CA"})
"""The parties of the USMCA / T-MEC / CUSMA (USMCA Art. 1.4; in force 2020-07-01)."""


def country_name(code: str) -> str:
    """The English short name of an ISO 3166-1 country."""
    country = pycountry.countries.get(alpha_2=code)
    return code if country is None else str(country.name)


class Incoterm(StrEnum):
    """The eleven Incoterms 2020 rules (ICC)."""

    EXW = "EXW"
    FCA = "FCA"
    CPT = "CPT"
    CIP = "CIP"
    DAP = "DAP"
    DPU = "DPU"
    DDP = "DDP"
    FAS = "FAS"
    FOB = "FOB"
    CFR = "CFR"
    CIF = "CIF"

    @property
    def seller_pays_main_carriage(self) -> bool:
        """True for the C and D rules, where the seller pays carriage to the destination."""
        return self.value[0] in {"C", "D"}


INCOTERM_LABELS: dict[Incoterm, str] = {
    Incoterm.EXW: N_("Ex Works"),
    Incoterm.FCA: N_("Free Carrier"),
    Incoterm.CPT: N_("Carriage Paid To"),
    Incoterm.CIP: N_("Carriage and Insurance Paid To"),
    Incoterm.DAP: N_("Delivered at Place"),
    Incoterm.DPU: N_("Delivered at Place Unloaded"),
    Incoterm.DDP: N_("Delivered Duty Paid"),
    Incoterm.FAS: N_("Free Alongside Ship"),
    Incoterm.FOB: N_("Free on Board"),
    Incoterm.CFR: N_("Cost and Freight"),
    Incoterm.CIF: N_("Cost, Insurance and Freight"),
}


class TransportMode(StrEnum):
    """How the goods cross the border. Trucks first; rail and air follow."""

    TRUCK = "truck"
    RAIL = "rail"
    AIR = "air"
    OCEAN = "ocean"


class ChargeKind(StrEnum):
    """Costs beside the goods' price that customs valuation on either side needs."""

    FREIGHT = "freight"
    INSURANCE = "insurance"
    PACKING = "packing"
    OTHER = "other"
