"""The pedimento draft as a readable bilingual PDF, for the agente aduanal and the shipper.

The same :func:`cruce.artifacts.pedimento.draft` as the SAAI M3 file, laid out in the order
of Anexo 22: the encabezado (with the Spanish field names of the instructivo and English
beside them), the importer or exporter, the supplier or buyer with the invoice, transport
and seals, the cuadro de liquidación with the legal source of every amount, and the
partidas with their contributions and identifiers. What cruce could not determine prints
as "—" and is listed among the problems of the ``pedimento`` artifact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cruce.artifacts import _pdf, _text
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.artifacts.pedimento import (
    Contribution,
    Partida,
    Pedimento,
    PedimentoParty,
    draft,
    record_problems,
    required,
)
from cruce.i18n import _
from cruce.model.problems import Severity, blocker
from cruce.reference import anexo22

if TYPE_CHECKING:
    from cruce.model import Money, Problem, Shipment

KEY: Final = "pedimento_pdf"
DASH: Final = "—"
LABELS: Final[dict[str, str]] = {
    "title": "Pedimento draft / Borrador de pedimento",
    "number": "NUM. PEDIMENTO / Pedimento no.",
    "number_pending": "to be assigned by the agente aduanal / lo asigna el agente aduanal",
    "reference": "Shipment ref. / Ref. de embarque",
    "operation": "T. OPER. / Type of operation",
    "clave": "CVE. PEDIMENTO / Pedimento key",
    "regime": "RÉGIMEN / Customs regime",
    "destination": "DESTINO/ORIGEN / Destination or origin",
    "exchange_rate": "TIPO CAMBIO / Exchange rate",
    "gross_weight": "PESO BRUTO / Gross weight",
    "office": "ADUANA E/S / Customs office of entry or exit",
    "transport": "MEDIO DE TRANSPORTE (E/S, arribo, salida) / Mode of transport",
    "value_usd": "VALOR DÓLARES / Value in US dollars",
    "customs_value": "VALOR ADUANA / Customs value",
    "price_paid": "PRECIO PAGADO/VALOR COMERCIAL / Price paid or commercial value",
    "freight": "FLETES / Freight",
    "insurance": "SEGUROS / Insurance",
    "packing": "EMBALAJES / Packing",
    "other": "OTROS INCREMENTABLES / Other additions",
    "entry_date": "FECHA DE ENTRADA / Date of entry",
    "presentation_date": "FECHA DE PRESENTACIÓN / Date of presentation",
    "patente": "PATENTE / Customs broker licence",
    "header": "Encabezado del pedimento / Pedimento header",
    "importer": "IMPORTADOR / Importer",
    "exporter": "EXPORTADOR / Exporter",
    "supplier": "PROVEEDOR / Supplier",
    "buyer": "COMPRADOR / Buyer",
    "rfc": "RFC",
    "tax_id": "ID FISCAL / Tax number",
    "name": "NOMBRE, DENOMINACIÓN O RAZÓN SOCIAL / Name",
    "domicile": "DOMICILIO / Address",
    "related": "VINCULACIÓN / Related parties",
    "incoterm": "INCOTERM / Incoterms® 2020",
    "invoice": "NUM. CFDI O DOCUMENTO EQUIVALENTE / Invoice no.",
    "invoice_date": "FECHA / Invoice date",
    "currency": "MONEDA FACT. / Invoice currency",
    "invoice_value": "VAL. MON. FACT. / Invoice value",
    "factor": "FACTOR MON. FACT. / Currency factor",
    "invoice_usd": "VAL. DÓLARES / Value in US dollars",
    "transport_block": "Transporte y candados / Transport and seals",
    "identification": "IDENTIFICACIÓN / Vehicle",
    "country": "PAÍS / Country",
    "carrier": "TRANSPORTISTA / Carrier",
    "seals": "NÚMERO DE CANDADO / Seals",
    "liquidation": "Cuadro de liquidación / Duties, taxes and fees",
    "concept": "CONCEPTO / Contribution",
    "code": "CVE. (Ap. 12)",
    "payment_form": "F.P. (Ap. 13)",
    "amount": "IMPORTE / Amount (MXN)",
    "source": "Fuente / Legal source",
    "identifiers": "Identificadores / Identifiers",
    "partidas": "Partidas / Line items",
    "col_sec": "SEC.",
    "col_fraccion": "FRACCIÓN / NICO",
    "col_vinc": "VINC. / MET. VAL.",
    "col_umc": "UMC / CANT.",
    "col_umt": "UMT / CANT.",
    "col_countries": "P. V/C / P. O/D",
    "col_description": "DESCRIPCIÓN / Description (marca, modelo / brand, model)",
    "col_values": "VAL. ADU. / USD",
    "col_price": "PRECIO PAGADO / UNIT.",
    "col_contrib": "CON. TASA T.T. F.P. IMPORTE / Contributions",
    "col_ident": "IDENTIF.",
    "notes": "Notas / Notes",
    "unknown": "not determined / no determinado",
    "related_unknown": "unknown / se desconoce",
    "layout": "Archivo de validación SAAI M3 / M3 validation file",
}
OPERATIONS: Final = {"IMP": "IMP – Importación / Import", "EXP": "EXP – Exportación / Export"}
RELATED: Final = {
    "0": "0 – No existe vinculación / Not related",
    "1": "1 – Vinculación que no afecta el valor / Related, value not affected",
    "2": "2 – Vinculación que afecta el valor / Related, value affected",
}
TITLE: Final = LABELS["title"]
COLUMNS: Final = (
    "col_sec",
    "col_fraccion",
    "col_vinc",
    "col_umc",
    "col_umt",
    "col_countries",
    "col_description",
    "col_values",
    "col_price",
    "col_contrib",
    "col_ident",
)
WIDTHS: Final = (5, 13, 10, 11, 9, 9, 30, 13, 13, 22, 9)
ALIGNS: Final = "RLCRRCLRRLL"


def _money(money: Money | None) -> str:
    return DASH if money is None else _text.money_text(money)


def _coded(appendix: int, code: str) -> str:
    try:
        return f"{code} – {anexo22.describe(appendix, code)}"
    except KeyError:
        return code


def _domicile(party: PedimentoParty) -> str:
    street = " ".join(p for p in (party.street, party.exterior_number) if p)
    if party.interior_number:
        street += f", int. {party.interior_number}"
    place = ", ".join(p for p in (party.municipality, party.state, party.postal_code) if p)
    return f"{street}\n{place}\n{_text.country_text(party.country)}"


def _header_fields(pedimento: Pedimento) -> list[tuple[str, str]]:
    header = pedimento.header
    rate = header.exchange_rate
    rate_text = LABELS["unknown"]
    if rate is not None:
        rate_text = f"{_text.decimal_text(rate.rate, 4)} MXN/USD ({rate.source}, {rate.as_of})"
    office = DASH
    if header.customs_office is not None:
        office = f"{header.customs_office} – {header.customs_office_name}"
    weight = DASH
    if header.gross_weight_kg is not None:
        weight = f"{_text.weight_text(header.gross_weight_kg)} kg"
    increments = header.incrementables
    date_label = LABELS["entry_date" if header.operation == "IMP" else "presentation_date"]
    return [
        (LABELS["number"], _number(pedimento)),
        (LABELS["operation"], OPERATIONS[header.operation]),
        (LABELS["clave"], _coded(2, header.clave)),
        (LABELS["regime"], _coded(16, header.regime)),
        (LABELS["destination"], _coded(15, header.destination_origin)),
        (LABELS["exchange_rate"], rate_text),
        (LABELS["gross_weight"], weight),
        (LABELS["office"], office),
        (LABELS["transport"], _coded(3, header.transport_entry_exit)),
        (LABELS["patente"], header.patente or DASH),
        (LABELS["value_usd"], _money(header.value_usd)),
        (LABELS["customs_value"], _money(header.customs_value)),
        (LABELS["price_paid"], _money(header.price_paid)),
        (LABELS["freight"], _money(increments.freight)),
        (LABELS["insurance"], _money(increments.insurance)),
        (LABELS["packing"], _money(increments.packing)),
        (LABELS["other"], _money(increments.other)),
        (date_label, str(header.entry_date or DASH)),
    ]


def _number(pedimento: Pedimento) -> str:
    number = pedimento.header.number
    if number is None:
        return LABELS["number_pending"]
    return f"{number[:2]} {number[2:4]} {number[4:8]} {number[8:]}"


def _party_fields(party: PedimentoParty | None, *, mexican: bool) -> list[tuple[str, str]]:
    if party is None:
        return [(LABELS["name"], DASH)]
    return [
        (LABELS["rfc" if mexican else "tax_id"], party.tax_id or DASH),
        (LABELS["name"], party.name),
        (LABELS["domicile"], _domicile(party)),
    ]


def _invoice_fields(pedimento: Pedimento) -> list[tuple[str, str]]:
    invoice = pedimento.invoice
    related = pedimento.partidas[0].related if pedimento.partidas else None
    factor = (
        DASH if invoice.currency_factor is None else _text.decimal_text(invoice.currency_factor)
    )
    return [
        (LABELS["related"], LABELS["related_unknown"] if related is None else RELATED[related]),
        (LABELS["incoterm"], invoice.incoterm or DASH),
        (LABELS["invoice"], invoice.number or DASH),
        (LABELS["invoice_date"], str(invoice.date or DASH)),
        (LABELS["currency"], invoice.currency),
        (LABELS["invoice_value"], _money(invoice.value)),
        (LABELS["factor"], factor),
        (LABELS["invoice_usd"], _money(invoice.value_usd)),
    ]


def _contribution_text(item: Contribution) -> str:
    rate = item.rate_text or DASH
    amount = DASH if item.payable is None else _text.decimal_text(item.payable.amount)
    return (
        f"{item.abbreviation} {rate} T.T.{item.rate_type or DASH} F.P.{item.payment_form} {amount}"
    )


def _partida_cells(partida: Partida) -> list[str]:
    brand = " / ".join(p for p in (partida.brand, partida.model) if p)
    description = partida.description + (f"\n{brand}" if brand else "")
    umc = DASH
    if partida.umc is not None:
        quantity = _text.decimal_text(partida.umc_quantity)
        umc = f"{partida.umc} {anexo22.umc_name(partida.umc)}\n{quantity}"
    umt = DASH
    if partida.umt is not None and partida.umt_quantity is not None:
        umt = f"{partida.umt}\n{_text.decimal_text(partida.umt_quantity)}"
    unit = DASH if partida.unit_price is None else _text.decimal_text(partida.unit_price, 2)
    return [
        str(partida.sequence),
        f"{_text.tariff_text(partida.fraccion)}\n{partida.nico}" if partida.fraccion else DASH,
        f"{partida.related or DASH} / {partida.valuation_method}",
        umc,
        umt,
        f"{partida.country_seller_buyer or DASH}\n{partida.country_origin_destination or DASH}",
        description,
        f"{_money(partida.customs_value)}\n{_money(partida.value_usd)}",
        f"{_money(partida.price_paid)}\n{unit}",
        "\n".join(_contribution_text(c) for c in partida.contributions) or DASH,
        "\n".join(" ".join(filter(None, (i.code, i.complement_1))) for i in partida.identifiers),
    ]


def _liquidation(doc: _pdf.TradeDocument, pedimento: Pedimento) -> None:
    doc.section(LABELS["liquidation"])
    sources: dict[str, str] = {}
    for item in (
        *pedimento.header.contributions,
        *(c for p in pedimento.partidas for c in p.contributions),
    ):
        if item.citation:
            sources.setdefault(item.code, item.citation)
    rows = [
        (
            item.abbreviation,
            item.code,
            item.payment_form,
            _money(item.payable) if item.payable is not None else LABELS["unknown"],
            sources.get(item.code, DASH),
        )
        for item in pedimento.liquidation()
    ]
    headings = (
        LABELS["concept"],
        LABELS["code"],
        LABELS["payment_form"],
        LABELS["amount"],
        LABELS["source"],
    )
    doc.grid(headings, (14, 8, 8, 18, 52), "LCCRL", rows)


def render_pdf(pedimento: Pedimento) -> bytes:
    """The PDF of a pedimento draft."""
    header_lines = [
        f"{LABELS['number']}: {_number(pedimento)}",
        f"{LABELS['reference']}: {pedimento.reference}",
        f"{pedimento.header.operation} {pedimento.header.clave} {pedimento.header.regime}",
    ]
    doc = _pdf.TradeDocument(TITLE, header_lines, pedimento.reference)
    doc.date_from(pedimento.invoice.date)
    doc.set_subject(f"{TITLE} {pedimento.reference}")
    doc.section(LABELS["header"])
    doc.fields(_header_fields(pedimento))
    mexican = pedimento.header.operation == "IMP"
    doc.section(LABELS["importer" if mexican else "exporter"])
    doc.fields(_party_fields(pedimento.importer_exporter, mexican=True))
    doc.section(LABELS["supplier" if mexican else "buyer"])
    doc.fields(_party_fields(pedimento.supplier_buyer, mexican=False) + _invoice_fields(pedimento))
    transport = pedimento.transport
    doc.section(LABELS["transport_block"])
    doc.fields(
        [
            (LABELS["identification"], transport.identification or DASH),
            (LABELS["country"], transport.country or DASH),
            (
                LABELS["carrier"],
                " ".join(filter(None, (transport.carrier, transport.carrier_id))) or DASH,
            ),
            (LABELS["seals"], ", ".join(transport.seals) or DASH),
        ]
    )
    if pedimento.identifiers:
        doc.section(LABELS["identifiers"])
        doc.paragraph(", ".join(i.code for i in pedimento.identifiers))
    _liquidation(doc, pedimento)
    doc.section(LABELS["partidas"])
    headings = tuple(LABELS[k] for k in COLUMNS)
    doc.grid(headings, WIDTHS, ALIGNS, (_partida_cells(p) for p in pedimento.partidas))
    doc.section(LABELS["notes"])
    notes = [f"{n.render('en')} / {n.render('es')}" for n in pedimento.notes]
    layout = anexo22.m3_layout()
    notes.append(f"{LABELS['layout']}: {layout.edition}. {anexo22.source()}.")
    doc.paragraph("\n".join(notes), 6.5)
    return doc.to_bytes()


class PedimentoPdf:
    """The pedimento draft, readable on paper by the agente aduanal and the shipper."""

    key = KEY
    title = _("Pedimento draft (PDF)")
    media_type = "application/pdf"
    order = 46

    def required(self, shipment: Shipment) -> Requirement:
        """Whenever the pedimento is (a truck crossing between the US and Mexico)."""
        return required(shipment)

    def problems(self, shipment: Shipment) -> list[Problem]:
        """One blocker while the draft has any; the ``pedimento`` artifact lists them, once."""
        if not required(shipment).required:
            return []
        if not any(p.severity is Severity.BLOCKER for p in record_problems(shipment)):
            return []
        return [
            blocker(
                f"{KEY}.draft.not_ready",
                "",
                _(
                    "The PDF shows the pedimento draft, which has problems to fix first "
                    "(see its checklist entry)"
                ),
            )
        ]

    def render(self, shipment: Shipment) -> Rendered:
        """The PDF; the same record always gives the same bytes."""
        return Rendered(
            safe_filename(shipment.reference, "-pedimento.pdf"),
            self.media_type,
            render_pdf(draft(shipment)),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """A readable, unencrypted PDF with text whose first page carries the title."""
        return _pdf.validate_pdf(KEY, data, TITLE)


ARTIFACT: Final = PedimentoPdf()
