"""The carrier's CFDI 4.0 with the Complemento Carta Porte 3.1 for a truck crossing US-MX.

Who issues it, and which comprobante
------------------------------------
A carrier paid to move goods on Mexican federal roads issues a CFDI **de tipo ingreso** for
its freight and adds the Carta Porte complement to it; with it the carrier proves the
transport and, for foreign goods, their legal stay in Mexico, provided the comprobante
records the pedimento number (CFF art. 29, penúltimo párrafo; RMF regla 2.7.7.1.1). A CFDI
de tipo traslado is the document of an owner moving its own goods in its own vehicles, or
of an intermediary (RMF regla 2.7.1.9 as first published in 2021, now section 2.7.7): not
the case of a carrier hired for the trip. So cruce writes TipoDeComprobante ``I``, issued
by ``parties.carrier``, sealed with **the carrier's** CSD, never the seller's.

- Receptor: whoever pays the main carriage, by the Incoterm (Incoterms 2020: the seller
  in the C and D rules, the buyer in E and F). A Mexican payer by its RFC, régimen and
  UsoCFDI ``G03``; a foreign one by the generic RFC ``XEXX010101000``, régimen ``616``,
  UsoCFDI ``S01`` and DomicilioFiscalReceptor = LugarExpedicion (Guía de llenado del
  CFDI 4.0), with its ResidenciaFiscal and NumRegIdTrib.
- Conceptos: each freight charge of the record (``terms.charges`` of kind freight), as
  ClaveProdServ ``78101802`` (c_ClaveProdServ: transporte de carga por carretera),
  ClaveUnidad ``E48``. IVA: an international transport is a service rendered in Mexico
  only when the trip begins in Mexico (LIVA art. 16, second paragraph), so a southbound
  trip is ObjetoImp ``01`` (not subject); a northbound one begins in Mexico and is the
  international transport of goods by a resident, taxed at 0 % (LIVA art. 29 fr. V):
  ObjetoImp ``02`` with IVA ``002`` at the rate of the dated row for exports in
  ``mx_fees.yaml``. A USD freight needs TipoCambio: the record's USD/MXN rate, else the
  FIX published in the DOF the day before (CFF art. 20).
- Fecha: the planned departure (the CFDI must exist before the goods move).

What the complement says (SAT's XSD ``CartaPorte31.xsd`` and its annotations):

- TranspInternac ``Sí``; EntradaSalidaMerc ``Entrada`` when the goods enter Mexico,
  ``Salida`` when they leave; PaisOrigenDestino the other country (c_Pais);
  ViaEntradaSalida ``01`` (c_CveTransporte: autotransporte); RegimenesAduaneros ``IMD`` or
  ``EXD`` (c_RegimenAduanero: definitivo de importación / de exportación, as the pedimento
  clave A1 of the record's other documents).
- IdCCP: 36 characters, ``CCC`` then a RFC 4122 UUID's last 33 (the XSD's pattern). cruce
  derives a name-based UUID (v5) from the carrier's RFC, the shipment reference and the
  departure, so that rendering stays deterministic and one trip keeps one IdCCP.
- Ubicaciones: the Origen is the seller's address (the remitente), the Destino where the
  goods go (consignee, else buyer). A party in Mexico by its RFC, a foreign one by
  ``XEXX010101000`` with NumRegIdTrib and ResidenciaFiscal. FechaHoraSalidaLlegada: the
  planned departure and delivery; without them, the planned crossing (warned).
  DistanciaRecorrida on the Destino and TotalDistRec are ``transport.mx_distance_km``: the
  kilometres in Mexico (TotalDistRec is the sum of DistanciaRecorrida). Domicilio: c_Estado,
  c_Pais, CodigoPostal; colonia, localidad and municipio only as SAT catalog codes in Mexico.
- Mercancias: PesoBrutoTotal is the sum of the lines' gross weights (kg, UnidadPeso
  ``KGM``), NumTotalMercancias the number of lines. Each line: BienesTransp of
  c_ClaveProdServCP (the record's ``clave_prod_serv``; without one ``01010101``, "No existe
  en el catálogo", which that catalog lists, and a warning), Descripcion in Spanish,
  Cantidad and ClaveUnidad (UN/CEFACT Rec 20 = c_ClaveUnidad), PesoEnKg (gross),
  FraccionArancelaria (10 digits, fracción + NICO of c_FraccionArancelaria, mandatory in an
  international move), ValorMercancia and Moneda, and DocumentacionAduanera TipoDocumento
  ``01`` (c_DocumentoAduanero: pedimento) with NumPedimento as the XSD's pattern writes it,
  ``26  23  3217  6000418`` (two spaces between year, aduana, patente and sequence), and
  RFCImpo, the importer's RFC, when the goods enter Mexico.
- MaterialPeligroso ``Sí`` with CveMaterialPeligroso (c_MaterialPeligroso, the UN number)
  and Embalaje (c_TipoEmbalaje) when the line is hazardous. The material-peligroso column
  of c_ClaveProdServCP is not in the catalogs satcfdi ships (keys and names only), so
  cruce cannot tell from the key alone: a line whose ``hazmat`` is unknown is a blocker.
- Autotransporte: PermSCT (c_TipoPermiso) and NumPermisoSCT, IdentificacionVehicular
  (ConfigVehicular of c_ConfigAutotransporte, PesoBrutoVehicular in tonnes, PlacaVM,
  AnioModeloVM), Seguros (AseguraRespCivil, PolizaRespCivil), Remolques (at most two, each
  SubTipoRem of c_SubTipoRem and Placa).
- FiguraTransporte: TipoFigura ``01`` (operador) with RFCFigura, or NumRegIdTribFigura and
  ResidenciaFiscalFigura for a foreign driver, NumLicencia and NombreFigura.

Every code the record gives is checked against SAT's catalog (satcfdi's copy); an unknown
one is a blocker naming the field. A pedimento whose aduana (digits 3-4) is not the
crossing's is worth a warning: the goods may clear inland, or the number may be wrong.

Sources. The XSD (patterns, enumerations, what is required) and SAT's description of each
attribute, as satcfdi 26.10.1 carries it in ``satcfdi/create/cfd/cartaporte31.py`` (for
NumPedimento: "número de pedimento de importación", two spaces between its parts; for
RFCImpo: the importer's RFC recorded in the customs document; for IdCCP: 36 characters
per RFC 4122). RMF regla 2.7.7.1.1 as quoted by practitioners (cerdaromero.com,
ayuda.crol.mx; the carrier's CFDI de ingreso, the pedimento number for foreign goods) and
the RMF's split between ingreso and traslado (cumplecfdi.com, sifei.com.mx). SAT's "Guía
de llenado del complemento Carta Porte 3.1" itself was not at hand: where it adds
conditions the XSD does not state (the PAC's validations), a PAC may still refuse what the
XSD accepts.

The carrier's CSD
-----------------
The issuer is the carrier, so the CSD must be the carrier's. cruce looks, in order, for:

1. ``CRUCE_CARRIER_CSD_CER``, ``CRUCE_CARRIER_CSD_KEY``, ``CRUCE_CARRIER_CSD_PASSWORD``:
   the carrier's own CSD, for a shipper or broker who prepares the carrier's Carta Porte
   (its holder must be the carrier's RFC, else a blocker);
2. ``CRUCE_CSD_CER``, ``CRUCE_CSD_KEY``, ``CRUCE_CSD_PASSWORD`` (the ``cfdi`` artifact's
   CSD), used only when its holder's RFC is the carrier's: the carrier itself runs cruce.

Without either, the document is not cruce's to issue (the carrier's own system issues it):
not required, with a warning that says how to configure it and a preview of the record's
gaps. As in ``cfdi``, the CSD's validity on the comprobante's date is checked by cruce.

Not required: a shipment that is not a truck crossing between the United States and
Mexico. Rail, air and sea moves also need the complement in Mexico, with other nodes
(TransporteFerroviario, TransporteAereo, TransporteMaritimo) that cruce does not write; a
move that does not touch Mexico needs none (the complement covers goods moved in Mexican
territory).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from lxml import etree  # type: ignore[import-untyped,unused-ignore]  # no stubs

from cruce.artifacts._cfdi_common import (
    CFDI_NS,
    FOREIGN_RFC,
    SAT_SCHEMAS,
    Csd,
    CsdMessages,
    CsdUnreadableError,
    csd_from_environment,
    csd_problems,
    csd_rfc,
    domicilio,
    emisor_name,
    fraccion,
    num_reg_id_trib,
    pais,
    parser,
    rfc_of,
    sat_schema,
    sealed_problems,
    sealed_xml,
)
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _
from cruce.model.party import TaxScheme
from cruce.model.problems import blocker, warning
from cruce.reference import mx_fees, units

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

    from cruce.model import GoodsLine, Party, Problem, Shipment
    from cruce.model.terms import Charge

from cruce.artifacts._carta_porte_checks import (
    record_problems,
)
from cruce.artifacts._carta_porte_trip import (
    BIENES_DEFAULT,
    CITATION,
    CP_NS,
    DOCUMENTO_PEDIMENTO,
    ENTRADA,
    FIGURA_OPERADOR,
    FREIGHT_CLAVE,
    IVA,
    KEY,
    MAX_TRAILERS,
    MEDIA_TYPE,
    NO_EXPORTACION,
    OBJETO_NO,
    OBJETO_SI,
    REGIMEN_EXPORTACION,
    REGIMEN_IMPORTACION,
    REGIMEN_MORAL,
    REGIMEN_RECEPTOR_EXTRANJERO,
    SALIDA,
    SERVICE_UNIT,
    THREE_PLACES,
    TWO_PLACES,
    UNIDAD_PESO,
    USO_GASTOS,
    USO_SIN_EFECTOS,
    VIA_AUTOTRANSPORTE,
    applies,
    arrival_time,
    carrier_csd_from_environment,
    departure_time,
    freight_charges,
    id_ccp,
    is_entering,
    payer_of,
    pedimento_number,
    pesos_per_dollar,
    sat_text,
)

# ---------------------------------------------------------------- the document


def _weight(value: Decimal) -> Decimal:
    return value.quantize(THREE_PLACES, rounding=ROUND_HALF_UP)


def _ubicacion(cp31: Any, party: Party, kind: str, when: datetime, km: Decimal | None) -> Any:  # noqa: ANN401 - satcfdi
    rfc = rfc_of(party)
    return cp31.Ubicacion(
        tipo_ubicacion=kind,
        id_ubicacion=("OR" if kind == "Origen" else "DE") + "000001",
        rfc_remitente_destinatario=rfc or FOREIGN_RFC,
        nombre_remitente_destinatario=sat_text(party.name, 254),
        num_reg_id_trib=None if rfc else num_reg_id_trib(party),
        residencia_fiscal=None if rfc else pais(party.address.country),
        fecha_hora_salida_llegada=when,
        distancia_recorrida=km,
        domicilio=cp31.Domicilio(**domicilio(party.address)),
    )


def _mercancia(cp31: Any, line: GoodsLine, aduanera: Any) -> Any:  # noqa: ANN401 - satcfdi
    hazardous = bool(line.hazmat)
    value = line.line_value()
    return cp31.Mercancia(
        bienes_transp=line.clave_prod_serv or BIENES_DEFAULT,
        descripcion=sat_text(line.description.get("es"), 1000),
        cantidad=line.quantity,
        clave_unidad=units.unit(line.unit).code,  # type: ignore[union-attr]
        peso_en_kg=_weight(line.gross_weight_kg or Decimal(0)),
        material_peligroso="Sí" if hazardous else None,
        cve_material_peligroso=line.un_number if hazardous else None,
        embalaje=line.package_type if hazardous else None,
        valor_mercancia=value.amount,
        moneda=value.currency,
        fraccion_arancelaria=fraccion(line),
        documentacion_aduanera=aduanera,
    )


def _autotransporte(cp31: Any, shipment: Shipment) -> Any:  # noqa: ANN401 - satcfdi
    transport = shipment.transport
    truck, permit, insurance = transport.truck, transport.permit, transport.liability_insurance
    if truck is None or permit is None or insurance is None:
        msg = "truck, permit and insurance are needed: check problems() first"
        raise ValueError(msg)
    remolques = [
        cp31.Remolque(sub_tipo_rem=t.trailer_subtype, placa=t.plate)
        for t in transport.trailers[:MAX_TRAILERS]
    ]
    return cp31.Autotransporte(
        perm_sct=permit.type,
        num_permiso_sct=permit.number,
        identificacion_vehicular=cp31.IdentificacionVehicular(
            config_vehicular=truck.configuration,
            peso_bruto_vehicular=(truck.gross_weight_t or Decimal(0)).quantize(TWO_PLACES),
            placa_vm=truck.plate,
            anio_modelo_vm=truck.model_year,
        ),
        seguros=cp31.Seguros(
            asegura_resp_civil=insurance.insurer, poliza_resp_civil=insurance.policy
        ),
        remolques=remolques or None,
    )


def _figura(cp31: Any, shipment: Shipment) -> Any:  # noqa: ANN401 - satcfdi
    driver = shipment.transport.driver
    if driver is None:
        msg = "no driver: check problems() first"
        raise ValueError(msg)
    rfc = next((t for t in driver.tax_ids if t.scheme is TaxScheme.MX_RFC), None)
    foreign = next((t for t in driver.tax_ids if t.scheme is TaxScheme.FOREIGN), None)
    return cp31.TiposFigura(
        tipo_figura=FIGURA_OPERADOR,
        rfc_figura=None if rfc is None else rfc.value,
        num_licencia=driver.license_number,
        nombre_figura=sat_text(driver.name, 254),
        num_reg_id_trib_figura=None if rfc is not None or foreign is None else foreign.value,
        residencia_fiscal_figura=(
            None
            if rfc is not None or foreign is None or foreign.country is None
            else pais(foreign.country)
        ),
    )


def complemento(shipment: Shipment) -> Any:  # noqa: ANN401 - satcfdi object
    """The ``cartaporte31.CartaPorte`` (satcfdi) of the shipment."""
    from satcfdi.create.cfd import cartaporte31 as cp31  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415

    parties = shipment.parties
    origin, destination = parties.seller, parties.ship_to()
    departure, arrival = departure_time(shipment), arrival_time(shipment)
    km = shipment.transport.mx_distance_km
    if origin is None or destination is None or departure is None or arrival is None:
        msg = "parties and times are needed: check problems() first"
        raise ValueError(msg)
    entering = is_entering(shipment)
    aduanera = cp31.DocumentacionAduanera(
        tipo_documento=DOCUMENTO_PEDIMENTO,
        num_pedimento=pedimento_number(shipment),
        rfc_impo=rfc_of(parties.buyer) if entering else None,
    )
    lines = shipment.goods
    other = shipment.export_country if entering else shipment.import_country
    return cp31.CartaPorte(
        id_ccp=id_ccp(shipment),
        transp_internac="Sí",
        entrada_salida_merc=ENTRADA if entering else SALIDA,
        pais_origen_destino=pais(other),
        via_entrada_salida=VIA_AUTOTRANSPORTE,
        total_dist_rec=km,
        regimenes_aduaneros=[REGIMEN_IMPORTACION if entering else REGIMEN_EXPORTACION],
        ubicaciones=[
            _ubicacion(cp31, origin, "Origen", departure, None),
            _ubicacion(cp31, destination, "Destino", arrival, km),
        ],
        mercancias=cp31.Mercancias(
            peso_bruto_total=_weight(
                sum((ln.gross_weight_kg or Decimal(0) for ln in lines), Decimal(0))
            ),
            unidad_peso=UNIDAD_PESO,
            num_total_mercancias=len(lines),
            mercancia=[_mercancia(cp31, line, aduanera) for line in lines],
            autotransporte=_autotransporte(cp31, shipment),
        ),
        figura_transporte=[_figura(cp31, shipment)],
    )


def _receptor(cfdi40: Any, shipment: Shipment, lugar: str) -> Any:  # noqa: ANN401 - satcfdi
    payer = payer_of(shipment)
    if payer is None:
        msg = "no payer of the freight: check problems() first"
        raise ValueError(msg)
    rfc = rfc_of(payer)
    if rfc is not None:
        return cfdi40.Receptor(
            rfc=rfc,
            nombre=emisor_name(payer.name).upper(),
            domicilio_fiscal_receptor=payer.address.postal_code,
            regimen_fiscal_receptor=payer.regimen_fiscal or REGIMEN_MORAL,
            uso_cfdi=USO_GASTOS,
        )
    return cfdi40.Receptor(
        rfc=FOREIGN_RFC,
        nombre=sat_text(payer.name, 254),
        domicilio_fiscal_receptor=lugar,
        residencia_fiscal=pais(payer.address.country),
        num_reg_id_trib=num_reg_id_trib(payer),
        regimen_fiscal_receptor=REGIMEN_RECEPTOR_EXTRANJERO,
        uso_cfdi=USO_SIN_EFECTOS,
    )


def _concepto(cfdi40: Any, charge: Charge, tasa: Decimal | None) -> Any:  # noqa: ANN401 - satcfdi
    amount = charge.amount.amount
    impuestos = None
    if tasa is not None:
        impuestos = cfdi40.Impuestos(
            traslados=cfdi40.Traslado(
                impuesto=IVA, tipo_factor="Tasa", tasa_o_cuota=tasa, base=amount
            )
        )
    return cfdi40.Concepto(
        clave_prod_serv=FREIGHT_CLAVE,
        cantidad=Decimal(1),
        clave_unidad=SERVICE_UNIT,
        descripcion=sat_text(charge.description or "Flete internacional", 1000),
        valor_unitario=amount,
        objeto_imp=OBJETO_NO if tasa is None else OBJETO_SI,
        impuestos=impuestos,
    )


def comprobante(shipment: Shipment) -> Any:  # noqa: ANN401 - satcfdi object
    """The unsealed ``cfdi40.Comprobante`` (satcfdi) the carrier issues for the trip."""
    from satcfdi.create.cfd import cfdi40  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415

    carrier = shipment.parties.carrier
    rfc, issued, freight = rfc_of(carrier), departure_time(shipment), freight_charges(shipment)
    if carrier is None or rfc is None or issued is None or not freight:
        msg = "carrier RFC, departure and freight are needed: check problems() first"
        raise ValueError(msg)
    lugar = carrier.address.postal_code or ""
    currency = freight[0].amount.currency
    tasa = None
    if not is_entering(shipment):
        # a trip that begins in Mexico: international transport by a resident, IVA at the
        # export rate of LIVA art. 29 (a dated row), written with SAT's six decimals
        tasa = mx_fees.iva_export_rate(issued.date()).rate.quantize(Decimal("0.000001"))
    return cfdi40.Comprobante(
        emisor=cfdi40.Emisor(
            rfc=rfc,
            nombre=emisor_name(carrier.name).upper(),
            regimen_fiscal=carrier.regimen_fiscal or REGIMEN_MORAL,
        ),
        receptor=_receptor(cfdi40, shipment, lugar),
        lugar_expedicion=lugar,
        conceptos=[_concepto(cfdi40, charge, tasa) for charge in freight],
        moneda=currency,
        tipo_cambio=None if currency == "MXN" else pesos_per_dollar(shipment, issued),
        tipo_de_comprobante="I",
        exportacion=NO_EXPORTACION,
        folio=shipment.transport.pro_number,
        forma_pago="99",
        metodo_pago="PPD",
        complemento=complemento(shipment),
        fecha=issued,
    )


# ---------------------------------------------------------------- validation


@cache
def carta_porte_schema(root: Path = SAT_SCHEMAS) -> etree.XMLSchema:
    """cfdv40.xsd with CartaPorte31.xsd and its catalogs, compiled once per root."""
    return sat_schema(root, ((CFDI_NS, "4/cfdv40.xsd"), (CP_NS, "CartaPorte/CartaPorte31.xsd")))


def _sum_problem(code: str, path: str, stated: str, total: Decimal) -> Problem:
    return blocker(
        f"{KEY}.{code}",
        path,
        _("{path} is {stated}, not the sum {sum}", path=path, stated=stated, sum=str(total)),
    )


def _consistency_problems(data: bytes) -> list[Problem]:
    """TotalDistRec, PesoBrutoTotal and NumTotalMercancias against what they add up."""
    root = etree.fromstring(data, parser())
    ns = {"cp": CP_NS}
    complement = root.find(".//cp:CartaPorte", ns)
    if complement is None:
        msg = _("The CFDI carries no Carta Porte complement")
        return [blocker(f"{KEY}.complemento.missing", "Comprobante/Complemento", msg)]
    found: list[Problem] = []
    distance = sum(
        (
            Decimal(u.get("DistanciaRecorrida", "0"))
            for u in complement.iterfind(".//cp:Ubicacion", ns)
        ),
        Decimal(0),
    )
    stated = complement.get("TotalDistRec")
    if stated is not None and Decimal(stated) != distance:
        found.append(_sum_problem("total_dist_rec", "CartaPorte/@TotalDistRec", stated, distance))
    mercancias = complement.find("cp:Mercancias", ns)
    if mercancias is not None:
        items = mercancias.findall("cp:Mercancia", ns)
        weight = sum((Decimal(m.get("PesoEnKg", "0")) for m in items), Decimal(0))
        stated_weight = mercancias.get("PesoBrutoTotal", "0")
        if Decimal(stated_weight) != weight:
            found.append(
                _sum_problem(
                    "peso_bruto_total", "Mercancias/@PesoBrutoTotal", stated_weight, weight
                )
            )
        count = mercancias.get("NumTotalMercancias", "0")
        if int(count) != len(items):
            found.append(
                _sum_problem(
                    "num_total_mercancias",
                    "Mercancias/@NumTotalMercancias",
                    count,
                    Decimal(len(items)),
                )
            )
    return found


# ---------------------------------------------------------------- the artifact


class CartaPorte:
    """The carrier's CFDI 4.0 with Carta Porte 3.1 for a truck crossing between US and MX."""

    key = KEY
    title = _("CFDI with Complemento Carta Porte 3.1 (the carrier's)")
    media_type = MEDIA_TYPE
    order = 27

    def __init__(
        self,
        csd: Callable[[], Csd | None] = carrier_csd_from_environment,
        shared: Callable[[], Csd | None] = csd_from_environment,
    ) -> None:
        self._csd = csd
        self._shared = shared

    def _source(self, shipment: Shipment) -> Callable[[], Csd | None] | None:
        """Where the carrier's CSD comes from; None when no CSD of the carrier is configured.

        The carrier's own variables first (files that cannot be read count: problems() says
        why), then the shared CSD when its holder is the carrier.
        """
        try:
            if self._csd() is not None:
                return self._csd
        except CsdUnreadableError:
            return self._csd
        try:
            shared = self._shared()
        except CsdUnreadableError:
            return None  # the cfdi artifact reports it
        carrier_rfc = rfc_of(shipment.parties.carrier)
        if shared is not None and carrier_rfc is not None and csd_rfc(shared) == carrier_rfc:
            return self._shared
        return None

    def required(self, shipment: Shipment) -> Requirement:
        """For a truck crossing between US and MX, once the carrier's CSD is configured."""
        if not applies(shipment):
            return Requirement(
                required=False,
                reason=_(
                    "cruce prepares the Carta Porte of a truck crossing between the United "
                    "States and Mexico; other modes use other nodes of the complement, and a "
                    "move outside Mexico needs none"
                ),
                citation=CITATION,
            )
        if self._source(shipment) is None:
            return Requirement(
                required=False,
                reason=_(
                    "The truck's trip in Mexico needs the carrier's CFDI with the Complemento "
                    "Carta Porte; cruce prepares it once the carrier's CSD is configured "
                    "(CRUCE_CARRIER_CSD_CER, CRUCE_CARRIER_CSD_KEY, CRUCE_CARRIER_CSD_PASSWORD)"
                ),
                citation=CITATION,
            )
        return Requirement(
            required=True,
            reason=_(
                "The truck's trip in Mexico needs the carrier's CFDI de ingreso with the "
                "Complemento Carta Porte, stamped by a PAC before the goods move"
            ),
            citation=CITATION,
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """What the record and the carrier's CSD lack; none when not a US-MX truck trip."""
        if not applies(shipment):
            return []
        source = self._source(shipment)
        if source is None:
            return [
                warning(
                    f"{KEY}.csd.not_configured",
                    "",
                    _(
                        "No CSD of the carrier is configured, so cruce does not prepare the "
                        "Carta Porte: the carrier's system must issue it, or configure "
                        "CRUCE_CARRIER_CSD_CER, CRUCE_CARRIER_CSD_KEY and "
                        "CRUCE_CARRIER_CSD_PASSWORD"
                    ),
                ),
                *record_problems(shipment),
            ]
        messages = CsdMessages(
            missing=_("No CSD of the carrier is configured"),
            expired=lambda number, start, end, day: _(
                "The CSD {number} is valid from {start} to {end}, not on the departure {date}",
                number=number,
                start=start,
                end=end,
                date=day,
            ),
            mismatch=lambda number, holder, rfc: _(
                "The CSD {number} belongs to RFC {holder}, not to the carrier's RFC {rfc}",
                number=number,
                holder=holder,
                rfc=rfc,
            ),
        )
        carrier_rfc = rfc_of(shipment.parties.carrier)
        return [
            *record_problems(shipment),
            *csd_problems(KEY, source, departure_time(shipment), carrier_rfc, messages),
        ]

    def render(self, shipment: Shipment) -> Rendered:
        """The sealed (not stamped) CFDI. Call only when ``problems`` has no blockers."""
        source = self._source(shipment)
        csd = None if source is None else source()
        if csd is None:
            msg = "no CSD of the carrier configured: check problems() first"
            raise ValueError(msg)
        return Rendered(
            safe_filename(shipment.reference, "-carta-porte.xml"),
            MEDIA_TYPE,
            sealed_xml(comprobante(shipment), csd),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """SAT's XSDs (cfdv40 + CartaPorte31 and catalogs), the seal, the totals."""
        return sealed_problems(data, carta_porte_schema(), KEY, _consistency_problems)


ARTIFACT: Final = CartaPorte()

__all__ = [
    "ARTIFACT",
    "KEY",
    "CartaPorte",
    "applies",
    "carrier_csd_from_environment",
    "carta_porte_schema",
    "complemento",
    "comprobante",
    "id_ccp",
    "pedimento_number",
    "record_problems",
]
