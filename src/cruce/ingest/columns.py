"""The goods sheet's columns, defined once; matching a header row to them; reading a cell.

The reader, the template and the docs all use :data:`COLUMNS`. Each :class:`Column` names
its English and Spanish header, the kind of value it holds, the GoodsLine field it fills, a
bilingual explanation and two example values (the template's example rows). The
explanations are bilingual constants rather than catalog entries because the template
shows both languages side by side, as the printed documents do (docs/dev/translations.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from cruce.i18n import N_, Message, _
from cruce.ingest.errors import InputError, InputIssue

if TYPE_CHECKING:
    from collections.abc import Sequence


class Kind(StrEnum):
    """What a column holds, which decides how a cell is read."""

    TEXT = "text"
    CODE = "code"  # an identifier or code: kept as text, a number from Excel becomes digits
    NUMBER = "number"
    WHOLE = "whole number"
    YES_NO = "yes/no"
    LIST = "list"


class Need(StrEnum):
    """Whether a column must be in the sheet."""

    REQUIRED = "required"
    ONE_OF = "one of the two descriptions"
    OPTIONAL = "optional"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the goods sheet."""

    key: str
    spanish: str
    kind: Kind
    field: tuple[str, ...]  # where the value goes in a GoodsLine; () for informative columns
    help_en: str
    help_es: str
    examples: tuple[str, str]
    need: Need = Need.OPTIONAL
    digits: int | None = None  # codes of a fixed number of digits
    pad: bool = False  # a code one digit short gets its leading zero back (NICO 1 -> 01)
    upper: bool = False  # a code the model takes in capitals only
    sample: str = ""  # the instructions' example when both example rows leave the column empty

    @property
    def informative(self) -> bool:
        """True for a column that feeds no field (the line number)."""
        return not self.field


