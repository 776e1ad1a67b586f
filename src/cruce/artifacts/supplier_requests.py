"""Requests to suppliers for their statement of origin of the materials they sell, as a PDF.

A producer that certifies USMCA / T-MEC origin must have information, including documents,
that shows its goods originate (USMCA Art. 5.2, as CBP's USMCA implementing instructions put
it); for a material it buys, that is usually the supplier's written statement or its own
certification of origin. CBP may ask the importer for the information the producer relied on
(19 CFR 182.13(a)(3)), and the records are kept five years (USMCA Art. 5.8).

Which materials are asked about: in every goods line that claims USMCA preference or gives
its bill of materials, each material, at any depth of an intermediate material's own bill
of materials, recorded as ``originating: unknown``, or as ``originating: yes`` without the
supplier's certification reference (the claim rests on a statement cruce has no reference
for). Not asked about:

============================================  =================================================
material                                      why
============================================  =================================================
``no`` (non-originating)                      the producer already counts it as foreign
``yes`` with ``supplier_certification``       the statement is on file
``kind: indirect``                            originating wherever produced (USMCA Art. 4.9)
``kind: shipping_packing``                    disregarded (USMCA Art. 4.16)
an intermediate material (its own             self-produced (USMCA Art. 4.8): its origin is
``materials``)                                decided on its inputs, which are asked about
============================================  =================================================

The materials are grouped by supplier (names compared without regard to case or spacing),
one request each, numbered ``<shipment reference>-SR-<n>`` in the order the record first
names the supplier; materials without a supplier form one last request "supplier not named".
Each starts on a new page and is dated with the invoice date (a blank to fill without one);
the producer who asks is :func:`requester`'s.

=========================================  ================================================
what is missing                            problem (``supplier_requests.`` + code)
=========================================  ================================================
a material asked about has no supplier     warning ``supplier.missing``, at
                                           ``goods[i].materials[j].supplier``
no producer to sign the requests           warning ``producer.missing``
=========================================  ================================================

No blockers: the document asks; it certifies nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from cruce.artifacts import _certification as cert
from cruce.artifacts import _pdf, _text
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.artifacts.usmca_certification import LABELS as CERTIFICATION_LABELS
from cruce.compliance.origin.wording import hs_text, material_name
from cruce.i18n import _
from cruce.model.certification import CertifierRole
from cruce.model.goods import MaterialKind, Originating
from cruce.model.problems import warning

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from cruce.model import GoodsLine, Party, Problem, Shipment
    from cruce.model.goods import Material

KEY: Final = "supplier_requests"
TITLE: Final = "Origin Statement Request / Solicitud de Declaración de Origen"
CITATION: Final = "USMCA Art. 5.2, Art. 5.8; 19 CFR 182.13(a)(3)"
NO_STATEMENT: Final = frozenset({MaterialKind.INDIRECT, MaterialKind.SHIPPING_PACKING})

# The request, in both languages. cruce's own wording: it quotes no official text.
REQUEST_EN: Final = (
    "We produce goods for which we certify origin under the USMCA (T-MEC). For each "
    "material listed below that you supply to us, please state whether it is originating "
    "under the Agreement, sign, and return this form; or send us your own certification of "
    "origin covering these materials. We use your statement to complete the USMCA "
    "certification of origin of our goods and keep it with our records for five years "
    "(USMCA Art. 5.8); customs authorities may ask to see it."
)
REQUEST_ES: Final = (
    "Producimos mercancías cuyo origen certificamos conforme al T-MEC (USMCA). Le pedimos "
    "que, para cada material de la lista que usted nos suministra, indique si es originario "
    "conforme al Tratado, firme y nos devuelva este formato; o bien, que nos envíe su propia "
    "certificación de origen que ampare estos materiales. Usamos su declaración para llenar "
    "la certificación de origen T-MEC de nuestras mercancías y la conservamos con nuestros "
    "registros durante cinco años (T-MEC art. 5.8); las autoridades aduaneras pueden "
    "solicitar verla."
)
STATEMENT_EN: Final = (
    "I certify that the information I have given above is true and accurate, that I keep "
    "the records that support it, and that I will inform you of any change that affects it."
)
STATEMENT_ES: Final = (
    "Certifico que la información que he proporcionado arriba es verdadera y exacta, que "
    "conservo los registros que la sustentan y que le informaré de cualquier cambio que la "
    "afecte."
)
LABELS: Final[dict[str, str]] = {
    "request_no": "Request no. / Núm. de solicitud",
    "date": "Date / Fecha",
    "shipment": "Shipment ref. / Ref. de embarque",
    "invoice": "Invoice no. / Núm. de factura",
    "from": "From (producer) / De (productor)",
    "to": "To (supplier) / Para (proveedor)",
    "not_named": (
        "Supplier not named: write in the supplier's name / Proveedor no indicado: anote el "
        "nombre del proveedor"
    ),
    "producer_unknown": "Producer not named / Productor no indicado",
    "request": "Request / Solicitud",
    "materials": "Materials we ask about / Materiales sobre los que preguntamos",
    "col_no": "#",
    "col_material": "Material (EN / ES)",
    "col_hs": "HS as recorded / SA registrado",
    "col_origin": "Country of origin as recorded / País de origen registrado",
    "col_quantity": "Qty per unit of the good / Cant. por unidad de la mercancía",
    "col_line": "Goods line / Partida",
    "answers": "Your statement, per material / Su declaración, por material",
    "col_originating": "Originating / Originario",
    "col_criterion": "Origin criterion / Criterio de origen",
    "col_hs6": "HS-6 of the material / SA-6 del material",
    "col_certification": "Your certification ref. / Su ref. de certificación",
    "col_period_from": "Blanket period from / Periodo global desde",
    "col_period_to": "Blanket period to / Periodo global hasta",
    "yes_no": "☐ Yes / Sí\n\n☐ No",
    "criteria_boxes": "☐ A    ☐ B\n\n☐ C    ☐ D",
    "signature_block": "Supplier's signature / Firma del proveedor",
    "name": "Name / Nombre",
    "title": "Title / Cargo",
    "company": "Company / Empresa",
    "signature": "Signature / Firma",
    "phone": "Telephone / Teléfono",
    "email": "E-mail / Correo electrónico",
    "none": (
        "No material needs a supplier's statement of origin / Ningún material requiere "
        "declaración de origen del proveedor"
    ),
}
MATERIAL_HEADINGS: Final = (
    LABELS["col_no"],
    LABELS["col_material"],
    LABELS["col_hs"],
    LABELS["col_origin"],
    LABELS["col_quantity"],
    LABELS["col_line"],
)
MATERIAL_WIDTHS: Final = (5, 58, 16, 30, 17, 34)
MATERIAL_ALIGNS: Final = "RLLLRL"
ANSWER_HEADINGS: Final = (
    LABELS["col_no"],
    LABELS["col_originating"],
    LABELS["col_criterion"],
    LABELS["col_hs6"],
    LABELS["col_certification"],
    LABELS["col_period_from"],
    LABELS["col_period_to"],
)
ANSWER_WIDTHS: Final = (5, 20, 20, 22, 35, 24, 24)
ANSWER_ALIGNS: Final = "RLLLLLL"


# ---------------------------------------------------------------- which materials


@dataclass(frozen=True, slots=True)
class AskedMaterial:
    """A material whose supplier is asked for a statement of origin, and where it sits."""

    line_index: int
    line: GoodsLine
    positions: tuple[int, ...]
    """Its index in the line's bill of materials, then in each intermediate's, outermost first."""
    within: tuple[Material, ...]
    """The intermediate materials it goes into, outermost first."""
    material: Material

    @property
    def path(self) -> str:
        """The material's path in the record: ``goods[0].materials[2].materials[1]``."""
        return f"goods[{self.line_index}]" + "".join(f".materials[{i}]" for i in self.positions)


