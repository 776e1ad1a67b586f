from __future__ import annotations

import codecs
import io
import re
import time
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cruce.ingest.columns import BY_HEADER, COLUMNS, normalize_header
from cruce.ingest.errors import MAX_ISSUES, InputError
from cruce.ingest.sheet import MAX_SHEET_ROWS, read_goods_sheet
from cruce.ingest.template import goods_template_xlsx
from cruce.model import GoodsLine, Money
from cruce.model.shipment import MAX_GOODS_LINES

HEADER = ["part_number", "description_en", "quantity", "unit", "unit_price"]
ROW = ["SPM-7616-001", "Aluminium bracket", 400, "H87", 18.75]


def xlsx(rows, *, title="goods", more=()):
    """An .xlsx file whose first sheet holds ``rows``; ``more`` adds (title, rows) sheets."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for other, other_rows in more:
        extra = book.create_sheet(other)
        for row in other_rows:
            extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, delimiter=",", bom=False):
    text = "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows) + "\r\n"
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def read(data, name="goods.xlsx", currency="USD"):
    return read_goods_sheet(data, filename=name, currency=currency)


def issues_of(data, name="goods.xlsx"):
    with pytest.raises(InputError) as caught:
        read(data, name)
    return caught.value.issues


def only_issue(data, name="goods.xlsx"):
    issues = issues_of(data, name)
    assert len(issues) == 1, [i.render("en") for i in issues]
    return issues[0]


def rezip(data, change):
    """The same zip with each member's bytes passed through ``change(name, bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, change(member.filename, source.read(member)))
    return buffer.getvalue()


