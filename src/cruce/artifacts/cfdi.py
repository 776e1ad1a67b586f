"""The CFDI 4.0 of an export from Mexico, with the Complemento de Comercio Exterior 2.0.

cruce prepares and seals the comprobante; a PAC stamps it (adds the TimbreFiscalDigital),
which only an authorised PAC can do, online: :class:`Stamper` is that port, implemented by
satcfdi's PAC clients (:class:`SatcfdiStamper`) and never called in tests.

The seal needs the issuer's CSD (certificate, key and password). :class:`Csd` holds it; the
default source reads the files named by ``CRUCE_CSD_CER``, ``CRUCE_CSD_KEY`` and
``CRUCE_CSD_PASSWORD``. Without one the document is not ready (a blocker, not a crash).
cruce checks the certificate itself: satcfdi seals with an expired CSD without complaint.
The CSD, its checks, the PAC port and SAT's shared codes live in ``_cfdi_common``, which
the carrier's ``carta_porte`` uses too; their names stay importable from here.

What the record does not carry and SAT's rules fix (Anexo 20, Guía de llenado del CFDI 4.0
and of the Complemento de Comercio Exterior 2.0):

- Exportacion ``02`` (definitive export), TipoDeComprobante ``I``, ClaveDePedimento ``A1``.
- Receptor: the generic foreign RFC ``XEXX010101000``, RegimenFiscalReceptor ``616`` (no
  tax obligations), UsoCFDI ``S01`` (no tax effects), ResidenciaFiscal and NumRegIdTrib of
  the buyer, and DomicilioFiscalReceptor = the issuer's LugarExpedicion, as SAT requires
  with a generic RFC.
- Conceptos: ObjetoImp ``02`` with IVA ``002`` at rate 0 (a definitive export of goods is
  taxed at 0 %, Ley del IVA art. 29 fr. I). ClaveProdServ: the line's ``clave_prod_serv``,
  checked against c_ClaveProdServ; a line without one gets ``01010101`` ("No existe en el
  catálogo", a clave of c_ClaveProdServ) and a warning.
- Emisor RegimenFiscal: the seller's ``regimen_fiscal`` (checked against c_RegimenFiscal);
  when the record has none, ``601`` (personas morales, régimen general) for a 12-character
  RFC, and a blocker for a person's RFC (13 characters): the régimen cannot be guessed.
- MetodoPago ``PPD`` with FormaPago ``99`` for credit terms, ``PUE`` with ``03`` (transfer)
  when the record says payment is due at once (``payment_due_days: 0``).
- Fecha: the invoice date at 12:00:00 (render is deterministic; SAT stamps within 72 hours).
- FraccionArancelaria: the 10-digit fracción + NICO of c_FraccionArancelaria.
- Charges billed on the invoice (packing, freight...) are conceptos of their own, each with
  a Mercancia without fracción so that TotalUSD is the sum of ValorDolares; cruce warns,
  the agente aduanal decides how the pedimento treats them.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from lxml import etree  # type: ignore[import-untyped,unused-ignore]  # no stubs

from cruce.artifacts._cfdi_common import (
    CFDI_NS,
    ENV_CER,
    ENV_KEY,
    ENV_PASSWORD,
    FOREIGN_RFC,
    SAT_PREFIX,
    SAT_SCHEMAS,
    Csd,
    CsdMessages,
    CsdUnreadableError,
    SatcfdiStamper,
    Stamper,
    certificate_number,
    certificate_rfc,
    csd_from_environment,
    csd_problems,
    emisor_name,
    foreign_domicilio,
    in_catalog,
    mx_domicilio,
    sat_schema,
    sealed_problems,
    sealed_xml,
)
from cruce.artifacts._cfdi_common import estado as _estado
from cruce.artifacts._cfdi_common import fraccion as _fraccion
from cruce.artifacts._cfdi_common import num_reg_id_trib as _num_reg_id_trib
from cruce.artifacts._cfdi_common import pais as _pais
from cruce.artifacts._cfdi_common import parser as _parser
from cruce.artifacts._cfdi_common import rfc_of as _rfc
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _
from cruce.model.problems import blocker, warning
from cruce.reference import mx_fees, units
from cruce.reference.facts import NotCoveredError
from cruce.reference.fx import customs_rate

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from cruce.model import GoodsLine, Problem, Shipment
    from cruce.model.terms import Charge

__all__ = [
    "ARTIFACT",
    "CCE_NS",
    "CFDI_NS",
    "ENV_CER",
    "ENV_KEY",
    "ENV_PASSWORD",
    "FOREIGN_RFC",
    "SAT_PREFIX",
    "SAT_SCHEMAS",
    "Cfdi",
    "Csd",
    "CsdUnreadableError",
    "SatcfdiStamper",
    "Stamper",
    "certificate_number",
    "certificate_rfc",
    "cfdi_schema",
    "comprobante",
    "csd_from_environment",
    "customs_rate",
    "emisor_name",
]

KEY: Final = "cfdi"
MEDIA_TYPE: Final = "application/xml"
CCE_NS: Final = "http://www.sat.gob.mx/ComercioExterior20"
CLAVE_PEDIMENTO: Final = "A1"
EXPORTACION_DEFINITIVA: Final = "02"
REGIMEN_MORAL: Final = "601"
REGIMEN_RECEPTOR_EXTRANJERO: Final = "616"
USO_SIN_EFECTOS: Final = "S01"
OBJETO_IMP_SI: Final = "02"
IVA: Final = "002"
CLAVE_PROD_SERV_DEFAULT: Final = "01010101"
CHARGE_UNIT: Final = "E48"  # unidad de servicio
_RFC_MORAL_LENGTH: Final = 12
_CURRENCIES: Final = frozenset({"USD", "MXN"})
_CENT: Final = Decimal("0.01")
_SIX: Final = Decimal("0.000001")
_THREE: Final = Decimal("0.001")
_CITATION: Final = (
    "CFF art. 29 and 29-A; RGCE regla 3.1.38 (2022 numbering: the CFDI with Comercio "
    "Exterior of a definitive export, pedimento clave A1, of goods sold); Anexo 20 (CFDI "
    "4.0) and the Complemento de Comercio Exterior 2.0"
)


# ---------------------------------------------------------------- codes


def _issued(shipment: Shipment) -> datetime | None:
    day = shipment.terms.invoice_date
    return None if day is None else datetime.combine(day, time(12, 0))


def _rate(shipment: Shipment) -> Decimal:
    """Pesos per dollar: the record's USD/MXN rate, else the FIX of the DOF (CFF art. 20)."""
    given = shipment.terms.exchange_rate
    if given is not None and (given.base, given.quote) == ("USD", "MXN"):
        return given.rate
    day = shipment.terms.invoice_date
    if day is None:
        msg = "no invoice date: check problems() first"
        raise ValueError(msg)
    return customs_rate(day).rate


