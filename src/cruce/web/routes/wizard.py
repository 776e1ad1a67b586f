"""The guided shipment wizard: a new shipment step by step, and the same steps to edit one.

``/shipments/new`` walks through the steps of :data:`cruce.web.fields.STEPS` (parties,
goods, transport and crossing, terms). The draft travels in a hidden field of each step's
form (:mod:`cruce.web.wizard_draft`); every POST decodes it, merges the step's fields and
checks the whole record with the API's loader. Goods come from the form's lines or from an
uploaded Excel or CSV sheet read by :func:`cruce.ingest.sheet.read_goods_sheet`: a sheet
with any bad cell is refused whole, each problem named by its row and column. Beside every
step, the readiness checklist of what is entered so far (htmx refreshes it on change).

"Create the shipment" stores the record through the API's core
(:func:`cruce.api.routes.shipments.store_new_shipment`): version 1, owned by the reader's
organisation, audited. ``/shipments/{id}/edit/{step}`` opens the current version in the
same steps (owner only) and saves the next version with the version check of the API's PUT.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from cruce.api.access import Action, shipment_access
from cruce.api.deps import ServicesDep
from cruce.api.problems import ApiError
from cruce.api.routes.shipments import store_new_shipment, store_new_version
from cruce.artifacts.checklist import check
from cruce.i18n import Message, _
from cruce.ingest.errors import InputError, InputIssue
from cruce.ingest.template import goods_template_csv, goods_template_xlsx
from cruce.web import pages
from cruce.web import wizard_draft as wd
from cruce.web import wizard_fields as wf
from cruce.web.fields import STEPS, anchor, step_of
from cruce.web.partners import Partner, known_partners, pick

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cruce.api.deps import Services
    from cruce.model import Shipment
    from cruce.web.pages import Reader

router = APIRouter(include_in_schema=False)

NEW: Final = "/shipments/new"
MAX_BODY: Final = wd.MAX_UPLOAD_BYTES + wd.MAX_DRAFT_FIELD + 256 * 1024
MAX_FIELDS: Final = 2000
STEP_LABELS: Final[dict[str, Message]] = {
    "parties": _("Parties"),
    "goods": _("Goods"),
    "transport": _("Transport and crossing"),
    "terms": _("Terms"),
}
_SHOWN_PER_DOCUMENT: Final = 6
Upload = tuple[str, bytes]
"""An uploaded goods sheet: its file name and (at most the limit and a byte of) its bytes."""
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Wizard:
    """Where the wizard's forms post: a new shipment, or a stored one's next version."""

    def __init__(self, shipment_id: uuid.UUID | None = None, version: int | None = None) -> None:
        self.shipment_id = shipment_id
        self.version = version

    @property
    def editing(self) -> bool:
        return self.shipment_id is not None

    def url(self, step: str) -> str:
        if self.shipment_id is None:
            return NEW if step == STEPS[0] else f"{NEW}?step={step}"
        return f"/shipments/{self.shipment_id}/edit/{step}"


# ---------------------------------------------------------------- templates


@router.get("/shipments/new/goods-template.xlsx")
def goods_template_workbook() -> Response:
    """The goods sheet to fill in, as an Excel workbook."""
    return Response(
        goods_template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="cruce-goods.xlsx"'},
    )


@router.get("/shipments/new/goods-template.csv")
def goods_template_text() -> Response:
    """The goods sheet to fill in, as CSV UTF-8."""
    return Response(
        goods_template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="cruce-goods.csv"'},
    )


# ---------------------------------------------------------------- a new shipment


@router.get("/shipments/new", response_class=HTMLResponse)
def new_shipment(request: Request, services: ServicesDep, step: str = STEPS[0]) -> Response:
    """The first step of a new shipment, the reader's organisation as the seller."""
    who = pages.reader(services, request)
    principal = who.principal
    with services.store().reading() as unit:
        organisation = unit.organisations.get(principal.organisation_id)
    draft = wd.new_draft(
        organisation.name, organisation.tax_scheme, organisation.tax_id, organisation.address
    )
    step = step if step in STEPS else STEPS[0]
    return _page(request, who, _Wizard(), draft, step)


@router.post("/shipments/new", response_class=HTMLResponse)
async def new_shipment_step(request: Request, services: ServicesDep) -> Response:
    """A step sent: the next one, the same one with its problems, or the shipment stored."""
    form, upload = await _read_form(request)
    return await run_in_threadpool(_step_sent, request, services, _Wizard(), form, upload)


@router.post("/shipments/new/checklist", response_class=HTMLResponse)
async def draft_checklist(request: Request, services: ServicesDep) -> Response:
    """The readiness checklist of a draft with the step's fields as typed (for htmx)."""
    form, _upload = await _read_form(request)
    return await run_in_threadpool(_checklist_fragment, request, services, form)