class TestReadGoodsSheet:
    def test_a_minimal_sheet_gives_its_lines(self):
        (line,) = read(xlsx([HEADER, ROW]))
        assert line.part_number == "SPM-7616-001"
        assert line.description.en == "Aluminium bracket"
        assert line.quantity == Decimal(400)
        assert line.unit_price == Money.of("18.75", "USD")

    def test_the_same_sheet_as_csv_gives_the_same_lines(self):
        assert read(csv_bytes([HEADER, ROW]), "goods.csv") == read(xlsx([HEADER, ROW]))

    def test_every_column_fills_its_field(self):
        header = [column.key for column in COLUMNS]
        values = {
            "line": 7,
            "part_number": "P-1",
            "description_en": "Bracket",
            "description_es": "Soporte",
            "hts": "7616.99.5190",
            "schedule_b": "7616.99.5090",
            "fraccion": "76169999",
            "nico": "01",
            "origin_country": "us",
            "quantity": 400,
            "unit": "kgm",
            "unit_price": 18.75,
            "currency": "MXN",
            "value": 7500,
            "metal_content_value": 3100.25,
            "net_weight_kg": 96.5,
            "gross_weight_kg": 110,
            "usmca_claimed": "sí",
            "origin_criterion": "b",
            "eccn": "ear99",
            "hazmat": "sí",
            "un_number": 1263,
            "clave_prod_serv": "31171504",
            "marks": "SPM 1-2",
            "brand": "Sonoran",
            "model": "BR-6061",
            "serial_numbers": "S-1; S-2\nS-3",
            "packages": 2,
            "package_type": "px",
        }
        (line,) = read(xlsx([header, [values[key] for key in header]]))
        assert line == GoodsLine.model_validate(
            {
                "part_number": "P-1",
                "description": {"en": "Bracket", "es": "Soporte"},
                "hts": "7616995190",
                "schedule_b": "7616995090",
                "fraccion": "76169999",
                "nico": "01",
                "origin_country": "US",
                "quantity": "400",
                "unit": "KGM",
                "unit_price": "18.75 MXN",
                "value": "7500 MXN",
                "metal_content_value": "3100.25 MXN",
                "net_weight_kg": "96.5",
                "gross_weight_kg": "110",
                "usmca": {"claimed": True, "criterion": "B"},
                "eccn": "EAR99",
                "hazmat": True,
                "un_number": "1263",
                "clave_prod_serv": "31171504",
                "marks": "SPM 1-2",
                "brand": "Sonoran",
                "model": "BR-6061",
                "serial_numbers": ["S-1", "S-2", "S-3"],
                "packages": 2,
                "package_type": "PX",
            }
        )

    def test_spanish_headers_are_accepted_in_any_case_with_accents_and_spaces(self):
        header = ["Número Parte", "DESCRIPCIÓN_ES", "cantidad", "Unidad", "precio unitario"]
        (line,) = read(xlsx([header, ["P-1", "Soporte", 3, "H87", 2]]))
        assert line.description.es == "Soporte"
        assert line.unit_price == Money.of(2, "USD")

    def test_the_invoice_currency_fills_an_empty_currency_cell(self):
        rows = [[*HEADER, "currency", "value"], [*ROW, None, 7500], [*ROW, "CAD", 7500]]
        first, second = read(xlsx(rows), currency="MXN")
        assert first.unit_price.currency == first.value.currency == "MXN"
        assert second.unit_price.currency == second.value.currency == "CAD"

    @pytest.mark.parametrize(
        ("cell", "claimed"),
        [("yes", True), ("Sí", True), ("si", True), ("TRUE", True), ("1", True), ("x", True),
         (True, True), (1, True), ("no", False), ("No", False), ("false", False), ("0", False),
         (False, False), (None, False)],
    )  # fmt: skip
    def test_usmca_claimed_reads_the_usual_ways_of_saying_yes_and_no(self, cell, claimed):
        (line,) = read(xlsx([[*HEADER, "tmec"], [*ROW, cell]]))
        assert line.usmca.claimed is claimed

    def test_fully_empty_rows_are_skipped(self):
        rows = [HEADER, [None] * 5, ROW, ["", " ", None, "", None], ROW]
        assert len(read(xlsx(rows))) == 2

    def test_a_row_with_only_its_line_number_is_empty(self):
        rows = [["line", *HEADER], [1, *ROW], [2], [3]]
        assert len(read(xlsx(rows))) == 1

    def test_note_columns_and_columns_without_header_are_ignored(self):
        rows = [[*HEADER, "# my notes", None, "#"], [*ROW, "call Lucía", "scratch", 1]]
        assert len(read(xlsx(rows))) == 1

    def test_cells_right_of_the_last_header_are_ignored(self):
        assert len(read(xlsx([HEADER, [*ROW, None, None, "stray"]]))) == 1

    def test_a_sheet_with_only_the_header_gives_no_lines(self):
        assert read(xlsx([HEADER])) == []

    @pytest.mark.parametrize("title", ["goods", "Mercancías", "MERCANCIAS"])
    def test_the_sheet_named_goods_or_mercancias_is_read(self, title):
        data = xlsx([["notes"], ["anything"]], title="Notes", more=[(title, [HEADER, ROW])])
        assert len(read(data)) == 1

    def test_without_a_goods_sheet_the_first_sheet_is_read(self):
        data = xlsx([HEADER, ROW], title="Hoja1", more=[("Other", [["x"]])])
        assert len(read(data)) == 1

    def test_a_250_row_sheet_reads_quickly(self):
        rows = [HEADER] + [[f"P-{i}", "Bracket", i + 1, "H87", 18.75] for i in range(250)]
        data = xlsx(rows)
        started = time.perf_counter()
        lines = read(data)
        elapsed = time.perf_counter() - started
        assert len(lines) == 250
        print(f"250 rows read in {elapsed:.3f} s")  # noqa: T201 - shown with pytest -s


