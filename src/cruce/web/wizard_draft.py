"""The wizard's draft: the record being entered, kept in the page between steps.

The draft is the shipment record as a mapping, with what the reader typed kept as text
(plus a ``_wizard`` mapping for inputs that are not fields of the record: the planned
crossing's date and time). It travels in a hidden field of every step's form, compressed
JSON in base64; nothing is stored until the last step. It is nothing the reader could not
send through the API anyway, so it needs no signature: every POST decodes it within size
limits, and the record is checked by the same loader as the API's at every step and again
when it is stored.
"""

from __future__ import annotations

import base64
import binascii
import copy
import itertools
import json
import re
import zlib
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from cruce.i18n import Message, _
from cruce.ingest.errors import InputError, InputIssue
from cruce.ingest.loader import parse_shipment
from cruce.ingest.sheet import read_goods_sheet
from cruce.model.money import check_currency
from cruce.reference import ports, units
from cruce.web import wizard_fields as wf

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from cruce.model import Shipment

MAX_DRAFT_BYTES: Final = 4 * 1024 * 1024
"""The most a decoded draft may take (JSON)."""
MAX_DRAFT_FIELD: Final = 1024 * 1024
"""The most the hidden field may carry (compressed, base64)."""
MAX_UPLOAD_BYTES: Final = 5 * 1024 * 1024
MAX_LINES: Final = 1000
"""Goods lines the web wizard takes; larger shipments go through the API."""
MAX_FORM_LINES: Final = 40
"""Lines edited one by one in the form; above that the goods step shows them as a table."""
MAX_CHARGES: Final = 20
WIZARD: Final = "_wizard"
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d{1,5})\]")


class DraftError(Exception):
    """The hidden draft could not be read (damaged or too large)."""


# ---------------------------------------------------------------- encoding


def encode(draft: Mapping[str, Any]) -> str:
    """The draft as the hidden field carries it."""
    data = json.dumps(draft, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(data, 6)).decode("ascii")


def decode(text: str) -> dict[str, Any]:
    """The draft of a hidden field; DraftError when it is damaged or too large."""
    if not text:
        return {}
    if len(text) > MAX_DRAFT_FIELD:
        raise DraftError
    try:
        packed = base64.urlsafe_b64decode(text.encode("ascii"))
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, MAX_DRAFT_BYTES + 1)
        if len(data) > MAX_DRAFT_BYTES or inflater.unconsumed_tail:
            raise DraftError
        value = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeError, zlib.error, binascii.Error, RecursionError) as error:
        raise DraftError from error
    if not isinstance(value, dict):
        raise DraftError
    return value


# ---------------------------------------------------------------- paths


def parse_path(path: str) -> list[str | int]:
    """``goods[2].unit_price.amount`` -> ``["goods", 2, "unit_price", "amount"]``."""
    return [int(index) if index else name for name, index in _TOKEN.findall(path)]


def get(value: Any, path: str) -> Any:  # noqa: ANN401 - a draft's leaf
    """The value at ``path``, or None."""
    for part in parse_path(path):
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return None
        elif not isinstance(value, dict):
            return None
        value = value[part] if isinstance(part, int) else value.get(part)
    return value


