"""Reading an SAAI M3 validation file back and checking its structure against the layouts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from cruce.artifacts._pedimento_m3 import HIGH_ASCII, LOW_ASCII, SEPARATOR
from cruce.artifacts._pedimento_model import KEY
from cruce.i18n import _
from cruce.model.problems import blocker
from cruce.reference import anexo22

if TYPE_CHECKING:
    from cruce.i18n import Message
    from cruce.model import Problem
    from cruce.reference.anexo22 import M3Record

_DATE_LENGTH: Final = 8
_TRAILER: Final = ["800", "801"]
_FILE_NAME = re.compile(r"^m\d{7}\.\d{3}$")
_NUMBER = re.compile(r"^\d+$")


def read_records(data: bytes) -> list[list[str]]:
    """The records of an M3 file, each split into its fields (the trailing ``|`` dropped).

    ValueError when the bytes are not ASCII text of ``|``-terminated records.
    """
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as error:
        raise ValueError(f"not ASCII (byte {error.start})") from error
    if "\r" in text:
        raise ValueError("records end with a line feed alone")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.endswith(SEPARATOR):
            raise ValueError(f"record {number} does not end with '|'")
        records.append(line[:-1].split(SEPARATOR))
    return records


def _bad_date(value: str) -> bool:
    if not (len(value) == _DATE_LENGTH and value.isdigit()):
        return True
    try:
        date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        return True
    return False


def _format_problem(layout: M3Record, position: int, value: str) -> bool:
    """True when ``value`` does not fit field ``position`` of ``layout`` (empty always fits)."""
    item = layout.fields[position]
    if value == "":
        return False
    if item.type == "N":
        return not (_NUMBER.match(value) and len(value) <= item.length)
    if item.type == "D":
        pattern = rf"^\d{{1,{item.integers}}}(\.\d{{1,{item.decimals}}})?$"
        return re.match(pattern, value) is None
    if item.type == "F":
        return _bad_date(value)
    return len(value) > item.length or any(not LOW_ASCII <= ord(c) <= HIGH_ASCII for c in value)


def _m3_problem(kind: str, message: Message) -> Problem:
    return blocker(f"{KEY}.m3.{kind}", "", message)


def _structure(records: list[list[str]]) -> list[Problem]:
    layouts = anexo22.m3_layout().records
    found: list[Problem] = []
    for number, fields in enumerate(records, start=1):
        code = fields[0]
        layout = layouts.get(code)
        if layout is None:
            found.append(
                _m3_problem(
                    "record_unknown",
                    _(
                        "Record {number}: {code} is not a record cruce writes",
                        number=number,
                        code=code,
                    ),
                )
            )
            continue
        if len(fields) != len(layout.fields):
            found.append(
                _m3_problem(
                    "field_count",
                    _(
                        "Record {number} ({code}) has {count} fields; its layout has {expected}",
                        number=number,
                        code=code,
                        count=len(fields),
                        expected=len(layout.fields),
                    ),
                )
            )
            continue
        for position, value in enumerate(fields):
            if _format_problem(layout, position, value):
                found.append(
                    _m3_problem(
                        "field_format",
                        _(
                            "Record {number} ({code}): {field} '{value}' does not fit its format",
                            number=number,
                            code=code,
                            field=layout.fields[position].title,
                            value=value,
                        ),
                    )
                )
    return found


def _order(records: list[list[str]]) -> list[Problem]:
    codes = [r[0] for r in records]
    found: list[Problem] = []
    if not codes or codes[0] != "500" or codes.count("500") != 1 or codes.count("501") != 1:
        found.append(
            _m3_problem(
                "order", _("The file must start with one record 500 and hold one record 501")
            )
        )
    if codes[-2:] != _TRAILER or codes.count("801") != 1:
        found.append(_m3_problem("order", _("The file must end with records 800 and 801")))
    return found


def _partida_refs(records: list[list[str]]) -> list[Problem]:
    """Partidas numbered 1, 2, 3...; 554, 556 and 557 after the 551 they name."""
    found: list[Problem] = []
    partidas: dict[str, str] = {}
    for position, fields in enumerate(records, start=1):
        code = fields[0]
        if code == "551":
            partidas[fields[3]] = fields[2]
            expected = str(len(partidas))
            if fields[3] != expected:
                message = _(
                    "Partida {found} is out of sequence; expected {expected}",
                    found=fields[3],
                    expected=expected,
                )
                found.append(_m3_problem("partida_sequence", message))
            found += _unit_price(fields, position)
        elif code in {"554", "556", "557"} and partidas.get(fields[3]) != fields[2]:
            message = _(
                "Record {number} refers to a partida the file has not declared", number=position
            )
            found.append(_m3_problem("partida_unknown", message))
    return found


def _totals(records: list[list[str]]) -> list[Problem]:
    """Each contribution of the partidas (557) adds up to the pedimento's (510)."""
    partidas: dict[str, Decimal] = {}
    pedimento: dict[str, Decimal] = {}
    for fields in records:
        if fields[0] == "557" and fields[6]:
            partidas[fields[4]] = partidas.get(fields[4], Decimal(0)) + Decimal(fields[6])
        elif fields[0] == "510" and fields[4]:
            pedimento[fields[2]] = pedimento.get(fields[2], Decimal(0)) + Decimal(fields[4])
    found: list[Problem] = []
    for code, total in partidas.items():
        if pedimento.get(code) != total:
            message = _(
                "Contribution {code}: the partidas add up to {partidas}, the pedimento declares "
                "{pedimento}",
                code=code,
                partidas=str(total),
                pedimento=str(pedimento.get(code, "-")),
            )
            found.append(_m3_problem("totals", message))
    return found