def _checklist_fragment(request: Request, services: Services, form: dict[str, str]) -> Response:
    who = pages.reader(services, request)
    who.principal  # noqa: B018 - signed in, or ApiError 401
    if not pages.check_form(request, form.get(pages.FORM_FIELD)):
        raise ApiError(403, "form.expired", _("This form has expired; please send it again"))
    draft = _decoded(form)
    step = form.get("step", "")
    if step in STEPS:
        draft = wd.merge(draft, step, form)
    shipment_id = _uuid(form.get("shipment_id", ""))
    context = {"readiness": _readiness(draft), "wizard": _Wizard(shipment_id), "anchor": anchor}
    return pages.render(request, who, "wizard_checklist.html", context)


# ---------------------------------------------------------------- a stored shipment


@router.get("/shipments/{shipment_id}/edit/{step}", response_class=HTMLResponse)
def edit_shipment(
    shipment_id: uuid.UUID, step: str, request: Request, services: ServicesDep
) -> Response:
    """A step of a stored shipment, prefilled from its current version (owner only)."""
    if step not in STEPS:
        raise HTTPException(404)
    who = pages.reader(services, request)
    principal = who.principal
    with services.store().reading() as unit:
        shipment_access(unit, shipment_id, principal, Action.UPDATE)
        stored = unit.shipments.get(shipment_id)
    services.store().record_read(
        request,
        "shipment.read",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
    )
    wizard = _Wizard(shipment_id, stored.current_version)
    return _page(request, who, wizard, wd.from_record(stored.record), step)


@router.post("/shipments/{shipment_id}/edit/{step}", response_class=HTMLResponse)
async def edit_shipment_step(
    shipment_id: uuid.UUID, step: str, request: Request, services: ServicesDep
) -> Response:
    """A step of a stored shipment sent: another step, its problems, or the next version."""
    if step not in STEPS:
        raise HTTPException(404)
    form, upload = await _read_form(request)
    return await run_in_threadpool(_edit_sent, request, services, shipment_id, step, form, upload)


def _edit_sent(
    request: Request,
    services: Services,
    shipment_id: uuid.UUID,
    step: str,
    form: dict[str, str],
    upload: Upload | None,
) -> Response:
    who = pages.reader(services, request)
    principal = who.principal
    with services.store().reading() as unit:
        stored = shipment_access(unit, shipment_id, principal, Action.UPDATE)
    del stored
    try:
        version = int(form.get("version", ""))
    except ValueError:
        version = 0
    form.setdefault("go", step)
    return _step_sent(request, services, _Wizard(shipment_id, version), form, upload)


# ---------------------------------------------------------------- one step sent


