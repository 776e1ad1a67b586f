from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from common.factories import buyer, line, seller, shipment, shipment_data
from cruce.artifacts.commercial_invoice import ARTIFACT as INVOICE
from cruce.artifacts.packing_list import ARTIFACT as PACKING_LIST
from cruce.artifacts.registry import get
from cruce.model import Severity, Shipment

pytestmark = pytest.mark.unit

LINES = 250


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _text(record: Shipment) -> str:
    return "\n".join(_pages(INVOICE.render(record).data))


def _codes(record: Shipment) -> dict[str, tuple[str, Severity]]:
    return {p.code: (p.path, p.severity) for p in INVOICE.problems(record)}


def _with_terms(**changes) -> Shipment:
    data = shipment_data()
    data["terms"].update(changes)
    return Shipment.model_validate(data)


def _many_lines() -> Shipment:
    goods = [
        line(
            part_number=f"P-{i:04d}",
            unit_price="1.50 MXN" if i % 10 == 0 else "18.75 USD",
            description={
                "en": f"Machined aluminium bracket no. {i}, 6061-T6 – 5 µm anodised finish",
                "es": f"Soporte de aluminio maquinado núm. {i}, acabado anodizado de 5 µm",
            },
        )
        for i in range(1, LINES + 1)
    ]
    return shipment(goods=goods)


@pytest.fixture(scope="module")
def many_lines_pages() -> list[str]:
    return _pages(INVOICE.render(_many_lines()).data)


class TestCommercialInvoice:
    def test_the_registry_finds_it_after_the_record(self):
        assert get("commercial_invoice") is INVOICE
        assert INVOICE.order == 20
        assert INVOICE.media_type == "application/pdf"
        assert str(INVOICE.title) == "Commercial invoice"


class TestRequired:
    def test_an_import_into_mexico_cites_the_ley_aduanera(self):
        requirement = INVOICE.required(shipment())
        assert requirement.required
        assert requirement.citation == "Ley Aduanera, art. 36-A, fracción I, inciso a)"

    def test_an_import_into_the_us_cites_19_cfr_141_81(self):
        northbound = shipment(
            export_country="MX",
            import_country="US",
            parties={"seller": buyer(), "buyer": seller()},
        )
        requirement = INVOICE.required(northbound)
        assert requirement.required
        assert requirement.citation == "19 CFR 141.81"

    def test_another_importing_country_still_needs_one(self):
        requirement = INVOICE.required(shipment(import_country="CA"))
        assert requirement.required
        assert requirement.citation is None