# ---------------------------------------------------------------- problems


def _party_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    seller, buyer = shipment.parties.seller, shipment.parties.buyer
    rfc = _rfc(seller)
    if seller is None or rfc is None:
        found.append(
            blocker(
                f"{KEY}.emisor.rfc_missing",
                "parties.seller.tax_ids",
                _("The CFDI needs the seller's RFC (the issuer)"),
            )
        )
    elif seller.regimen_fiscal is not None and not in_catalog(
        "C756_c_RegimenFiscal", seller.regimen_fiscal
    ):
        found.append(
            blocker(
                f"{KEY}.emisor.regimen_unknown",
                "parties.seller.regimen_fiscal",
                _(
                    "Régimen fiscal {code} is not in SAT's c_RegimenFiscal",
                    code=seller.regimen_fiscal,
                ),
            )
        )
    elif seller.regimen_fiscal is None and len(rfc) != _RFC_MORAL_LENGTH:
        found.append(
            blocker(
                f"{KEY}.emisor.regimen_unknown",
                "parties.seller.regimen_fiscal",
                _(
                    "RFC {rfc} is a person's: give the régimen fiscal (c_RegimenFiscal), cruce "
                    "cannot tell it",
                    rfc=rfc,
                ),
            )
        )
    if seller is not None and (
        seller.address.country != "MX" or seller.address.postal_code is None
    ):
        found.append(
            blocker(
                f"{KEY}.emisor.postal_code_missing",
                "parties.seller.address.postal_code",
                _("The CFDI needs the Mexican postal code of the place of issue"),
            )
        )
    if seller is not None and _estado(seller.address) is None:
        found.append(
            blocker(
                f"{KEY}.emisor.estado_missing",
                "parties.seller.address.subdivision",
                _("The Comercio Exterior complement needs the issuer's state"),
            )
        )
    if buyer is None:
        found.append(
            blocker(f"{KEY}.receptor.missing", "parties.buyer", _("The CFDI needs the buyer"))
        )
        return found
    if _num_reg_id_trib(buyer) is None:
        found.append(
            blocker(
                f"{KEY}.receptor.num_reg_id_trib_missing",
                "parties.buyer.tax_ids",
                _(
                    "The CFDI names a foreign buyer by its tax number (NumRegIdTrib): "
                    "add it as a tax identifier of scheme 'foreign'"
                ),
            )
        )
    if _estado(buyer.address) is None or buyer.address.postal_code is None:
        found.append(
            blocker(
                f"{KEY}.receptor.address_incomplete",
                "parties.buyer.address",
                _("The Comercio Exterior complement needs the buyer's state and postal code"),
            )
        )
    return found


