"""The pedimento draft for the agente aduanal: Anexo 22 data and the SAAI M3 validation file.

The Mexican side of a truck crossing is declared in a pedimento (Ley Aduanera arts. 36 and
36-A; RGCE Anexo 22, instructivo de llenado): importación definitiva (clave A1, régimen IMD)
for a US→MX shipment, exportación definitiva (A1, EXD) for a MX→US one. The agente aduanal
files it; cruce prepares it from the record so that nothing is retyped.

:func:`draft` builds the :class:`Pedimento` (frozen dataclasses, plain field names, read by
the PDF in :mod:`cruce.artifacts.pedimento_pdf` and by the US/MX cross-check). This module's
artifact renders the draft as the SAAI M3 validation file ("archivo de validación"): text,
one record a line, fields separated by ``|``, in the layouts of ``saai_m3_records.yaml``
(*Lineamientos Técnicos de Registros VOCE-SAAI M3* v9.0). The file is a draft: the agente
assigns the pedimento number and the file's daily sequence, signs record 800 with the
e.firma and completes what cruce leaves empty (the CURP of the agente, a UMT cruce does
not know).

==========================  ====================================================  ==========
pedimento data              where it comes from                                   M3 record
==========================  ====================================================  ==========
number, patente, aduana     ``customs.pedimento``; the broker's patente; the       500, 501
                            crossing's aduana and sección (Apéndice 1)
tipo de operación, clave    direction: 1 IMP / 2 EXP (Anexo 22 field 2); A1;      501
régimen                     IMD / EXD (Apéndices 2 and 16)
tipo de cambio              the DOF rate customs applies (``reference.fx``)        501
incrementables              freight, insurance, packing the buyer pays apart       501
                            (``compliance.valuation``; LA arts. 64-65)
importer / exporter         the Mexican party: RFC, name, domicile                 501
invoice, supplier / buyer   invoice number, date, Incoterm (Apéndice 14),          505
                            currency, the foreign party
fecha de entrada            the crossing date (imports)                            506
contributions               the landed-cost quote (``compliance.duties``): DTA,    509, 510,
                            PRV and its IVA per pedimento; IGI and IVA per         556, 557
                            partida, Apéndice 12, 13 and 18 codes
seals                       ``transport.seals`` with the truck's plates            516
partidas                    each goods line: fracción + NICO, UMC (Apéndice 7),     551
                            values in pesos and dollars, vinculación, método de
                            valoración (Apéndice 11), countries (Apéndice 4)
UMT and its quantity        the fracción's LIGIE row (``reference.mx_tariff``),    551
                            the line's quantity or net weight (below)
identifier TL               a T-MEC preference claimed on an import (Apéndice 8)   554
==========================  ====================================================  ==========

Amounts: values and contributions are written in whole pesos, as the M3 integer fields
require. Contributions follow Código Fiscal de la Federación art. 20 (1 to 50 centavos
down, 51 to 99 up), as :meth:`LandedCost.payable` does; values (valor en aduana, precio
pagado, incrementables) are rounded half up, a choice of cruce's that the sources read do
not settle. The pedimento totals are the sums of the partidas' declared amounts.

The tariff unit: each partida declares its quantity in the unit the LIGIE assigns to the
fracción (Anexo 22, partidas block: UMT, an Apéndice 7 clave, and CANTIDAD UMT; M3 record
551: ``umt``, "Unidad de medida de la LIGIE", and ``cantidad_umt``). cruce takes the UMT
from the LIGIE row in force on the crossing date (a NICO row before the fracción's, the
user's import before the bundled rows, see :func:`cruce.reference.mx_tariff.tariff_unit`)
and derives the quantity from the line:

- the UMT is the line's UMC (the same Apéndice 7 clave): the line's quantity;
- the UMT is the kilo and the line gives its net weight: the net weight in kg;
- otherwise the quantity is left empty and a warning names the line: the agente aduanal
  states it.

A fracción whose UMT is not loaded leaves both empty, with the draft's warning that cruce
does not know the tariff unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cruce.artifacts._pedimento_draft import draft
from cruce.artifacts._pedimento_m3 import SEPARATOR, m3_file
from cruce.artifacts._pedimento_m3_check import read_records, validate_m3
from cruce.artifacts._pedimento_model import (
    EXPORT,
    IMPORT,
    KEY,
    MXN,
    USD,
    Contribution,
    Header,
    Identifier,
    Incrementables,
    Invoice,
    Partida,
    Pedimento,
    PedimentoParty,
    TransportData,
)
from cruce.artifacts._pedimento_problems import draft_problems, record_problems, required
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _
from cruce.model.problems import has_blockers

if TYPE_CHECKING:
    from cruce.model import Problem, Shipment

__all__ = [
    "ARTIFACT",
    "EXPORT",
    "IMPORT",
    "KEY",
    "MXN",
    "SEPARATOR",
    "USD",
    "Contribution",
    "Header",
    "Identifier",
    "Incrementables",
    "Invoice",
    "Partida",
    "Pedimento",
    "PedimentoM3",
    "PedimentoParty",
    "TransportData",
    "draft",
    "draft_problems",
    "m3_file",
    "read_records",
    "record_problems",
    "required",
    "validate_m3",
]


class PedimentoM3:
    """The pedimento draft as the SAAI M3 validation file the agente aduanal transmits."""

    key = KEY
    title = _("Pedimento draft (SAAI M3 validation file)")
    media_type = "text/plain"
    order = 45

    def required(self, shipment: Shipment) -> Requirement:
        """Every truck crossing between the US and Mexico, either way."""
        return required(shipment)

    def problems(self, shipment: Shipment) -> list[Problem]:
        """Blockers from the record; when there are none, the draft's warnings."""
        if not required(shipment).required:
            return []
        found = record_problems(shipment)
        if has_blockers(found):
            return found
        return found + draft_problems(draft(shipment))

    def render(self, shipment: Shipment) -> Rendered:
        """The M3 file; named ``<reference>-pedimento-<m3 name>.txt``."""
        name, data = m3_file(draft(shipment))
        return Rendered(
            safe_filename(shipment.reference, f"-pedimento-{name}.txt"), self.media_type, data
        )

    def validate(self, data: bytes) -> list[Problem]:
        """The structure of the M3 file (:func:`validate_m3`)."""
        return validate_m3(data)


ARTIFACT: Final = PedimentoM3()
