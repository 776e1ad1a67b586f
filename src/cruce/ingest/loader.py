"""Read a shipment file (YAML or JSON) into a :class:`Shipment`, or say exactly why not.

Defences, each ending in an :class:`InputError` that names the file, field or row:
a size limit before anything is parsed; strict UTF-8 (a BOM is accepted); YAML read with
every plain scalar as text (no YAML 1.1 surprises: ``NO`` stays the code for Norway,
``01`` keeps its zero) and without aliases (no "billion laughs"); JSON numbers read as
Decimal; nesting depth bounded; codes that need cruce's reference tables (ports, units)
checked after the model has validated the structure.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from cruce.i18n import _
from cruce.ingest.errors import (
    InputError,
    InputIssue,
    format_path,
    issue,
    issues_from_validation,
)
from cruce.ingest.sheet import MAX_SHEET_BYTES, read_goods_sheet
from cruce.model import Shipment
from cruce.reference import ports, units

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 32
SHIPMENT_SUFFIXES = (".yaml", ".yml", ".json")
SHEET_SUFFIXES = (".xlsx", ".csv")


class _TextLoader(yaml.SafeLoader):
    """YAML whose plain scalars stay text (the model converts them); null, ~ or empty: None."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level registry

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
            mark = event.start_mark
            raise _AliasError(mark.line + 1)
        return super().compose_node(parent, index)  # type: ignore[arg-type]


_TextLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _AliasError(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _size_error(size: int, limit: int, source: str) -> InputError:
    megabytes = f"{size / 1_048_576:.1f}"
    limit_megabytes = f"{limit / 1_048_576:.0f}"
    message = _(
        "the file is {size} MB; the limit is {limit} MB", size=megabytes, limit=limit_megabytes
    )
    return issue("input.too_large", message, source=source)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise issue(
            "input.not_utf8",
            _(
                "the file is not UTF-8 text (line {line}, byte {offset}); save it as UTF-8",
                line=line,
                offset=error.start,
            ),
            source=source,
        ) from error


def _too_deep(value: object) -> bool:
    """True when containers nest deeper than MAX_DEPTH (walks containers only, not leaves)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if level > MAX_DEPTH:
            return True
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return False


def _reject_constant(name: str) -> Any:  # noqa: ANN401 - json's hook signature
    raise ValueError(name)


def _parse(text: str, suffix: str, source: str) -> object:
    try:
        if suffix == ".json":
            return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        return yaml.load(text, Loader=_TextLoader)  # noqa: S506 - a SafeLoader subclass
    except _AliasError as error:
        raise issue(
            "input.yaml_alias",
            _(
                "line {line}: YAML aliases (*name) are not accepted; write the value out",
                line=error.line,
            ),
            source=source,
        ) from error
    except json.JSONDecodeError as error:
        raise issue(
            "input.malformed",
            _(
                "not valid JSON at line {line}, column {column}: {reason}",
                line=error.lineno,
                column=error.colno,
                reason=error.msg,
            ),
            source=source,
        ) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else "?"
        raise issue(
            "input.malformed",
            _(
                "not valid YAML at line {line}: {reason}",
                line=line,
                reason=error.problem or error.context or "?",
            ),
            source=source,
        ) from error
    except (yaml.YAMLError, ValueError) as error:
        raise issue(
            "input.malformed",
            _("the file could not be read as {kind}", kind="JSON" if suffix == ".json" else "YAML"),
            source=source,
        ) from error
    except RecursionError as error:
        raise issue("input.too_deep", _("the file is nested too deeply"), source=source) from error


def _sheet_lines(raw: dict[str, Any], base_dir: Path | None, source: str) -> None:
    """Replace ``goods_sheet: FILE`` with the lines read from that sheet."""
    name = raw.pop("goods_sheet")
    if not isinstance(name, str) or not name.strip():
        raise issue(
            "input.goods_sheet",
            _("goods_sheet must name a file, e.g. goods.xlsx"),
            path="goods_sheet",
            source=source,
        )
    if "goods" in raw:
        raise issue(
            "input.goods_sheet",
            _("give the goods either in goods or in goods_sheet, not both"),
            path="goods_sheet",
            source=source,
        )
    if base_dir is None:
        raise issue(
            "input.goods_sheet",
            _("a goods sheet can only be read next to a shipment file"),
            path="goods_sheet",
            source=source,
        )
    base = base_dir.resolve()
    sheet = (base / name).resolve()
    if not sheet.is_relative_to(base):
        raise issue(
            "input.goods_sheet",
            _("the goods sheet must be in the shipment file's folder: {name}", name=name),
            path="goods_sheet",
            source=source,
        )
    if sheet.suffix.lower() not in SHEET_SUFFIXES:
        raise issue(
            "input.goods_sheet",
            _("a goods sheet is an .xlsx or .csv file: {name}", name=name),
            path="goods_sheet",
            source=source,
        )
    data = _read_file(sheet, MAX_SHEET_BYTES)
    _sheet_goods(raw, data, sheet.name, source)
    raw["_goods_source"] = sheet.name


def _sheet_goods(raw: dict[str, Any], data: bytes, name: str, source: str) -> None:
    """Put the goods lines read from a sheet's bytes in ``raw["goods"]``."""
    terms = raw.get("terms")
    currency = terms.get("currency") if isinstance(terms, dict) else None
    if not isinstance(currency, str):
        raise issue(
            "input.goods_sheet",
            _("terms.currency is needed to read prices from a goods sheet"),
            path="terms.currency",
            source=source,
        )
    raw["goods"] = read_goods_sheet(
        data, filename=name, currency=currency, max_bytes=MAX_SHEET_BYTES
    )


def _expand_crossing(raw: dict[str, Any], source: str) -> None:
    """``transport.crossing: "2604"`` -> the full port from cruce's table of land ports."""
    transport = raw.get("transport")
    if not isinstance(transport, dict):
        return
    crossing = transport.get("crossing")
    code = crossing if isinstance(crossing, str | int) and not isinstance(crossing, bool) else None
    if code is None:
        return
    port = ports.port_by_code(str(code).strip())
    if port is None:
        raise issue(
            "input.port.unknown",
            _(
                "'{value}' is not a US-Mexico land port's CBP code "
                "(e.g. 2604 Nogales, 2304 Laredo)",
                value=code,
            ),
            path="transport.crossing",
            source=source,
        )
    transport["crossing"] = port.to_port().model_dump()


def _unknown_units(
    shipment: Shipment, source: str, goods_source: str | None
) -> Iterator[InputIssue]:
    for index, line in enumerate(shipment.goods):
        if not units.is_known(line.unit):
            yield InputIssue(
                "input.unit.unknown",
                f"goods[{index}].unit",
                _(
                    "line {line}: '{value}' is not a UN/CEFACT Recommendation 20 unit code "
                    "(H87 piece, KGM kilogram, SET set)",
                    line=index + 1,
                    value=line.unit,
                ),
                goods_source or source,
            )


def _record(data: bytes, filename: str) -> dict[str, Any]:
    """The bytes of a shipment file as a mapping of fields, or the reason they are not."""
    suffix = Path(filename).suffix.lower()
    if suffix in SHEET_SUFFIXES:
        raise issue(
            "input.sheet_alone",
            _(
                "a goods sheet is not a shipment: "
                "name it in a shipment file with goods_sheet: {name}",
                name=filename,
            ),
            source=filename,
        )
    if suffix not in SHIPMENT_SUFFIXES:
        raise issue("input.kind", _("a shipment file is .yaml, .yml or .json"), source=filename)
    if len(data) > MAX_FILE_BYTES:
        raise _size_error(len(data), MAX_FILE_BYTES, filename)
    raw = _parse(_decode(data, filename), suffix, filename)
    if not isinstance(raw, dict):
        raise issue(
            "input.not_a_record",
            _("the file must hold one shipment record (a mapping of fields)"),
            source=filename,
        )
    if _too_deep(raw):
        raise issue("input.too_deep", _("the file is nested too deeply"), source=filename)
    return raw


def _expand(
    raw: dict[str, Any], base_dir: Path | None, filename: str
) -> tuple[list[InputIssue], str | None]:
    """Read the goods sheet and the port of the crossing; their issues are reported later."""
    found: list[InputIssue] = []
    goods_source = None
    if "goods_sheet" in raw:
        try:
            _sheet_lines(raw, base_dir, filename)
            goods_source = raw.pop("_goods_source")
        except InputError as error:
            found.extend(error.issues)
            raw["goods"] = []
    found.extend(_crossing_issues(raw, filename))
    return found, goods_source


def _crossing_issues(raw: dict[str, Any], filename: str) -> list[InputIssue]:
    """Expand the port of the crossing; its issues (the unknown port left out), if any."""
    try:
        _expand_crossing(raw, filename)
    except InputError as error:
        raw["transport"].pop("crossing")
        return error.issues
    return []


def parse_shipment(data: bytes, *, filename: str, base_dir: Path | None = None) -> Shipment:
    """Parse the bytes of a shipment file; ``base_dir`` is where a ``goods_sheet`` is looked for.

    Issues of the goods sheet's rows, of the crossing and of the file's own fields are
    reported together, so a person fixes them in one pass.
    """
    raw = _record(data, filename)
    found, goods_source = _expand(raw, base_dir, filename)
    return _validated(raw, found, goods_source, filename)


def parse_shipment_with_sheet(
    data: bytes, *, filename: str, sheet: bytes | None, sheet_name: str = "goods.xlsx"
) -> Shipment:
    """Parse a shipment file whose goods sheet, if any, came with it as bytes (an upload).

    Without ``sheet`` the record lists its ``goods``; with it, the record may name the sheet
    (``goods_sheet: goods.xlsx``) but must not list ``goods`` too. Nothing is read from disk:
    ``sheet_name`` gives the sheet's kind by its suffix (.xlsx or .csv) and names it in
    issues, and is never opened as a path. The sheet is read with the same defences and row
    checks as :func:`load_shipment`'s, so a bad cell comes back as ``goods[3].hs_code`` with
    its row and column, together with the record's own issues.
    """
    raw = _record(data, filename)
    found: list[InputIssue] = []
    goods_source = None
    named = raw.pop("goods_sheet", None)
    if named is not None and not (isinstance(named, str) and named.strip()):
        found.append(
            InputIssue(
                "input.goods_sheet",
                "goods_sheet",
                _("goods_sheet must name a file, e.g. goods.xlsx"),
                filename,
            )
        )
    if sheet is None:
        if named is not None:
            found.append(
                InputIssue(
                    "input.goods_sheet_missing",
                    "goods",
                    _("the record names a goods sheet, but the sheet was not sent with it"),
                    filename,
                )
            )
            raw.setdefault("goods", [])
    elif "goods" in raw:
        found.append(
            InputIssue(
                "input.goods_sheet",
                "goods",
                _("give the goods either in goods or in goods_sheet, not both"),
                filename,
            )
        )
    else:
        try:
            _sheet_goods(raw, sheet, sheet_name, filename)
            goods_source = sheet_name
        except InputError as error:
            found.extend(error.issues)
            raw["goods"] = []
    found.extend(_crossing_issues(raw, filename))
    return _validated(raw, found, goods_source, filename)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters but tab, line feed and carriage return: no filing format takes them
(XML 1.0 forbids most), and PostgreSQL text cannot hold U+0000."""


def _control_characters(
    value: object, location: tuple[int | str, ...], source: str
) -> Iterator[InputIssue]:
    """An issue for each text in the record that holds a control character."""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        if found is not None:
            yield InputIssue(
                "input.control_character",
                format_path(location),
                _(
                    "this text holds a control character (U+{code}); remove it",
                    code=f"{ord(found.group()):04X}",
                ),
                source,
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _control_characters(item, (*location, str(key)), source)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _control_characters(item, (*location, index), source)


def _validated(
    raw: dict[str, Any], found: list[InputIssue], goods_source: str | None, filename: str
) -> Shipment:
    """The record validated by the model; every issue found so far and its own, together."""
    found.extend(_control_characters(raw, (), filename))
    try:
        shipment = Shipment.model_validate(raw)
    except ValidationError as error:
        raise InputError([*found, *issues_from_validation(error, source=filename)]) from error
    found.extend(_unknown_units(shipment, filename, goods_source))
    if found:
        raise InputError(found)
    return shipment


def _read_file(path: Path, limit: int) -> bytes:
    source = path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise issue("input.not_a_file", _("this is a folder, not a file"), source=str(path))
        if size > limit:
            raise _size_error(size, limit, source)
        return path.read_bytes()
    except FileNotFoundError as error:
        raise issue(
            "input.not_found", _("file not found: {path}", path=path), source=str(path)
        ) from error
    except PermissionError as error:
        raise issue(
            "input.unreadable",
            _("no permission to read the file: {path}", path=path),
            source=str(path),
        ) from error
    except OSError as error:
        raise issue(
            "input.unreadable",
            _("the file could not be read: {reason}", reason=error.strerror or error),
            source=str(path),
        ) from error


def load_shipment(path: Path) -> Shipment:
    """Read and parse a shipment file from disk."""
    return parse_shipment(
        _read_file(path, MAX_FILE_BYTES), filename=path.name, base_dir=path.parent
    )
