from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cruce.ingest.columns import COLUMNS, Kind
from cruce.ingest.sheet import read_goods_sheet
from cruce.ingest.template import (
    INSTRUCTIONS_TITLE,
    SHEET_TITLE,
    goods_template_csv,
    goods_template_xlsx,
    markdown_table,
)
from cruce.model import GoodsLine
from cruce.model.shipment import MAX_GOODS_LINES

DOC = Path(__file__).resolve().parents[3] / "docs" / "goods-sheet.md"
KEYS = [column.key for column in COLUMNS]


def expected_lines(currency):
    """The template's example rows as goods lines; row 2 leaves its currency to the invoice."""
    return [
        GoodsLine.model_validate(
            {
                "part_number": "SPM-7616-001",
                "description": {
                    "en": "Machined aluminium mounting bracket, 6061-T6",
                    "es": "Soporte de montaje de aluminio maquinado, 6061-T6",
                },
                "hts": "7616995190",
                "schedule_b": "7616995090",
                "fraccion": "76169999",
                "nico": "99",
                "origin_country": "US",
                "quantity": "400",
                "unit": "H87",
                "unit_price": "18.75 USD",
                "net_weight_kg": "96",
                "gross_weight_kg": "110",
                "usmca": {"claimed": True, "criterion": "B"},
                "eccn": "EAR99",
                "hazmat": False,
                "clave_prod_serv": "31162502",
                "marks": "SPM / MAQUINADOS TAPATIOS / 1-2",
                "brand": "Sonoran Precision",
                "model": "BR-6061",
                "packages": 2,
                "package_type": "PX",
            }
        ),
        GoodsLine.model_validate(
            {
                "part_number": "SPM-8481-020",
                "description": {
                    "en": "Brass ball valve, 1/2 inch",
                    "es": "Válvula de bola de latón, 1/2 pulgada",
                },
                "hts": "8481801050",
                "schedule_b": "8481801050",
                "fraccion": "84818099",
                "nico": "01",
                "origin_country": "US",
                "quantity": "3",
                "unit": "H87",
                "unit_price": f"1250.50 {currency}",
                "value": f"3751.50 {currency}",
                "metal_content_value": f"1200.00 {currency}",
                "net_weight_kg": "4.2",
                "gross_weight_kg": "5",
                "usmca": {"claimed": False},
                "eccn": "EAR99",
                "hazmat": False,
                "clave_prod_serv": "40141600",
                "brand": "Sonoran Precision",
                "model": "BV-050",
                "serial_numbers": ["BV-1001", "BV-1002", "BV-1003"],
                "packages": 1,
                "package_type": "CT",
            }
        ),
    ]


@pytest.fixture(scope="module")
def book():
    return load_workbook(io.BytesIO(goods_template_xlsx()))


def letter_of(key):
    return get_column_letter(KEYS.index(key) + 1)