async def _read_form(request: Request) -> tuple[dict[str, str], Upload | None]:
    """The form's text fields and its goods sheet, if one came; 413 or 400 past the limits."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise ApiError(
            413,
            "form.too_large",
            _("The form is larger than {limit} MB", limit=MAX_BODY // (1024 * 1024)),
        )
    try:
        raw = await request.form(
            max_files=1, max_fields=MAX_FIELDS, max_part_size=wd.MAX_DRAFT_FIELD + 1024
        )
    except HTTPException:
        raise ApiError(
            400, "form.unreadable", _("The form could not be read; send it again")
        ) from None
    fields: dict[str, str] = {}
    upload = None
    try:
        for key, value in raw.multi_items():
            if isinstance(value, UploadFile):
                if value.filename:
                    upload = (value.filename, await value.read(wd.MAX_UPLOAD_BYTES + 1))
            elif key not in fields:
                fields[key] = value
    finally:
        await raw.close()
    return fields, upload


def _decoded(form: Mapping[str, str]) -> dict[str, Any]:
    try:
        return wd.decode(form.get("draft", ""))
    except wd.DraftError:
        raise ApiError(
            400,
            "wizard.draft_damaged",
            _("The form's saved entries could not be read; please start the shipment again"),
        ) from None


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _step_sent(  # noqa: PLR0911 - one answer per button
    request: Request,
    services: Services,
    wizard: _Wizard,
    form: dict[str, str],
    upload: Upload | None,
) -> Response:
    who = pages.reader(services, request)
    principal = who.principal
    draft = _decoded(form)
    step = form.get("step", "")
    step = step if step in STEPS else STEPS[0]
    if not pages.check_form(request, form.get(pages.FORM_FIELD)):
        expired = [InputIssue("form.expired", "", _("This form has expired; please send it again"))]
        return _page(request, who, wizard, draft, step, expired, status=403)
    if upload is not None:
        return _uploaded(request, who, wizard, draft, upload)
    draft = wd.merge(draft, step, form)
    go = form.get("go", "next")
    if go == "add_line":
        return _page(request, who, wizard, draft, "goods", extra_line=True)
    if go.startswith("pick:"):
        return _picked(request, who, services, wizard, draft, go.removeprefix("pick:"), form)
    if go in {"create", "save"}:
        return _store(request, who, services, principal, wizard, draft, step)
    if go == "next":
        _shipment, issues = wd.validate(draft)
        mine = [issue for issue in issues if _step_of_issue(issue) == step]
        if mine:
            return _page(request, who, wizard, draft, step, mine, status=422)
        following = STEPS.index(step) + 1
        return _page(request, who, wizard, draft, STEPS[min(following, len(STEPS) - 1)])
    return _page(request, who, wizard, draft, go if go in STEPS else step)


def _picked(
    request: Request,
    who: Reader,
    services: Services,
    wizard: _Wizard,
    draft: dict[str, Any],
    role: str,
    form: Mapping[str, str],
) -> Response:
    """The parties step with a partner entered before copied into ``role``."""
    roles = {name for name, _label, _hint in wf.ROLES}
    if role not in roles or who.organisation_id is None:
        return _page(request, who, wizard, draft, "parties")
    chosen = pick(known_partners(services, who.organisation_id), form.get(f"partner.{role}", ""))
    if chosen is None:
        missing = InputIssue(
            "wizard.partner", f"parties.{role}", _("Choose a partner in the list first")
        )
        return _page(request, who, wizard, draft, "parties", [missing], status=422)
    draft = {**draft, "parties": {**(draft.get("parties") or {}), role: chosen}}
    return _page(request, who, wizard, draft, "parties", picked=role)


def _step_of_issue(issue: InputIssue) -> str:
    if issue.path == "transport.planned_crossing":
        return "transport"
    return step_of(issue.path) if issue.path else "terms"


def _uploaded(
    request: Request, who: Reader, wizard: _Wizard, draft: dict[str, Any], upload: Upload
) -> Response:
    """The goods lines of an uploaded sheet replace the draft's, when every row is clean."""
    filename, data = upload
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "goods.xlsx"
    currency = str(wd.get(draft, "terms.currency") or "USD")
    try:
        lines = wd.read_upload(data, name, currency)
    except InputError as error:
        return _page(request, who, wizard, draft, "goods", upload_issues=error.issues, status=422)
    draft = {**draft, "goods": lines}
    return _page(request, who, wizard, draft, "goods", uploaded=(name, len(lines)))


def _store(
    request: Request,
    who: Reader,
    services: Services,
    principal: Any,  # noqa: ANN401 - a Principal
    wizard: _Wizard,
    draft: dict[str, Any],
    step: str,
) -> Response:
    """The shipment stored (a new one, or the next version); the form again when refused."""
    shipment, issues = wd.validate(draft)
    if shipment is None:
        first = _step_of_issue(issues[0]) if issues and issues[0].path else step
        return _page(request, who, wizard, draft, first, issues, status=422)
    try:
        with services.store().unit() as unit:
            if wizard.shipment_id is None:
                shipment_id, _version = store_new_shipment(unit, request, principal, shipment)
            else:
                shipment_id = wizard.shipment_id
                store_new_version(
                    unit, request, principal, shipment_id, shipment, wizard.version or 0
                )
    except ApiError as error:
        if error.status not in {409, 412}:
            raise
        refused = [InputIssue(error.code, item.path, item.message) for item in error.errors] or [
            InputIssue(error.code, "", error.message)
        ]
        shown = _step_of_issue(refused[0]) if refused[0].path else step
        return _page(request, who, wizard, draft, shown, refused, status=error.status)
    return pages.finish_redirect(request, f"/shipments/{shipment_id}")


# ---------------------------------------------------------------- the page


def _value(draft: Mapping[str, Any], path: str) -> str:
    value = wd.get(draft, path)
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, dict | list) or value is None:
        return ""
    return str(value)


def _owner(path: str, fields: list[str]) -> str:
    """The input on the page that shows a problem of ``path`` ("" when none does)."""
    if path in fields:
        return path
    inside = next((f for f in fields if f.startswith((f"{path}.", f"{path}["))), None)
    if inside is not None:
        return inside
    parts = wd.parse_path(path)
    for end in range(len(parts) - 1, 0, -1):
        parent = wd._path_text(parts[:end])  # noqa: SLF001 - the module's own path writer
        if parent in fields:
            return parent
    return ""


def _fields_of(step: str, draft: Mapping[str, Any], rows: int, charges: int) -> list[str]:
    if step == "parties":
        return [
            f"parties.{role}.{field.name}"
            for role, _label, _hint in wf.ROLES
            for field in wd.party_fields(role)
        ] + ["parties.consignee_type"]
    if step == "goods":
        return [f"goods[{i}].{field.name}" for i in range(rows) for field in wf.LINE_FIELDS]
    if step == "transport":
        return [field.name for field in wf.TRANSPORT_FIELDS] + [
            "transport.crossing",
            "transport.planned_crossing",
        ]
    del draft
    return (
        [field.name for field in wf.TERMS_FIELDS]
        + [field.name for field in wf.CERTIFICATION_FIELDS]
        + ["export_country", "notes"]
        + [f"terms.charges[{i}].{f.name}" for i in range(charges) for f in wf.CHARGE_FIELDS]
    )