def _terms_problems(shipment: Shipment) -> list[Problem]:
    terms = shipment.terms
    found: list[Problem] = []
    if terms.invoice_date is None:
        found.append(
            blocker(
                f"{KEY}.fecha.missing",
                "terms.invoice_date",
                _("The CFDI needs the invoice date"),
            )
        )
    if terms.currency not in _CURRENCIES:
        found.append(
            blocker(
                f"{KEY}.moneda.unsupported",
                "terms.currency",
                _(
                    "cruce writes the CFDI in USD or MXN, not {currency}",
                    currency=terms.currency,
                ),
            )
        )
    if terms.incoterm is None:
        found.append(
            blocker(
                f"{KEY}.incoterm.missing",
                "terms.incoterm",
                _("The Comercio Exterior complement needs the Incoterm of a sale"),
            )
        )
    given = terms.exchange_rate
    has_rate = given is not None and (given.base, given.quote) == ("USD", "MXN")
    if not has_rate and terms.invoice_date is not None:
        try:
            customs_rate(terms.invoice_date)
        except NotCoveredError as error:
            message = getattr(error, "message", None) or _("No USD/MXN rate for the invoice date")
            found.append(blocker(f"{KEY}.tipo_cambio.missing", "terms.exchange_rate", message))
    return found