COLUMNS: Final[tuple[Column, ...]] = (
    Column("line", "linea", Kind.TEXT, (),
           "Line number, for your reference; cruce numbers the lines itself.",
           "Número de línea, para su referencia; cruce numera las líneas por su cuenta.",
           ("1", "2")),
    Column("part_number", "numero_parte", Kind.CODE, ("part_number",),
           "Your part or SKU number.",
           "Su número de parte o SKU.",
           ("SPM-7616-001", "SPM-8481-020")),
    Column("description_en", "descripcion_en", Kind.TEXT, ("description", "en"),
           "Description of the goods in English, for the US documents.",
           "Descripción de la mercancía en inglés, para los documentos de EE. UU.",
           ("Machined aluminium mounting bracket, 6061-T6", "Brass ball valve, 1/2 inch"),
           need=Need.ONE_OF),
    Column("description_es", "descripcion_es", Kind.TEXT, ("description", "es"),
           "Description of the goods in Spanish, for the CFDI and the pedimento.",
           "Descripción de la mercancía en español, para el CFDI y el pedimento.",
           ("Soporte de montaje de aluminio maquinado, 6061-T6",
            "Válvula de bola de latón, 1/2 pulgada"),
           need=Need.ONE_OF),
    Column("hts", "hts", Kind.CODE, ("hts",),
           "US import classification (HTSUS), 10 digits; dots are allowed.",
           "Clasificación de importación de EE. UU. (HTSUS), 10 dígitos; se admiten puntos.",
           ("7616.99.5190", "8481.80.1050"), digits=10),
    Column("schedule_b", "schedule_b", Kind.CODE, ("schedule_b",),
           "US export classification (Schedule B), 10 digits; dots are allowed.",
           "Clasificación de exportación de EE. UU. (Schedule B), 10 dígitos; se admiten puntos.",
           ("7616.99.5090", "8481.80.1050"), digits=10),
    Column("fraccion", "fraccion", Kind.CODE, ("fraccion",),
           "Mexican tariff item (fracción arancelaria, LIGIE), 8 digits.",
           "Fracción arancelaria de la LIGIE, 8 dígitos.",
           ("76169999", "84818099"), digits=8),
    Column("nico", "nico", Kind.CODE, ("nico",),
           "Mexican statistical suffix (NICO), 2 digits, e.g. 01.",
           "Número de identificación comercial (NICO), 2 dígitos, p. ej. 01.",
           ("99", "01"), digits=2, pad=True),
    Column("origin_country", "pais_origen", Kind.CODE, ("origin_country",),
           "Country of origin, ISO two-letter code: US, MX, CA...",
           "País de origen, clave ISO de dos letras: US, MX, CA...",
           ("US", "US")),
    Column("quantity", "cantidad", Kind.NUMBER, ("quantity",),
           "Quantity, in the unit of the unit column.",
           "Cantidad, en la unidad de la columna unidad.",
           ("400", "3"), need=Need.REQUIRED),
    Column("unit", "unidad", Kind.CODE, ("unit",),
           "Unit of measure, UN/CEFACT code: H87 piece, KGM kilogram, MTR metre, LTR litre.",
           "Unidad de medida, clave UN/CEFACT: H87 pieza, KGM kilogramo, MTR metro, LTR litro.",
           ("H87", "H87"), need=Need.REQUIRED),
    Column("unit_price", "precio_unitario", Kind.NUMBER, ("unit_price", "amount"),
           "Price of one unit, a number without currency sign: 18.75.",
           "Precio de una unidad, un número sin signo de moneda: 18.75.",
           ("18.75", "1250.50"), need=Need.REQUIRED),
    Column("currency", "moneda", Kind.CODE, ("unit_price", "currency"),
           "Currency of the prices, ISO code (USD, MXN); empty: the invoice currency.",
           "Moneda de los precios, clave ISO (USD, MXN); vacía: la moneda de la factura.",
           ("USD", "")),
    Column("value", "valor", Kind.NUMBER, ("value", "amount"),
           "Line value as invoiced; empty: quantity times unit price.",
           "Valor de la línea según la factura; vacío: cantidad por precio unitario.",
           ("", "3751.50")),
    Column("metal_content_value", "valor_contenido_metal", Kind.NUMBER,
           ("metal_content_value", "amount"),
           "Value of the steel, aluminium or copper in the line (US Section 232 base); "
           "same currency as the prices.",
           "Valor del acero, aluminio o cobre de la línea (base de la Sección 232 de EE. UU.); "
           "en la moneda de los precios.",
           ("", "1200.00")),
    Column("net_weight_kg", "peso_neto_kg", Kind.NUMBER, ("net_weight_kg",),
           "Net weight of the line, in kilograms.",
           "Peso neto de la línea, en kilogramos.",
           ("96", "4.2")),
    Column("gross_weight_kg", "peso_bruto_kg", Kind.NUMBER, ("gross_weight_kg",),
           "Gross weight of the line with its packing, in kilograms.",
           "Peso bruto de la línea con su embalaje, en kilogramos.",
           ("110", "5")),
    Column("usmca_claimed", "tmec", Kind.YES_NO, ("usmca", "claimed"),
           "USMCA (T-MEC) preference claimed for the line: yes or no; empty means no.",
           "Se solicita el trato preferencial del T-MEC para la línea: sí o no; vacío es no.",
           ("yes", "no")),
    Column("origin_criterion", "criterio_origen", Kind.CODE, ("usmca", "criterion"),
           "USMCA origin criterion when preference is claimed: A, B, C or D.",
           "Criterio de origen del T-MEC cuando se solicita el trato preferencial: A, B, C o D.",
           ("B", ""), upper=True),
    Column("eccn", "eccn", Kind.CODE, ("eccn",),
           "Export Control Classification Number, or EAR99.",
           "Número de clasificación de control de exportaciones (ECCN), o EAR99.",
           ("EAR99", "EAR99")),
    Column("hazmat", "peligroso", Kind.YES_NO, ("hazmat",),
           "Hazardous materials (49 CFR 172.101): yes or no; empty: not stated.",
           "Materiales peligrosos (49 CFR 172.101): sí o no; vacío: no se indica.",
           ("no", "no")),
    Column("un_number", "numero_onu", Kind.CODE, ("un_number",),
           "UN number of hazardous goods, 4 digits: 1263; empty when not hazardous.",
           "Número ONU de la mercancía peligrosa, 4 dígitos: 1263; vacío si no es peligrosa.",
           ("", ""), digits=4, pad=True, sample="1263"),
    Column("clave_prod_serv", "clave_prod_serv", Kind.CODE, ("clave_prod_serv",),
           "SAT product key (c_ClaveProdServ, 8 digits) for the CFDI and the Carta Porte.",
           "Clave de producto del SAT (c_ClaveProdServ, 8 dígitos) para el CFDI y la Carta Porte.",
           ("31162502", "40141600"), digits=8),
    Column("marks", "marcas", Kind.TEXT, ("marks",),
           "Shipping marks on the packages.",
           "Marcas de embarque de los bultos.",
           ("SPM / MAQUINADOS TAPATIOS / 1-2", "")),
    Column("brand", "marca", Kind.TEXT, ("brand",),
           "Brand of the goods.",
           "Marca de la mercancía.",
           ("Sonoran Precision", "Sonoran Precision")),
    Column("model", "modelo", Kind.CODE, ("model",),
           "Model of the goods.",
           "Modelo de la mercancía.",
           ("BR-6061", "BV-050")),
    Column("serial_numbers", "numeros_serie", Kind.LIST, ("serial_numbers",),
           "Serial numbers, separated by semicolons or line breaks.",
           "Números de serie, separados por punto y coma o saltos de línea.",
           ("", "BV-1001; BV-1002; BV-1003")),
    Column("packages", "bultos", Kind.WHOLE, ("packages",),
           "Number of packages, a whole number.",
           "Número de bultos, un número entero.",
           ("2", "1")),
    Column("package_type", "tipo_bulto", Kind.CODE, ("package_type",),
           "Package type, UN/ECE Rec. 21 code: PX pallet, CT carton, BX box.",
           "Tipo de bulto, clave UN/ECE Rec. 21: PX tarima, CT caja de cartón, BX caja.",
           ("PX", "CT")),
)  # fmt: skip