def _page(
    request: Request,
    who: Reader,
    wizard: _Wizard,
    draft: dict[str, Any],
    step: str,
    issues: list[InputIssue] | None = None,
    *,
    status: int = 200,
    extra_line: bool = False,
    upload_issues: list[InputIssue] | None = None,
    uploaded: tuple[str, int] | None = None,
    picked: str | None = None,
) -> HTMLResponse:
    goods = draft.get("goods") if isinstance(draft.get("goods"), list) else []
    assert isinstance(goods, list)  # noqa: S101 - narrowed above
    table = len(goods) > wd.MAX_FORM_LINES
    rows = 0 if table else len(goods) + (1 if extra_line or not goods else 0)
    charges_list = wd.get(draft, "terms.charges")
    charges = (len(charges_list) if isinstance(charges_list, list) else 0) + 1
    fields = _fields_of(step, draft, rows, charges)
    inline: dict[str, list[Message]] = {}
    summary: list[tuple[str, str, Message, Message | None]] = []
    for issue in issues or []:
        issue_step = _step_of_issue(issue) if issue.path else step
        owner = _owner(issue.path, fields) if issue_step == step else ""
        if owner:
            inline.setdefault(owner, []).append(issue.message)
        target = owner or issue.path
        summary.append(
            (issue_step, anchor(target) if target else "", issue.message, _where(issue.path))
        )
    context = {
        "wizard": wizard,
        "step": step,
        "steps": [(name, STEP_LABELS[name]) for name in STEPS],
        "draft": draft,
        "encoded": wd.encode(draft),
        "val": lambda path: _value(draft, path),
        "anchor": anchor,
        "inline": inline,
        "summary": summary,
        "upload_issues": upload_issues or [],
        "uploaded": uploaded,
        "rows": rows,
        "table": table,
        "goods": goods,
        "charges": charges,
        "wf": wf,
        "party_fields": wd.party_fields,
        "readiness": _readiness(draft),
        "port_groups": wf.port_choices(),
        "port_key": wf.choice_of(wd.get(draft, "transport.crossing")),
        "crossing": wd.get(draft, "transport.crossing"),
        "planned": draft.get(wd.WIZARD) or {},
        "usmca": _usmca(goods),
        "max_upload_mb": wd.MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_lines": wd.MAX_LINES,
        "partners": _partners_for(request, who) if step == "parties" else [],
        "picked": picked,
    }
    return pages.render(request, who, "wizard.html", context, status)


def _partners_for(request: Request, who: Reader) -> list[Partner]:
    if who.organisation_id is None:
        return []
    return known_partners(request.app.state.services, who.organisation_id)


def _where(path: str) -> Message | None:
    """Which goods line or charge a problem is about, for the list at the top."""
    parts = wd.parse_path(path)
    if len(parts) > 1 and parts[0] == "goods" and isinstance(parts[1], int):
        return _("Goods line {line}", line=parts[1] + 1)
    return None


def _usmca(goods: list[Any]) -> dict[str, Any]:
    claimed = [
        line for line in goods if isinstance(line, dict) and wd.get(line, "usmca.claimed") is True
    ]
    references = {str(wd.get(line, "usmca.certification_reference") or "") for line in claimed}
    return {
        "claimed": len(claimed),
        "lines": len(goods),
        "reference": references.pop() if len(references) == 1 else "",
    }


def _readiness(draft: Mapping[str, Any]) -> dict[str, Any]:
    """The checklist of what the draft holds so far, and whether the record would be taken."""
    shipment: Shipment | None = wd.best_effort(draft)
    _valid, refusals = wd.validate(draft)
    if shipment is None:
        return {"known": False, "refusals": len(refusals)}
    checklist = check(shipment)
    documents = []
    for status in checklist.statuses:
        if not status.requirement.required or not status.blockers:
            continue
        shown = status.blockers[:_SHOWN_PER_DOCUMENT]
        documents.append(
            {
                "title": status.artifact.title,
                "problems": [(p.message, step_of(p.path), anchor(p.path)) for p in shown],
                "more": len(status.blockers) - len(shown),
            }
        )
    required = [s for s in checklist.statuses if s.requirement.required]
    return {
        "known": True,
        "ready": checklist.ready and not refusals,
        "refusals": len(refusals),
        "documents": documents,
        "required": len(required),
        "done": sum(1 for s in required if s.ready),
    }
