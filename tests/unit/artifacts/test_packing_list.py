from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from common.factories import buyer, line, seller, shipment, shipment_data
from cruce.artifacts.checklist import check
from cruce.artifacts.commercial_invoice import ARTIFACT as INVOICE
from cruce.artifacts.packing_list import ARTIFACT as PACKING_LIST
from cruce.artifacts.registry import get
from cruce.model import Severity, Shipment

pytestmark = pytest.mark.unit

LINES = 250


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _text(record: Shipment) -> str:
    return "\n".join(_pages(PACKING_LIST.render(record).data))


def _problems(record: Shipment) -> list[tuple[str, str, Severity]]:
    return [(p.code, p.path, p.severity) for p in PACKING_LIST.problems(record)]


@pytest.fixture(scope="module")
def many_lines_pages() -> list[str]:
    goods = [
        line(
            part_number=f"P-{i:04d}",
            packages=i % 3 + 1,
            package_type="CT" if i % 2 else "PX",
            marks=f"SPM/{i:03d} – FRÁGIL",
        )
        for i in range(1, LINES + 1)
    ]
    return _pages(PACKING_LIST.render(shipment(goods=goods)).data)


class TestPackingList:
    def test_the_registry_finds_it_after_the_invoice(self):
        assert get("packing_list") is PACKING_LIST
        assert PACKING_LIST.order == 30
        assert PACKING_LIST.order > INVOICE.order
        assert PACKING_LIST.media_type == "application/pdf"


class TestRequired:
    def test_an_import_into_the_us_cites_19_cfr_141_86_e(self):
        northbound = shipment(
            export_country="MX",
            import_country="US",
            parties={"seller": buyer(), "buyer": seller()},
        )
        requirement = PACKING_LIST.required(northbound)
        assert requirement.required
        assert requirement.citation == "19 CFR 141.86(e)"

    def test_an_import_into_mexico_cites_the_pedimento_fields_it_feeds(self):
        requirement = PACKING_LIST.required(shipment())
        assert requirement.required
        assert requirement.citation is not None
        assert "PESO BRUTO" in requirement.citation
        assert "TOTAL DE BULTOS" in requirement.citation


class TestProblems:
    def test_a_complete_shipment_has_none(self):
        assert _problems(shipment()) == []

    def test_missing_packages_is_a_warning(self):
        record = shipment(goods=[line(packages=None, package_type=None)])
        assert _problems(record) == [
            ("packing_list.packages.missing", "goods[0].packages", Severity.WARNING)
        ]

    def test_packages_without_their_type_is_a_warning(self):
        record = shipment(goods=[line(package_type=None)])
        assert _problems(record) == [
            ("packing_list.package_type.missing", "goods[0].package_type", Severity.WARNING)
        ]

    def test_a_line_packed_with_another_needs_no_type(self):
        assert _problems(shipment(goods=[line(), line(packages=0, package_type=None)])) == []

    def test_missing_gross_weight_is_a_blocker(self):
        record = shipment(goods=[line(), line(gross_weight_kg=None)])
        assert _problems(record) == [
            ("packing_list.gross_weight.missing", "goods[1].gross_weight_kg", Severity.BLOCKER)
        ]

    def test_missing_net_weight_is_a_warning(self):
        record = shipment(goods=[line(net_weight_kg=None)])
        assert _problems(record) == [
            ("packing_list.net_weight.missing", "goods[0].net_weight_kg", Severity.WARNING)
        ]

    def test_net_weight_above_gross_is_left_to_the_records_own_check(self):
        record = shipment(goods=[line(), line(), line(), line(net_weight_kg="120")])
        assert PACKING_LIST.problems(record) == []
        codes = [(p.code, p.path) for p in check(record).statuses[0].problems]
        assert codes == [("goods.weight.net_exceeds_gross", "goods[3].net_weight_kg")]

    def test_a_missing_shipper_or_ship_to_is_a_blocker(self):
        assert _problems(shipment(parties={})) == [
            ("packing_list.seller.missing", "parties.seller", Severity.BLOCKER),
            ("packing_list.consignee.missing", "parties.consignee", Severity.BLOCKER),
        ]

    def test_a_consignee_is_enough_to_ship_to(self):
        record = shipment(parties={"seller": seller(), "consignee": buyer()})
        assert _problems(record) == []

    def test_no_goods_is_a_blocker(self):
        assert _problems(shipment(goods=[])) == [
            ("packing_list.goods.missing", "goods", Severity.BLOCKER)
        ]