BY_KEY: Final[dict[str, Column]] = {column.key: column for column in COLUMNS}
DESCRIPTION_KEYS: Final = ("description_en", "description_es")


def normalize_header(text: str) -> str:
    """``Número de Parte`` -> ``numerodeparte``: ignore case, accents, spaces and underscores."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\s_]+", "", bare).casefold()


BY_HEADER: Final[dict[str, Column]] = {
    normalize_header(name): column for column in COLUMNS for name in (column.key, column.spanish)
}


def known_names() -> str:
    """``line (linea), part_number (numero_parte), ...``: for a message about an unknown column."""
    return ", ".join(
        column.key if column.key == column.spanish else f"{column.key} ({column.spanish})"
        for column in COLUMNS
    )


# ---------------------------------------------------------------- the header row

HEADER_MESSAGES: Final = {
    "sheet.no_header": N_("row 1 is empty: put the column names in row 1, as in the template"),
    "sheet.unknown_column": N_(
        "'{name}' is not a column cruce knows: correct its name, or start it with # to keep "
        "it as a note; the columns are: {known}"
    ),
    "sheet.duplicate_column": N_(
        "the columns '{first}' and '{second}' are both {key}: keep one, delete the other"
    ),
    "sheet.missing_column": N_(
        "the column {key} is missing: add it to row 1 (in Spanish: {spanish})"
    ),
    "sheet.missing_description": N_(
        "a description column is missing: add description_en, description_es or both to row 1 "
        "(in Spanish: descripcion_en, descripcion_es)"
    ),
}


def _issue(code: str, source: str, *, column: str | None = None, **params: object) -> InputIssue:
    return InputIssue(code, "", _(HEADER_MESSAGES[code], **params), source, 1, column)


@dataclass(frozen=True, slots=True)
class Layout:
    """Which position of a row holds which :class:`Column`, and each header as written."""

    positions: tuple[tuple[int, Column], ...]
    written: dict[str, str]


def read_header(header: Sequence[object], filename: str) -> Layout:
    """Match row 1 against the columns; InputError lists every unknown, duplicate or missing one."""
    texts = ["" if cell is None else str(cell).strip() for cell in header]
    if not any(texts):
        raise InputError([_issue("sheet.no_header", filename)])
    issues: list[InputIssue] = []
    positions: list[tuple[int, Column]] = []
    written: dict[str, str] = {}
    for position, text in enumerate(texts):
        if not text or text.startswith("#"):
            continue  # a note column
        column = BY_HEADER.get(normalize_header(text))
        if column is None:
            params = {"name": preview(text), "known": known_names()}
            issues.append(_issue("sheet.unknown_column", filename, column=text, **params))
        elif column.key in written:
            params = {"first": written[column.key], "second": text, "key": column.key}
            issues.append(_issue("sheet.duplicate_column", filename, column=text, **params))
        else:
            written[column.key] = text
            positions.append((position, column))
    issues.extend(
        _issue("sheet.missing_column", filename, key=column.key, spanish=column.spanish)
        for column in COLUMNS
        if column.need is Need.REQUIRED and column.key not in written
    )
    if not any(key in written for key in DESCRIPTION_KEYS):
        issues.append(_issue("sheet.missing_description", filename))
    if issues:
        raise InputError(issues)
    return Layout(tuple(positions), written)


# ---------------------------------------------------------------- reading a cell

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_GROUPED_WITH_POINTS = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+")
_LIST_SEPARATOR = re.compile(r"[;\r\n]+")
_MAX_NUMBER_TEXT = 40
_MAX_EXPONENT = 20  # 10**20 is beyond every quantity, price and weight the model accepts
_PREVIEW = 40
_YES: Final = frozenset({"yes", "si", "true", "verdadero", "1", "x"})
_NO: Final = frozenset({"no", "false", "falso", "0"})
CELL_MESSAGES: Final = {
    "sheet.boolean_in_cell": N_("the cell holds TRUE or FALSE: type the value instead"),
    "sheet.date_in_number": N_(
        "the cell holds a date, not a number: format the column as Number and type it again"
    ),
    "sheet.date_in_text": N_(
        "the cell holds a date: format the column as Text and type the value again"
    ),
    "sheet.number": N_("'{value}' is not a number: write digits and a decimal point, e.g. 18.75"),
    "sheet.number_too_large": N_("'{value}' is too large"),
    "sheet.whole_number": N_("'{value}' is not a whole number"),
    "sheet.thousands_separator": N_(
        "'{value}' has a thousands separator: write the number without it, e.g. 1234.50"
    ),
    "sheet.decimal_comma": N_(
        "'{value}' has a comma: write the number with a decimal point and no thousands "
        "separator, e.g. 1234.50"
    ),
    "sheet.ambiguous_number": N_(
        "'{value}' is ambiguous in a file separated by semicolons: write decimals with a comma "
        "(1,5) and thousands without a separator (1234)"
    ),
    "sheet.yes_no": N_(
        "'{value}' is not yes or no: write yes or no (sí or no), or leave the cell empty for no"
    ),
    "sheet.formula_without_value": N_(
        "the cell holds a formula whose result was never saved ({formula}): open the file in "
        "Excel and save it again, or type the value instead"
    ),
    "sheet.excel_error": N_(
        "the cell shows the Excel error {value}: correct the formula or type the value"
    ),
    "sheet.code_short": N_(
        "'{value}' has {found} digits but {column} needs {digits}: if it starts with 0, Excel "
        "dropped the zero; format the column as Text and type the code again"
    ),
}


class CellProblem(Exception):  # noqa: N818 - a problem of the person's cell, not a program error
    """A cell that cannot be read as its column's kind; ``message`` says what to write."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.message: Message = _(CELL_MESSAGES[code], **params)


