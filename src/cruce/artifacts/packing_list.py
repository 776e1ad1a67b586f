"""The bilingual packing list (lista de empaque), as a PDF.

What it must show and what ``problems`` reports when the record lacks it:

======================  ===========================================  ===========================
data element            why                                          when the record lacks it
======================  ===========================================  ===========================
shipper, ship-to        who packed it, who receives it               blocker ``seller.missing``,
                                                                     ``consignee.missing``
goods lines             what is in the packages: 19 CFR 141.86(e)    blocker ``goods.missing``
packages and type       Anexo 22 pedimento "MARCAS, NÚMEROS Y        warning ``packages.missing``,
                        TOTAL DE BULTOS"; UN/ECE Rec. 21 codes       ``package_type.missing``
gross weight per line   Anexo 22 "PESO BRUTO"; carriers' manifests   blocker
                        (both customs and the carrier need it)       ``gross_weight.missing``
net weight per line     the invoice and the pedimento lines          warning ``net_weight.missing``
net not above gross     checked once for the record: ``goods.weight.net_exceeds_gross``
======================  ===========================================  ===========================

Codes are prefixed with the artifact key: ``packing_list.gross_weight.missing``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Final

from cruce.artifacts import _pdf, _text
from cruce.artifacts._labels import LABELS
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _
from cruce.model.problems import blocker, warning

if TYPE_CHECKING:
    from decimal import Decimal

    from cruce.model import GoodsLine, Problem, Shipment, Vehicle

KEY: Final = "packing_list"
TITLE: Final = LABELS["packing_list"]
HEADINGS: Final = (
    LABELS["col_line"],
    LABELS["col_part"],
    LABELS["col_description"],
    LABELS["col_packages"],
    LABELS["col_quantity"],
    LABELS["col_net"],
    LABELS["col_gross"],
    LABELS["col_marks"],
)
WIDTHS: Final = (6, 18, 64, 20, 17, 13, 13, 29)
ALIGNS: Final = "RLLLRRRL"


def _packages_text(line: GoodsLine) -> str:
    if line.packages is None:
        return "—"
    if line.package_type is None:
        return str(line.packages)
    name = LABELS.get(f"package.{line.package_type}")
    text = f"{line.packages} {line.package_type}"
    return f"{text}\n{name}" if name else text


def _kg(weight: Decimal | None) -> str:
    return "—" if weight is None else _text.weight_text(weight)


def _line_cells(number: int, line: GoodsLine) -> list[str]:
    description = "\n".join(
        dict.fromkeys(t for t in (line.description.en, line.description.es) if t)
    )
    return [
        str(number),
        line.part_number or "",
        description,
        _packages_text(line),
        _text.quantity_text(line.quantity, line.unit),
        _kg(line.net_weight_kg),
        _kg(line.gross_weight_kg),
        line.marks or "",
    ]


def _vehicle_text(vehicle: Vehicle) -> str:
    plate = " ".join(p for p in (vehicle.plate, vehicle.plate_jurisdiction) if p)
    return " · ".join(p for p in (vehicle.number, plate, vehicle.vin) if p) or "—"


def _equipment_fields(shipment: Shipment) -> list[tuple[str, str]]:
    transport = shipment.transport
    pairs: list[tuple[str, str]] = []
    if transport.truck is not None:
        pairs.append((LABELS["truck"], _vehicle_text(transport.truck)))
    pairs += [(LABELS["trailers"], _vehicle_text(trailer)) for trailer in transport.trailers]
    if transport.containers:
        pairs.append((LABELS["containers"], ", ".join(transport.containers)))
    pairs.append((LABELS["seals"], ", ".join(transport.seals) or "—"))
    return pairs


def _totals(doc: _pdf.TradeDocument, shipment: Shipment) -> None:
    lines = shipment.goods
    packages: Counter[str] = Counter()
    for line in lines:
        if line.packages:
            packages[line.package_type or "?"] += line.packages
    by_type = [
        f"{count} {code}"
        + (f" ({LABELS[f'package.{code}']})" if f"package.{code}" in LABELS else "")
        for code, count in sorted(packages.items())
    ]
    counted = sum(1 for line in lines if line.packages is not None)
    total = str(packages.total()) + (
        "" if counted == len(lines) else f" {LABELS['partial_packages']}"
    )
    doc.section(LABELS["totals"])
    doc.fields(
        [
            (LABELS["packages_total"], total if lines else "—"),
            (LABELS["packages_by_type"], ", ".join(by_type) or "—"),
            (LABELS["net_weight"], _text.weight_sum([line.net_weight_kg for line in lines])),
            (LABELS["gross_weight"], _text.weight_sum([line.gross_weight_kg for line in lines])),
        ]
    )


class PackingList:
    """What is in each package on the truck, and what it weighs."""

    key = KEY
    title = _("Packing list")
    media_type = "application/pdf"
    order = 30

    def required(self, shipment: Shipment) -> Requirement:
        """Always: customs on either side must be able to tell what each package holds."""
        if shipment.import_country == "US":
            return Requirement(
                required=True,
                reason=_("US customs must be able to tell what each package contains"),
                citation="19 CFR 141.86(e)",
            )
        if shipment.import_country == "MX":
            return Requirement(
                required=True,
                reason=_(
                    "The pedimento declares the gross weight and the marks, numbers and total "
                    "of packages, which the agente aduanal takes from the packing list"
                ),
                citation="Anexo 22 RGCE, pedimento: PESO BRUTO; MARCAS, NÚMEROS Y TOTAL DE BULTOS",
            )
        return Requirement(
            required=True,
            reason=_("Customs and the carrier must be able to tell what each package contains"),
        )

    def problems(self, shipment: Shipment) -> list[Problem]:
        """What the packing list would lack, by the table in the module docstring."""
        found: list[Problem] = []
        if shipment.parties.seller is None:
            msg = _("The seller (shipper) is missing")
            found.append(blocker(f"{KEY}.seller.missing", "parties.seller", msg))
        if shipment.parties.ship_to() is None:
            msg = _("Neither a consignee nor a buyer is given: the goods have nowhere to go")
            found.append(blocker(f"{KEY}.consignee.missing", "parties.consignee", msg))
        if not shipment.goods:
            msg = _("The packing list has no goods lines")
            found.append(blocker(f"{KEY}.goods.missing", "goods", msg))
        for index, line in enumerate(shipment.goods):
            found += _line_problems(index, line)
        return found

    def render(self, shipment: Shipment) -> Rendered:
        """The packing list as PDF bytes; the same record always gives the same bytes."""
        terms = shipment.terms
        doc = _pdf.TradeDocument(TITLE, _text.header_lines(shipment), shipment.reference)
        doc.date_from(terms.invoice_date)
        doc.set_author(shipment.parties.seller.name if shipment.parties.seller else "")
        doc.set_subject(f"{TITLE} {shipment.reference}")
        doc.party_grid(_text.party_blocks(shipment))
        doc.section(LABELS["terms"])
        references = [
            (LABELS["invoice_number"], terms.invoice_number or "—"),
            (LABELS["purchase_order"], terms.purchase_order or "—"),
        ]
        doc.fields(references + _text.transport_fields(shipment) + _equipment_fields(shipment))
        doc.section(LABELS["goods"])
        rows = (_line_cells(i + 1, line) for i, line in enumerate(shipment.goods))
        doc.grid(HEADINGS, WIDTHS, ALIGNS, rows)
        _totals(doc, shipment)
        if shipment.notes:
            doc.section(LABELS["notes"])
            doc.paragraph(shipment.notes)
        return Rendered(
            filename=safe_filename(shipment.reference, "-packing-list.pdf"),
            media_type=self.media_type,
            data=doc.to_bytes(),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """A readable, unencrypted PDF with text whose first page carries the title."""
        return _pdf.validate_pdf(KEY, data, TITLE)


def _line_problems(index: int, line: GoodsLine) -> list[Problem]:
    path, number = f"goods[{index}]", index + 1
    found: list[Problem] = []
    if line.packages is None:
        msg = _("Line {line}: the number of packages is missing", line=number)
        found.append(warning(f"{KEY}.packages.missing", f"{path}.packages", msg))
    elif line.packages > 0 and line.package_type is None:
        msg = _("Line {line}: the package type (pallet, carton...) is missing", line=number)
        found.append(warning(f"{KEY}.package_type.missing", f"{path}.package_type", msg))
    if line.gross_weight_kg is None:
        msg = _("Line {line}: the gross weight is missing", line=number)
        found.append(blocker(f"{KEY}.gross_weight.missing", f"{path}.gross_weight_kg", msg))
    if line.net_weight_kg is None:
        msg = _("Line {line}: the net weight is missing", line=number)
        found.append(warning(f"{KEY}.net_weight.missing", f"{path}.net_weight_kg", msg))
    # A net weight above the gross is the record's own problem (goods.weight.net_exceeds_gross):
    # it blocks every document, this one included, and is reported once.
    return found


ARTIFACT: Final = PackingList()
