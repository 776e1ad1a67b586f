"""The Carta Porte's codes and the facts of the trip it states (see ``carta_porte``)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from cruce.artifacts._cfdi_common import (
    Csd,
    csd_from_variables,
    rfc_of,
)
from cruce.model.codes import ChargeKind, TransportMode
from cruce.reference.fx import customs_rate

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from cruce.model import Party, Shipment
    from cruce.model.terms import Charge

KEY: Final = "carta_porte"
MEDIA_TYPE: Final = "application/xml"
CP_NS: Final = "http://www.sat.gob.mx/CartaPorte31"

ENV_CARRIER_CER: Final = "CRUCE_CARRIER_CSD_CER"
ENV_CARRIER_KEY: Final = "CRUCE_CARRIER_CSD_KEY"
ENV_CARRIER_PASSWORD: Final = "CRUCE_CARRIER_CSD_PASSWORD"  # noqa: S105 - a variable's name

ENTRADA: Final = "Entrada"
SALIDA: Final = "Salida"
VIA_AUTOTRANSPORTE: Final = "01"
REGIMEN_IMPORTACION: Final = "IMD"
REGIMEN_EXPORTACION: Final = "EXD"
DOCUMENTO_PEDIMENTO: Final = "01"
FIGURA_OPERADOR: Final = "01"
UNIDAD_PESO: Final = "KGM"
BIENES_DEFAULT: Final = "01010101"
FREIGHT_CLAVE: Final = "78101802"
SERVICE_UNIT: Final = "E48"
REGIMEN_MORAL: Final = "601"
REGIMEN_RECEPTOR_EXTRANJERO: Final = "616"
USO_GASTOS: Final = "G03"
USO_SIN_EFECTOS: Final = "S01"
OBJETO_NO: Final = "01"
OBJETO_SI: Final = "02"
IVA: Final = "002"
NO_EXPORTACION: Final = "01"
MAX_TRAILERS: Final = 2
CURRENCIES: Final = frozenset({"USD", "MXN"})
THREE_PLACES: Final = Decimal("0.001")
TWO_PLACES: Final = Decimal("0.01")
PLATE = re.compile(r"[^(?!.*\s)\-]{5,7}")
IDCCP_NAMESPACE: Final = uuid.UUID("6f1c2a52-3b0e-5d43-9a57-2c1e8f4b7d10")
COUNTRIES: Final = frozenset({"US", "MX"})
CITATION: Final = (
    "CFF art. 29, penúltimo párrafo; RMF regla 2.7.7.1.1 (the carrier's CFDI de ingreso "
    "with the Complemento Carta Porte proves the transport and, with the pedimento number, "
    "the legal stay of foreign goods); Complemento Carta Porte 3.1 (CartaPorte31.xsd)"
)


# ---------------------------------------------------------------- catalogs


def estado_known(code: str, country: str) -> bool:
    """Whether c_Estado lists ``code`` for ``country`` (c_Pais).

    The catalog lists the states of Mexico, the United States and Canada; others pass.
    """
    from satcfdi import catalogs  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415

    if country not in {"MEX", "USA", "CAN"}:
        return True
    row = catalogs.select("C756_c_Estado", code)
    return row is not None and row[0] == country


def carrier_csd_from_environment(environ: Mapping[str, str] | None = None) -> Csd | None:
    """The carrier's CSD the environment names (``CRUCE_CARRIER_CSD_*``); None when none."""
    return csd_from_variables(ENV_CARRIER_CER, ENV_CARRIER_KEY, ENV_CARRIER_PASSWORD, environ)


# ---------------------------------------------------------------- the trip


def applies(shipment: Shipment) -> bool:
    """A truck crossing between the United States and Mexico, either way."""
    countries = {shipment.export_country, shipment.import_country}
    return shipment.transport.mode is TransportMode.TRUCK and countries == COUNTRIES


def is_entering(shipment: Shipment) -> bool:
    return shipment.import_country == "MX"


def local_time(moment: datetime) -> datetime:
    """An aware time as SAT writes it: the local wall-clock time, no offset."""
    return moment.replace(tzinfo=None, microsecond=0)


def departure_time(shipment: Shipment) -> datetime | None:
    transport = shipment.transport
    found = transport.planned_departure or transport.planned_crossing
    return None if found is None else local_time(found)


def arrival_time(shipment: Shipment) -> datetime | None:
    transport = shipment.transport
    found = transport.planned_delivery or transport.planned_crossing
    return None if found is None else local_time(found)


def payer_of(shipment: Shipment) -> Party | None:
    incoterm = shipment.terms.incoterm
    if incoterm is None:
        return None
    parties = shipment.parties
    return parties.seller if incoterm.seller_pays_main_carriage else parties.buyer


def freight_charges(shipment: Shipment) -> list[Charge]:
    return [c for c in shipment.terms.charges if c.kind is ChargeKind.FREIGHT]


def pesos_per_dollar(shipment: Shipment, day: datetime) -> Decimal:
    """Pesos per dollar: the record's USD/MXN rate, else the DOF's FIX of the day before."""
    given = shipment.terms.exchange_rate
    if given is not None and (given.base, given.quote) == ("USD", "MXN"):
        return given.rate
    return customs_rate(day.date()).rate


def pedimento_number(shipment: Shipment) -> str | None:
    """NumPedimento as the XSD's pattern writes it: ``26  23  3217  6000418``."""
    parts = shipment.customs.pedimento_parts()
    return None if parts is None else "  ".join(parts.values())


def id_ccp(shipment: Shipment) -> str:
    """``CCC`` + the last 33 characters of a UUID derived from the carrier, trip and record."""
    departure = departure_time(shipment)
    name = "|".join(
        (
            rfc_of(shipment.parties.carrier) or "",
            shipment.reference,
            "" if departure is None else departure.isoformat(),
        )
    )
    return "CCC" + str(uuid.uuid5(IDCCP_NAMESPACE, name))[3:]


def sat_text(value: str, limit: int) -> str:
    """Free text SAT accepts: no ``|`` (the cadena original's separator), at most ``limit``."""
    return " ".join(value.replace("|", "/").split())[:limit]