class TestCells:
    @pytest.mark.parametrize(
        ("cell", "expected"),
        [(18.75, "18.75"), (400.0, "400"), (400, "400"), (0.1 + 0.2, "0.3"), ("18.75", "18.75"),
         (" 1e3 ", "1000"), ("0.000001", "0.000001")],
    )  # fmt: skip
    def test_excel_numbers_read_as_the_decimal_a_person_sees(self, cell, expected):
        (line,) = read(xlsx([HEADER, [*ROW[:4], cell]]))
        assert line.unit_price.amount == Decimal(expected)
        assert str(line.unit_price.amount) == str(Decimal(expected))

    def test_a_nico_excel_stored_as_a_number_keeps_its_leading_zero(self):
        (line,) = read(xlsx([[*HEADER, "nico"], [*ROW, 1]]))
        assert line.nico == "01"

    def test_an_hts_number_missing_its_leading_zero_says_excel_dropped_it(self):
        found = only_issue(xlsx([[*HEADER, "hts"], [*ROW, 402101000]]))
        assert found.code == "sheet.code_short"
        assert (found.row, found.column) == (2, "hts")
        assert "Excel dropped the zero" in found.message.render("en")

    @pytest.mark.parametrize(
        "cell",
        [datetime(2026, 5, 1, 0, 0), date(2026, 5, 1)],  # noqa: DTZ001 - Excel's have no zone
    )
    def test_a_date_in_a_number_column_is_refused(self, cell):
        found = only_issue(xlsx([HEADER, [*ROW[:2], cell, *ROW[3:]]]))
        assert (found.code, found.row, found.column) == ("sheet.date_in_number", 2, "quantity")

    def test_a_date_in_a_text_column_is_refused(self):
        when = datetime(2024, 5, 1, 0, 0)  # noqa: DTZ001 - Excel's dates carry no time zone
        found = only_issue(xlsx([[*HEADER, "model"], [*ROW, when]]))
        assert (found.code, found.column) == ("sheet.date_in_text", "model")

    def test_a_boolean_in_a_number_column_is_refused(self):
        found = only_issue(xlsx([HEADER, [*ROW[:4], True]]))
        assert (found.code, found.column) == ("sheet.boolean_in_cell", "unit_price")

    def test_a_fractional_number_of_packages_is_refused(self):
        found = only_issue(xlsx([[*HEADER, "bultos"], [*ROW, 2.5]]))
        assert (found.code, found.column, found.path) == (
            "sheet.whole_number",
            "bultos",
            "goods[0].packages",
        )

    def test_an_absurdly_large_number_is_refused_quickly(self):
        found = only_issue(xlsx([[*HEADER, "packages"], [*ROW, "1e999999"]]))
        assert found.code == "sheet.number_too_large"

    def test_an_excel_error_value_is_reported(self):
        found = only_issue(xlsx([HEADER, [*ROW[:4], "#N/A"]]))
        assert (found.code, found.column) == ("sheet.excel_error", "unit_price")
        assert "#N/A" in found.message.render("en")

    def test_a_formula_without_a_saved_result_is_reported(self):
        found = only_issue(xlsx([[*HEADER, "value"], [*ROW, "=C2*E2"]]))
        assert (found.code, found.row, found.column) == ("sheet.formula_without_value", 2, "value")
        assert "=C2*E2" in found.message.render("en")

    def test_a_formula_with_its_saved_result_gives_the_result(self):
        data = rezip(
            xlsx([[*HEADER, "value"], [*ROW, "=C2*E2"]]),
            # openpyxl writes the empty result as <v /> or <v></v> (with lxml installed)
            lambda name, body: (
                re.sub(
                    rb"<f>C2\*E2</f><v\s*/>|<f>C2\*E2</f><v></v>", b"<f>C2*E2</f><v>7500</v>", body
                )
                if name.endswith("sheet1.xml")
                else body
            ),
        )
        (line,) = read(data)
        assert line.value == Money.of(7500, "USD")

    def test_a_workbook_with_features_openpyxl_drops_still_reads(self):
        extension = (
            b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
            b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
            b'<x14:dataValidations count="0"/></ext></extLst></worksheet>'
        )
        data = rezip(
            xlsx([HEADER, ROW]),
            lambda name, body: (
                body.replace(b"</worksheet>", extension) if name.endswith("sheet1.xml") else body
            ),
        )
        assert len(read(data)) == 1