@dataclass(frozen=True, slots=True)
class SupplierRequest:
    """One request: a supplier (None when not named) and the materials it is asked about."""

    number: int
    reference: str
    supplier: str | None
    materials: tuple[AskedMaterial, ...]


def needs_statement(material: Material) -> bool:
    """Of unknown origin, or originating without the supplier's certification reference."""
    if material.originating is Originating.UNKNOWN:
        return True
    return material.originating is Originating.YES and material.supplier_certification is None


def _walk(
    index: int,
    line: GoodsLine,
    materials: Sequence[Material],
    positions: tuple[int, ...] = (),
    within: tuple[Material, ...] = (),
) -> Iterator[AskedMaterial]:
    for position, material in enumerate(materials):
        if material.kind in NO_STATEMENT:
            continue
        here = (*positions, position)
        if material.materials:  # self-produced (Art. 4.8): its inputs carry the question
            yield from _walk(index, line, material.materials, here, (*within, material))
        elif needs_statement(material):
            yield AskedMaterial(index, line, here, within, material)


def asked_materials(shipment: Shipment) -> list[AskedMaterial]:
    """Every material of the record whose supplier is asked for a statement, in record order."""
    return [
        asked
        for index, line in enumerate(shipment.goods)
        if line.usmca.claimed or line.materials
        for asked in _walk(index, line, line.materials)
    ]