def preview(value: object) -> str:
    """A value as a message quotes it, cut to 40 characters."""
    text = str(value)
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def read_cell(column: Column, value: object, *, decimal_comma: bool) -> object:
    """The cell's value as the model takes it, or None for an empty cell.

    ``value`` is what openpyxl or the CSV reader gave: text, a number, a boolean or a date.
    ``decimal_comma`` is True for CSV files separated by semicolons (Spanish-locale Excel).
    Raises :class:`CellProblem`.
    """
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None
    if column.kind is Kind.NUMBER:
        return _number(value, decimal_comma=decimal_comma)
    if column.kind is Kind.WHOLE:
        number = _number(value, decimal_comma=decimal_comma)
        if number != number.to_integral_value():
            raise CellProblem("sheet.whole_number", value=number)
        return int(number)
    if column.kind is Kind.YES_NO:
        return _yes_no(value)
    return _text_cell(column, _text(value))


def _text_cell(column: Column, text: str) -> str | list[str]:
    if column.kind is Kind.LIST:
        return [part.strip() for part in _LIST_SEPARATOR.split(text) if part.strip()]
    if column.upper:
        return text.upper()
    return _digit_code(column, text) if column.digits else text


def _refuse_dates_and_booleans(value: object, *, number: bool) -> None:
    if isinstance(value, bool):
        raise CellProblem("sheet.boolean_in_cell")
    if isinstance(value, date | time | timedelta):
        raise CellProblem("sheet.date_in_number" if number else "sheet.date_in_text")


