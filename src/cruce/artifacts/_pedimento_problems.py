"""What the pedimento needs of the record, and what its draft leaves undetermined."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cruce.artifacts._pedimento_draft import (
    foreign_party,
    line_umc,
    mexican_party,
    operation_of,
    rfc_of,
)
from cruce.artifacts._pedimento_model import CITATION, IMPORT, KEY
from cruce.artifacts.base import Requirement
from cruce.i18n import _
from cruce.model import TransportMode
from cruce.model.problems import blocker, warning

if TYPE_CHECKING:
    from cruce.artifacts._pedimento_model import Pedimento
    from cruce.model import Problem, Shipment


def required(shipment: Shipment) -> Requirement:
    """A pedimento for every truck crossing between the US and Mexico, either way."""
    between = {shipment.export_country, shipment.import_country} == {"US", "MX"}
    if not between:
        return Requirement(
            required=False,
            reason=_("cruce prepares the pedimento of goods crossing between the US and Mexico"),
        )
    if shipment.transport.mode is not TransportMode.TRUCK:
        return Requirement(
            required=False,
            reason=_("cruce prepares the pedimento of goods that cross by truck"),
        )
    if shipment.import_country == "MX":
        reason = _(
            "Goods imported into Mexico are declared to customs in a pedimento that the agente "
            "aduanal files (importación definitiva, clave A1)"
        )
    else:
        reason = _(
            "Goods exported from Mexico are declared to customs in a pedimento that the agente "
            "aduanal files (exportación definitiva, clave A1)"
        )
    return Requirement(required=True, reason=reason, citation=CITATION)


def _header_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    operation = operation_of(shipment)
    parties = shipment.parties
    mexican_path = "parties.buyer" if operation == IMPORT else "parties.seller"
    foreign_path = "parties.seller" if operation == IMPORT else "parties.buyer"
    mexican = mexican_party(shipment)
    if mexican is None:
        message = (
            _("The pedimento needs the importer (the Mexican buyer)")
            if operation == IMPORT
            else _("The pedimento needs the exporter (the Mexican seller)")
        )
        found.append(blocker(f"{KEY}.importer_exporter.missing", mexican_path, message))
    elif rfc_of(mexican) is None:
        found.append(
            blocker(
                f"{KEY}.rfc.missing",
                f"{mexican_path}.tax_ids",
                _("The pedimento needs the RFC of the importer or exporter (Anexo 22)"),
            )
        )
    if foreign_party(shipment) is None:
        message = (
            _("The pedimento needs the supplier (the foreign seller)")
            if operation == IMPORT
            else _("The pedimento needs the buyer abroad")
        )
        found.append(blocker(f"{KEY}.supplier_buyer.missing", foreign_path, message))
    broker = parties.mx_customs_broker
    if broker is None or broker.patente is None:
        found.append(
            warning(
                f"{KEY}.patente.missing",
                "parties.mx_customs_broker.patente",
                _(
                    "The patente of the agente aduanal is not known; the agente who files the "
                    "pedimento completes it"
                ),
            )
        )
    if shipment.transport.crossing is None:
        found.append(
            blocker(
                f"{KEY}.crossing.missing",
                "transport.crossing",
                _("The pedimento needs the aduana and sección where the goods cross"),
            )
        )
    if shipment.crossing_date() is None:
        found.append(
            blocker(
                f"{KEY}.date.missing",
                "transport.planned_crossing",
                _("The pedimento needs the crossing date: give the planned crossing"),
            )
        )
    return found


def record_problems(shipment: Shipment) -> list[Problem]:
    """What the pedimento cannot be drafted without (blockers) or should have (warnings)."""
    found = _header_problems(shipment)
    terms = shipment.terms
    if terms.invoice_number is None:
        found.append(
            blocker(
                f"{KEY}.invoice_number.missing",
                "terms.invoice_number",
                _("The pedimento needs the invoice number"),
            )
        )
    if terms.invoice_date is None:
        found.append(
            blocker(
                f"{KEY}.invoice_date.missing",
                "terms.invoice_date",
                _("The pedimento needs the invoice date"),
            )
        )
    if not shipment.goods:
        found.append(blocker(f"{KEY}.goods.missing", "goods", _("The pedimento has no partidas")))
    found += _line_problems(shipment)
    found += _weight_problems(shipment)
    found += _number_problems(shipment)
    if terms.related_parties is None:
        found.append(
            warning(
                f"{KEY}.related_parties.unknown",
                "terms.related_parties",
                _(
                    "Whether the seller and the buyer are related is not known; the pedimento "
                    "declares it in every partida (VINC.)"
                ),
            )
        )
    elif terms.related_parties:
        found.append(
            warning(
                f"{KEY}.related_parties.affects_value",
                "terms.related_parties",
                _(
                    "The parties are related: the draft declares that it does not affect the "
                    "customs value (VINC. 1); the agente aduanal confirms it"
                ),
            )
        )
    if shipment.transport.seals and (
        shipment.transport.truck is None or not shipment.transport.truck.plate
    ):
        found.append(
            warning(
                f"{KEY}.seals.vehicle_missing",
                "transport.truck.plate",
                _("The seals are declared with the plates of the truck, which are missing"),
            )
        )
    return found


def _line_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    for index, line in enumerate(shipment.goods):
        path, number = f"goods[{index}]", index + 1
        if line.fraccion is None:
            found.append(
                blocker(
                    f"{KEY}.fraccion.missing",
                    f"{path}.fraccion",
                    _("Line {line}: the pedimento needs the fracción arancelaria", line=number),
                )
            )
        if line.nico is None:
            found.append(
                blocker(
                    f"{KEY}.nico.missing",
                    f"{path}.nico",
                    _("Line {line}: the pedimento needs the NICO of the fracción", line=number),
                )
            )
        if line.origin_country is None:
            found.append(
                blocker(
                    f"{KEY}.origin_country.missing",
                    f"{path}.origin_country",
                    _("Line {line}: the pedimento needs the country of origin", line=number),
                )
            )
        if line_umc(line) is None:
            found.append(
                blocker(
                    f"{KEY}.umc.unknown",
                    f"{path}.unit",
                    _(
                        "Line {line}: the unit {unit} has no pedimento unit (Anexo 22 "
                        "Apéndice 7); give the quantity in one that has",
                        line=number,
                        unit=line.unit,
                    ),
                )
            )
    return found


def _weight_problems(shipment: Shipment) -> list[Problem]:
    weights = [line.gross_weight_kg for line in shipment.goods]
    if not weights:
        return []
    if all(w is None for w in weights):
        return [
            blocker(
                f"{KEY}.gross_weight.missing",
                "goods[0].gross_weight_kg",
                _("The pedimento needs the gross weight of the goods"),
            )
        ]
    missing = [i for i, w in enumerate(weights) if w is None]
    if missing:
        return [
            warning(
                f"{KEY}.gross_weight.partial",
                f"goods[{missing[0]}].gross_weight_kg",
                _(
                    "The gross weight of {count} lines is missing; the pedimento's gross weight "
                    "is left for the agente aduanal",
                    count=len(missing),
                ),
            )
        ]
    return []


def _number_problems(shipment: Shipment) -> list[Problem]:
    parts = shipment.customs.pedimento_parts()
    if parts is None:
        return [
            warning(
                f"{KEY}.number.missing",
                "customs.pedimento",
                _("The pedimento number is not known yet; the agente aduanal assigns it"),
            )
        ]
    found: list[Problem] = []
    broker = shipment.parties.mx_customs_broker
    if broker is not None and broker.patente is not None and parts["patente"] != broker.patente:
        found.append(
            warning(
                f"{KEY}.number.patente_mismatch",
                "customs.pedimento",
                _(
                    "The pedimento number carries patente {number}, the agente aduanal's is "
                    "{patente}",
                    number=parts["patente"],
                    patente=broker.patente,
                ),
            )
        )
    port = shipment.transport.crossing
    if port is not None and parts["aduana"] != port.aduana:
        found.append(
            warning(
                f"{KEY}.number.aduana_mismatch",
                "customs.pedimento",
                _(
                    "The pedimento number carries aduana {number}; the goods cross at aduana "
                    "{aduana}",
                    number=parts["aduana"],
                    aduana=port.aduana,
                ),
            )
        )
    return found


def draft_problems(pedimento: Pedimento) -> list[Problem]:
    """Warnings about what the draft leaves undetermined, one per kind."""
    found = list(pedimento.problems)
    if any(p.umt is None for p in pedimento.partidas):
        found.append(
            warning(
                f"{KEY}.umt.unknown",
                "goods",
                _(
                    "cruce does not know the tariff unit (UMT) of the fracciones; the agente "
                    "aduanal declares it with its quantity"
                ),
            )
        )
    undetermined: dict[str, int] = {}
    for partida in pedimento.partidas:
        for item in partida.contributions:
            if item.payable is None:
                undetermined[item.abbreviation] = undetermined.get(item.abbreviation, 0) + 1
    for abbreviation, count in undetermined.items():
        found.append(
            warning(
                f"{KEY}.contribution.undetermined",
                "goods",
                _(
                    "{contribution} is not determined for {count} partidas; the draft leaves it "
                    "for the agente aduanal",
                    contribution=abbreviation,
                    count=count,
                ),
            )
        )
    found.extend(
        warning(
            f"{KEY}.contribution.undetermined",
            "",
            _(
                "{contribution} is not determined; the draft leaves it for the agente aduanal",
                contribution=item.abbreviation,
            ),
        )
        for item in pedimento.header.contributions
        if item.payable is None
    )
    return found