def _supplier_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def supplier_requests(shipment: Shipment) -> list[SupplierRequest]:
    """The requests: one per supplier in the order first named, the unnamed ones last."""
    named: dict[str, tuple[str, list[AskedMaterial]]] = {}
    unnamed: list[AskedMaterial] = []
    for asked in asked_materials(shipment):
        supplier = asked.material.supplier
        if not supplier:
            unnamed.append(asked)
            continue
        named.setdefault(_supplier_key(supplier), (supplier, []))[1].append(asked)
    groups: list[tuple[str | None, list[AskedMaterial]]] = list(named.values())
    if unnamed:
        groups.append((None, unnamed))
    return [
        SupplierRequest(n, f"{shipment.reference}-SR-{n}", supplier, tuple(materials))
        for n, (supplier, materials) in enumerate(groups, start=1)
    ]


def requester(shipment: Shipment) -> Party | None:
    """Who asks: the first producer; else a certifying producer; else a local seller.

    Without producers in the record, the certification's certifier stands for the producer
    when the producer certifies (:func:`cruce.artifacts._certification.certifier`), and
    the seller when it is in the export country (the goods' maker, as far as cruce knows).
    """
    parties = shipment.parties
    if parties.producers:
        return parties.producers[0]
    certification = shipment.usmca_certification
    if certification is not None and certification.certifier_role is CertifierRole.PRODUCER:
        party = cert.certifier(shipment, certification)
        if party is not None:
            return party
    seller = parties.seller
    if seller is not None and seller.address.country == shipment.export_country:
        return seller
    return None


# ---------------------------------------------------------------- problems


def _supplier_problems(requests: list[SupplierRequest]) -> list[Problem]:
    unnamed = next((r for r in requests if r.supplier is None), None)
    if unnamed is None:
        return []
    return [
        warning(
            f"{KEY}.supplier.missing",
            f"{asked.path}.supplier",
            _(
                "Line {line}: {material} has no supplier, so no request can be sent for its "
                "statement of origin",
                line=asked.line_index + 1,
                material=material_name(asked.material),
            ),
        )
        for asked in unnamed.materials
    ]


# ---------------------------------------------------------------- the PDF


def _line_text(asked: AskedMaterial) -> str:
    line = asked.line
    head = " · ".join(p for p in (str(asked.line_index + 1), line.part_number) if p)
    steps = [f"› {_both(m)}" for m in asked.within]
    return "\n".join([head, *steps])


def _both(material: Material) -> str:
    text = material.description
    return " / ".join(dict.fromkeys(t for t in (text.en, text.es) if t))


def _material_cells(number: int, asked: AskedMaterial) -> list[str]:
    material = asked.material
    text = material.description
    return [
        str(number),
        "\n".join(dict.fromkeys(t for t in (text.en, text.es) if t)),
        hs_text(material.hs_code) if material.hs_code else "—",
        _text.country_text(material.origin_country) if material.origin_country else "—",
        _text.decimal_text(material.quantity) if material.quantity is not None else "—",
        _line_text(asked),
    ]


def _answer_cells(number: int) -> list[str]:
    return [str(number), LABELS["yes_no"], LABELS["criteria_boxes"], "", "", "", ""]


def _parties(doc: _pdf.TradeDocument, producer: Party | None, supplier: str | None) -> None:
    """The producer who asks beside the supplier asked, as the party grid lays parties out."""
    columns = doc.spread((48, 4, 48))
    gap = _pdf.Cell("")
    rows = [
        doc.layout(
            [
                _pdf.Cell(LABELS["from"], bold=True, fill=True),
                gap,
                _pdf.Cell(LABELS["to"], bold=True, fill=True),
            ],
            columns,
        ),
        doc.layout(
            [
                _pdf.Cell(producer.name if producer else LABELS["producer_unknown"], bold=True),
                gap,
                _pdf.Cell(supplier or LABELS["not_named"], bold=True),
            ],
            columns,
        ),
        doc.layout(
            [_pdf.Cell(_text.party_details(producer) if producer else ""), gap, gap], columns
        ),
    ]
    doc.keep_together(sum(row.height for row in rows))
    for row in rows:
        doc.draw(row, rule=False)
    doc.ln(2)


def _blanks(doc: _pdf.TradeDocument, labels: Sequence[str]) -> None:
    """A row of lines to write on, each with its label underneath."""
    doc.ln(9)
    doc.set_font(_pdf.FONT, "", _pdf.BODY_PT)
    doc.set_draw_color(0)
    width, y = doc.epw / len(labels), doc.get_y()
    for index, label in enumerate(labels):
        x = doc.l_margin + index * width
        doc.line(x, y, x + width - 6, y)
        doc.set_xy(x, y + 0.5)
        doc.cell(width - 6, 4, label)
    doc.set_y(y + 6)


