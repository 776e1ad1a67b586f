"""What each document of a shipment says, as the cross-check reads it (see ``cross_check``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from cruce.compliance import valuation
from cruce.model.party import TaxScheme
from cruce.model.problems import has_blockers
from cruce.reference import units

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from cruce.model import Shipment

KEY: Final = "cross_check"
TITLE: Final = "Cross-check of the US and Mexican documents / Cotejo de documentos EE. UU.–México"
US, MX = "US", "MX"
CENT: Final = Decimal("0.01")
HALF: Final = Decimal("0.5")
CITATION: Final = (
    "19 U.S.C. 1592 (material false statements or omissions in an entry); Ley Aduanera "
    "art. 184 fr. III (documents presented with inexact data)"
)
# What each AES unit of quantity (Census, AESTIR appendix) measures, written as the
# c_UnidadAduana that measures the same quantity (Comercio Exterior 2.0 catalog), so that a
# Schedule B quantity and a SAT one can be compared. A gross (144) has no SAT equivalent.
AES_TO_UNIDAD_ADUANA: Final[dict[str, str]] = {
    "KG": "01",
    "G": "02",
    "M": "03",
    "M2": "04",
    "M3": "05",
    "NO": "06",
    "PCS": "06",
    "L": "08",
    "PRS": "09",
    "T": "14",
    "DOZ": "19",
}


# ---------------------------------------------------------------- what one document says


@dataclass(frozen=True, slots=True)
class LineView:
    """What one document states about one or more record lines (0-based indexes)."""

    lines: tuple[int, ...]
    code: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None  # c_UnidadAduana, two digits, when known
    unit_text: str | None = None  # the unit as the document writes it
    value_usd: Decimal | None = None
    adjustment_usd: Decimal = Decimal(0)  # what the document's valuation added to the price
    claimed: bool | None = None  # a USMCA / T-MEC preference is claimed on the line


@dataclass(frozen=True, slots=True)
class DocumentView:
    """One document's statements, as far as the cross-check compares them."""

    key: str
    country: str
    lines: tuple[LineView, ...] = ()
    value_step: Decimal = CENT  # the document's rounding of a value: 1 for whole dollars
    quantity_step: Decimal = Decimal("0.001")
    rate: Decimal | None = None  # pesos per dollar the document converts with
    rate_source: str | None = None
    gross_weight_kg: Decimal | None = None
    weight_step: Decimal = CENT
    incoterm: str | None = None
    us_party_id: str | None = None  # the tax number of the party in the United States
    mx_party_id: str | None = None  # the RFC of the party in Mexico
    certificate: bool | None = None  # the document declares a certification of origin


# ---------------------------------------------------------------- reading each document


def compact_id(value: str | None) -> str | None:
    return None if value is None else re.sub(r"[\s\-./]", "", value).upper() or None


def ready(artifact: Any, shipment: Shipment, ignore: Iterable[str] = ()) -> bool:  # noqa: ANN401
    if not artifact.required(shipment).required:
        return False
    skipped = tuple(ignore)
    problems = [p for p in artifact.problems(shipment) if not p.code.startswith(skipped)]
    return not has_blockers(problems)


def eei_view(shipment: Shipment) -> DocumentView | None:
    from cruce.artifacts import eei  # noqa: PLC0415 - only when the EEI is compared

    if not ready(eei.ARTIFACT, shipment):
        return None
    data = eei.document(shipment)
    lines = tuple(
        LineView(
            lines=tuple(number - 1 for number in item["lines"]),
            code=item["commodity_classification"],
            quantity=None if item["quantity"] is None else Decimal(item["quantity"]),
            unit=AES_TO_UNIDAD_ADUANA.get(item["unit"] or ""),
            unit_text=item["unit"],
            value_usd=Decimal(item["value_usd"]),
        )
        for item in data["commodities"]
    )
    weights = [item["shipping_weight_kg"] for item in data["commodities"]]
    return DocumentView(
        key="eei",
        country=US,
        lines=lines,
        value_step=Decimal(1),
        quantity_step=Decimal(1),
        rate=record_rate(shipment),
        rate_source=record_rate_source(shipment),
        gross_weight_kg=None if None in weights else Decimal(sum(weights)),
        weight_step=Decimal(1),
        us_party_id=compact_id((data["usppi"] or {}).get("ein")),
    )