class TestIssues:
    def test_a_bad_unit_price_names_its_row_and_column(self):
        rows = [HEADER, ROW, ROW, [*ROW[:4], "18,75 USD"]]
        found = only_issue(xlsx(rows))
        assert (found.source, found.row, found.column) == ("goods.xlsx", 4, "unit_price")
        assert found.path == "goods[2].unit_price.amount"
        assert found.render("en").startswith("goods.xlsx, row 4, column unit_price: ")

    def test_a_model_error_is_located_at_the_header_as_written(self):
        found = only_issue(xlsx([[*HEADER, "País Origen"], [*ROW, "XX"]]))
        assert (found.row, found.column, found.path) == (
            2,
            "País Origen",
            "goods[0].origin_country",
        )

    def test_a_missing_required_value_names_its_column(self):
        found = only_issue(xlsx([HEADER, [*ROW[:3], None, ROW[4]]]))
        assert (found.code, found.column, found.path) == ("input.missing", "unit", "goods[0].unit")

    def test_a_line_without_description_names_the_description_column(self):
        found = only_issue(xlsx([HEADER, [ROW[0], None, *ROW[2:]]]))
        assert (found.column, found.path) == ("description_en", "goods[0].description")

    def test_a_bad_currency_cell_names_the_currency_column(self):
        found = only_issue(xlsx([[*HEADER, "moneda"], [*ROW, "XYZ"]]))
        assert (found.column, found.path) == ("moneda", "goods[0].unit_price.currency")

    def test_issues_are_collected_across_rows(self):
        rows = [HEADER, [*ROW[:2], -1, *ROW[3:]], ROW, [*ROW[:4], "abc"], [*ROW[:3], "??", ROW[4]]]
        issues = issues_of(xlsx(rows))
        assert [(i.row, i.column) for i in issues] == [
            (2, "quantity"),
            (4, "unit_price"),
            (5, "unit"),
        ]

    def test_a_bad_cell_is_reported_once(self):
        found = only_issue(xlsx([HEADER, [*ROW[:2], "lots", *ROW[3:]]]))
        assert found.code == "sheet.number"

    def test_at_most_max_issues_are_reported(self):
        rows = [HEADER] + [[*ROW[:4], "abc"]] * (MAX_ISSUES + 20)
        assert len(issues_of(xlsx(rows))) == MAX_ISSUES


class TestHeader:
    def test_missing_required_columns_are_each_named(self):
        issues = issues_of(xlsx([["part_number", "quantity"], ["P-1", 1]]))
        codes = [(i.code, i.row) for i in issues]
        assert codes == [("sheet.missing_column", 1)] * 2 + [("sheet.missing_description", 1)]
        assert "precio_unitario" in issues[1].message.render("en")

    def test_a_duplicate_column_is_refused(self):
        found = only_issue(xlsx([[*HEADER, "Cantidad"], [*ROW, 3]]))
        assert (found.code, found.row, found.column) == ("sheet.duplicate_column", 1, "Cantidad")
        assert "quantity" in found.message.render("en")

    def test_an_unknown_column_is_refused_and_the_known_names_are_listed(self):
        found = only_issue(xlsx([[*HEADER, "net_wieght_kg"], [*ROW, 3]]))
        assert (found.code, found.column) == ("sheet.unknown_column", "net_wieght_kg")
        text = found.message.render("en")
        assert "net_weight_kg (peso_neto_kg)" in text
        assert "#" in text

    def test_an_empty_first_row_is_refused(self):
        found = only_issue(xlsx([[None, None], HEADER, ROW]))
        assert (found.code, found.row) == ("sheet.no_header", 1)

    def test_header_names_do_not_collide(self):
        names = [normalize_header(n) for column in COLUMNS for n in {column.key, column.spanish}]
        assert len(names) == len(set(names)) == len(BY_HEADER)


