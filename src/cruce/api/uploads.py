"""A shipment record sent as ``multipart/form-data``: a ``record`` part and its goods sheet.

A browser form or ``curl -F`` sends the record (YAML or JSON) in a part named ``record``
and, when the record names one (``goods_sheet: goods.xlsx``) or lists no goods, the goods
sheet (.xlsx or .csv) in a part named ``goods``. The body is already in memory (the
middleware caps its size); it is parsed here without touching the disk: each part has its
own cap (the loader's limits), only those two parts are accepted, once each, and a part's
file name only says what kind of file it is: it is never used as a path. The sheet is read
by the same loader as ``cruce check`` (zip bombs, damaged workbooks and per-row checks
included), so a bad cell comes back as a field path like ``goods[3].hts``. Every refusal
is a 4xx problem naming the part or field; nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Final

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from cruce.api.problems import ApiError, FieldError
from cruce.i18n import _
from cruce.ingest.errors import InputError, InputIssue
from cruce.ingest.loader import MAX_FILE_BYTES, SHIPMENT_SUFFIXES, parse_shipment_with_sheet
from cruce.ingest.sheet import MAX_SHEET_BYTES

if TYPE_CHECKING:
    from cruce.i18n import Locale
    from cruce.model import Shipment

MEDIA_TYPE: Final = "multipart/form-data"
RECORD: Final = "record"
GOODS: Final = "goods"
MAX_PARTS: Final = 4
"""More parts than this are refused before they are read (two are ever needed)."""
MAX_HEADER_BYTES: Final = 4096
LIMITS: Final = {RECORD: MAX_FILE_BYTES, GOODS: MAX_SHEET_BYTES}
RECORD_MEDIA: Final = {
    "application/json": ".json",
    "application/yaml": ".yaml",
    "application/x-yaml": ".yaml",
    "text/yaml": ".yaml",
}
SHEET_MEDIA: Final = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/csv": ".csv",
}
SHEET_SUFFIXES: Final = (".xlsx", ".csv")
UNTYPED: Final = frozenset({"", "application/octet-stream", "text/plain"})
"""What clients send when they do not know a part's type: the record is then read as YAML
(a superset of JSON for a record's purposes)."""
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,99}$")


@dataclass(slots=True)
class Part:
    """One part of the body: its field name, the client's file name and type, its bytes."""

    name: str
    filename: str | None = None
    content_type: str = ""
    data: bytearray = field(default_factory=bytearray)


def _malformed() -> ApiError:
    return ApiError(
        400,
        "upload.malformed",
        _("The multipart body could not be read"),
        [FieldError("body", _("The multipart body could not be read"))],
    )


class _Collector:
    """python-multipart's callbacks, collecting parts in memory with a cap on each."""

    def __init__(self) -> None:
        self.parts: list[Part] = []
        self.ended = False
        self._headers: dict[str, bytes] = {}
        self._field = b""
        self._value = b""
        self._current: Part | None = None

    def on_part_begin(self) -> None:
        if len(self.parts) >= MAX_PARTS:
            raise ApiError(
                422,
                "upload.too_many_parts",
                _("Send the parts record and goods only"),
                [FieldError("body", _("Send the parts record and goods only"))],
            )
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.decode("latin-1").strip().lower()] = self._value
        self._field = self._value = b""

    def on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get("content-disposition"))
        if disposition != b"form-data" or b"name" not in options:
            raise _malformed()
        name = options[b"name"].decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        media, _options = parse_options_header(self._headers.get("content-type"))
        self._current = Part(
            name=name,
            filename=None if raw_filename is None else raw_filename.decode("utf-8", "replace"),
            content_type=media.decode("latin-1").lower(),
        )
        if name not in LIMITS:
            raise ApiError(
                422,
                "upload.unknown_part",
                _("Send the parts record and goods only"),
                [FieldError("body", _("Send the parts record and goods only"))],
            )
        if any(part.name == name for part in self.parts):
            raise ApiError(
                422,
                "upload.repeated_part",
                _("Send one {part} part only", part=name),
                [FieldError(name, _("Send one {part} part only", part=name))],
            )
        self.parts.append(self._current)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current
        if part is None:  # pragma: no cover - the parser sends headers first
            raise _malformed()
        limit = LIMITS[part.name]
        if len(part.data) + (end - start) > limit:
            raise ApiError(
                413,
                "upload.part_too_large",
                _("The {part} part is larger than {limit} bytes", part=part.name, limit=limit),
                [
                    FieldError(
                        part.name,
                        _(
                            "The {part} part is larger than {limit} bytes",
                            part=part.name,
                            limit=limit,
                        ),
                    )
                ],
            )
        part.data += data[start:end]

    def on_part_end(self) -> None:
        self._current = None

    def on_end(self) -> None:
        self.ended = True