def entry_summary_view(shipment: Shipment) -> DocumentView | None:
    from cruce.artifacts import entry_summary  # noqa: PLC0415

    if not ready(entry_summary.ARTIFACT, shipment):
        return None
    data = json.loads(entry_summary.ARTIFACT.render(shipment).data)
    adjustments = us_adjustments(shipment)
    lines = tuple(
        LineView(
            lines=(item["line"] - 1,),
            code=item["hts"].replace(".", ""),
            quantity=Decimal(item["quantity"]),
            unit=units.unidad_aduana(item["unit"]),
            unit_text=item["unit"],
            value_usd=Decimal(item["entered_value"]),
            adjustment_usd=adjustments.get(item["line"] - 1, Decimal(0)),
            claimed=item.get("spi") == "S",
        )
        for item in data["lines"]
    )
    importer = data["header"].get("importer_of_record") or {}
    return DocumentView(
        key="entry_summary",
        country=US,
        lines=lines,
        us_party_id=compact_id(importer.get("number")),
        value_step=Decimal(1),
        rate=record_rate(shipment),
        rate_source=record_rate_source(shipment),
    )


def emanifest_view(shipment: Shipment) -> DocumentView | None:
    """The carrier's e-Manifest: the gross weight it declares for the truck's cargo."""
    from cruce.artifacts import emanifest  # noqa: PLC0415

    if not ready(emanifest.ARTIFACT, shipment):
        return None
    commodities = [c for s in emanifest.document(shipment)["shipments"] for c in s["commodities"]]
    weights = [c["gross_weight_kg"] for c in commodities]
    total = None if None in weights else sum((Decimal(w) for w in weights), Decimal(0))
    return DocumentView(key="emanifest", country=US, gross_weight_kg=total)


def us_adjustments(shipment: Shipment) -> dict[int, Decimal]:
    """What US transaction value adds to (or takes from) each line's price, in dollars."""
    rate = record_rate(shipment)
    found: dict[int, Decimal] = {}
    for value in valuation.us_values(shipment):
        total = sum((a.amount.amount for a in value.adjustments), Decimal(0))
        currency = value.price.currency
        if currency == "USD":
            found[value.index] = total
        elif currency == "MXN" and rate is not None:
            found[value.index] = total / rate
    return found


def cfdi_view(shipment: Shipment) -> DocumentView | None:
    from cruce.artifacts import cfdi  # noqa: PLC0415

    if shipment.export_country != MX:
        return None
    problems = [p for p in cfdi.ARTIFACT.problems(shipment) if ".csd." not in p.code]
    if has_blockers(problems):
        return None
    try:
        comprobante = cfdi.comprobante(shipment)
    except ValueError:
        return None
    complemento = comprobante["Complemento"]
    cce = complemento[0] if isinstance(complemento, list) else complemento
    if "ComercioExterior" in cce:
        cce = cce["ComercioExterior"]
    mercancias = cce["Mercancias"]
    lines = tuple(
        LineView(
            lines=(index,),
            code=m.get("FraccionArancelaria"),
            quantity=m.get("CantidadAduana"),
            unit=m.get("UnidadAduana"),
            unit_text=units.UNIDAD_ADUANA_NAMES.get(m.get("UnidadAduana") or ""),
            value_usd=m["ValorDolares"],
        )
        for index, m in zip(range(len(shipment.goods)), mercancias, strict=False)
    )
    return DocumentView(
        key="cfdi",
        country=MX,
        lines=lines,
        rate=cce["TipoCambioUSD"],
        rate_source="CFDI TipoCambioUSD",
        incoterm=cce["Incoterm"],
        us_party_id=compact_id(comprobante["Receptor"].get("NumRegIdTrib")),
        mx_party_id=compact_id(comprobante["Emisor"].get("Rfc")),
        certificate=str(cce["CertificadoOrigen"]) == "1",
    )


def invoice_view(shipment: Shipment) -> DocumentView | None:
    """The seller's UBL invoice: its Incoterm and the US party's tax number."""
    from cruce.artifacts import commercial_invoice, ubl_invoice  # noqa: PLC0415

    if not ready(ubl_invoice.ARTIFACT, shipment) or not ready(
        commercial_invoice.ARTIFACT, shipment
    ):
        return None
    root = ubl_invoice.build(shipment)
    ns = {"cac": ubl_invoice.CAC, "cbc": ubl_invoice.CBC}
    incoterm = root.findtext("cac:DeliveryTerms/cbc:ID", namespaces=ns)
    role = "AccountingSupplierParty" if shipment.export_country == US else "AccountingCustomerParty"
    ids = [
        element.text
        for element in root.iterfind(f"cac:{role}//cac:PartyTaxScheme/cbc:CompanyID", ns)
        if element.get("schemeID") != ubl_invoice.TAX_ID_SCHEMES[TaxScheme.MX_RFC][0]
    ]
    return DocumentView(
        key="ubl_invoice",
        country=shipment.export_country,
        incoterm=incoterm,
        us_party_id=compact_id(ids[0]) if ids else None,
    )


