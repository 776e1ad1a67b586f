"""The downloadable goods sheet: an Excel workbook and a CSV file, built from the column specs.

The workbook's ``goods`` sheet has the English headers in row 1 (each with a comment giving
the Spanish header and what to write), two example rows, a frozen header, drop-down lists
for the yes/no and origin criterion columns, and text format on the code columns so Excel
keeps their leading zeros. The ``Instructions - Instrucciones`` sheet explains every column
in English and Spanish. Both files read back, through :func:`read_goods_sheet`, as the two
example lines; the bytes are the same on every run.

:func:`markdown_table` writes the table of columns in docs/goods-sheet.md; print it with
``python -m cruce.ingest.template``.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
import zipfile
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from cruce.ingest.columns import BY_KEY, COLUMNS, Column, Kind, Need
from cruce.model.shipment import MAX_GOODS_LINES

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_TITLE: Final = "goods"
INSTRUCTIONS_TITLE: Final = "Instructions - Instrucciones"  # Excel forbids "/" in sheet names
_FIXED_TIME: Final = datetime(2026, 1, 1)  # noqa: DTZ001 - workbook properties are naive UTC
_ZIP_TIME: Final = (2026, 1, 1, 0, 0, 0)
NEED_LABELS: Final[dict[Need, tuple[str, str]]] = {
    Need.REQUIRED: ("yes", "sí"),
    Need.ONE_OF: ("this or the other description", "esta o la otra descripción"),
    Need.OPTIONAL: ("no", "no"),
}
_TEXT_KINDS: Final = frozenset({Kind.CODE, Kind.LIST})
_HEADER_FONT: Final = Font(bold=True)
_HEADER_FILL: Final = PatternFill("solid", start_color="DDEBF7")
_WRAP: Final = Alignment(wrap_text=True, vertical="top")
_LAST_ROW: Final = MAX_GOODS_LINES + 1
_CHOICES: Final = {
    "usmca_claimed": ('"yes,no"', "yes or no / sí o no: yes, no"),
    "origin_criterion": ('"A,B,C,D"', "A, B, C or D / A, B, C o D"),
}
_INTRO_EN: Final = (
    "Fill in the goods sheet: one line of goods per row, the column names in row 1. "
    "Headers may be in English or Spanish and the columns in any order; leave out the "
    "optional columns you do not need. A column whose name starts with # is a note and is "
    "not read. Replace the two example rows with your goods."
)
_INTRO_ES: Final = (
    "Llene la hoja goods: una línea de mercancía por fila, los nombres de las columnas en "
    "la fila 1. Los encabezados pueden ir en inglés o en español y las columnas en "
    "cualquier orden; omita las columnas opcionales que no necesite. Una columna cuyo nombre "
    "empieza con # es una nota y no se lee. Sustituya los dos renglones de ejemplo por su "
    "mercancía."
)


def markdown_table() -> str:
    """The table of columns in docs/goods-sheet.md."""
    lines = [
        "| column | Spanish header | required | kind | what to write | example |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for column in COLUMNS:
        shown = [value for value in column.examples if value] or [column.sample]
        example = " / ".join(f"`{value}`" for value in shown if value) or "(empty)"
        lines.append(
            f"| `{column.key}` | `{column.spanish}` | {NEED_LABELS[column.need][0]} "
            f"| {column.kind.value} | {column.help_en} | {example} |"
        )
    return "\n".join(lines) + "\n"


def example_rows() -> list[dict[str, str]]:
    """The template's two example rows, as text keyed by column."""
    return [{column.key: column.examples[i] for column in COLUMNS} for i in range(2)]


def goods_template_csv() -> bytes:
    """The template as CSV UTF-8: header and example rows, with a BOM so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.key for column in COLUMNS])
    writer.writerows([[row[column.key] for column in COLUMNS] for row in example_rows()])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def goods_template_xlsx() -> bytes:
    """The template as an Excel workbook (.xlsx)."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    _fill_goods(sheet)
    _fill_instructions(book.create_sheet(INSTRUCTIONS_TITLE))
    book.properties.creator = "cruce"
    book.properties.created = _FIXED_TIME
    book.properties.modified = _FIXED_TIME
    return _stable_zip(_save(book))


def cell_value(column: Column, text: str) -> object:
    """An example written as a person would type it: numbers as numbers, codes as text."""
    if not text:
        return None
    if column.kind in {Kind.NUMBER, Kind.WHOLE}:
        return Decimal(text)
    return text


def _fill_goods(sheet: Worksheet) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=column.key)
        header.font = _HEADER_FONT
        header.fill = _HEADER_FILL
        comment = Comment(
            f"{column.key} / {column.spanish}\n\n{column.help_en}\n\n{column.help_es}", "cruce"
        )
        comment.width, comment.height = 300, 160
        header.comment = comment
        for row, example in enumerate(example_rows(), start=2):
            cell = sheet.cell(row=row, column=index, value=cell_value(column, example[column.key]))
            if column.kind in _TEXT_KINDS:
                cell.number_format = "@"
        dimension = sheet.column_dimensions[letter]
        dimension.width = min(max(len(text) for text in (column.key, *column.examples)) + 3, 48)
        if column.kind in _TEXT_KINDS:
            dimension.number_format = "@"  # Excel keeps the leading zeros of typed codes
    sheet.freeze_panes = "A2"
    for key, (choices, prompt) in _CHOICES.items():
        letter = get_column_letter(COLUMNS.index(BY_KEY[key]) + 1)
        validation = DataValidation(
            type="list",
            formula1=choices,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=key,
            error=prompt,
        )
        validation.add(f"{letter}2:{letter}{_LAST_ROW}")
        sheet.add_data_validation(validation)


def _fill_instructions(sheet: Worksheet) -> None:
    sheet["A1"] = INSTRUCTIONS_TITLE
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"], sheet["A3"] = _INTRO_EN, _INTRO_ES
    headings = (
        "Column",
        "Columna",
        "Required / Obligatoria",
        "What to write",
        "Qué escribir",
        "Example / Ejemplo",
    )
    sheet.append([])
    sheet.append(list(headings))
    for cell in sheet[5]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for column in COLUMNS:
        need_en, need_es = NEED_LABELS[column.need]
        example = next((value for value in column.examples if value), column.sample)
        sheet.append(
            [
                column.key,
                column.spanish,
                need_en if need_en == need_es else f"{need_en} / {need_es}",
                column.help_en,
                column.help_es,
                example,
            ]
        )
    for letter, width in zip("ABCDEF", (18, 18, 24, 60, 60, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = _WRAP
            cell.number_format = "@"


def _save(book: Workbook) -> bytes:
    # openpyxl's save() stamps the current time as "modified"; its writer itself does not
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(book, archive).save()  # closes the archive
    return buffer.getvalue()


def _stable_zip(data: bytes) -> bytes:
    """The same archive with fixed member dates and permissions: same bytes on every run."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            fixed = zipfile.ZipInfo(member.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(member))
    return buffer.getvalue()


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