def _text(value: object) -> str:
    """Text as written; a number Excel stored in a text column becomes its digits (400.0 -> 400)."""
    _refuse_dates_and_booleans(value, number=False)
    return _float_text(value) if isinstance(value, float) else str(value)


def _float_text(value: float) -> str:
    # Excel keeps 15 significant digits; more would be binary noise (0.1 + 0.2 -> 0.3)
    return format(value, ".15g")


def _number(value: object, *, decimal_comma: bool) -> Decimal:
    _refuse_dates_and_booleans(value, number=True)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(_float_text(value))  # 18.75 stays 18.75, 400.0 becomes 400
    elif isinstance(value, Decimal):
        number = value
    else:
        number = _number_text(str(value), decimal_comma=decimal_comma)
    if not number.is_finite():
        raise CellProblem("sheet.number", value=preview(value))
    if number.adjusted() > _MAX_EXPONENT:
        raise CellProblem("sheet.number_too_large", value=preview(value))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        number = number.quantize(Decimal(1))  # 1e3 and 1E+3 are written 1000
    return number


def _number_text(text: str, *, decimal_comma: bool) -> Decimal:
    if "," in text and "." in text:
        raise CellProblem("sheet.thousands_separator", value=preview(text))
    if "," in text:
        if not decimal_comma or text.count(",") > 1:
            raise CellProblem("sheet.decimal_comma", value=preview(text))
        text = text.replace(",", ".")
    elif decimal_comma and _GROUPED_WITH_POINTS.fullmatch(text):
        raise CellProblem("sheet.ambiguous_number", value=preview(text))
    if len(text) > _MAX_NUMBER_TEXT or not _NUMBER.fullmatch(text):
        raise CellProblem("sheet.number", value=preview(text))
    return Decimal(text)


def _yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in {0, 1}:
        return bool(value)
    text = _text(value)
    word = normalize_header(text)
    if word in _YES or word in _NO:
        return word in _YES
    raise CellProblem("sheet.yes_no", value=preview(text))


def _digit_code(column: Column, text: str) -> str:
    digits = re.sub(r"[\s.\-]", "", text)
    width = column.digits or 0
    if not (digits.isascii() and digits.isdigit() and len(digits) < width):
        return text
    if column.pad and len(digits) == width - 1:
        return digits.zfill(width)
    raise CellProblem(
        "sheet.code_short", value=preview(text), found=len(digits), column=column.key, digits=width
    )
