"""The EEI as an upload record for ACE AESDirect: an AESWebLink submission (form variables).

cruce prepares the record; the USPPI or its authorized agent loads it into ACE AESDirect,
checks it there, files it in AES and receives the ITN. cruce files nothing and holds no
ACE account.

The format is CBP's AESWebLink Submission API: one shipment as the named variables of an
HTTP POST form (``application/x-www-form-urlencoded``): ``SRN``, ``ST``, ``POE``... for
the shipment, ``AD0_*`` for the USPPI, ``AD1_*`` for the ultimate consignee, ``AD3_*``
for the authorized agent, and ``isLine{n}`` with ``IT{n}_{k}`` for each commodity item.
``data/aesweblink.yaml`` lists every variable with its source and what is checked; it
says what was seen at CBP (the API's description, the ACE endpoints, the sizes of SRN)
and what comes from public applications that post to AESWebLink (the variable names). The
CSV shipment upload template of ACE AESDirect and the AESTIR record layouts could not be
read at their source, so neither is written.

The application that posts the record adds its own system variables (``wl_app_ident``,
which CBP assigns to a certified application, its name and return addresses); they
identify the software, not the shipment, and cruce leaves them out.

Everything comes from :func:`cruce.artifacts.eei.document`: one ``IT{n}`` group per EEI
commodity item (Schedule B number, domestic/foreign indicator and ECCN), values in whole
dollars and weights in whole kilograms as the EEI states them. Only the forms change: the
date as YYMMDD, indicators as Y/N, phones as digits (without the +1 of North American
numbers), the USPPI contact split into first and last name (the words before the first
comma: the first word, then the rest), address lines joined from the record's parts.

Required exactly when the EEI is (:func:`cruce.artifacts.eei.requirement`). Problems: one
blocker while the EEI has blockers (its own checklist entry lists them, once), and what the
record format needs beyond them: a shipment reference of more than 17 characters, a USPPI
contact name without a first and a last name. When the EEI is not required, none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, quote, urlencode

import yaml

from cruce.artifacts import eei
from cruce.artifacts.base import Rendered, Requirement, safe_filename
from cruce.i18n import _
from cruce.model.problems import Severity, blocker
from cruce.reference.facts import FactDataError, package_text

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from cruce.i18n import Message
    from cruce.model import Problem, Shipment

KEY: Final = "eei_upload"
MEDIA_TYPE: Final = "application/x-www-form-urlencoded"
DATA_FILE: Final = "aesweblink.yaml"
_SECTIONS: Final = ("shipment", "usppi", "consignee", "agent")
_LINE_VARIABLE: Final = re.compile(r"^IT([1-9][0-9]*)_([0-9]+)$")
_LINE_FLAG: Final = re.compile(r"^isLine([1-9][0-9]*)$")
_NANP: Final = "1"
_DIGITS: Final = re.compile(r"[^0-9]")


# ---------------------------------------------------------------- the layout


@dataclass(frozen=True, slots=True)
class Variable:
    """One variable of the record and what a value of it must look like."""

    name: str
    element: str
    required: bool = False
    pattern: str | None = None
    values: tuple[str, ...] = ()
    max_length: int | None = None

    def fault(self, value: str) -> Message | None:
        """Why ``value`` does not fit this variable; None when it does."""
        if self.max_length is not None and len(value) > self.max_length:
            return _("longer than {limit} characters", limit=str(self.max_length))
        if self.values and value not in self.values:
            return _("not one of {codes}", codes=", ".join(self.values))
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            return _("not of the form {pattern}", pattern=self.pattern)
        return None


@dataclass(frozen=True, slots=True)
class Layout:
    """The AESWebLink variables cruce writes, from ``data/aesweblink.yaml``."""

    sections: dict[str, tuple[Variable, ...]]
    line_flag: Variable
    line: tuple[Variable, ...]
    system_variables: frozenset[str]
    codes: dict[str, str]
    citation: str
    url: str

    def named(self, name: str) -> Variable | None:
        """The shipment-level variable ``name`` (not a line's); None when unknown."""
        for variables in self.sections.values():
            for variable in variables:
                if variable.name == name:
                    return variable
        return None

    def line_variable(self, number: int) -> Variable | None:
        """The line variable ``IT{n}_{number}``; None when the layout has none."""
        for variable in self.line:
            if variable.name == f"IT{{n}}_{number}":
                return variable
        return None


def _variable(row: Mapping[str, Any], where: str) -> Variable:
    name, element = row.get("name"), row.get("element")
    if not isinstance(name, str) or not isinstance(element, str):
        raise FactDataError(f"{where}: a variable needs a name and an element")
    limit = row.get("max_length")
    return Variable(
        name=name,
        element=element,
        required=bool(row.get("required", False)),
        pattern=row.get("pattern"),
        values=tuple(str(v) for v in row.get("values", ())),
        max_length=limit if isinstance(limit, int) else None,
    )


def parse_layout(text: str) -> Layout:
    """The layout of a YAML document; FactDataError when a part is missing."""
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise FactDataError("the AESWebLink layout must be a mapping")
    try:
        source = document["format"]["source"]
        return Layout(
            sections={
                section: tuple(
                    _variable(row, f"{section}[{i}]") for i, row in enumerate(document[section])
                )
                for section in _SECTIONS
            },
            line_flag=_variable(document["line_flag"], "line_flag"),
            line=tuple(_variable(row, f"line[{i}]") for i, row in enumerate(document["line"])),
            system_variables=frozenset(document["system_variables"]),
            codes={str(k): str(v) for k, v in document["codes"].items()},
            citation=" ".join(str(source["citation"]).split()),
            url=str(source["url"]),
        )
    except (KeyError, TypeError) as error:
        raise FactDataError(f"the AESWebLink layout lacks {error}") from error


@cache
def layout() -> Layout:
    """The layout shipped with cruce."""
    return parse_layout(package_text(DATA_FILE))


# ---------------------------------------------------------------- the record


def _flag(value: bool | None) -> str | None:
    if value is None:
        return None
    codes = layout().codes
    return codes["indicator_yes"] if value else codes["indicator_no"]


def _phone(contact: Mapping[str, Any] | None) -> str | None:
    phone = None if contact is None else contact.get("phone")
    if not phone:
        return None
    digits = _DIGITS.sub("", str(phone))
    return digits[1:] if str(phone).startswith("+" + _NANP) else digits


def _lines(address: Mapping[str, Any]) -> tuple[str, str | None]:
    first = " ".join(str(address[k]) for k in ("street", "exterior_number") if address.get(k))
    rest = [str(address[k]) for k in ("interior_number", "neighborhood") if address.get(k)]
    return first, ", ".join(rest) or None


def _subdivision(address: Mapping[str, Any]) -> str | None:
    code = address.get("subdivision")
    return str(code).split("-", 1)[1] if code else None


def contact_name(name: str | None) -> tuple[str | None, str | None]:
    """First and last name of ``Dana Whitfield, Export Coordinator`` -> (Dana, Whitfield)."""
    words = (name or "").split(",")[0].split()
    if not words:
        return None, None
    return words[0], " ".join(words[1:]) or None


def _usppi(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    usppi = data["usppi"]
    address, contact = usppi["address"], usppi.get("contact")
    line1, line2 = _lines(address)
    first, last = contact_name(None if contact is None else contact.get("name"))
    return [
        ("AD0_1", usppi["name"]),
        ("AD0_2", usppi["ein"]),
        ("AD0_3", layout().codes["usppi_id_type_ein"]),
        ("AD0_4", line1),
        ("AD0_5", line2),
        ("AD0_6", address.get("locality")),
        ("AD0_7", _subdivision(address)),
        ("AD0_8", address.get("postal_code")),
        ("AD0_9", first),
        ("AD0_11", last),
        ("AD0_12", _phone(contact)),
    ]


def _other(prefix: str, party: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The contact and address variables the consignee (AD1) and the agent (AD3) share."""
    address, contact = party["address"], party.get("contact")
    line1, line2 = _lines(address)
    return [
        (f"{prefix}_5", None if contact is None else contact.get("name")),
        (f"{prefix}_7", _phone(contact)),
        (f"{prefix}_8", line1),
        (f"{prefix}_9", line2),
        (f"{prefix}_10", address.get("locality")),
        (f"{prefix}_11", _subdivision(address)),
        (f"{prefix}_12", address.get("country")),
        (f"{prefix}_13", address.get("postal_code")),
    ]


def _consignee(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    consignee = data["ultimate_consignee"]
    return [
        ("AD1_3", consignee["name"]),
        *_other("AD1", consignee),
        ("AD1_14", data["ultimate_consignee_type"]),
    ]


def _agent(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    agent = data["authorized_agent"]
    if agent is None:
        return []
    ein = agent.get("ein")
    return [
        ("AD3_2", None if ein is None else layout().codes["usppi_id_type_ein"]),
        ("AD3_3", agent["name"]),
        ("AD3_4", ein),
        *_other("AD3", agent),
    ]


def _item(number: int, item: Mapping[str, Any]) -> list[tuple[str, Any]]:
    def it(k: int) -> str:
        return f"IT{number}_{k}"

    return [
        (f"isLine{number}", layout().codes["line_flag"]),
        (it(1), item["export_information_code"]),
        (it(2), item["value_usd"]),
        (it(3), item["unit"]),
        (it(4), item["quantity"]),
        (it(7), item["shipping_weight_kg"]),
        (it(8), item["license_code"]),
        (it(12), item["description"]),
        (it(13), item["commodity_classification"]),
        (it(20), item["eccn"]),
        (it(21), item["domestic_foreign"]),
    ]


def _date(value: str | None) -> str | None:
    return None if value is None else value[2:4] + value[5:7] + value[8:10]


def record(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The variables of the EEI document ``data`` in layout order; empty values left out."""
    carrier, port = data["carrier"], data["port_of_export"]
    pairs: list[tuple[str, Any]] = [
        ("SRN", data["shipment_reference_number"]),
        ("FO", layout().codes["filing_option_predeparture"]),
        ("ST", data["state_of_origin"]),
        ("POE", None if port is None else port["code"]),
        ("COD", data["country_of_ultimate_destination"]),
        ("EDA", _date(data["date_of_export"])),
        ("MOT", data["method_of_transportation"]["code"]),
        ("SCAC", carrier["scac"]),
        ("VN", carrier["name"]),
        ("RCC", _flag(data["related_party"])),
        ("HAZ", _flag(data["hazardous_materials"])),
        ("RT", _flag(data["routed_export_transaction"])),
        ("IBT", data["inbond_code"]),
    ]
    if data["usppi"] is not None:
        pairs += _usppi(data)
    if data["ultimate_consignee"] is not None:
        pairs += _consignee(data)
    pairs += _agent(data)
    for number, item in enumerate(data["commodities"], start=1):
        pairs += _item(number, item)
    return [(name, str(value)) for name, value in pairs if value is not None and value != ""]


def encode(pairs: Iterable[tuple[str, str]]) -> bytes:
    """The form body: ``name=value`` pairs joined by ``&``, percent-encoded UTF-8."""
    return urlencode(list(pairs), quote_via=quote, encoding="utf-8").encode("ascii")


# ---------------------------------------------------------------- problems


def upload_problems(shipment: Shipment) -> list[Problem]:
    """What the record format needs that the EEI's own problems do not cover."""
    found: list[Problem] = []
    srn = layout().named("SRN")
    if srn is not None and srn.max_length is not None and len(shipment.reference) > srn.max_length:
        found.append(
            blocker(
                f"{KEY}.srn.too_long",
                "reference",
                _(
                    "the AESDirect upload record takes a shipment reference number of at most "
                    "{limit} characters; {reference} has {length}: shorten the reference",
                    limit=str(srn.max_length),
                    reference=shipment.reference,
                    length=str(len(shipment.reference)),
                ),
            )
        )
    seller = shipment.parties.seller
    contact = None if seller is None else seller.contact
    if contact is not None and contact.name is not None and None in contact_name(contact.name):
        found.append(
            blocker(
                f"{KEY}.usppi.contact_name",
                "parties.seller.contact.name",
                _(
                    "the AESDirect upload record gives the USPPI contact's first and last "
                    "name apart: write both in the contact name ({name})",
                    name=contact.name,
                ),
            )
        )
    return found


# ---------------------------------------------------------------- validation


def _bad(path: str, reason: Message) -> Problem:
    return blocker(f"{KEY}.record.invalid", path, reason)


def _value_problem(variable: Variable, name: str, value: str, where: Message) -> Problem | None:
    fault = variable.fault(value)
    if fault is None:
        return None
    return _bad(
        name,
        _(
            "AESDirect upload record, {where}, variable {name} ({element}): '{value}' is "
            "not valid: {fault}",
            where=where,
            name=name,
            element=variable.element,
            value=value,
            fault=fault,
        ),
    )


def _check_present(
    variables: Iterable[Variable], present: Mapping[str, str], where: Message, line: int | None
) -> list[Problem]:
    found: list[Problem] = []
    for variable in variables:
        name = variable.name if line is None else variable.name.replace("{n}", str(line))
        value = present.get(name)
        if value is None:
            if variable.required:
                found.append(
                    _bad(
                        name,
                        _(
                            "AESDirect upload record, {where}: the required variable {name} "
                            "({element}) is missing",
                            where=where,
                            name=name,
                            element=variable.element,
                        ),
                    )
                )
            continue
        problem = _value_problem(variable, name, value, where)
        if problem is not None:
            found.append(problem)
    return found


def _parse(data: bytes) -> list[tuple[str, str]] | Problem:
    try:
        text = data.decode("ascii")
        return parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return blocker(
            f"{KEY}.record.malformed",
            "",
            _(
                "AESDirect upload record: not a form body (name=value pairs joined by &, "
                "percent-encoded UTF-8)"
            ),
        )


def _sort(
    pairs: list[tuple[str, str]], spec: Layout
) -> tuple[dict[str, str], dict[int, dict[str, str]], list[Problem]]:
    shipment_level: dict[str, str] = {}
    lines: dict[int, dict[str, str]] = {}
    found: list[Problem] = []
    seen: set[str] = set()
    for name, value in pairs:
        if name in seen:
            found.append(
                _bad(name, _("AESDirect upload record: variable {name} appears twice", name=name))
            )
            continue
        seen.add(name)
        item, flag = _LINE_VARIABLE.match(name), _LINE_FLAG.match(name)
        if item is not None and spec.line_variable(int(item.group(2))) is not None:
            lines.setdefault(int(item.group(1)), {})[name] = value
        elif flag is not None:
            lines.setdefault(int(flag.group(1)), {})[name] = value
        elif spec.named(name) is not None:
            shipment_level[name] = value
        else:
            found.append(
                _bad(
                    name,
                    _(
                        "AESDirect upload record: {name} is not a variable of the layout "
                        "cruce writes (data/aesweblink.yaml)",
                        name=name,
                    ),
                )
            )
    return shipment_level, lines, found


def record_problems(data: bytes) -> list[Problem]:
    """What is wrong with ``data`` as an AESWebLink record: names, presence, codes, lengths."""
    parsed = _parse(data)
    if not isinstance(parsed, list):
        return [parsed]
    spec = layout()
    shipment_level, lines, found = _sort(parsed, spec)
    header = _("the shipment")
    found += _check_present(spec.sections["shipment"], shipment_level, header, None)
    found += _check_present(spec.sections["usppi"], shipment_level, _("the USPPI"), None)
    found += _check_present(
        spec.sections["consignee"], shipment_level, _("the ultimate consignee"), None
    )
    found += _check_present(spec.sections["agent"], shipment_level, _("the authorized agent"), None)
    if not lines:
        found.append(
            _bad("isLine1", _("AESDirect upload record: no commodity line (isLine1, IT1_...)"))
        )
    for number in sorted(lines):
        where = _("line {line}", line=str(number))
        if number != 1 and number - 1 not in lines:
            found.append(
                _bad(
                    f"isLine{number}",
                    _(
                        "AESDirect upload record, {where}: lines must be numbered from 1 "
                        "without gaps",
                        where=where,
                    ),
                )
            )
        found += _check_present(
            (replace(spec.line_flag, required=True),),
            lines[number],
            where,
            number,
        )
        found += _check_present(spec.line, lines[number], where, number)
    return found


# ---------------------------------------------------------------- the artifact


class EeiUpload:
    """The EEI as an AESWebLink record, for the USPPI or its agent to load into AESDirect."""

    key = KEY
    title = _("EEI upload record for ACE AESDirect (AESWebLink)")
    media_type = MEDIA_TYPE
    order = 36

    def required(self, shipment: Shipment) -> Requirement:
        """Exactly when the EEI is required, for the same reason and on the same authority."""
        return eei.requirement(shipment)

    def problems(self, shipment: Shipment) -> list[Problem]:
        """One blocker while the EEI has any (its entry lists them), and the format's own."""
        if not eei.requirement(shipment).required:
            return []
        found: list[Problem] = []
        if any(p.severity is Severity.BLOCKER for p in eei.eei_problems(shipment)):
            found.append(
                blocker(
                    f"{KEY}.eei.not_ready",
                    "",
                    _(
                        "The upload record is made from the EEI, which has problems to fix "
                        "first (see its checklist entry)"
                    ),
                )
            )
        return found + upload_problems(shipment)

    def render(self, shipment: Shipment) -> Rendered:
        """The form body of the EEI document's values."""
        return Rendered(
            safe_filename(shipment.reference, "-eei-aesweblink.txt"),
            MEDIA_TYPE,
            encode(record(eei.document(shipment))),
        )

    def validate(self, data: bytes) -> list[Problem]:
        """Every variable known, present when required, of the right code, form and length."""
        return record_problems(data)


ARTIFACT: Final = EeiUpload()