def _line_problems(shipment: Shipment) -> list[Problem]:
    found: list[Problem] = []
    currency = shipment.terms.currency
    for index, line in enumerate(shipment.goods):
        path = f"goods[{index}]"
        if line.part_number is None:
            found.append(
                blocker(
                    f"{KEY}.mercancia.part_number_missing",
                    f"{path}.part_number",
                    _(
                        "Line {line}: the Comercio Exterior complement identifies each good "
                        "by its part number",
                        line=index + 1,
                    ),
                )
            )
        if _fraccion(line) is None:
            found.append(
                blocker(
                    f"{KEY}.mercancia.fraccion_invalid",
                    f"{path}.nico",
                    _(
                        "Line {line}: the Comercio Exterior complement needs a fracción "
                        "arancelaria and NICO of SAT's catalog",
                        line=index + 1,
                    ),
                )
            )
        unit = units.unit(line.unit)
        if unit is None or not unit.in_sat_clave_unidad or unit.unidad_aduana is None:
            found.append(
                blocker(
                    f"{KEY}.concepto.unit_unmapped",
                    f"{path}.unit",
                    _(
                        "Line {line}: unit {unit} has no SAT c_ClaveUnidad or "
                        "c_UnidadAduana equivalent",
                        line=index + 1,
                        unit=line.unit,
                    ),
                )
            )
        if line.line_value().currency != currency:
            found.append(
                blocker(
                    f"{KEY}.concepto.currency_mismatch",
                    f"{path}.unit_price",
                    _(
                        "Line {line} is priced in another currency than the invoice",
                        line=index + 1,
                    ),
                )
            )
    for index, line in enumerate(shipment.goods):
        if line.clave_prod_serv is not None and not in_catalog(
            "C756_c_ClaveProdServ", line.clave_prod_serv
        ):
            found.append(
                blocker(
                    f"{KEY}.concepto.clave_prod_serv_unknown",
                    f"goods[{index}].clave_prod_serv",
                    _(
                        "{code} is not a code of SAT's catalog {catalog}",
                        code=line.clave_prod_serv,
                        catalog="c_ClaveProdServ",
                    ),
                )
            )
    if any(line.clave_prod_serv is None for line in shipment.goods):
        found.append(
            warning(
                f"{KEY}.concepto.clave_prod_serv_default",
                "goods",
                _(
                    "The record has no SAT product key: the CFDI says 01010101 (not in the "
                    "catalog); give the right ClaveProdServ before stamping if one applies"
                ),
            )
        )
    if any(c.billed_on_invoice for c in shipment.terms.charges):
        found.append(
            warning(
                f"{KEY}.concepto.charges_as_conceptos",
                "terms.charges",
                _(
                    "Charges billed on the invoice are separate conceptos of the CFDI: "
                    "confirm with the agente aduanal how the pedimento declares them"
                ),
            )
        )
    return found


def _csd_problems(shipment: Shipment, source: Callable[[], Csd | None]) -> list[Problem]:
    messages = CsdMessages(
        missing=_(
            "No CSD (the issuer's Certificado de Sello Digital) is configured: set "
            "CRUCE_CSD_CER, CRUCE_CSD_KEY and CRUCE_CSD_PASSWORD to seal the CFDI"
        ),
        expired=lambda number, start, end, day: _(
            "The CSD {number} is valid from {start} to {end}, not on the invoice date {date}",
            number=number,
            start=start,
            end=end,
            date=day,
        ),
        mismatch=lambda number, holder, rfc: _(
            "The CSD {number} belongs to RFC {holder}, not to the seller's RFC {rfc}",
            number=number,
            holder=holder,
            rfc=rfc,
        ),
    )
    return csd_problems(KEY, source, _issued(shipment), _rfc(shipment.parties.seller), messages)


# ---------------------------------------------------------------- the document


