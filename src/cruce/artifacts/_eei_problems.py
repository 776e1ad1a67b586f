"""What the EEI lacks: the mandatory elements of 15 CFR 30.6 the record does not give.

Package-private: :mod:`cruce.artifacts.eei` re-exports :func:`eei_problems`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cruce.artifacts._eei_data import (
    EAR99,
    KEY,
    US,
    _hazmat,
    _number,
    _on,
    _routed,
    _state,
    _unit,
    _values,
)
from cruce.i18n import _
from cruce.model.party import TaxScheme
from cruce.model.problems import blocker, warning
from cruce.reference.ports import port_by_code

if TYPE_CHECKING:
    from datetime import date

    from cruce.model import Problem, Shipment


def _missing(code: str, path: str, element: str, citation: str) -> Problem:
    return blocker(
        f"{KEY}.{code}",
        path,
        _(
            "EEI data element {element} ({citation}) is mandatory and the record does not give it",
            element=element,
            citation=citation,
        ),
    )


def _party_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    seller = shipment.parties.seller
    if seller is None:
        return [_missing("usppi.missing", "parties.seller", "USPPI", "15 CFR 30.6(a)(1)")]
    if seller.tax_id(TaxScheme.US_EIN) is None:
        found.append(
            _missing(
                "usppi.ein_missing", "parties.seller.tax_ids", "USPPI EIN", "15 CFR 30.6(a)(1)"
            )
        )
    contact = seller.contact
    if contact is None or contact.name is None or contact.phone is None:
        found.append(
            _missing(
                "usppi.contact_missing",
                "parties.seller.contact",
                "USPPI contact name and phone",
                "15 CFR 30.6(a)(1)",
            )
        )
    if _state(shipment) is None:
        found.append(
            _missing(
                "state_of_origin.missing",
                "parties.seller.address.subdivision",
                "US state of origin",
                "15 CFR 30.6(a)(4)",
            )
        )
    if shipment.parties.ship_to() is None:
        found.append(
            _missing(
                "consignee.missing", "parties.buyer", "ultimate consignee", "15 CFR 30.6(a)(3)"
            )
        )
    return found


def _transport_problems(shipment: Shipment) -> list[Problem]:
    transport = shipment.transport
    found: list[Problem] = []
    if transport.planned_crossing is None:
        found.append(
            warning(
                f"{KEY}.deadline.unknown",
                "transport.planned_crossing",
                _(
                    "give the planned crossing: EEI must be filed before the truck reaches "
                    "the border ({citation}), and cruce cannot tell by when",
                    citation="15 CFR 30.4(b)",
                ),
            )
        )
        if shipment.terms.invoice_date is None:
            found.append(
                _missing(
                    "date_of_export.missing",
                    "transport.planned_crossing",
                    "date of export",
                    "15 CFR 30.6(a)(2)",
                )
            )
    if transport.carrier_scac is None:
        found.append(
            _missing(
                "carrier.scac_missing",
                "transport.carrier_scac",
                "carrier identification (SCAC)",
                "15 CFR 30.6(a)(8)",
            )
        )
    if shipment.parties.carrier is None:
        found.append(
            _missing(
                "carrier.missing", "parties.carrier", "conveyance/carrier name", "15 CFR 30.6(a)(7)"
            )
        )
    crossing = transport.crossing
    if crossing is None:
        found.append(
            _missing("port.missing", "transport.crossing", "port of export", "15 CFR 30.6(a)(9)")
        )
    elif port_by_code(crossing.cbp_port_code) is None:
        found.append(
            warning(
                f"{KEY}.port.not_land_port",
                "transport.crossing.cbp_port_code",
                _(
                    "port {code} is not one of the US-Mexico land ports cruce knows: check the "
                    "Schedule D code of the port of export",
                    code=crossing.cbp_port_code,
                ),
            )
        )
    return found


def _indicator_problems(shipment: Shipment) -> list[Problem]:
    found = []
    if shipment.terms.related_parties is None:
        found.append(
            _missing(
                "related_party.missing",
                "terms.related_parties",
                "related party indicator",
                "15 CFR 30.6(a)(10)",
            )
        )
    if shipment.parties.consignee_type is None:
        found.append(
            _missing(
                "consignee_type.missing",
                "parties.consignee_type",
                "ultimate consignee type",
                "15 CFR 30.6(a)(28)",
            )
        )
    unknown = [i for i, line in enumerate(shipment.goods) if line.hazmat is None]
    if unknown and _hazmat(shipment) is None:
        found.append(
            _missing(
                "hazardous_materials.missing",
                f"goods[{unknown[0]}].hazmat",
                "hazardous materials indicator",
                "15 CFR 30.6(a)(21)",
            )
        )
    if _routed(shipment) is None:
        found.append(
            _missing(
                "routed.missing",
                "terms.incoterm",
                "routed export transaction indicator",
                "15 CFR 30.6(a)(24)",
            )
        )
    return found


def _line_problems(shipment: Shipment, on: date) -> list[Problem]:
    found: list[Problem] = []
    for index, line in enumerate(shipment.goods):
        where = f"goods[{index}]"
        if _number(line) is None:
            found.append(
                _missing(
                    "line.classification_missing",
                    f"{where}.schedule_b",
                    "Schedule B or HTSUS number",
                    "15 CFR 30.6(a)(12)",
                )
            )
        if line.origin_country is None:
            found.append(
                _missing(
                    "line.origin_missing",
                    f"{where}.origin_country",
                    "domestic or foreign indicator",
                    "15 CFR 30.6(a)(11)",
                )
            )
        if line.gross_weight_kg is None:
            found.append(
                _missing(
                    "line.weight_missing",
                    f"{where}.gross_weight_kg",
                    "shipping weight",
                    "15 CFR 30.6(a)(16)",
                )
            )
        if _unit(line, on) is None:
            found.append(
                warning(
                    f"{KEY}.line.quantity_unknown",
                    f"{where}.hts",
                    _(
                        "line {line}: cruce cannot state {quantity} {unit} in the unit of "
                        "quantity of its HTSUS number, which EEI reports ({citation}): the "
                        "filer enters it; check the HTSUS number or give the quantity in that "
                        "unit",
                        line=index + 1,
                        quantity=str(line.quantity),
                        unit=line.unit,
                        citation="15 CFR 30.6(a)(14)-(15)",
                    ),
                )
            )
        if line.eccn is None:
            found.append(
                _missing(
                    "line.eccn_missing",
                    f"{where}.eccn",
                    "licence code (ECCN or EAR99)",
                    "15 CFR 30.6(a)(23)",
                )
            )
        elif line.eccn != EAR99:
            found.append(
                blocker(
                    f"{KEY}.line.licence_unknown",
                    f"{where}.eccn",
                    _(
                        "line {line} is classified {eccn}: give the licence code and the "
                        "licence number or exception to file it ({citation}); cruce fills "
                        "C33 NLR only for EAR99",
                        line=index + 1,
                        eccn=line.eccn,
                        citation="15 CFR 30.6(a)(23), 30.6(b)(5)-(6)",
                    ),
                )
            )
    return found


def eei_problems(shipment: Shipment) -> list[Problem]:
    """What the EEI lacks: mandatory elements are blockers, the planned crossing a warning."""
    if shipment.export_country != US:
        return []
    found = [
        blocker(
            f"{KEY}.fx_missing",
            "terms.exchange_rate",
            _(
                "EEI values are reported in US dollars: give the rate from {currency} to "
                "USD in terms.exchange_rate",
                currency=currency,
            ),
        )
        for currency in sorted(_values(shipment).unconverted)
    ]
    found += _party_problems(shipment)
    found += _transport_problems(shipment)
    found += _indicator_problems(shipment)
    found += _line_problems(shipment, _on(shipment))
    return found