class TestRender:
    def test_the_file_is_named_for_the_reference(self):
        rendered = PACKING_LIST.render(shipment(reference="SPM#2026 0412"))
        assert rendered.filename == "SPM-2026-0412-packing-list.pdf"
        assert rendered.data.startswith(b"%PDF-")

    def test_the_same_shipment_renders_the_same_bytes(self):
        assert PACKING_LIST.render(shipment()).data == PACKING_LIST.render(shipment()).data

    def test_a_line_shows_packages_quantity_weights_and_marks(self):
        text = _text(shipment(goods=[line(marks="SPM/001 – FRÁGIL ¡Cuidado!")]))
        for expected in (
            "2 PX",
            "pallet / tarima",
            "400 H87",
            "96.00",
            "110.00",
            "SPM/001 – FRÁGIL ¡Cuidado!",
        ):
            assert expected in text
        assert "Tapatíos" in text
        assert "Jalisco" in text

    def test_packages_are_totalled_by_type(self):
        record = shipment(
            goods=[
                line(packages=2, package_type="PX"),
                line(packages=3, package_type="CT"),
                line(packages=1, package_type="PX"),
            ]
        )
        text = _text(record).replace("\n", " ")
        assert "Total packages / Total de bultos 6" in text
        assert "3 CT (carton / caja de cartón), 3 PX (pallet / tarima)" in text
        assert "288.00 kg" in text
        assert "330.00 kg" in text

    def test_a_partial_total_says_so(self):
        text = _text(shipment(goods=[line(), line(packages=None, package_type=None)]))
        assert "(lines without packages left out" in text

    def test_seals_trailers_and_containers_are_listed(self):
        data = shipment_data()
        data["transport"] |= {
            "truck": {"number": "T-114", "plate": "AZ1234", "plate_jurisdiction": "US-AZ"},
            "trailers": [{"number": "TR-5531", "plate": "P998877"}],
            "containers": ["MSCU 123456 5"],
            "seals": ["SL-001122", "SL-001123"],
        }
        text = _text(Shipment.model_validate(data))
        for expected in ("T-114", "AZ1234", "TR-5531", "MSCU1234565", "SL-001122, SL-001123"):
            assert expected in text

    def test_every_one_of_250_lines_appears_before_the_totals(self, many_lines_pages):
        joined = "\n".join(many_lines_pages)
        positions = [joined.index(f"P-{i:04d}") for i in range(1, LINES + 1)]
        assert positions == sorted(positions)
        assert joined.index("Totals / Totales") > positions[-1]

    def test_the_heading_repeats_and_every_page_is_numbered(self, many_lines_pages):
        total = len(many_lines_pages)
        assert total > 5
        for number, text in enumerate(many_lines_pages, start=1):
            assert f"Page {number} of {total} / Página {number} de {total}" in text
            if "P-0" in text:
                assert "Marks / Marcas" in text

    def test_the_250_line_totals_count_every_package(self, many_lines_pages):
        last = many_lines_pages[-1].replace("\n", " ")
        # i % 3 + 1 packages for i = 1..250: 83 x 1 + 84 x 2 + 83 x 3
        assert "Total packages / Total de bultos 500" in last
        assert "27,500.00 kg" in last


class TestValidate:
    def test_the_rendered_packing_list_is_valid(self):
        assert PACKING_LIST.validate(PACKING_LIST.render(shipment()).data) == []

    def test_garbage_is_unreadable(self):
        assert [p.code for p in PACKING_LIST.validate(b"\x00" * 64)] == [
            "packing_list.pdf.unreadable"
        ]

    def test_an_invoice_is_not_a_packing_list(self):
        problems = PACKING_LIST.validate(INVOICE.render(shipment()).data)
        assert [p.code for p in problems] == ["packing_list.pdf.title_missing"]