def _money(value: Decimal, places: Decimal = _CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def _trimmed(value: Decimal, places: Decimal, keep: int = 0) -> Decimal:
    """``value`` to at most ``places`` without trailing zeros beyond ``keep`` decimals."""
    rounded = value.quantize(places, rounding=ROUND_HALF_UP).normalize()
    exponent = int(rounded.as_tuple().exponent)
    return rounded.quantize(Decimal(1).scaleb(-keep)) if exponent > -keep else rounded


def _in_usd(amount: Decimal, currency: str, rate: Decimal) -> Decimal:
    return amount if currency == "USD" else amount / rate


def _concepto(cfdi40: Any, line: GoodsLine, tasa: Decimal) -> Any:  # noqa: ANN401 - satcfdi objects
    value = line.line_value().amount
    return cfdi40.Concepto(
        clave_prod_serv=line.clave_prod_serv or CLAVE_PROD_SERV_DEFAULT,
        no_identificacion=line.part_number,
        cantidad=line.quantity,
        clave_unidad=units.unit(line.unit).code,  # type: ignore[union-attr]
        descripcion=line.description.get("es")[:1000],
        valor_unitario=line.unit_price.amount,
        objeto_imp=OBJETO_IMP_SI,
        impuestos=cfdi40.Impuestos(
            traslados=cfdi40.Traslado(
                impuesto=IVA, tipo_factor="Tasa", tasa_o_cuota=tasa, base=value
            )
        ),
    )


def _charge_concepto(cfdi40: Any, charge: Charge, number: int, tasa: Decimal) -> Any:  # noqa: ANN401
    return cfdi40.Concepto(
        clave_prod_serv=CLAVE_PROD_SERV_DEFAULT,
        no_identificacion=_charge_id(charge, number),
        cantidad=Decimal(1),
        clave_unidad=CHARGE_UNIT,
        descripcion=(charge.description or charge.kind.value)[:1000],
        valor_unitario=charge.amount.amount,
        objeto_imp=OBJETO_IMP_SI,
        impuestos=cfdi40.Impuestos(
            traslados=cfdi40.Traslado(
                impuesto=IVA,
                tipo_factor="Tasa",
                tasa_o_cuota=tasa,
                base=charge.amount.amount,
            )
        ),
    )


def _charge_id(charge: Charge, number: int) -> str:
    return f"CARGO-{number}-{charge.kind.value.upper()}"


def _mercancias(cce20: Any, shipment: Shipment, rate: Decimal) -> list[Any]:  # noqa: ANN401
    currency = shipment.terms.currency
    found = []
    for line in shipment.goods:
        dollars = _money(_in_usd(line.line_value().amount, currency, rate))
        quantity = _trimmed(line.quantity, _THREE)
        found.append(
            cce20.Mercancia(
                no_identificacion=line.part_number,
                fraccion_arancelaria=_fraccion(line),
                cantidad_aduana=quantity,
                unidad_aduana=units.unidad_aduana(line.unit),
                valor_unitario_aduana=_trimmed(dollars / quantity, _SIX, keep=2),
                valor_dolares=dollars,
            )
        )
    for number, charge in enumerate(_billed(shipment), start=1):
        dollars = _money(_in_usd(charge.amount.amount, currency, rate))
        found.append(
            cce20.Mercancia(no_identificacion=_charge_id(charge, number), valor_dolares=dollars)
        )
    return found


def _billed(shipment: Shipment) -> list[Charge]:
    return [c for c in shipment.terms.charges if c.billed_on_invoice]


def _payment(shipment: Shipment) -> tuple[str, str]:
    """(MetodoPago, FormaPago)."""
    if shipment.terms.payment_due_days == 0:
        return "PUE", "03"
    return "PPD", "99"


def _comercio_exterior(cce20: Any, shipment: Shipment, rate: Decimal) -> Any:  # noqa: ANN401
    seller, buyer = shipment.parties.seller, shipment.parties.buyer
    if seller is None or buyer is None or shipment.terms.incoterm is None:
        msg = "seller, buyer and Incoterm are needed: check problems() first"
        raise ValueError(msg)
    mercancias = _mercancias(cce20, shipment, rate)
    certification = _certification_reference(shipment)
    consignee = shipment.parties.consignee
    destinatario = None
    if consignee is not None and consignee != buyer:
        destinatario = cce20.Destinatario(
            nombre=consignee.name,
            num_reg_id_trib=_num_reg_id_trib(consignee),
            domicilio=cce20.Domicilio(**foreign_domicilio(consignee.address)),
        )
    return cce20.ComercioExterior(
        clave_de_pedimento=CLAVE_PEDIMENTO,
        certificado_origen=0 if certification is None else 1,
        num_certificado_origen=certification or None,
        incoterm=shipment.terms.incoterm.value,
        tipo_cambio_usd=rate,
        total_usd=sum((m["ValorDolares"] for m in mercancias), Decimal(0)),
        emisor=cce20.Emisor(domicilio=cce20.Domicilio(**mx_domicilio(seller.address))),
        receptor=cce20.Receptor(domicilio=cce20.Domicilio(**foreign_domicilio(buyer.address))),
        destinatario=destinatario,
        mercancias=mercancias,
    )


def _certification_reference(shipment: Shipment) -> str | None:
    """None without a USMCA certification for the claimed lines; else its reference or ``""``.

    A reference shorter than 6 characters (the XSD's minimum) is left out.
    """
    certification = shipment.usmca_certification
    if certification is None or not any(line.usmca.claimed for line in shipment.goods):
        return None
    reference = certification.reference or ""
    return reference if 6 <= len(reference) <= 40 else ""  # noqa: PLR2004 - XSD bounds


def comprobante(shipment: Shipment) -> Any:  # noqa: ANN401 - satcfdi object
    """The unsealed ``cfdi40.Comprobante`` (satcfdi) of the shipment."""
    from satcfdi.create.cfd import (  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415
        cce20,
        cfdi40,
    )

    seller, buyer = shipment.parties.seller, shipment.parties.buyer
    rfc, issued = _rfc(seller), _issued(shipment)
    if seller is None or buyer is None or rfc is None or issued is None:
        msg = "seller RFC, buyer and invoice date are needed: check problems() first"
        raise ValueError(msg)
    terms = shipment.terms
    rate = _rate(shipment)
    lugar = seller.address.postal_code
    metodo, forma = _payment(shipment)
    # the export rate (LIVA art. 29) as a dated row, written with SAT's six decimals
    tasa = mx_fees.iva_export_rate(issued.date()).rate.quantize(Decimal("0.000001"))
    conceptos = [_concepto(cfdi40, line, tasa) for line in shipment.goods]
    conceptos += [
        _charge_concepto(cfdi40, charge, number, tasa)
        for number, charge in enumerate(_billed(shipment), start=1)
    ]
    return cfdi40.Comprobante(
        emisor=cfdi40.Emisor(
            rfc=rfc,
            nombre=emisor_name(seller.name).upper(),
            regimen_fiscal=seller.regimen_fiscal or REGIMEN_MORAL,
        ),
        receptor=cfdi40.Receptor(
            rfc=FOREIGN_RFC,
            nombre=buyer.name,
            domicilio_fiscal_receptor=lugar,
            residencia_fiscal=_pais(buyer.address.country),
            num_reg_id_trib=_num_reg_id_trib(buyer),
            regimen_fiscal_receptor=REGIMEN_RECEPTOR_EXTRANJERO,
            uso_cfdi=USO_SIN_EFECTOS,
        ),
        lugar_expedicion=lugar,
        conceptos=conceptos,
        moneda=terms.currency,
        tipo_cambio=None if terms.currency == "MXN" else rate,
        tipo_de_comprobante="I",
        exportacion=EXPORTACION_DEFINITIVA,
        folio=terms.invoice_number,
        forma_pago=forma,
        metodo_pago=metodo,
        condiciones_de_pago=terms.payment_terms,
        complemento=_comercio_exterior(cce20, shipment, rate),
        fecha=issued,
    )


# ---------------------------------------------------------------- validation


@cache
def cfdi_schema(root: Path = SAT_SCHEMAS) -> etree.XMLSchema:
    """cfdv40.xsd with ComercioExterior20.xsd (``Complemento`` is a strict wildcard).

    ``root`` is a folder in SAT's layout (``4/cfdv40.xsd``, ``catalogos/...``); remote
    schemaLocations resolve to it, never to the network. Compiled once per root.
    """
    return sat_schema(
        root,
        (
            (CFDI_NS, "4/cfdv40.xsd"),
            (CCE_NS, "ComercioExterior20/ComercioExterior20.xsd"),
        ),
    )


def _consistency_problems(data: bytes) -> list[Problem]:
    """Mercancias name conceptos; ValorDolares add up to TotalUSD."""
    root = etree.fromstring(data, _parser())
    ns = {"cfdi": CFDI_NS, "cce20": CCE_NS}
    conceptos = {c.get("NoIdentificacion") for c in root.iterfind(".//cfdi:Concepto", ns)}
    found: list[Problem] = []
    complement = root.find(".//cce20:ComercioExterior", ns)
    if complement is None:
        msg = _("An export CFDI needs the Comercio Exterior complement")
        return [blocker(f"{KEY}.cce.missing", "Comprobante/Complemento", msg)]
    total = Decimal(0)
    for mercancia in complement.iterfind(".//cce20:Mercancia", ns):
        identifier = mercancia.get("NoIdentificacion")
        total += Decimal(mercancia.get("ValorDolares", "0"))
        if identifier not in conceptos:
            found.append(
                blocker(
                    f"{KEY}.cce.mercancia_without_concepto",
                    "ComercioExterior/Mercancias",
                    _("Mercancia {id} matches no Concepto", id=identifier or "?"),
                )
            )
    if total != Decimal(complement.get("TotalUSD", "0")):
        found.append(
            blocker(
                f"{KEY}.cce.total_usd",
                "ComercioExterior/@TotalUSD",
                _(
                    "TotalUSD {total} is not the sum of ValorDolares {sum}",
                    total=complement.get("TotalUSD", ""),
                    sum=str(total),
                ),
            )
        )
    return found


# ---------------------------------------------------------------- the artifact


class Cfdi:
    """The export CFDI 4.0 with Comercio Exterior 2.0, sealed with the issuer's CSD."""

    key = KEY
    title = _("CFDI 4.0 with Comercio Exterior (export invoice)")
    media_type = MEDIA_TYPE
    order = 25

    def __init__(self, csd: Callable[[], Csd | None] = csd_from_environment) -> None:
        self._csd = csd

    def required(self, shipment: Shipment) -> Requirement:
        """For every export from Mexico (a definitive export, pedimento clave A1)."""
        if shipment.export_country != "MX":
            return Requirement(
                required=False,
                reason=_("Only an export from Mexico needs a CFDI with Comercio Exterior"),
                citation=_CITATION,
            )
        if not self._configured():
            # The law requires the CFDI either way; cruce can only seal it with the issuer's
            # CSD. Without one it is the issuer's own system's to issue, and problems() says so.
            return Requirement(
                required=False,
                reason=_(
                    "A definitive export from Mexico needs the seller's CFDI 4.0 with the "
                    "Complemento de Comercio Exterior; cruce prepares it once the issuer's CSD "
                    "is configured (CRUCE_CSD_CER, CRUCE_CSD_KEY, CRUCE_CSD_PASSWORD)"
                ),
                citation=_CITATION,
            )
        return Requirement(
            required=True,
            reason=_(
                "A definitive export from Mexico needs the seller's CFDI 4.0 with the "
                "Complemento de Comercio Exterior, stamped by a PAC"
            ),
            citation=_CITATION,
        )

    def _configured(self) -> bool:
        """A CSD is configured (files that cannot be read count: problems() says why)."""
        try:
            return self._csd() is not None
        except CsdUnreadableError:
            return True

    def problems(self, shipment: Shipment) -> list[Problem]:
        """What the record and the CSD lack for the CFDI; none when not required."""
        if shipment.export_country != "MX":
            return []
        if not self._configured():
            # not required without a CSD: the record's gaps are still shown, as a preview
            return [
                warning(
                    f"{KEY}.csd.not_configured",
                    "",
                    _(
                        "No CSD is configured, so cruce does not prepare the CFDI: the "
                        "seller's invoicing system must issue it, or configure CRUCE_CSD_CER, "
                        "CRUCE_CSD_KEY and CRUCE_CSD_PASSWORD"
                    ),
                ),
                *_party_problems(shipment),
                *_terms_problems(shipment),
                *_line_problems(shipment),
            ]
        return [
            *_party_problems(shipment),
            *_terms_problems(shipment),
            *_line_problems(shipment),
            *_csd_problems(shipment, self._csd),
        ]

    def render(self, shipment: Shipment) -> Rendered:
        """The sealed (not stamped) CFDI. Call only when ``problems`` has no blockers."""
        csd = self._csd()
        if csd is None:
            msg = "no CSD configured: check problems() first"
            raise ValueError(msg)
        return Rendered(
            safe_filename(shipment.reference, "-cfdi.xml"),
            MEDIA_TYPE,
            sealed_xml(comprobante(shipment), csd),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """SAT's XSDs (cfdv40 + ComercioExterior20 and catalogs), the seal, the totals."""
        return sealed_problems(data, cfdi_schema(), KEY, _consistency_problems)


ARTIFACT: Final = Cfdi()
