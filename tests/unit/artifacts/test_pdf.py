from __future__ import annotations

import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from common.factories import buyer
from cruce.artifacts import _pdf, _text
from cruce.artifacts.commercial_invoice import ARTIFACT as INVOICE
from cruce.model import Address, Money, Party
from cruce.model.problems import Severity

pytestmark = pytest.mark.unit

TITLE = "Test Document / Documento de Prueba"


def _document(rows: int, *, long_word: str = "") -> bytes:
    doc = _pdf.TradeDocument(TITLE, ["No. / Núm.: 1"], "REF-1")
    doc.date_from(None)
    doc.grid(
        ["Item / Partida", "Text / Texto"],
        [1, 4],
        "RL",
        ([f"R-{i:04d}", f"row {i} {long_word}".strip()] for i in range(rows)),
    )
    doc.paragraph("END OF TABLE / FIN DE LA TABLA")
    return doc.to_bytes()


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _blank_pdf(*, pages: int = 1, lock_with: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if lock_with is not None:
        writer.encrypt(lock_with)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class TestFormats:
    def test_money_is_rounded_half_up_to_two_decimals_with_its_currency(self):
        assert _text.money_text(Money.of("7500", "USD")) == "7,500.00 USD"
        assert _text.money_text(Money.of("0.125", "MXN")) == "0.13 MXN"
        assert _text.money_text(Money.of("1234567.891", "USD")) == "1,234,567.89 USD"

    def test_money_follows_the_currencys_minor_unit(self):
        assert _text.money_text(Money.of("1500.4", "JPY")) == "1,500 JPY"

    def test_unit_prices_keep_their_extra_decimals(self):
        assert _text.price_text(Money.of("0.0375", "USD")) == "0.0375 USD"
        assert _text.price_text(Money.of("18.7", "USD")) == "18.70 USD"

    def test_decimal_text_never_goes_through_float(self):
        value = Decimal("12345678901234567.123456")
        assert _text.decimal_text(value) == "12,345,678,901,234,567.123456"
        assert _text.decimal_text(Decimal("1E+2")) == "100"

    def test_weights_have_two_decimals_at_least(self):
        assert _text.weight_text(Decimal(96)) == "96.00"
        assert _text.weight_text(Decimal("0.125")) == "0.125"

    def test_weight_sum_says_when_some_lines_have_no_weight(self):
        assert _text.weight_sum([Decimal(1), Decimal("2.5")]) == "3.50 kg"
        assert _text.weight_sum([Decimal(1), None]).startswith("1.00 kg (lines without weight")
        assert _text.weight_sum([None]) == "—"

    def test_quantity_names_a_common_unit(self):
        assert _text.quantity_text(Decimal(400), "H87") == "400 H87\npiece / pieza"
        assert _text.quantity_text(Decimal("2.5"), "XYZ") == "2.5 XYZ"

    def test_tariff_numbers_are_dotted(self):
        assert _text.tariff_text("7616995190") == "7616.99.5190"
        assert _text.tariff_text("76169999") == "7616.99.99"

    def test_countries_are_named_in_both_languages(self):
        assert _text.country_text("MX") == "MX – Mexico / México"
        assert _text.country_text("US") == "US – United States / Estados Unidos"

    def test_a_mexican_address_names_its_colonia_and_state(self):
        lines = _text.address_lines(Address.model_validate(buyer()["address"]))
        assert lines == [
            "Av. Industria Textil 2575",
            "Col. Parque Industrial Belenes Norte",
            "Zapopan, Jalisco 45150",
            "MX – Mexico / México",
        ]

    def test_party_details_carry_tax_ids_with_their_scheme(self):
        details = _text.party_details(Party.model_validate(buyer()))
        assert "RFC MTA1503109K6" in details
        assert "+52 33 3812 4400" in details


class TestTradeDocument:
    def test_the_heading_row_repeats_on_every_page_and_the_rows_stay_in_order(self):
        pages = _pages(_document(300))
        assert len(pages) > 3
        for text in pages:
            assert "Item / Partida" in text
        joined = "\n".join(pages)
        positions = [joined.index(f"R-{i:04d}") for i in range(300)]
        assert positions == sorted(positions)
        assert joined.index("END OF TABLE") > positions[-1]

    def test_every_page_says_which_page_of_how_many(self):
        pages = _pages(_document(300))
        total = len(pages)
        for number, text in enumerate(pages, start=1):
            assert f"Page {number} of {total} / Página {number} de {total}" in text

    def test_a_word_wider_than_its_column_is_cut_not_lost(self):
        word = "X" * 400
        text = "".join(_pages(_document(1, long_word=word)))
        assert text.count("X") == 400

    def test_the_same_content_gives_the_same_bytes(self):
        assert _document(40) == _document(40)

    def test_the_creation_date_comes_from_the_given_day(self):
        doc = _pdf.TradeDocument(TITLE, [], "REF")
        doc.date_from(None)
        metadata = PdfReader(io.BytesIO(doc.to_bytes())).metadata
        assert metadata is not None
        assert metadata["/CreationDate"].startswith("D:20000101")


class TestValidatePdf:
    def test_a_rendered_document_is_valid(self):
        assert _pdf.validate_pdf("doc", _document(3), TITLE) == []

    @pytest.mark.parametrize(
        "data", [b"", b"not a pdf at all", b"%PDF-1.7\n%%EOF", bytes(range(256))]
    )
    def test_garbage_is_unreadable(self, data):
        problems = _pdf.validate_pdf("doc", data, TITLE)
        assert [p.code for p in problems] == ["doc.pdf.unreadable"]
        assert problems[0].severity is Severity.BLOCKER

    def test_a_truncated_pdf_is_a_blocker(self):
        data = _document(3)
        problems = _pdf.validate_pdf("doc", data[: len(data) // 3], TITLE)
        assert len(problems) == 1
        assert problems[0].severity is Severity.BLOCKER
        assert problems[0].code.startswith("doc.pdf.")

    def test_an_encrypted_pdf_is_a_blocker(self):
        problems = _pdf.validate_pdf("doc", _blank_pdf(lock_with="owner-key"), TITLE)
        assert [p.code for p in problems] == ["doc.pdf.encrypted"]

    def test_a_pdf_without_pages_is_a_blocker(self):
        problems = _pdf.validate_pdf("doc", _blank_pdf(pages=0), TITLE)
        assert [p.code for p in problems] == ["doc.pdf.no_pages"]

    def test_a_pdf_without_text_is_a_blocker(self):
        problems = _pdf.validate_pdf("doc", _blank_pdf(), TITLE)
        assert [p.code for p in problems] == ["doc.pdf.no_text"]

    def test_another_document_is_told_apart_by_its_title(self):
        problems = _pdf.validate_pdf("doc", _document(1), "Something Else")
        assert [p.code for p in problems] == ["doc.pdf.title_missing"]

    @given(st.binary(max_size=4096))
    def test_validate_never_raises_on_arbitrary_bytes(self, data):
        problems = INVOICE.validate(data)
        assert all(p.severity is Severity.BLOCKER for p in problems)

    @given(st.data())
    def test_validate_never_raises_on_a_damaged_pdf(self, data):
        pdf = bytearray(_SAMPLE)
        for _ in range(data.draw(st.integers(min_value=1, max_value=20))):
            index = data.draw(st.integers(min_value=0, max_value=len(pdf) - 1))
            pdf[index] = data.draw(st.integers(min_value=0, max_value=255))
        problems = _pdf.validate_pdf("doc", bytes(pdf), TITLE)
        assert all(p.severity is Severity.BLOCKER for p in problems)


_SAMPLE = _document(2)