def put(draft: dict[str, Any], path: str, value: object) -> None:
    """Set ``path`` (lists grow with empty mappings as needed); None removes the field."""
    parts = parse_path(path)
    node: Any = draft
    for part, following in itertools.pairwise(parts):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append({})
            if not isinstance(node[part], type(empty)):
                node[part] = empty
            node = node[part]
        else:
            if not isinstance(node.get(part), type(empty)):
                node[part] = empty
            node = node[part]
    last = parts[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
        node[last] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value


def prune(value: Any) -> Any:  # noqa: ANN401 - any part of a draft
    """The value without empty texts, None, and mappings or lists left empty."""
    if isinstance(value, dict):
        kept = {key: prune(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if not _empty(item)}
    if isinstance(value, list):
        return [item for item in (prune(item) for item in value) if not _empty(item)]
    if isinstance(value, str):
        return value.strip()
    return value


def _empty(value: object) -> bool:
    return value is None or value in ("", {}, [])


# ---------------------------------------------------------------- a new draft, a stored one


def new_draft(
    org_name: str, tax_scheme: str, tax_id: str, address: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A draft for a new shipment: the reader's organisation as the seller, at its address."""
    seller: dict[str, Any] = {"name": org_name}
    if address:
        seller["address"] = dict(address)
    country = {"us_ein": "US", "mx_rfc": "MX"}.get(tax_scheme)
    if country is not None and tax_id:
        seller["tax_ids"] = [{"scheme": tax_scheme, "value": tax_id}]
    northbound = country == "MX"
    return {
        "export_country": "MX" if northbound else "US",
        "import_country": "US" if northbound else "MX",
        "parties": {"seller": seller},
        "transport": {"mode": "truck"},
        "terms": {"currency": "USD"},
    }


def from_record(record: Shipment) -> dict[str, Any]:
    """The draft of a stored version: the record as JSON, its planned crossing split."""
    draft: dict[str, Any] = record.model_dump(mode="json", exclude_none=True)
    planned = record.transport.planned_crossing
    if planned is not None:
        draft[WIZARD] = {
            "planned_date": planned.date().isoformat(),
            "planned_time": planned.strftime("%H:%M"),
            "planned_offset": planned.isoformat()[19:],
        }
        draft["transport"].pop("planned_crossing", None)
    certification = record.usmca_certification
    if certification is not None:
        producers = record.parties.producers
        if certification.producer_disclosure.value != "named":
            draft.setdefault(WIZARD, {})["producer"] = certification.producer_disclosure.value
        elif len(producers) == 1 and producers[0] == record.parties.seller:
            draft.setdefault(WIZARD, {})["producer"] = "seller"
            draft["parties"].pop("producers", None)
    return draft


# ---------------------------------------------------------------- from the form


def _typed(field: wf.Field, raw: str) -> object:
    text = raw.strip()
    if not text:
        return None
    if field.kind == "yesno":
        return {"yes": True, "no": False}.get(text)
    return text


def _merge_group(
    draft: dict[str, Any], prefix: str, fields: Iterable[wf.Field], form: Mapping[str, str]
) -> None:
    for field in fields:
        path = f"{prefix}{field.name}"
        put(draft, path, _typed(field, form.get(path, "")))


def _rows(form: Mapping[str, str], name: str, limit: int) -> int:
    try:
        return max(0, min(int(form.get(name, "0")), limit))
    except ValueError:
        return 0


def merge(draft: dict[str, Any], step: str, form: Mapping[str, str]) -> dict[str, Any]:
    """The draft with the fields of ``step`` as the form sent them (a new mapping)."""
    merged = copy.deepcopy(draft)
    if step == "parties":
        for role, _label, _hint in wf.ROLES:
            _merge_group(merged, f"parties.{role}.", party_fields(role), form)
        put(merged, "parties.consignee_type", form.get("parties.consignee_type") or None)
    elif step == "goods":
        rows = _rows(form, "goods_rows", MAX_FORM_LINES + 1)
        removed = {i for i in range(rows) if form.get(f"goods[{i}]._remove")}
        for index in range(rows):
            _merge_group(merged, f"goods[{index}].", wf.LINE_FIELDS, form)
        lines = merged.get("goods", [])
        merged["goods"] = [
            line
            for index, line in enumerate(lines if isinstance(lines, list) else [])
            if index not in removed and not _blank_line(line)
        ]
    elif step == "transport":
        _merge_group(merged, "", wf.TRANSPORT_FIELDS, form)
        _merge_crossing(merged, form)
    elif step == "terms":
        _merge_terms(merged, form)
    _default_currencies(merged)
    pruned: dict[str, Any] = prune(merged)
    return pruned


def _default_currencies(draft: dict[str, Any]) -> None:
    """Amounts typed without a currency are in the invoice's."""
    currency = get(draft, "terms.currency") or "USD"
    goods = draft.get("goods")
    charges = get(draft, "terms.charges")
    amounts = (
        [(line, "unit_price") for line in goods if isinstance(line, dict)]
        if isinstance(goods, list)
        else []
    )
    if isinstance(charges, list):
        amounts += [(charge, "amount") for charge in charges if isinstance(charge, dict)]
    for item, name in amounts:
        money = item.get(name)
        if isinstance(money, dict) and money.get("amount") and not money.get("currency"):
            money["currency"] = currency


def _blank_line(line: object) -> bool:
    return not isinstance(line, dict) or all(_empty(get(line, key)) for key in wf.LINE_KEYS)


def _merge_crossing(draft: dict[str, Any], form: Mapping[str, str]) -> None:
    key = form.get("transport.crossing", "")
    current = get(draft, "transport.crossing")
    if key != wf.choice_of(current) and not (key == "kept" and current):
        choice = wf.port_choice(key) if key else None
        put(draft, "transport.crossing", choice.record() if choice else None)
    wizard = draft.setdefault(WIZARD, {})
    for name in ("planned_date", "planned_time"):
        wizard[name] = form.get(f"{WIZARD}.{name}", "").strip()[:10]


def _merge_terms(draft: dict[str, Any], form: Mapping[str, str]) -> None:
    _merge_group(draft, "", wf.TERMS_FIELDS, form)
    put(draft, "notes", form.get("notes", "").strip() or None)
    direction = form.get("direction", "")
    if direction in {"US-MX", "MX-US"}:
        draft["export_country"], draft["import_country"] = direction.split("-")
    rows = _rows(form, "charges_rows", MAX_CHARGES)
    for index in range(rows):
        _merge_group(draft, f"terms.charges[{index}].", wf.CHARGE_FIELDS, form)
    charges = get(draft, "terms.charges")
    if isinstance(charges, list):
        kept = [c for c in charges if get(c, "kind") or get(c, "amount.amount")]
        put(draft, "terms.charges", kept or None)
    mode = form.get("usmca_mode", "")
    reference = form.get("usmca_reference", "").strip()
    _merge_certification(draft, form, reference)
    for line in draft.get("goods", []) if isinstance(draft.get("goods"), list) else []:
        if not isinstance(line, dict):
            continue
        usmca = line.setdefault("usmca", {})
        if mode in {"all", "none"}:
            usmca["claimed"] = mode == "all"
        if reference and usmca.get("claimed") is True:
            usmca["certification_reference"] = reference


def _merge_certification(draft: dict[str, Any], form: Mapping[str, str], reference: str) -> None:
    """The certification of origin cruce writes, when the form names who certifies.

    Without a certifier the record holds none (the lines cite one on file); its number is
    the reference the lines cite.
    """
    role = wf.CERTIFICATION_FIELDS[0].name
    if role not in form:
        return
    if not form.get(role, "").strip():
        put(draft, "usmca_certification", None)
        return
    _merge_group(draft, "", wf.CERTIFICATION_FIELDS, form)
    put(draft, "usmca_certification.reference", reference or None)
    period = get(draft, "usmca_certification.blanket_period")
    if isinstance(period, dict) and not any(period.values()):
        put(draft, "usmca_certification.blanket_period", None)


def party_fields(role: str) -> tuple[wf.Field, ...]:
    """The fields of a party in ``role``."""
    return wf.PARTY_FIELDS + wf.ROLE_FIELDS.get(role, ())


# ---------------------------------------------------------------- the draft as a record


def _planned(draft: Mapping[str, Any]) -> tuple[str | None, list[InputIssue]]:
    """The planned crossing as ISO 8601 with the port's UTC offset, or why not."""
    wizard = draft.get(WIZARD) if isinstance(draft.get(WIZARD), dict) else {}
    assert isinstance(wizard, dict)  # noqa: S101 - narrowed above
    day_text, time_text = str(wizard.get("planned_date", "")), str(wizard.get("planned_time", ""))
    if not day_text and not time_text:
        return None, []
    path = "transport.planned_crossing"
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return None, [_issue(path, _("Give the date of the crossing, e.g. 2026-12-08"))]
    try:
        clock = time.fromisoformat(time_text)
    except ValueError:
        return None, [_issue(path, _("Give the time of the crossing too, e.g. 07:30"))]
    crossing = get(draft, "transport.crossing")
    port = ports.port_by_code(str(get(crossing, "cbp_port_code") or ""))
    if port is not None:
        zone = ZoneInfo(wf.time_zone(port))
        return datetime.combine(day, clock, zone).isoformat(), []
    offset = str(wizard.get("planned_offset", ""))
    if offset:
        return datetime.combine(day, clock).isoformat() + offset, []
    return None, [_issue(path, _("Choose the crossing: the time is read in its port's time zone"))]


def _issue(path: str, message: Message) -> InputIssue:
    return InputIssue("wizard.field", path, message)


def record_of(draft: Mapping[str, Any]) -> tuple[dict[str, Any], list[InputIssue]]:
    """The record the draft stands for, and the problems of the wizard's own inputs."""
    record = {key: copy.deepcopy(value) for key, value in draft.items() if key != WIZARD}
    planned, found = _planned(draft)
    if planned is not None:
        put(record, "transport.planned_crossing", planned)
    _producer(record, draft)
    return record, found


def _producer(record: dict[str, Any], draft: Mapping[str, Any]) -> None:
    """The certification's producer as chosen: the seller, "Various" or "upon request".

    The seller is copied when the record is made, so the copy follows the seller's edits.
    """
    chosen = get(draft, f"{WIZARD}.producer")
    if not isinstance(record.get("usmca_certification"), dict):
        return
    if chosen in {"various", "upon_request"}:
        put(record, "usmca_certification.producer_disclosure", chosen)
    elif chosen == "seller" and isinstance(get(record, "parties.seller"), dict):
        put(record, "parties.producers", [copy.deepcopy(get(record, "parties.seller"))])


def _parse(record: Mapping[str, Any]) -> Shipment:
    data = json.dumps(record, ensure_ascii=False).encode()
    return parse_shipment(data, filename="shipment.json")


def validate(draft: Mapping[str, Any]) -> tuple[Shipment | None, list[InputIssue]]:
    """The draft's record as the API would store it, or every reason it would refuse it."""
    record, found = record_of(draft)
    try:
        shipment = _parse(record)
    except InputError as error:
        return None, [*found, *error.issues]
    return (None, found) if found else (shipment, [])


def best_effort(draft: Mapping[str, Any]) -> Shipment | None:
    """The record with what is refused left out, for the readiness checklist of a draft."""
    record, _found = record_of(draft)
    for path, value in _STAND_INS.items():
        if get(record, path) is None:
            put(record, path, copy.deepcopy(value))
    for _attempt in range(8):
        try:
            return _parse(record)
        except InputError as error:
            paths = sorted(
                {issue.path for issue in error.issues if issue.path},
                key=_sort_key,
                reverse=True,
            )
            cut = [_cut(record, path) for path in paths]  # every one, not up to the first
            if not any(cut):
                return None
    return None


def _sort_key(path: str) -> list[tuple[int, int | str]]:
    return [(0, part) if isinstance(part, int) else (1, part) for part in parse_path(path)]


def _cut(record: dict[str, Any], path: str) -> bool:
    """Remove the field at ``path`` (or its group, when it is missing); True if cut.

    The fields a record cannot do without are set to a stand-in instead.
    """
    parts = parse_path(path)
    if not parts:
        return False
    text = _path_text(parts)
    if text in _STAND_INS:
        if get(record, text) == _STAND_INS[text]:
            return False
        put(record, text, _STAND_INS[text])
        return True
    parent = get(record, _path_text(parts[:-1])) if len(parts) > 1 else record
    last = parts[-1]
    if isinstance(last, int) and isinstance(parent, list) and last < len(parent):
        del parent[last]
        return True
    if isinstance(last, str) and isinstance(parent, dict) and last in parent:
        del parent[last]
        return True
    return len(parts) > 1 and _cut(record, _path_text(parts[:-1]))


_STAND_INS: Final = {
    "reference": "draft",
    "export_country": "US",
    "import_country": "MX",
    "terms": {"currency": "USD"},
    "terms.currency": "USD",
}


def _path_text(parts: list[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# ---------------------------------------------------------------- goods sheets


def read_upload(data: bytes, filename: str, currency: str) -> list[dict[str, Any]]:
    """The goods lines of an uploaded sheet as draft lines; InputError names each bad cell."""
    try:
        default = check_currency(currency)
    except ValueError:
        default = "USD"
    lines = read_goods_sheet(data, filename=filename, currency=default, max_bytes=MAX_UPLOAD_BYTES)
    if len(lines) > MAX_LINES:
        raise InputError(
            [
                InputIssue(
                    "wizard.too_many_lines",
                    "goods",
                    _(
                        "The sheet has {count} goods lines; here a shipment takes up to "
                        "{limit}: split it, or send it through the API",
                        count=len(lines),
                        limit=MAX_LINES,
                    ),
                    filename,
                )
            ]
        )
    unknown = [
        InputIssue(
            "input.unit.unknown",
            f"goods[{index}].unit",
            _(
                "line {line}: '{value}' is not a UN/CEFACT Recommendation 20 unit code "
                "(H87 piece, KGM kilogram, SET set)",
                line=index + 1,
                value=line.unit,
            ),
            filename,
        )
        for index, line in enumerate(lines)
        if not units.is_known(line.unit)
    ]
    if unknown:
        raise InputError(unknown)
    return [line.model_dump(mode="json", exclude_none=True) for line in lines]