def _consistency(records: list[list[str]]) -> list[Problem]:
    layouts = anexo22.m3_layout().records
    found: list[Problem] = []
    number = records[0][layouts["500"].index("pedimento")]
    for position, fields in enumerate(records, start=1):
        layout = layouts[fields[0]]
        keys = [f.key for f in layout.fields]
        if "pedimento" in keys and fields[keys.index("pedimento")] != number:
            message = _("Record {number} names another pedimento", number=position)
            found.append(_m3_problem("number_mismatch", message))
    found += _partida_refs(records)
    found += _totals(records)
    found += _trailer(records[-1], len(records) - 1)
    return found


def _unit_price(fields: list[str], position: int) -> list[Problem]:
    price, paid, quantity = fields[6], fields[8], fields[10]
    if not (price and paid and quantity):
        return []
    gap = abs(Decimal(price) * Decimal(quantity) - Decimal(paid))
    if gap > 1 + Decimal(quantity) * Decimal("0.00001"):
        return [
            _m3_problem(
                "unit_price",
                _(
                    "Record {number}: unit price times quantity is not the price paid",
                    number=position,
                ),
            )
        ]
    return []


def _trailer(fields: list[str], count: int) -> list[Problem]:
    found = []
    if not _FILE_NAME.match(fields[1]):
        found.append(
            _m3_problem(
                "file_name",
                _("The file name {name} is not m + patente + sequence . day", name=fields[1]),
            )
        )
    if fields[3] != str(count):
        found.append(
            _m3_problem(
                "record_count",
                _(
                    "Record 801 counts {declared} records; the file has {count}",
                    declared=fields[3],
                    count=count,
                ),
            )
        )
    return found


def validate_m3(data: bytes) -> list[Problem]:
    """The structure of an M3 file: records, field counts and formats, numbers and totals."""
    try:
        records = read_records(data)
    except ValueError as error:
        return [
            _m3_problem(
                "unreadable",
                _("The file is not an M3 validation file: {reason}", reason=str(error)),
            )
        ]
    if not records:
        return [_m3_problem("empty", _("The file has no records"))]
    found = _structure(records)
    if found:
        return found
    found = _order(records)
    if found:
        return found
    return _consistency(records)