def read_parts(content_type: str, body: bytes) -> dict[str, Part]:
    """The parts of a ``multipart/form-data`` body by name; ApiError 4xx when it is not one."""
    _media, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary or len(boundary) > 70:  # noqa: PLR2004 - RFC 2046 5.1.1
        raise _malformed()
    collector = _Collector()
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": collector.on_part_begin,
            "on_part_data": collector.on_part_data,
            "on_part_end": collector.on_part_end,
            "on_header_field": collector.on_header_field,
            "on_header_value": collector.on_header_value,
            "on_header_end": collector.on_header_end,
            "on_headers_finished": collector.on_headers_finished,
            "on_end": collector.on_end,
        },
        max_header_size=MAX_HEADER_BYTES,
    )
    try:
        parser.write(body)
        parser.finalize()
    except FormParserError:
        raise _malformed() from None
    if not collector.ended:
        raise _malformed()
    return {part.name: part for part in collector.parts}


def _suffix(filename: str | None) -> str:
    """The file name's extension, lower case ("" without one); the name is never a path."""
    if not filename:
        return ""
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def _record_name(part: Part) -> str:
    """``shipment.yaml`` or ``shipment.json``: the kind the loader reads the record as."""
    suffix = _suffix(part.filename)
    if suffix in SHIPMENT_SUFFIXES:
        return f"shipment{suffix}"
    if not suffix and part.content_type in RECORD_MEDIA:
        return f"shipment{RECORD_MEDIA[part.content_type]}"
    if not suffix and part.content_type in UNTYPED:
        return "shipment.yaml"
    raise ApiError(
        415,
        "upload.record_kind",
        _("Send the record part as YAML (.yaml, .yml) or JSON (.json)"),
        [FieldError(RECORD, _("Send the record part as YAML (.yaml, .yml) or JSON (.json)"))],
    )


def _sheet_name(part: Part) -> str:
    """A safe name for the goods sheet with its kind's suffix, for the loader's messages."""
    suffix = _suffix(part.filename)
    if suffix not in SHEET_SUFFIXES:
        suffix = SHEET_MEDIA.get(part.content_type, "")
    if not suffix:
        raise ApiError(
            415,
            "upload.goods_kind",
            _("Send the goods part as an Excel workbook (.xlsx) or a CSV file (.csv)"),
            [
                FieldError(
                    GOODS,
                    _("Send the goods part as an Excel workbook (.xlsx) or a CSV file (.csv)"),
                )
            ],
        )
    base = PurePosixPath((part.filename or "").replace("\\", "/")).name
    return base if _SAFE_NAME.match(base) and base.lower().endswith(suffix) else f"goods{suffix}"


@dataclass(frozen=True, slots=True)
class _Where:
    """Where an issue is (file, row, column), rendered in the message's locale."""

    issue: InputIssue

    def render(self, locale: Locale) -> str:
        return self.issue.where(locale)


def field_errors(issues: list[InputIssue], sheet_name: str | None) -> list[FieldError]:
    """Each issue as a field error: its path, else the part it came from."""
    found = []
    for issue in issues:
        from_sheet = sheet_name is not None and issue.source == sheet_name
        path = issue.path or (GOODS if from_sheet else RECORD)
        if from_sheet and issue.row is not None:
            message = _("{place}: {problem}", place=_Where(issue), problem=issue.message)
        else:
            message = issue.message
        found.append(FieldError(path, message))
    return found


def shipment_from_form(content_type: str, body: bytes) -> Shipment:
    """The record of a ``multipart/form-data`` body, with its goods sheet read in; 4xx otherwise."""
    parts = read_parts(content_type, body)
    record = parts.get(RECORD)
    if record is None:
        raise ApiError(
            422,
            "upload.record_missing",
            _("Send the record in a part named record"),
            [FieldError(RECORD, _("Send the record in a part named record"))],
        )
    filename = _record_name(record)
    goods = parts.get(GOODS)
    sheet_name = None if goods is None else _sheet_name(goods)
    try:
        return parse_shipment_with_sheet(
            bytes(record.data),
            filename=filename,
            sheet=None if goods is None else bytes(goods.data),
            sheet_name=sheet_name or "goods.xlsx",
        )
    except InputError as error:
        raise ApiError(
            422,
            "shipment.invalid",
            _("The record has {count} problems", count=len(error.issues)),
            field_errors(error.issues, sheet_name),
        ) from None