class TestProblems:
    def test_a_complete_shipment_has_none(self):
        assert INVOICE.problems(shipment()) == []

    def test_a_missing_seller_and_buyer_are_blockers(self):
        codes = _codes(shipment(parties={}))
        assert codes["commercial_invoice.seller.missing"] == ("parties.seller", Severity.BLOCKER)
        assert codes["commercial_invoice.buyer.missing"] == ("parties.buyer", Severity.BLOCKER)

    def test_a_missing_invoice_number_and_date_are_blockers(self):
        codes = _codes(_with_terms(invoice_number=None, invoice_date=None))
        assert codes["commercial_invoice.invoice_number.missing"] == (
            "terms.invoice_number",
            Severity.BLOCKER,
        )
        assert codes["commercial_invoice.invoice_date.missing"] == (
            "terms.invoice_date",
            Severity.BLOCKER,
        )

    def test_a_line_without_origin_is_a_blocker_at_its_index(self):
        record = shipment(goods=[line(), line(), line(origin_country=None)])
        problems = INVOICE.problems(record)
        assert [(p.code, p.path, p.severity) for p in problems] == [
            (
                "commercial_invoice.origin_country.missing",
                "goods[2].origin_country",
                Severity.BLOCKER,
            )
        ]
        assert "Line 3" in str(problems[0].message)

    def test_no_goods_is_a_blocker(self):
        assert _codes(shipment(goods=[]))["commercial_invoice.goods.missing"] == (
            "goods",
            Severity.BLOCKER,
        )

    def test_a_missing_incoterm_is_a_warning(self):
        codes = _codes(_with_terms(incoterm=None, incoterm_place=None))
        assert codes == {
            "commercial_invoice.incoterm.missing": ("terms.incoterm", Severity.WARNING)
        }

    def test_an_incoterm_without_its_place_is_a_warning(self):
        codes = _codes(_with_terms(incoterm_place=None))
        assert codes == {
            "commercial_invoice.incoterm_place.missing": ("terms.incoterm_place", Severity.WARNING)
        }

    def test_the_port_of_entry_blocks_an_import_into_the_us_only(self):
        data = shipment_data(export_country="MX", import_country="US")
        data["parties"] = {"seller": buyer(), "buyer": seller()}
        del data["transport"]["crossing"]
        northbound = Shipment.model_validate(data)
        southbound = shipment(transport={"mode": "truck"})
        code = "commercial_invoice.port_of_entry.missing"
        assert _codes(northbound)[code] == ("transport.crossing", Severity.BLOCKER)
        assert _codes(southbound)[code] == ("transport.crossing", Severity.WARNING)

    def test_a_description_in_one_language_is_a_warning(self):
        record = shipment(goods=[line(description={"en": "Bracket"})])
        assert _codes(record) == {
            "commercial_invoice.description.untranslated": (
                "goods[0].description.es",
                Severity.WARNING,
            )
        }

    def test_goods_at_no_charge_still_need_a_value(self):
        record = shipment(goods=[line(unit_price="0 USD")])
        assert _codes(record) == {
            "commercial_invoice.unit_price.zero": ("goods[0].unit_price", Severity.WARNING)
        }

    def test_a_declared_total_that_differs_is_a_warning(self):
        assert _codes(_with_terms(declared_total="7500.00 USD")) == {}
        codes = _codes(_with_terms(declared_total="7400.00 USD"))
        assert codes == {
            "commercial_invoice.declared_total.mismatch": ("terms.declared_total", Severity.WARNING)
        }

    def test_a_declared_total_in_a_currency_without_lines_is_a_warning(self):
        codes = _codes(_with_terms(declared_total="7500.00 MXN"))
        assert "commercial_invoice.declared_total.mismatch" in codes


