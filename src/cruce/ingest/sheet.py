"""Read a goods sheet (.xlsx or .csv) into goods lines, or say exactly why not.

The columns are in :mod:`cruce.ingest.columns`. Defences, each ending in an
:class:`~cruce.ingest.errors.InputError` that names the file, the row and the column: the
kind and size of the file before anything is parsed; for workbooks, the zip's declared sizes
and compression before openpyxl opens it (zip bombs), openpyxl in read-only mode with every
exception it raises turned into an issue about the file, and formulas whose result was never
saved reported; for CSV, strict UTF-8 (a BOM is accepted) and the delimiter sniffed from the
header; unknown, duplicate and missing columns; a bound on the rows looked at and read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count, zip_longest
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES
from pydantic import ValidationError

from cruce.i18n import N_, _
from cruce.ingest.columns import (
    COLUMNS,
    CellProblem,
    Column,
    Layout,
    normalize_header,
    preview,
    read_cell,
    read_header,
)
from cruce.ingest.errors import MAX_ISSUES, InputError, InputIssue, issues_from_validation
from cruce.model import GoodsLine
from cruce.model.money import check_currency
from cruce.model.shipment import MAX_GOODS_LINES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from openpyxl.workbook.workbook import Workbook

P = ParamSpec("P")
T = TypeVar("T")
Row = tuple[object, ...]

MAX_SHEET_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_MEMBERS = 10_000
MAX_SHEET_ROWS = 10 * MAX_GOODS_LINES  # rows looked at, empty ones included
SHEET_NAMES = frozenset({"goods", "mercancias"})  # as normalize_header writes them
_RATIO_FLOOR = 1024 * 1024  # small parts may compress well without harm
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any workbook saved with a password
_ZIP = b"PK\x03\x04"
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s/>]")
_EXCEL_ERRORS = frozenset(ERROR_CODES) | {"#SPILL!", "#CALC!"}
_MB = 1024 * 1024

MESSAGES: Final = {
    "sheet.kind": N_(
        "cruce reads goods from an Excel workbook (.xlsx) or a CSV UTF-8 file (.csv): save the "
        "goods sheet as one of those"
    ),
    "sheet.too_large": N_(
        "the file is {size}; the limit is {limit}: split the goods into several files"
    ),
    "sheet.xls": N_(
        "the file is an Excel 97-2003 workbook (.xls) or a workbook with a password: remove the "
        "password and save it as Excel Workbook (.xlsx)"
    ),
    "sheet.ods": N_(
        "the file is an OpenDocument spreadsheet (.ods): save it as Excel Workbook (.xlsx) or "
        "as CSV UTF-8"
    ),
    "sheet.not_xlsx": N_(
        "the file is not a valid Excel workbook: it may be damaged, incomplete or of another "
        "kind; open it in Excel and save it again as Excel Workbook (.xlsx)"
    ),
    "sheet.unpacked_too_large": N_(
        "the workbook unpacks to {size}, more than the {limit} cruce opens: delete unused "
        "sheets, pictures and formatting, or split the goods into several files"
    ),
    "sheet.suspicious_archive": N_(
        "the workbook is packed unlike any real spreadsheet (a zip bomb?) and cruce does not "
        "open it: save the goods again from Excel as Excel Workbook (.xlsx)"
    ),
    "sheet.no_worksheet": N_("the workbook has no worksheet: put the goods on a sheet named goods"),
    "sheet.csv_is_workbook": N_(
        "the file is an Excel workbook with a .csv name: rename it to .xlsx, or save it from "
        "Excel as CSV UTF-8"
    ),
    "sheet.csv_encoding": N_(
        'the file is not saved as UTF-8 text: in Excel use File > Save As and choose "CSV '
        'UTF-8 (Comma delimited) (*.csv)"'
    ),
    "sheet.csv_malformed": N_(
        "the row could not be read as CSV (unbalanced quotes, or a cell longer than {limit} "
        "characters): save the file again from Excel as CSV UTF-8"
    ),
    "sheet.too_many_rows": N_(
        "the sheet goes on past {limit} goods lines, the most a shipment holds: split the goods "
        "into several shipments, and delete any unused rows below the goods"
    ),
}


def _fail(code: str, source: str, *, row: int | None = None, **params: object) -> InputError:
    return InputError([InputIssue(code, "", _(MESSAGES[code], **params), source, row)])


def read_goods_sheet(
    data: bytes, *, filename: str, currency: str, max_bytes: int = MAX_SHEET_BYTES
) -> list[GoodsLine]:
    """The goods lines of an .xlsx or .csv goods sheet; InputError says why it cannot be read.

    ``currency`` is the invoice's, used for lines whose currency cell is empty; it must be
    an ISO 4217 code (ValueError otherwise: that is the caller's mistake, not the file's).
    """
    try:
        default_currency = check_currency(currency)
    except ValueError as error:
        raise ValueError(f"not an ISO 4217 currency code: {currency!r}") from error
    suffix = PurePath(filename).suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        raise _fail("sheet.kind", filename)
    if len(data) > max_bytes:
        raise _fail("sheet.too_large", filename, size=_size(len(data)), limit=_size(max_bytes))
    if suffix == ".csv":
        header, rows, decimal_comma = _csv_table(data, filename)
        return _goods(header, rows, filename, default_currency, decimal_comma=decimal_comma)
    with _xlsx_table(data, filename) as (header, rows):
        return _goods(header, rows, filename, default_currency, decimal_comma=False)


def _size(count: int) -> str:
    return f"{count / _MB:.1f} MB" if count >= _MB else f"{count} bytes"


# ---------------------------------------------------------------- xlsx


@dataclass(frozen=True, slots=True)
class _Formula:
    """A formula cell whose result was never saved (openpyxl's data_only gives None)."""

    text: str


def _guard(filename: str, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a piece of openpyxl or zipfile; anything it raises becomes an issue about the file."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (data validation extensions,
            # unknown parts, conditional formats): harmless for reading values, and nothing the
            # person can act on. Only openpyxl's own UserWarnings are silenced. (catch_warnings
            # swaps process-wide state: a threaded server may prefer Python 3.14's context one.)
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            return call(*args, **kwargs)
    except InputError:
        raise
    except Exception as error:  # openpyxl raises anything (KeyError, TypeError...) on bad input
        raise _fail("sheet.not_xlsx", filename) from error


def _inspect_zip(data: bytes, filename: str) -> bool:
    """Refuse what is not an xlsx or would unpack too far; True when formulas may be inside."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)  # zipfile enforces these sizes
        if unpacked > MAX_UNPACKED_BYTES:
            size, limit = _size(unpacked), _size(MAX_UNPACKED_BYTES)
            raise _fail("sheet.unpacked_too_large", filename, size=size, limit=limit)
        if len(members) > MAX_MEMBERS or any(
            member.file_size > max(_RATIO_FLOOR, MAX_COMPRESSION_RATIO * member.compress_size)
            for member in members
        ):
            raise _fail("sheet.suspicious_archive", filename)
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names:
            if "mimetype" in names and archive.read("mimetype").startswith(
                b"application/vnd.oasis"
            ):
                raise _fail("sheet.ods", filename)
            raise _fail("sheet.not_xlsx", filename)
        return any(_mentions_formula(archive, member) for member in members)


def _mentions_formula(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    if not member.filename.endswith(".xml"):
        return False
    with archive.open(member) as stream:
        tail = b""
        while chunk := stream.read(_MB):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _titles(book: Workbook) -> list[str]:
    return [sheet.title for sheet in book.worksheets]  # chart sheets left out


def _pick_sheet(titles: list[str]) -> str:
    """The first worksheet named goods or mercancías, else the first worksheet."""
    return next((title for title in titles if normalize_header(title) in SHEET_NAMES), titles[0])


def _first_row(book: Workbook, title: str) -> Row:
    sheet = book[title]
    sheet.reset_dimensions()  # a sheet may claim A1:XFD1048576; read what is really there
    return tuple(next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ()))


def _rows_below(book: Workbook, title: str, width: int) -> Iterator[Row]:
    sheet = book[title]
    sheet.reset_dimensions()
    rows: Iterator[Row] = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
    return rows


def _guarded(filename: str, rows: Iterator[Row]) -> Iterator[Row]:
    while (row := _guard(filename, next, rows, None)) is not None:
        yield row


@contextmanager
def _xlsx_table(data: bytes, filename: str) -> Iterator[tuple[Row, Iterator[Row]]]:
    """Row 1 and the rows below it; a formula without its saved result is a :class:`_Formula`."""
    if data.startswith(_OLE2):
        raise _fail("sheet.xls", filename)
    formulas_inside = _guard(filename, _inspect_zip, data, filename)
    books: list[Workbook] = []

    def load(*, data_only: bool) -> Workbook:
        book: Workbook = _guard(
            filename, load_workbook, io.BytesIO(data), read_only=True, data_only=data_only
        )
        books.append(book)
        return book

    try:
        values = load(data_only=True)
        titles = _guard(filename, _titles, values)
        if not titles:
            raise _fail("sheet.no_worksheet", filename)
        title = _pick_sheet(titles)
        header = _guard(filename, _first_row, values, title)
        rows = _guarded(filename, _guard(filename, _rows_below, values, title, len(header)))
        if formulas_inside and header:
            book = load(data_only=False)
            cells = _guarded(filename, _guard(filename, _rows_below, book, title, len(header)))
            rows = (_merge(row, formula) for row, formula in zip_longest(rows, cells, fillvalue=()))
        yield header, rows
    finally:
        for book in books:
            _guard(filename, book.close)


def _merge(values: Row, formulas: Row) -> Row:
    return tuple(
        _Formula(str(getattr(formula, "text", formula)))
        if value is None and formula is not None
        else value
        for value, formula in zip_longest(values, formulas)
    )


# ---------------------------------------------------------------- csv


def _csv_table(data: bytes, filename: str) -> tuple[Row, Iterator[Row], bool]:
    """Row 1, the rows below it, and whether decimals are written with a comma."""
    if data.startswith(_ZIP):
        raise _fail("sheet.csv_is_workbook", filename)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail("sheet.csv_encoding", filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail("sheet.csv_encoding", filename) from error
    if "\x00" in text:
        raise _fail("sheet.csv_encoding", filename)
    first_line = text.partition("\n")[0]
    # Spanish-locale Excel separates with ";" and writes decimals with a comma
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = _csv_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), filename)
    return next(rows, ()), rows, delimiter == ";"


def _csv_rows(reader: Iterator[list[str]], filename: str) -> Iterator[Row]:
    for row in count(1):
        try:
            cells = next(reader, None)
        except csv.Error as error:
            limit = csv.field_size_limit()
            raise _fail("sheet.csv_malformed", filename, row=row, limit=limit) from error
        if cells is None:
            return
        yield tuple(cells)


# ---------------------------------------------------------------- rows to goods lines


_LOCATIONS: dict[tuple[int | str, ...], str] = {
    **{column.field: column.key for column in COLUMNS if column.field},
    ("description",): "description_en",
    ("unit_price",): "unit_price",
    ("value",): "value",
    ("value", "currency"): "currency",
    ("metal_content_value",): "metal_content_value",
    ("metal_content_value", "currency"): "currency",
    ("usmca",): "usmca_claimed",
}
_FALLBACKS = {
    "description_en": "description_es",
    "description_es": "description_en",
    "currency": "unit_price",
}


def _header_for(layout: Layout, location: tuple[int | str, ...]) -> str | None:
    """The header of the column a GoodsLine field came from."""
    prefixes = (location[:end] for end in range(len(location), 0, -1))
    key = next((_LOCATIONS[p] for p in prefixes if p in _LOCATIONS), "")
    for candidate in (key, _FALLBACKS.get(key, "")):
        if candidate in layout.written:
            return layout.written[candidate]
    return None


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _goods(
    header: Row, rows: Iterable[Row], filename: str, currency: str, *, decimal_comma: bool
) -> list[GoodsLine]:
    layout = read_header(header, filename)
    lines: list[GoodsLine] = []
    issues: list[InputIssue] = []
    index = -1
    for row, cells in enumerate(rows, start=2):
        if row > MAX_SHEET_ROWS:
            raise _fail("sheet.too_many_rows", filename, row=row, limit=MAX_GOODS_LINES)
        values = [(column, cells[i] if i < len(cells) else None) for i, column in layout.positions]
        if all(_is_empty(value) for column, value in values if not column.informative):
            continue
        index += 1  # the line's place in the shipment's goods
        if index == MAX_GOODS_LINES:
            raise _fail("sheet.too_many_rows", filename, row=row, limit=MAX_GOODS_LINES)
        reader = _LineReader(layout, filename, row, index, decimal_comma=decimal_comma)
        line = reader.read(values, currency)
        issues.extend(reader.issues)
        if line is not None:
            lines.append(line)
        if len(issues) >= MAX_ISSUES:
            break
    if issues:
        raise InputError(issues)
    return lines


class _LineReader:
    """Reads one row into a GoodsLine, collecting its issues."""

    def __init__(
        self, layout: Layout, filename: str, row: int, index: int, *, decimal_comma: bool
    ) -> None:
        self.layout, self.filename, self.row, self.index = layout, filename, row, index
        self.decimal_comma = decimal_comma
        self.issues: list[InputIssue] = []

    def read(self, values: list[tuple[Column, object]], currency: str) -> GoodsLine | None:
        data: dict[str, Any] = {"description": {}}
        failed: set[str] = set()
        for column, raw in values:
            if column.informative:
                continue
            written = self.layout.written[column.key]
            try:
                value = read_cell(column, _marked(raw), decimal_comma=self.decimal_comma)
            except CellProblem as problem:
                path = f"goods[{self.index}]." + ".".join(column.field)
                self.issues.append(
                    InputIssue(
                        problem.code, path, problem.message, self.filename, self.row, written
                    )
                )
                failed.add(written)
                continue
            if value is not None:
                _put(data, column.field, value)
        if "unit_price" in data:
            currency = data["unit_price"].setdefault("currency", currency)
        for priced in ("value", "metal_content_value"):
            if priced in data:
                data[priced]["currency"] = currency
        try:
            return GoodsLine.model_validate(data)
        except ValidationError as error:
            found = issues_from_validation(
                error, prefix=("goods", self.index), source=self.filename, locate=self._locate
            )
            self.issues.extend(item for item in found if item.column not in failed)
            return None

    def _locate(self, location: tuple[int | str, ...]) -> tuple[int | None, str | None]:
        return self.row, _header_for(self.layout, location)


def _marked(value: object) -> object:
    """Raise for a formula without its result or an Excel error (#N/A); else the value."""
    if isinstance(value, _Formula):
        formula = preview("=" + value.text.removeprefix("="))
        raise CellProblem("sheet.formula_without_value", formula=formula)
    if isinstance(value, str) and value.strip() in _EXCEL_ERRORS:
        raise CellProblem("sheet.excel_error", value=value.strip())
    return value


def _put(data: dict[str, Any], path: tuple[str, ...], value: object) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value