def _signature(doc: _pdf.TradeDocument) -> None:
    doc.keep_together(62)
    doc.section(LABELS["signature_block"])
    doc.paragraph(STATEMENT_EN, bold=True)
    doc.ln(1)
    doc.paragraph(STATEMENT_ES, bold=True)
    _blanks(doc, (LABELS["name"], LABELS["title"], LABELS["company"]))
    _blanks(doc, (LABELS["phone"], LABELS["email"]))
    _blanks(doc, (LABELS["signature"], LABELS["date"]))


def _request(
    doc: _pdf.TradeDocument, shipment: Shipment, producer: Party | None, request: SupplierRequest
) -> None:
    day = shipment.terms.invoice_date
    doc.fields(
        [
            (LABELS["request_no"], request.reference),
            (LABELS["date"], str(day) if day else "____________"),
        ]
    )
    _parties(doc, producer, request.supplier)
    doc.section(LABELS["request"])
    doc.paragraph(REQUEST_EN)
    doc.ln(1)
    doc.paragraph(REQUEST_ES)
    doc.ln(1)
    doc.section(LABELS["materials"])
    rows = (_material_cells(n, asked) for n, asked in enumerate(request.materials, start=1))
    doc.grid(MATERIAL_HEADINGS, MATERIAL_WIDTHS, MATERIAL_ALIGNS, rows)
    doc.section(LABELS["answers"])
    answers = (_answer_cells(n) for n in range(1, len(request.materials) + 1))
    doc.grid(ANSWER_HEADINGS, ANSWER_WIDTHS, ANSWER_ALIGNS, answers)
    doc.paragraph(CERTIFICATION_LABELS["criteria"], 6.5)
    _signature(doc)


class SupplierRequests:
    """The producer's requests to its suppliers for statements of origin of their materials."""

    key = KEY
    title = _("Supplier origin statement requests")
    media_type = "application/pdf"
    order = 43

    def required(self, shipment: Shipment) -> Requirement:
        """When a material's origin rests on a supplier's statement cruce has no reference for."""
        requests = supplier_requests(shipment)
        if requests:
            count = sum(len(request.materials) for request in requests)
            return Requirement(
                required=True,
                reason=_(
                    "{count} material(s) are of unknown origin or lack their supplier's "
                    "certification reference: the producer certifies origin on information, "
                    "including documents, such as its suppliers' written statements, and keeps "
                    "them five years ({suppliers} supplier(s) to ask)",
                    count=count,
                    suppliers=len(requests),
                ),
                citation=CITATION,
            )
        if not any(line.materials for line in shipment.goods):
            return Requirement(
                required=False,
                reason=_("No goods line gives a bill of materials: no supplier is asked anything"),
            )
        return Requirement(
            required=False,
            reason=_(
                "Every material is recorded as non-originating, as originating with its "
                "supplier's certification reference, or needs no statement (indirect "
                "materials, packing for shipment)"
            ),
            citation="USMCA Art. 4.9, Art. 4.16",
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """Warnings only, by the table in the module docstring."""
        requests = supplier_requests(shipment)
        if not requests:
            return []
        found = _supplier_problems(requests)
        if requester(shipment) is None:
            msg = _(
                "No producer is named to send the requests to suppliers: list the producer "
                "among the parties"
            )
            found.append(warning(f"{KEY}.producer.missing", "parties.producers", msg))
        return found

    def render(self, shipment: Shipment) -> Rendered:
        """One request per supplier, each from a new page; the same record gives the same bytes."""
        terms = shipment.terms
        header = [
            f"{LABELS['shipment']}: {shipment.reference}",
            f"{LABELS['invoice']}: {terms.invoice_number or '—'}",
        ]
        doc = _pdf.TradeDocument(TITLE, header, shipment.reference)
        doc.date_from(terms.invoice_date)
        producer = requester(shipment)
        doc.set_author(producer.name if producer else "")
        doc.set_subject(f"{TITLE} {shipment.reference}")
        requests = supplier_requests(shipment)
        if not requests:
            doc.paragraph(LABELS["none"], bold=True)
        for request in requests:
            if request.number > 1:
                doc.add_page()
            _request(doc, shipment, producer, request)
        return Rendered(
            filename=safe_filename(shipment.reference, "-supplier-requests.pdf"),
            media_type=self.media_type,
            data=doc.to_bytes(),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """A readable, unencrypted PDF with text whose first page carries the title."""
        return _pdf.validate_pdf(KEY, data, TITLE)


ARTIFACT: Final = SupplierRequests()
