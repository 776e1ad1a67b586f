"""What the record lacks for the Carta Porte (see ``carta_porte``): one check per part."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cruce.artifacts._cfdi_common import (
    RFC_MORAL_LENGTH,
    estado,
    fraccion,
    num_reg_id_trib,
    pais,
    rfc_of,
)
from cruce.artifacts._cfdi_common import (
    in_catalog as _in_catalog,
)
from cruce.i18n import _
from cruce.model.party import TaxScheme
from cruce.model.problems import blocker, warning
from cruce.reference import units
from cruce.reference.facts import NotCoveredError

if TYPE_CHECKING:
    from cruce.model import GoodsLine, Party, Problem, Shipment

from cruce.artifacts._carta_porte_trip import (
    CURRENCIES,
    KEY,
    MAX_TRAILERS,
    PLATE,
    THREE_PLACES,
    departure_time,
    estado_known,
    freight_charges,
    is_entering,
    payer_of,
    pesos_per_dollar,
)

# ---------------------------------------------------------------- problems


def _regimen_problem(party: Party, path: str, role: str) -> Problem | None:
    rfc = rfc_of(party)
    if party.regimen_fiscal is not None:
        if _in_catalog("C756_c_RegimenFiscal", party.regimen_fiscal):
            return None
        return blocker(
            f"{KEY}.{role}.regimen_unknown",
            f"{path}.regimen_fiscal",
            _(
                "Régimen fiscal {code} is not in SAT's c_RegimenFiscal",
                code=party.regimen_fiscal,
            ),
        )
    if rfc is not None and len(rfc) != RFC_MORAL_LENGTH:
        return blocker(
            f"{KEY}.{role}.regimen_missing",
            f"{path}.regimen_fiscal",
            _(
                "RFC {rfc} is a person's: give the régimen fiscal (c_RegimenFiscal), cruce "
                "cannot tell it",
                rfc=rfc,
            ),
        )
    return None


def _carrier_problems(shipment: Shipment) -> list[Problem]:
    carrier = shipment.parties.carrier
    path = "parties.carrier"
    if carrier is None:
        return [
            blocker(
                f"{KEY}.emisor.missing",
                path,
                _("The Carta Porte is the carrier's CFDI: the record names no carrier"),
            )
        ]
    found: list[Problem] = []
    if rfc_of(carrier) is None:
        found.append(
            blocker(
                f"{KEY}.emisor.rfc_missing",
                f"{path}.tax_ids",
                _("The Carta Porte needs the carrier's RFC (the issuer of the CFDI)"),
            )
        )
    else:
        regimen = _regimen_problem(carrier, path, "emisor")
        if regimen is not None:
            found.append(regimen)
    if carrier.address.country != "MX" or carrier.address.postal_code is None:
        found.append(
            blocker(
                f"{KEY}.emisor.postal_code_missing",
                f"{path}.address.postal_code",
                _("The Carta Porte needs the carrier's Mexican postal code (place of issue)"),
            )
        )
    return found


def _address_problems(party: Party, path: str, role: str) -> list[Problem]:
    found: list[Problem] = []
    state = estado(party.address)
    if state is None:
        found.append(
            blocker(
                f"{KEY}.{role}.estado_missing",
                f"{path}.address.subdivision",
                _("The Carta Porte needs the state of each place the truck leaves or reaches"),
            )
        )
    elif not estado_known(state, pais(party.address.country)):
        found.append(_unknown(f"{path}.address.subdivision", "c_Estado", state))
    if party.address.postal_code is None:
        found.append(
            blocker(
                f"{KEY}.{role}.postal_code_missing",
                f"{path}.address.postal_code",
                _("The Carta Porte needs the postal code of each place"),
            )
        )
    if rfc_of(party) is None and num_reg_id_trib(party) is None:
        found.append(
            blocker(
                f"{KEY}.{role}.tax_id_missing",
                f"{path}.tax_ids",
                _(
                    "The Carta Porte names each party by its RFC, or a foreign one by its tax "
                    "number (NumRegIdTrib)"
                ),
            )
        )
    return found


def _party_problems(shipment: Shipment) -> list[Problem]:
    parties = shipment.parties
    found = _carrier_problems(shipment)
    if parties.seller is None:
        found.append(
            blocker(
                f"{KEY}.origen.missing",
                "parties.seller",
                _("The Carta Porte needs the seller, whose place is the origin"),
            )
        )
    else:
        found += _address_problems(parties.seller, "parties.seller", "origen")
    destination = parties.ship_to()
    if destination is None:
        found.append(
            blocker(
                f"{KEY}.destino.missing",
                "parties.buyer",
                _("The Carta Porte needs the consignee or the buyer: the destination is theirs"),
            )
        )
    else:
        role_path = "parties.consignee" if parties.consignee is not None else "parties.buyer"
        found += _address_problems(destination, role_path, "destino")
    if is_entering(shipment) and rfc_of(parties.buyer) is None:
        found.append(
            blocker(
                f"{KEY}.pedimento.rfc_impo_missing",
                "parties.buyer.tax_ids",
                _("Goods entering Mexico: the Carta Porte states the importer's RFC (RFCImpo)"),
            )
        )
    return found


def _payment_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    if shipment.terms.incoterm is None:
        found.append(
            blocker(
                f"{KEY}.receptor.incoterm_missing",
                "terms.incoterm",
                _("cruce bills the freight to whoever pays it by the Incoterm: give the Incoterm"),
            )
        )
    else:
        payer = payer_of(shipment)
        role = "seller" if shipment.terms.incoterm.seller_pays_main_carriage else "buyer"
        if payer is None:
            found.append(
                blocker(
                    f"{KEY}.receptor.missing",
                    f"parties.{role}",
                    _("The carrier's CFDI is made out to whoever pays the freight: name it"),
                )
            )
        elif rfc_of(payer) is not None:
            regimen = _regimen_problem(payer, f"parties.{role}", "receptor")
            if regimen is not None:
                found.append(regimen)
            if payer.address.country != "MX" or payer.address.postal_code is None:
                found.append(
                    blocker(
                        f"{KEY}.receptor.postal_code_missing",
                        f"parties.{role}.address.postal_code",
                        _("A Mexican receptor needs its postal code (DomicilioFiscalReceptor)"),
                    )
                )
    freight = freight_charges(shipment)
    if not freight:
        found.append(
            blocker(
                f"{KEY}.concepto.freight_missing",
                "terms.charges",
                _("The carrier's CFDI bills its freight: record the freight charge"),
            )
        )
        return found
    currencies = {c.amount.currency for c in freight}
    if len(currencies) > 1 or not currencies <= CURRENCIES:
        found.append(
            blocker(
                f"{KEY}.moneda.unsupported",
                "terms.charges",
                _("cruce writes the carrier's CFDI in one currency, USD or MXN"),
            )
        )
    departure = departure_time(shipment)
    if currencies == {"USD"} and departure is not None:
        try:
            pesos_per_dollar(shipment, departure)
        except NotCoveredError as error:
            message = getattr(error, "message", None) or _("No USD/MXN rate for the departure")
            found.append(blocker(f"{KEY}.tipo_cambio.missing", "terms.exchange_rate", message))
    return found


def _trip_problems(shipment: Shipment) -> list[Problem]:
    transport = shipment.transport
    found: list[Problem] = []
    if transport.planned_departure is None and transport.planned_crossing is None:
        found.append(
            blocker(
                f"{KEY}.ubicacion.departure_missing",
                "transport.planned_departure",
                _("The Carta Porte needs the planned departure (FechaHoraSalidaLlegada)"),
            )
        )
    elif transport.planned_departure is None:
        found.append(
            warning(
                f"{KEY}.ubicacion.departure_is_crossing",
                "transport.planned_departure",
                _("No planned departure: the Carta Porte uses the planned crossing time"),
            )
        )
    if transport.planned_delivery is None and transport.planned_crossing is None:
        found.append(
            blocker(
                f"{KEY}.ubicacion.arrival_missing",
                "transport.planned_delivery",
                _("The Carta Porte needs the planned delivery (FechaHoraSalidaLlegada)"),
            )
        )
    elif transport.planned_delivery is None:
        found.append(
            warning(
                f"{KEY}.ubicacion.arrival_is_crossing",
                "transport.planned_delivery",
                _("No planned delivery: the Carta Porte uses the planned crossing time"),
            )
        )
    if transport.mx_distance_km is None:
        found.append(
            blocker(
                f"{KEY}.ubicacion.distance_missing",
                "transport.mx_distance_km",
                _("The Carta Porte needs the kilometres driven in Mexico (DistanciaRecorrida)"),
            )
        )
    parts = shipment.customs.pedimento_parts()
    crossing = transport.crossing
    if parts is not None and crossing is not None and parts["aduana"] != crossing.aduana:
        found.append(
            warning(
                f"{KEY}.pedimento.aduana_mismatch",
                "customs.pedimento",
                _(
                    "The pedimento was cleared at aduana {pedimento}, the truck crosses at "
                    "aduana {crossing}: confirm the pedimento number",
                    pedimento=parts["aduana"],
                    crossing=crossing.aduana,
                ),
            )
        )
    if shipment.customs.pedimento is None:
        found.append(
            blocker(
                f"{KEY}.pedimento.missing",
                "customs.pedimento",
                _(
                    "The Carta Porte of an international move records the pedimento number "
                    "(DocumentacionAduanera)"
                ),
            )
        )
    return found


def _vehicle_problems(shipment: Shipment) -> list[Problem]:  # noqa: C901, PLR0912 - one check each
    transport = shipment.transport
    found: list[Problem] = []
    permit = transport.permit
    if permit is None:
        found.append(
            blocker(
                f"{KEY}.autotransporte.permit_missing",
                "transport.permit",
                _("The Carta Porte needs the carrier's SICT permit (PermSCT, NumPermisoSCT)"),
            )
        )
    elif not _in_catalog("C592_c_TipoPermiso", permit.type):
        found.append(_unknown("transport.permit.type", "c_TipoPermiso", permit.type))
    insurance = transport.liability_insurance
    if insurance is None or len(insurance.insurer) < 3 or len(insurance.policy) < 3:  # noqa: PLR2004 - XSD minimum
        found.append(
            blocker(
                f"{KEY}.autotransporte.insurance_missing",
                "transport.liability_insurance",
                _(
                    "The Carta Porte needs the carrier's civil liability insurer and policy "
                    "(at least 3 characters each)"
                ),
            )
        )
    truck = transport.truck
    if truck is None:
        found.append(
            blocker(
                f"{KEY}.autotransporte.truck_missing",
                "transport.truck",
                _("The Carta Porte identifies the truck"),
            )
        )
    else:
        if truck.configuration is None:
            found.append(_missing("transport.truck.configuration", "ConfigVehicular"))
        elif not _in_catalog("C592_c_ConfigAutotransporte", truck.configuration):
            found.append(
                _unknown(
                    "transport.truck.configuration", "c_ConfigAutotransporte", truck.configuration
                )
            )
        if truck.gross_weight_t is None:
            found.append(_missing("transport.truck.gross_weight_t", "PesoBrutoVehicular"))
        if truck.model_year is None:
            found.append(_missing("transport.truck.model_year", "AnioModeloVM"))
        if truck.plate is None or not PLATE.fullmatch(truck.plate):
            found.append(_plate("transport.truck.plate"))
    if len(transport.trailers) > MAX_TRAILERS:
        found.append(
            blocker(
                f"{KEY}.autotransporte.too_many_trailers",
                "transport.trailers",
                _("The Carta Porte takes at most two trailers"),
            )
        )
    for index, trailer in enumerate(transport.trailers[:MAX_TRAILERS]):
        path = f"transport.trailers[{index}]"
        if trailer.trailer_subtype is None:
            found.append(_missing(f"{path}.trailer_subtype", "SubTipoRem"))
        elif not _in_catalog("C592_c_SubTipoRem", trailer.trailer_subtype):
            found.append(
                _unknown(f"{path}.trailer_subtype", "c_SubTipoRem", trailer.trailer_subtype)
            )
        if trailer.plate is None or not PLATE.fullmatch(trailer.plate):
            found.append(_plate(f"{path}.plate"))
    return found


def _driver_problems(shipment: Shipment) -> list[Problem]:
    driver = shipment.transport.driver
    if driver is None:
        return [
            blocker(
                f"{KEY}.figura.driver_missing",
                "transport.driver",
                _("The Carta Porte names the driver (FiguraTransporte, operador)"),
            )
        ]
    found: list[Problem] = []
    foreign = next((t for t in driver.tax_ids if t.scheme is TaxScheme.FOREIGN), None)
    rfc = next((t for t in driver.tax_ids if t.scheme is TaxScheme.MX_RFC), None)
    if rfc is None and foreign is None:
        found.append(
            blocker(
                f"{KEY}.figura.tax_id_missing",
                "transport.driver.tax_ids",
                _("The Carta Porte names the driver by RFC, or a foreign driver by tax number"),
            )
        )
    license_number = driver.license_number or ""
    if not 6 <= len(license_number) <= 16:  # noqa: PLR2004 - XSD bounds
        found.append(
            blocker(
                f"{KEY}.figura.license_missing",
                "transport.driver.license_number",
                _("The Carta Porte needs the driver's licence number (6 to 16 characters)"),
            )
        )
    return found


def _line_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    if not shipment.goods:
        found.append(
            blocker(f"{KEY}.mercancia.none", "goods", _("The Carta Porte lists the goods moved"))
        )
    for index, line in enumerate(shipment.goods):
        path = f"goods[{index}]"
        number = index + 1
        if line.clave_prod_serv is not None and not _in_catalog(
            "C592_c_ClaveProdServCP", line.clave_prod_serv
        ):
            found.append(
                _unknown(f"{path}.clave_prod_serv", "c_ClaveProdServCP", line.clave_prod_serv)
            )
        if line.gross_weight_kg is None or line.gross_weight_kg < THREE_PLACES:
            found.append(
                blocker(
                    f"{KEY}.mercancia.weight_missing",
                    f"{path}.gross_weight_kg",
                    _(
                        "Line {line}: the Carta Porte needs its gross weight (PesoEnKg)",
                        line=number,
                    ),
                )
            )
        if fraccion(line) is None:
            found.append(
                blocker(
                    f"{KEY}.mercancia.fraccion_invalid",
                    f"{path}.nico",
                    _(
                        "Line {line}: an international Carta Porte needs the fracción and NICO "
                        "of SAT's catalog",
                        line=number,
                    ),
                )
            )
        unit = units.unit(line.unit)
        if unit is None or not unit.in_sat_clave_unidad:
            found.append(
                blocker(
                    f"{KEY}.mercancia.unit_unmapped",
                    f"{path}.unit",
                    _(
                        "Line {line}: unit {unit} is not in SAT's c_ClaveUnidad",
                        line=number,
                        unit=line.unit,
                    ),
                )
            )
        found += _hazmat_problems(line, path, number)
    if any(line.clave_prod_serv is None for line in shipment.goods):
        found.append(
            warning(
                f"{KEY}.mercancia.bienes_transp_default",
                "goods",
                _(
                    "Lines without a SAT product key are written as 01010101 (not in the "
                    "catalog): give clave_prod_serv before stamping"
                ),
            )
        )
    return found


def _hazmat_problems(line: GoodsLine, path: str, number: int) -> list[Problem]:
    if line.hazmat is None:
        return [
            blocker(
                f"{KEY}.mercancia.hazmat_unknown",
                f"{path}.hazmat",
                _(
                    "Line {line}: say whether the goods are hazardous; the Carta Porte declares "
                    "hazardous materials",
                    line=number,
                ),
            )
        ]
    if not line.hazmat:
        return []
    found: list[Problem] = []
    if line.un_number is None:
        found.append(_missing(f"{path}.un_number", "CveMaterialPeligroso"))
    elif not _in_catalog("C592_c_MaterialPeligroso", line.un_number):
        found.append(_unknown(f"{path}.un_number", "c_MaterialPeligroso", line.un_number))
    if line.package_type is None:
        found.append(_missing(f"{path}.package_type", "Embalaje"))
    elif not _in_catalog("C592_c_TipoEmbalaje", line.package_type):
        found.append(_unknown(f"{path}.package_type", "c_TipoEmbalaje", line.package_type))
    return found


def _missing(path: str, attribute: str) -> Problem:
    return blocker(
        f"{KEY}.field.missing",
        path,
        _("The Carta Porte needs {attribute}: the record lacks it", attribute=attribute),
    )


def _unknown(path: str, catalog: str, code: str) -> Problem:
    return blocker(
        f"{KEY}.code.unknown",
        path,
        _("{code} is not a code of SAT's catalog {catalog}", code=code, catalog=catalog),
    )


def _plate(path: str) -> Problem:
    return blocker(
        f"{KEY}.autotransporte.plate_invalid",
        path,
        _("The Carta Porte needs the plate: 5 to 7 letters or digits, no spaces or hyphens"),
    )


def record_problems(shipment: Shipment) -> list[Problem]:
    """What the record lacks for the Carta Porte (the CSD aside)."""
    return [
        *_party_problems(shipment),
        *_payment_problems(shipment),
        *_trip_problems(shipment),
        *_vehicle_problems(shipment),
        *_driver_problems(shipment),
        *_line_problems(shipment),
    ]
