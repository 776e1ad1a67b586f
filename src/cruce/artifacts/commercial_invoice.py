"""The bilingual commercial invoice (factura comercial), as a PDF.

What the invoice must carry, where it comes from, and what ``problems`` reports when the
record lacks it. US: 19 CFR 141.86(a); MX: Ley Aduanera art. 36-A fr. I inciso a) and the
invoice data the RGCE lists (regla 3.1.8 in the 2026 RGCE; 3.1.7 in older editions' numbering).

=======================  ==============================  ===================================
data element             source                          when the record lacks it
=======================  ==============================  ===================================
seller name, address     141.86(a)(2); RGCE vendedor     blocker ``seller.missing``
buyer name, address      141.86(a)(2); RGCE destinatario blocker ``buyer.missing``
invoice number           RGCE (número de factura)        blocker ``invoice_number.missing``
invoice date             141.86(a)(2); RGCE fecha        blocker ``invoice_date.missing``
port of entry            141.86(a)(1)                    blocker into the US, else warning
goods lines              141.86(a)(3); RGCE descripción  blocker ``goods.missing``
description per line     141.86(a)(3); RGCE: Spanish,    the model requires it; warning
                         English or French accepted      ``description.untranslated``
quantity and unit        141.86(a)(4); RGCE cantidad     the model requires both
unit price, currency     141.86(a)(5); RGCE valores      the model requires it; warning
                                                         ``unit_price.zero`` (no-charge
                                                         goods still need a value, (a)(6))
country of origin        141.86(a) (origin)              blocker ``origin_country.missing``
charges, itemised        141.86(a) (charges by name)     printed line by line
Incoterm and place       neither list requires it; the   warning ``incoterm.missing``,
                         broker needs it for valuation   ``incoterm_place.missing``
declared total           (a check of the record)         warning ``declared_total.mismatch``
=======================  ==============================  ===================================

Codes are prefixed with the artifact key: ``commercial_invoice.seller.missing``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cruce.artifacts import _pdf, _text
from cruce.artifacts._labels import LABELS
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import Message, _
from cruce.model.money import Money, total_by_currency
from cruce.model.problems import blocker, warning

if TYPE_CHECKING:
    from datetime import date

    from cruce.model import GoodsLine, Problem, Shipment

KEY: Final = "commercial_invoice"
TITLE: Final = LABELS["commercial_invoice"]
HEADINGS: Final = (
    LABELS["col_line"],
    LABELS["col_part"],
    LABELS["col_description"],
    LABELS["col_codes"],
    LABELS["col_origin"],
    LABELS["col_quantity"],
    LABELS["col_unit_price"],
    LABELS["col_value"],
    LABELS["col_net"],
    LABELS["col_usmca"],
)
WIDTHS: Final = (6, 17, 54, 24, 10, 16, 17, 21, 12, 10)
ALIGNS: Final = "RLLLCRRRRC"


def _line_cells(number: int, line: GoodsLine) -> list[str]:
    codes = []
    if line.hts:
        codes.append(f"HTS {_text.tariff_text(line.hts)}")
    if line.schedule_b:
        codes.append(f"Sch.B {_text.tariff_text(line.schedule_b)}")
    if line.fraccion:
        nico = f"-{line.nico}" if line.nico else ""
        codes.append(f"MX {_text.tariff_text(line.fraccion)}{nico}")
    description = "\n".join(
        dict.fromkeys(t for t in (line.description.en, line.description.es) if t)
    )
    usmca = ""
    if line.usmca.claimed:
        usmca = f"✓ {line.usmca.criterion.value}" if line.usmca.criterion else "✓"
    return [
        str(number),
        line.part_number or "",
        description,
        "\n".join(codes),
        line.origin_country or "—",
        _text.quantity_text(line.quantity, line.unit),
        _text.price_text(line.unit_price),
        _text.money_text(line.line_value()),
        _text.weight_text(line.net_weight_kg) if line.net_weight_kg is not None else "",
        usmca,
    ]


class CommercialInvoice:
    """The seller's invoice for the goods on the truck, readable on both sides of the border."""

    key = KEY
    title = _("Commercial invoice")
    media_type = "application/pdf"
    order = 20

    def required(self, shipment: Shipment) -> Requirement:
        """Always: both customs services value the goods from the invoice."""
        if shipment.import_country == "US":
            return Requirement(
                required=True,
                reason=_("US customs needs a commercial invoice for each shipment entered"),
                citation="19 CFR 141.81",
            )
        if shipment.import_country == "MX":
            return Requirement(
                required=True,
                reason=_(
                    "Mexican customs needs the invoice that proves the goods' commercial value"
                ),
                citation="Ley Aduanera, art. 36-A, fracción I, inciso a)",
            )
        return Requirement(
            required=True,
            reason=_("Customs of the importing country values the goods from the invoice"),
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """What the invoice would lack, by the table in the module docstring."""
        found: list[Problem] = []
        parties, terms = shipment.parties, shipment.terms
        if parties.seller is None:
            found.append(
                _missing("seller", "parties.seller", _("The seller (exporter) is missing"))
            )
        if parties.buyer is None:
            found.append(_missing("buyer", "parties.buyer", _("The buyer (importer) is missing")))
        if terms.invoice_number is None:
            msg = _("The invoice number is missing")
            found.append(_missing("invoice_number", "terms.invoice_number", msg))
        if terms.invoice_date is None:
            msg = _("The invoice date is missing")
            found.append(_missing("invoice_date", "terms.invoice_date", msg))
        if shipment.transport.crossing is None:
            make = blocker if shipment.import_country == "US" else warning
            msg = _("The crossing (port of entry) is missing")
            found.append(make(f"{KEY}.port_of_entry.missing", "transport.crossing", msg))
        if not shipment.goods:
            found.append(_missing("goods", "goods", _("The invoice has no goods lines")))
        found += _term_warnings(shipment)
        for index, line in enumerate(shipment.goods):
            found += _line_problems(index, line)
        return found

    def render(self, shipment: Shipment) -> Rendered:
        """The invoice as PDF bytes; the same record always gives the same bytes."""
        terms = shipment.terms
        doc = _pdf.TradeDocument(TITLE, _text.header_lines(shipment), shipment.reference)
        doc.date_from(terms.invoice_date)
        doc.set_author(shipment.parties.seller.name if shipment.parties.seller else "")
        doc.set_subject(f"{TITLE} {terms.invoice_number or ''}".strip())
        doc.party_grid(_text.party_blocks(shipment))
        doc.section(LABELS["terms"])
        doc.fields(_terms_fields(shipment) + _text.transport_fields(shipment))
        doc.section(LABELS["goods"])
        rows = (_line_cells(i + 1, line) for i, line in enumerate(shipment.goods))
        doc.grid(HEADINGS, WIDTHS, ALIGNS, rows)
        if any(line.usmca.claimed for line in shipment.goods):
            doc.paragraph(LABELS["usmca_legend"], 6.5)
        _charges(doc, shipment)
        _totals(doc, shipment)
        if shipment.notes:
            doc.section(LABELS["notes"])
            doc.paragraph(shipment.notes)
        seller = shipment.parties.seller
        signer = seller.contact.name if seller and seller.contact else None
        _signature(doc, signer, terms.invoice_date)
        return Rendered(
            filename=safe_filename(shipment.reference, "-commercial-invoice.pdf"),
            media_type=self.media_type,
            data=doc.to_bytes(),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """A readable, unencrypted PDF with text whose first page carries the invoice title."""
        return _pdf.validate_pdf(KEY, data, TITLE)


def _missing(field: str, path: str, message: Message) -> Problem:
    return blocker(f"{KEY}.{field}.missing", path, message)


def _term_warnings(shipment: Shipment) -> list[Problem]:
    terms = shipment.terms
    found: list[Problem] = []
    if terms.incoterm is None:
        msg = _("No Incoterm is given; the customs broker needs it to value the goods")
        found.append(warning(f"{KEY}.incoterm.missing", "terms.incoterm", msg))
    elif terms.incoterm_place is None:
        msg = _("The Incoterm {incoterm} needs its named place", incoterm=terms.incoterm.value)
        found.append(warning(f"{KEY}.incoterm_place.missing", "terms.incoterm_place", msg))
    declared = terms.declared_total
    if declared is not None:
        computed = shipment.invoice_total().get(declared.currency)
        if computed is None or computed.rounded().amount != declared.rounded().amount:
            shown = _text.money_text(computed) if computed else "—"
            msg = _(
                "The declared total {declared} differs from the invoice total {computed}",
                declared=_text.money_text(declared),
                computed=shown,
            )
            found.append(warning(f"{KEY}.declared_total.mismatch", "terms.declared_total", msg))
    return found


def _line_problems(index: int, line: GoodsLine) -> list[Problem]:
    path, number = f"goods[{index}]", index + 1
    found: list[Problem] = []
    if line.origin_country is None:
        msg = _("Line {line}: the country of origin is missing", line=number)
        found.append(blocker(f"{KEY}.origin_country.missing", f"{path}.origin_country", msg))
    if line.description.en is None or line.description.es is None:
        lacking = "en" if line.description.en is None else "es"
        msg = _("Line {line}: the description is in one language only", line=number)
        found.append(
            warning(f"{KEY}.description.untranslated", f"{path}.description.{lacking}", msg)
        )
    if line.unit_price.amount == 0:
        msg = _("Line {line}: goods sent at no charge still need a value for customs", line=number)
        found.append(warning(f"{KEY}.unit_price.zero", f"{path}.unit_price", msg))
    return found


def _terms_fields(shipment: Shipment) -> list[tuple[str, str]]:
    terms = shipment.terms
    incoterm = "—"
    if terms.incoterm is not None:
        incoterm = " ".join(p for p in (terms.incoterm.value, terms.incoterm_place) if p)
    pairs = [
        (LABELS["invoice_number"], terms.invoice_number or "—"),
        (LABELS["date"], str(terms.invoice_date or "—")),
        (LABELS["currency"], terms.currency),
        (LABELS["incoterm"], incoterm),
        (LABELS["payment_terms"], terms.payment_terms or "—"),
        (LABELS["purchase_order"], terms.purchase_order or "—"),
    ]
    rate = terms.exchange_rate
    if rate is not None:
        text = f"1 {rate.base} = {_text.decimal_text(rate.rate)} {rate.quote}"
        text += f" ({rate.source}, {rate.as_of})"
        pairs.append((LABELS["exchange_rate"], text))
    return pairs


def _charges(doc: _pdf.TradeDocument, shipment: Shipment) -> None:
    charges = shipment.terms.charges
    for billed, label in ((True, LABELS["charges"]), (False, LABELS["not_billed"])):
        chosen = [c for c in charges if c.billed_on_invoice is billed]
        if not chosen:
            continue
        doc.section(label)
        pairs = [
            (
                LABELS[f"charge.{c.kind.value}"] + (f" – {c.description}" if c.description else ""),
                _text.money_text(c.amount),
            )
            for c in chosen
        ]
        doc.fields(pairs)


def _totals(doc: _pdf.TradeDocument, shipment: Shipment) -> None:
    goods = shipment.goods_total()
    charges = total_by_currency([c.amount for c in shipment.terms.charges if c.billed_on_invoice])
    totals = shipment.invoice_total()
    doc.keep_together(14 + 5 * len(totals))
    doc.section(LABELS["totals_by_currency"])
    headings = (
        LABELS["currency"],
        LABELS["goods_total"],
        LABELS["charges_total"],
        LABELS["invoice_total"],
    )
    rows = [
        (
            currency,
            _text.money_text(goods.get(currency, Money.zero(currency))),
            _text.money_text(charges.get(currency, Money.zero(currency))),
            _text.money_text(total),
        )
        for currency, total in totals.items()
    ]
    doc.grid(headings, (16, 28, 28, 28), "CRRR", rows, total=doc.epw * 0.7)
    lines = shipment.goods
    pairs = [
        (LABELS["net_weight"], _text.weight_sum([line.net_weight_kg for line in lines])),
        (LABELS["gross_weight"], _text.weight_sum([line.gross_weight_kg for line in lines])),
    ]
    if shipment.terms.declared_total is not None:
        pairs.append((LABELS["declared_total"], _text.money_text(shipment.terms.declared_total)))
    doc.fields(pairs)


def _signature(doc: _pdf.TradeDocument, signer: str | None, day: date | None) -> None:
    """The declaration, then name, signature and date lines, kept on one page."""
    doc.keep_together(34)
    doc.ln(2)
    doc.paragraph(LABELS["declaration"], 7.5, bold=True)
    doc.ln(11)
    doc.set_font(_pdf.FONT, "", _pdf.BODY_PT)
    doc.set_draw_color(0)
    third, y = doc.epw / 3, doc.get_y()
    values = (signer or "", "", str(day or ""))
    for index, label in enumerate((LABELS["name"], LABELS["signature"], LABELS["date"])):
        x = doc.l_margin + index * third
        doc.set_xy(x, y - 4.5)
        doc.cell(third - 6, 4, values[index])
        doc.line(x, y, x + third - 6, y)
        doc.set_xy(x, y + 0.5)
        doc.cell(third - 6, 4, label)
    doc.set_y(y + 6)


ARTIFACT: Final = CommercialInvoice()