class TestFileDefences:
    def test_another_kind_of_file_is_refused_naming_the_file_and_the_kinds(self):
        with pytest.raises(InputError) as caught:
            read(b"%PDF-1.7", "goods.pdf")
        assert "goods.pdf" in str(caught.value)
        assert ".xlsx" in str(caught.value)
        assert ".csv" in str(caught.value)

    @pytest.mark.parametrize("name", ["GOODS.XLSX", "mercancías.Xlsx", "dir/goods.xlsx"])
    def test_the_extension_is_read_in_any_case(self, name):
        assert len(read(xlsx([HEADER, ROW]), name)) == 1

    def test_an_invoice_currency_that_is_no_iso_code_is_the_callers_mistake(self):
        with pytest.raises(ValueError, match="ISO 4217"):
            read(xlsx([HEADER, ROW]), currency="dollars")

    def test_a_file_over_the_limit_is_refused_before_it_is_read(self):
        with pytest.raises(InputError) as caught:
            read_goods_sheet(b"x" * 2000, filename="goods.xlsx", currency="USD", max_bytes=1000)
        assert caught.value.issues[0].code == "sheet.too_large"
        assert "1000 bytes" in str(caught.value)

    @pytest.mark.parametrize(
        "data",
        [b"", b"not a workbook at all", bytes(range(256)) * 4, b"PK\x03\x04" + b"\0" * 100],
    )
    def test_bytes_that_are_no_workbook_are_refused(self, data):
        assert only_issue(data).code == "sheet.not_xlsx"

    def test_a_truncated_workbook_is_refused(self):
        data = xlsx([HEADER, ROW])
        assert only_issue(data[: len(data) // 2]).code == "sheet.not_xlsx"

    def test_a_workbook_with_a_damaged_part_is_refused(self):
        data = rezip(
            xlsx([HEADER, ROW]), lambda name, body: body[:-30] if "sheet1" in name else body
        )
        assert only_issue(data).code == "sheet.not_xlsx"

    def test_a_renamed_xls_is_refused_with_its_own_message(self):
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
        found = only_issue(data)
        assert found.code == "sheet.xls"
        assert ".xls" in found.message.render("en")

    def test_a_renamed_ods_is_refused_with_its_own_message(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("content.xml", "<office:document-content/>")
        assert only_issue(buffer.getvalue()).code == "sheet.ods"

    def test_a_workbook_without_worksheets_is_refused(self):
        data = rezip(
            xlsx([HEADER]),
            lambda name, body: (
                re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", body)
                if name == "xl/workbook.xml"
                else body
            ),
        )
        assert only_issue(data).code == "sheet.no_worksheet"

    def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
                for _ in range(210):
                    member.write(bytes(1024 * 1024))
        found = only_issue(buffer.getvalue())
        assert found.code == "sheet.unpacked_too_large"
        assert "200.0 MB" in found.message.render("en")

    def test_a_part_compressed_far_beyond_a_spreadsheet_is_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/sharedStrings.xml", bytes(5 * 1024 * 1024))
        assert only_issue(buffer.getvalue()).code == "sheet.suspicious_archive"

    def test_a_workbook_of_too_many_parts_is_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            for number in range(10_001):
                archive.writestr(f"xl/media/{number}.bin", b"")
        assert only_issue(buffer.getvalue()).code == "sheet.suspicious_archive"

    def test_more_lines_than_a_shipment_holds_are_refused(self):
        rows = [HEADER] + [ROW] * (MAX_GOODS_LINES + 1)
        found = only_issue(csv_bytes(rows), "goods.csv")
        assert (found.code, found.row) == ("sheet.too_many_rows", MAX_GOODS_LINES + 2)

    def test_a_sheet_going_on_for_too_many_rows_is_refused(self):
        data = csv_bytes([HEADER, ROW]) + b",,,,\r\n" * MAX_SHEET_ROWS
        assert only_issue(data, "goods.csv").code == "sheet.too_many_rows"


class TestCsv:
    def test_a_utf8_bom_is_accepted(self):
        rows = [HEADER, ["P-1", "Válvula", 3, "H87", "2.50"]]
        (line,) = read(csv_bytes(rows, bom=True), "goods.csv")
        assert (line.part_number, line.description.en) == ("P-1", "Válvula")

    @pytest.mark.parametrize(
        "data",
        [
            "part_number,description_en\r\nP-1,Válvula\r\n".encode("cp1252"),
            codecs.BOM_UTF16_LE + "part_number".encode("utf-16-le"),
            b"part_number,description_en\r\nP-1,\x00\x00\r\n",
        ],
    )
    def test_a_file_not_in_utf8_is_refused_saying_how_to_save_it(self, data):
        found = only_issue(data, "goods.csv")
        assert found.code == "sheet.csv_encoding"
        assert "CSV UTF-8" in found.message.render("en")

    def test_a_workbook_named_csv_is_refused(self):
        found = only_issue(xlsx([HEADER, ROW]), "goods.csv")
        assert found.code == "sheet.csv_is_workbook"

    def test_semicolons_and_decimal_commas_of_spanish_excel_are_read(self):
        rows = [HEADER, ["P-1", "Soporte, aluminio", "2,5", "H87", "18,75"]]
        text = "\r\n".join(";".join(f'"{cell}"' for cell in row) for row in rows)
        (line,) = read(text.encode(), "goods.csv")
        assert (line.quantity, line.unit_price.amount) == (Decimal("2.5"), Decimal("18.75"))
        assert line.description.en == "Soporte, aluminio"

    @pytest.mark.parametrize(
        ("delimiter", "cell", "code"),
        [(",", '"1,234.50"', "sheet.thousands_separator"),
         (";", "1.234,50", "sheet.thousands_separator"),
         (",", '"1,5"', "sheet.decimal_comma"),
         (";", "1.234", "sheet.ambiguous_number"),
         (";", "1,234,567", "sheet.decimal_comma"),
         (",", "$18.75", "sheet.number"),
         (",", "1 234", "sheet.number")],
    )  # fmt: skip
    def test_thousands_separators_and_misplaced_commas_are_refused(self, delimiter, cell, code):
        data = csv_bytes([HEADER, [*ROW[:4], cell]], delimiter=delimiter)
        found = only_issue(data, "goods.csv")
        assert (found.code, found.row, found.column) == (code, 2, "unit_price")

    def test_a_point_decimal_in_a_semicolon_file_is_read(self):
        (line,) = read(csv_bytes([HEADER, [*ROW[:4], "18.75"]], delimiter=";"), "goods.csv")
        assert line.unit_price.amount == Decimal("18.75")

    def test_a_nico_written_without_its_zero_gets_it_back(self):
        (line,) = read(csv_bytes([[*HEADER, "nico"], [*ROW, "1"]]), "goods.csv")
        assert line.nico == "01"

    def test_a_cell_longer_than_the_csv_limit_is_refused_with_its_row(self):
        data = csv_bytes([HEADER, ROW]) + b'P-2,"' + b"x" * 200_000 + b'",1,H87,1\r\n'
        found = only_issue(data, "goods.csv")
        assert (found.code, found.row) == ("sheet.csv_malformed", 3)

    def test_an_empty_file_is_refused(self):
        assert only_issue(b"", "goods.csv").code == "sheet.no_header"


# ---------------------------------------------------------------- properties

_TEMPLATE = goods_template_xlsx()
_CSV_HEADER = ",".join(HEADER).encode()


@st.composite
def _damaged_template(draw):
    start = draw(st.integers(0, len(_TEMPLATE) - 1))
    length = draw(st.integers(0, 64))
    patch = draw(st.binary(max_size=64))
    return _TEMPLATE[:start] + patch + _TEMPLATE[start + length :]


@st.composite
def _damaged_part(draw):
    """The template with one of its XML parts damaged, zipped again: openpyxl must cope."""
    names = zipfile.ZipFile(io.BytesIO(_TEMPLATE)).namelist()
    victim = draw(st.sampled_from(names))
    start, length = draw(st.integers(0, 4000)), draw(st.integers(0, 40))
    patch = draw(st.binary(max_size=16) | st.sampled_from([b"<", b"</c>", b'"', b"<v>x</v>"]))

    def damage(name, body):
        return body[:start] + patch + body[start + length :] if name == victim else body

    return rezip(_TEMPLATE, damage)


_ANY_BYTES = st.one_of(
    st.binary(max_size=2048),
    _damaged_template(),
    _damaged_part(),
    st.text(max_size=500).map(lambda text: _CSV_HEADER + b"\r\n" + text.encode()),
    st.lists(
        st.lists(
            st.sampled_from(["1", "1,5", "x", '"', "\n", "", "H87", "#N/A", "sí"]), max_size=7
        ),
        max_size=5,
    ).map(lambda rows: _CSV_HEADER + b"\n" + b"\n".join(",".join(r).encode() for r in rows)),
)

_TEXT = (
    st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "Nd"), include_characters=" -/.,ñé"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
_CODE = st.from_regex(r"\A[A-Z0-9][A-Z0-9-]{0,15}\Z")
_AMOUNT = st.decimals(min_value=0, max_value=Decimal(99999999), places=6)
_WEIGHT = st.decimals(min_value=0, max_value=Decimal(999999999), places=6)


@st.composite
def _line(draw):
    """A goods line as cells of the sheet, and the GoodsLine it stands for."""
    currency = draw(st.sampled_from(["USD", "MXN", "CAD", "EUR"]))
    claimed = draw(st.booleans())
    cells = {
        "part_number": draw(_CODE),
        "description_en": draw(_TEXT),
        "description_es": draw(st.none() | _TEXT),
        "hts": draw(st.from_regex(r"\A[0-9]{10}\Z")),
        "fraccion": draw(st.from_regex(r"\A[0-9]{8}\Z")),
        "nico": draw(st.from_regex(r"\A[0-9]{2}\Z")),
        "origin_country": draw(st.sampled_from(["US", "MX", "CA", "CN", "DE"])),
        "quantity": draw(
            st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(999999999), places=6)
        ),
        "unit": draw(st.sampled_from(["H87", "KGM", "MTR", "SET", "LTR"])),
        "unit_price": draw(_AMOUNT),
        "currency": currency,
        "value": draw(st.none() | _AMOUNT),
        "net_weight_kg": draw(st.none() | _WEIGHT),
        "usmca_claimed": draw(st.sampled_from(["yes", "sí", "x"] if claimed else ["no", None])),
        "origin_criterion": draw(st.none() | st.sampled_from("ABCD")),
        "serial_numbers": draw(st.lists(_CODE, max_size=4)),
        "packages": draw(st.none() | st.integers(0, 1_000_000)),
    }
    expected = GoodsLine.model_validate(
        {
            **{key: cells[key] for key in ("part_number", "hts", "fraccion", "nico", "unit")},
            "description": {"en": cells["description_en"], "es": cells["description_es"]},
            "origin_country": cells["origin_country"],
            "quantity": cells["quantity"],
            "unit_price": {"amount": cells["unit_price"], "currency": currency},
            "value": None
            if cells["value"] is None
            else {"amount": cells["value"], "currency": currency},
            "net_weight_kg": cells["net_weight_kg"],
            "usmca": {"claimed": claimed, "criterion": cells["origin_criterion"]},
            "serial_numbers": cells["serial_numbers"],
            "packages": cells["packages"],
        }
    )
    cells["serial_numbers"] = "; ".join(cells["serial_numbers"]) or None
    return cells, expected


class TestProperties:
    @settings(max_examples=300, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=_ANY_BYTES, suffix=st.sampled_from([".xlsx", ".csv"]))
    def test_any_bytes_give_goods_lines_or_an_input_error(self, data, suffix):
        try:
            outcome = read_goods_sheet(data, filename=f"goods{suffix}", currency="USD")
        except InputError as error:
            outcome = error
        if isinstance(outcome, InputError):
            assert outcome.issues
        else:
            assert all(isinstance(line, GoodsLine) for line in outcome)

    @settings(max_examples=60, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(lines=st.lists(_line(), min_size=1, max_size=8))
    def test_valid_rows_round_trip_through_an_excel_file(self, lines):
        keys = list(lines[0][0])  # numbers are written as Excel numbers, codes as text
        rows = [keys] + [[cells[key] for key in keys] for cells, _expected in lines]
        read_back = read(xlsx(rows))
        assert read_back == [expected for _cells, expected in lines]
        for got, (cells, _expected) in zip(read_back, lines, strict=True):
            assert got.quantity == cells["quantity"]
            assert got.unit_price.amount == cells["unit_price"]