def carta_porte_view(shipment: Shipment) -> DocumentView | None:
    """The carrier's Carta Porte: fracción, quantity, weight, the importer's RFC.

    Read from its complement even without the carrier's CSD, when the record has what it
    needs: the carrier's own system issues the same data.
    """
    from cruce.artifacts import carta_porte  # noqa: PLC0415

    if not carta_porte.applies(shipment) or has_blockers(carta_porte.record_problems(shipment)):
        return None
    mercancias = carta_porte.complemento(shipment)["Mercancias"]
    lines = tuple(
        LineView(
            lines=(index,),
            code=m.get("FraccionArancelaria"),
            quantity=m.get("Cantidad"),
            unit=units.unidad_aduana(m["ClaveUnidad"]),
            unit_text=m["ClaveUnidad"],
        )
        for index, m in enumerate(mercancias["Mercancia"])
    )
    documents = [
        document
        for m in mercancias["Mercancia"]
        for document in as_list(m.get("DocumentacionAduanera"))
    ]
    importer = next((d.get("RFCImpo") for d in documents if d.get("RFCImpo")), None)
    return DocumentView(
        key="carta_porte",
        country=MX,
        lines=lines,
        gross_weight_kg=mercancias["PesoBrutoTotal"],
        weight_step=Decimal("0.001"),
        mx_party_id=compact_id(importer),
    )


def pedimento_view(shipment: Shipment) -> DocumentView | None:
    """The pedimento draft: its partidas, rate, weight, Incoterm and parties.

    On an import, a partida with identifier TL claims the T-MEC preference.
    """
    from cruce.artifacts import pedimento  # noqa: PLC0415

    if not ready(pedimento.ARTIFACT, shipment):
        return None
    draft = pedimento.draft(shipment)
    header = draft.header
    rate = None if header.exchange_rate is None else header.exchange_rate.rate
    importing = shipment.import_country == MX
    lines = tuple(partida_view(shipment, p, rate, importing=importing) for p in draft.partidas)
    source = header.exchange_rate
    supplier, importer = draft.supplier_buyer, draft.importer_exporter
    return DocumentView(
        key="pedimento",
        country=MX,
        lines=lines,
        rate=rate,
        rate_source=None if source is None else f"{source.source}, {source.as_of.isoformat()}",
        gross_weight_kg=header.gross_weight_kg,
        incoterm=draft.invoice.incoterm,
        us_party_id=compact_id(None if supplier is None else supplier.tax_id),
        mx_party_id=compact_id(None if importer is None else importer.tax_id),
    )


def partida_view(
    shipment: Shipment,
    partida: Any,  # noqa: ANN401 - a pedimento.Partida
    rate: Decimal | None,
    *,
    importing: bool,
) -> LineView:
    """One partida; its quantity in the tariff unit (UMT) when known, else the commercial one.

    What its dollar value adds to the line's invoice price (the charges spread over the
    lines, the incrementables of an import) is its adjustment.
    """
    unit, quantity = (
        (partida.umt, partida.umt_quantity)
        if partida.umt is not None and partida.umt_quantity is not None
        else (partida.umc, partida.umc_quantity)
    )
    code = None if unit is None else f"{int(unit):02d}"
    added = partida.customs_value_invoice - shipment.goods[partida.line_index].line_value()
    if added.currency == "USD":
        adjustment: Decimal | None = added.amount
    elif added.currency == "MXN" and rate:
        adjustment = added.amount / rate
    else:
        adjustment = None
    return LineView(
        lines=(partida.line_index,),
        code=f"{partida.fraccion}{partida.nico}",
        quantity=quantity,
        unit=code,
        unit_text=None if code is None else units.UNIDAD_ADUANA_NAMES.get(code, code),
        value_usd=None if partida.value_usd is None else partida.value_usd.amount,
        adjustment_usd=adjustment or Decimal(0),
        claimed=any(i.code == "TL" for i in partida.identifiers) if importing else None,
    )


def as_list(value: Any) -> list[Any]:  # noqa: ANN401 - satcfdi nodes
    """Satcfdi gives a repeatable node as a list, or as the one node it holds."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def record_rate(shipment: Shipment) -> Decimal | None:
    rate = shipment.terms.exchange_rate
    if rate is None or {rate.base, rate.quote} != {"USD", "MXN"}:
        return None
    return rate.rate if rate.base == "USD" else 1 / rate.rate


def record_rate_source(shipment: Shipment) -> str | None:
    rate = shipment.terms.exchange_rate
    return None if rate is None else f"{rate.source}, {rate.as_of.isoformat()}"


READERS: Final[tuple[Callable[[Shipment], DocumentView | None], ...]] = (
    invoice_view,
    eei_view,
    entry_summary_view,
    emanifest_view,
    cfdi_view,
    pedimento_view,
    carta_porte_view,
)
"""Each reader returns the view of one document, or None when it is not compared."""