class TestGoodsTemplateXlsx:
    def test_it_reads_back_as_the_example_lines(self):
        lines = read_goods_sheet(goods_template_xlsx(), filename="t.xlsx", currency="MXN")
        assert lines == expected_lines("MXN")

    def test_its_bytes_are_the_same_on_every_run(self):
        assert goods_template_xlsx() == goods_template_xlsx()

    def test_its_dates_are_fixed(self):
        archive = zipfile.ZipFile(io.BytesIO(goods_template_xlsx()))
        assert {member.date_time for member in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
        assert core.count("2026-01-01T00:00:00Z") == 2

    def test_the_goods_sheet_comes_first_with_the_english_keys_in_row_1(self, book):
        assert book.sheetnames == [SHEET_TITLE, INSTRUCTIONS_TITLE]
        sheet = book[SHEET_TITLE]
        assert [cell.value for cell in sheet[1]] == KEYS

    def test_row_2_is_an_example_line_not_a_second_header(self, book):
        sheet = book[SHEET_TITLE]
        assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
            "SPM-7616-001",
            "SPM-8481-020",
        ]

    def test_the_header_row_is_frozen(self, book):
        assert book[SHEET_TITLE].freeze_panes == "A2"

    def test_each_header_has_a_comment_with_its_spanish_name_and_help(self, book):
        for cell, column in zip(book[SHEET_TITLE][1], COLUMNS, strict=True):
            assert column.spanish in cell.comment.text
            assert column.help_en in cell.comment.text
            assert column.help_es in cell.comment.text

    @pytest.mark.parametrize("key", ["hts", "schedule_b", "fraccion", "nico", "part_number"])
    def test_code_columns_are_formatted_as_text_so_excel_keeps_leading_zeros(self, book, key):
        sheet = book[SHEET_TITLE]
        letter = letter_of(key)
        assert sheet[f"{letter}2"].number_format == "@"
        assert isinstance(sheet[f"{letter}2"].value, str)
        assert sheet.column_dimensions[letter].number_format == "@"

    def test_numbers_are_stored_as_numbers(self, book):
        sheet = book[SHEET_TITLE]
        assert sheet[f"{letter_of('quantity')}2"].value == 400
        assert sheet[f"{letter_of('unit_price')}2"].value == pytest.approx(18.75)

    def test_columns_are_wide_enough_for_their_header(self, book):
        sheet = book[SHEET_TITLE]
        for key in KEYS:
            assert sheet.column_dimensions[letter_of(key)].width >= len(key)

    @pytest.mark.parametrize(
        ("key", "choices"), [("usmca_claimed", '"yes,no"'), ("origin_criterion", '"A,B,C,D"')]
    )
    def test_yes_no_and_origin_criterion_offer_a_drop_down_list(self, book, key, choices):
        letter = letter_of(key)
        (validation,) = [
            v
            for v in book[SHEET_TITLE].data_validations.dataValidation
            if str(v.sqref) == f"{letter}2:{letter}{MAX_GOODS_LINES + 1}"
        ]
        assert (validation.type, validation.formula1, validation.allow_blank) == (
            "list",
            choices,
            True,
        )

    def test_the_instructions_explain_every_column_in_both_languages(self, book):
        rows = list(book[INSTRUCTIONS_TITLE].iter_rows(min_row=6, values_only=True))
        assert [row[0] for row in rows] == KEYS
        for row, column in zip(rows, COLUMNS, strict=True):
            assert row[1] == column.spanish
            assert (row[3], row[4]) == (column.help_en, column.help_es)
            assert row[5] in (*column.examples, column.sample)
            assert row[5]


class TestGoodsTemplateCsv:
    def test_it_reads_back_as_the_same_lines_as_the_workbook(self):
        lines = read_goods_sheet(goods_template_csv(), filename="t.csv", currency="USD")
        assert lines == expected_lines("USD")

    def test_it_is_utf8_with_a_bom_and_the_english_keys_first(self):
        data = goods_template_csv()
        assert data.startswith(codecs.BOM_UTF8)
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        assert text.splitlines()[0] == ",".join(KEYS)
        assert len(text.splitlines()) == 3
        assert "Válvula" in text

    def test_codes_keep_their_leading_zeros(self):
        assert ",01," in goods_template_csv().decode("utf-8-sig")


class TestDocs:
    def section(self, name):
        text = DOC.read_text(encoding="utf-8")
        found = re.search(rf"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
        assert found, f"docs/goods-sheet.md lacks the {name} markers"
        return found.group(1)

    def test_the_column_table_matches_the_column_specs(self):
        assert self.section("columns") == markdown_table(), (
            "regenerate it with: python -m cruce.ingest.template"
        )

    def test_the_csv_example_is_the_template(self):
        example = self.section("example").removeprefix("```csv\n").removesuffix("```\n")
        assert example == goods_template_csv().decode("utf-8-sig").replace("\r\n", "\n")

    def test_every_column_is_documented_with_its_kind(self):
        table = self.section("columns")
        for column in COLUMNS:
            assert f"| `{column.key}` | `{column.spanish}` |" in table
        assert {column.kind for column in COLUMNS} == set(Kind)