class TestRender:
    def test_the_file_is_named_for_the_reference_and_is_a_pdf(self):
        rendered = INVOICE.render(shipment(reference="SPM 2026/0412"))
        assert rendered.filename == "SPM-2026-0412-commercial-invoice.pdf"
        assert rendered.media_type == "application/pdf"
        assert rendered.data.startswith(b"%PDF-")

    def test_the_same_shipment_renders_the_same_bytes(self):
        assert INVOICE.render(shipment()).data == INVOICE.render(shipment()).data

    def test_spanish_accents_and_symbols_survive(self):
        record = shipment(
            goods=[line(description={"en": "Bracket – 5 µm", "es": "¿Soporte? ¡Sí! Año: ñandú"})]
        )
        text = _text(record)
        for expected in (
            "Tapatíos",
            "Jalisco",
            "México",
            "Lucía Ramírez",
            "– 5 µm",
            "¿Soporte? ¡Sí! Año: ñandú",
        ):
            assert expected in text

    def test_both_parties_and_their_tax_ids_are_shown(self):
        text = _text(shipment())
        assert "Sonoran Precision Machining LLC" in text
        assert "EIN 86-1234567" in text
        assert "RFC MTA1503109K6" in text

    def test_a_different_consignee_and_the_producers_get_their_own_blocks(self):
        consignee = buyer() | {"name": "Almacenes del Bajío, S.A. de C.V."}
        producer = seller() | {"name": "Tucson Anodizing Inc."}
        record = shipment(
            parties={
                "seller": seller(),
                "buyer": buyer(),
                "consignee": consignee,
                "producers": [producer],
            }
        )
        text = _text(record)
        assert "Consignee · Destinatario" in text
        assert "Almacenes del Bajío, S.A. de C.V." in text
        assert "Producer · Productor" in text
        assert "Tucson Anodizing Inc." in text

    def test_terms_and_crossing_are_shown(self):
        text = _text(shipment())
        for expected in ("INV-2026-0412", "2026-11-30", "DAP Zapopan, Jalisco, México", "Net 30"):
            assert expected in text
        assert "2604 Nogales" in text
        assert "23-0 Nogales, Nogales, Sonora." in text
        assert "SWFT" in text

    def test_a_line_shows_every_classification_and_its_value(self):
        text = _text(shipment())
        for expected in (
            "HTS 7616.99.5190",
            "Sch.B 7616.99.5090",
            "MX 7616.99.99-99",
            "400 H87",
            "18.75 USD",
            "7,500.00 USD",
            "96.00",
        ):
            assert expected in text

    def test_a_usmca_claim_is_marked_on_its_line_with_the_criterion(self):
        text = _text(shipment(goods=[line(usmca={"claimed": True, "criterion": "B"})]))
        assert "✓ B" in text
        assert "preferential treatment claimed" in text
        assert "✓" not in _text(shipment())

    def test_totals_are_given_per_currency_when_lines_mix_currencies(self):
        record = shipment(goods=[line(unit_price="18.75 USD"), line(unit_price="350.00 MXN")])
        text = _text(record)
        assert "USD 7,500.00 USD 0.00 USD 7,500.00 USD" in text
        assert "MXN 140,000.00 MXN 0.00 MXN 140,000.00 MXN" in text
        assert "147,500.00" not in text

    def test_charges_billed_are_itemised_and_added_and_others_only_listed(self):
        data = shipment_data()
        data["terms"]["charges"] = [
            {"kind": "freight", "amount": "850 USD", "description": "Phoenix – Zapopan"},
            {"kind": "insurance", "amount": "120.50 USD", "billed_on_invoice": False},
        ]
        text = _text(Shipment.model_validate(data))
        assert "Freight / Flete – Phoenix – Zapopan" in text.replace("\n", " ")
        assert "Known costs not on this invoice" in text
        assert "USD 7,500.00 USD 850.00 USD 8,350.00 USD" in text

    def test_weights_and_the_declared_total_are_shown(self):
        text = _text(_with_terms(declared_total="7500 USD"))
        assert "96.00 kg" in text
        assert "110.00 kg" in text
        assert "Declared total / Total declarado 7,500.00 USD" in text

    def test_the_declaration_and_signature_lines_close_the_invoice(self):
        text = _text(shipment())
        assert "I declare that the information on this invoice is true and correct." in text
        assert "Declaro bajo protesta de decir verdad" in text
        assert "Signature / Firma" in text
        assert text.index("Declaro bajo protesta") > text.index("Totals by currency")

    def test_every_one_of_250_lines_appears_in_order(self, many_lines_pages):
        joined = "\n".join(many_lines_pages)
        positions = [joined.index(f"P-{i:04d}") for i in range(1, LINES + 1)]
        assert positions == sorted(positions)
        assert joined.index("Totals by currency") > positions[-1]

    def test_the_table_heading_is_repeated_on_every_page_with_lines(self, many_lines_pages):
        assert len(many_lines_pages) > 5
        for text in many_lines_pages:
            if "P-0" in text:
                assert "Description / Descripción (EN / ES)" in text

    def test_every_page_shows_page_x_of_y(self, many_lines_pages):
        total = len(many_lines_pages)
        for number, text in enumerate(many_lines_pages, start=1):
            assert f"Page {number} of {total} / Página {number} de {total}" in text
            assert "Commercial Invoice / Factura Comercial" in text

    def test_the_250_line_totals_keep_currencies_apart(self, many_lines_pages):
        last = many_lines_pages[-1]
        # 225 lines of 400 x 18.75 USD, 25 lines of 400 x 1.50 MXN
        assert "1,687,500.00 USD" in last
        assert "15,000.00 MXN" in last


class TestValidate:
    def test_the_rendered_invoice_is_valid(self):
        assert INVOICE.validate(INVOICE.render(shipment()).data) == []

    def test_garbage_is_unreadable(self):
        problems = INVOICE.validate(b"GIF89a not a pdf")
        assert [(p.code, p.severity) for p in problems] == [
            ("commercial_invoice.pdf.unreadable", Severity.BLOCKER)
        ]

    def test_a_truncated_invoice_is_a_blocker(self):
        data = INVOICE.render(shipment()).data
        problems = INVOICE.validate(data[:2000])
        assert [p.severity for p in problems] == [Severity.BLOCKER]

    def test_a_packing_list_is_not_an_invoice(self):
        problems = INVOICE.validate(PACKING_LIST.render(shipment()).data)
        assert [p.code for p in problems] == ["commercial_invoice.pdf.title_missing"]
