"""A shipment's documents, its parties and invitations, and who has seen what.

The pages call the API's core (:mod:`cruce.api.routes.documents`,
:mod:`cruce.api.routes.parties`) under the same access rules (:mod:`cruce.api.access`):
another organisation gets a "not found" page, a carrier sees only the transport documents
and the invoice without prices, and every read is audited as the API audits it. A
download's event is the API's own; a preview's and a ZIP's say so in their detail
(``"via"``), so the audit page can tell "opened" from "downloaded".
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any, Final
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from lxml import etree  # type: ignore[import-untyped,unused-ignore]  # no stubs
from pydantic import ValidationError

from cruce.api.access import Action, shipment_access
from cruce.api.deps import ServicesDep
from cruce.api.problems import ApiError
from cruce.api.routes.documents import (
    PRICE_FREE_SUFFIX,
    SD_JWT_SUFFIX,
    ascii_filename,
    disposition,
    find_document,
    run_pack,
    visible,
)
from cruce.api.routes.parties import (
    InvitationRequest,
    accept_token,
    issue_invitation,
    offered_invitation,
    parties_of,
)
from cruce.artifacts import registry
from cruce.i18n import Message, _
from cruce.store.errors import NotFoundError
from cruce.store.models import PartyRole, utcnow
from cruce.store.models import Shipment as ShipmentRow
from cruce.store.passwords import MAX_TOKEN_LENGTH
from cruce.web import pages
from cruce.web.fields import edit_link
from cruce.web.forms import FormProblems

if TYPE_CHECKING:
    from cruce.api.auth import Principal
    from cruce.api.deps import Services
    from cruce.api.platform import Unit
    from cruce.store.models import AuditEvent
    from cruce.store.repositories.documents import DocumentInfo
    from cruce.web.pages import Reader

router = APIRouter(include_in_schema=False)

PDF: Final = "application/pdf"
PREVIEW_MAX_BYTES: Final = 2_000_000
"""A text document larger than this is downloaded, not shown in a page."""
AUDIT_PAGE: Final = 100
NOTE_MAX: Final = 500
EMPTY_BODY_DIGEST: Final = hashlib.sha256(b"").hexdigest()
_TEXT_TYPES: Final = frozenset(
    {
        "application/json",
        "application/xml",
        "application/sd-jwt",
        "application/x-www-form-urlencoded",
        "text/plain",
        "text/csv",
        "text/xml",
    }
)
_TOKEN_IN_LINK = re.compile(r"token=([A-Za-z0-9_.~-]+)")

ROLE_LABELS: Final[dict[PartyRole, Message]] = {
    PartyRole.SELLER: _("Seller"),
    PartyRole.BUYER: _("Buyer"),
    PartyRole.CONSIGNEE: _("Consignee"),
    PartyRole.CARRIER: _("Carrier"),
    PartyRole.US_CUSTOMS_BROKER: _("US customs broker"),
    PartyRole.MX_CUSTOMS_BROKER: _("Mexican customs broker (agente aduanal)"),
    PartyRole.BANK: _("Bank"),
    PartyRole.NOTIFY: _("Party to notify"),
}
ROLE_SEES: Final[dict[PartyRole, Message]] = {
    PartyRole.SELLER: _("the whole record and every document"),
    PartyRole.BUYER: _("the whole record and every document"),
    PartyRole.CONSIGNEE: _("the whole record and every document"),
    PartyRole.US_CUSTOMS_BROKER: _("the whole record and every document"),
    PartyRole.MX_CUSTOMS_BROKER: _("the whole record and every document"),
    PartyRole.CARRIER: _(
        "the packing list, the transport documents and the invoice without its prices"
    ),
    PartyRole.BANK: _("the invoices it is asked to pay"),
    PartyRole.NOTIFY: _("only that the shipment exists and where it stands"),
}
EXPIRY_CHOICES: Final = (
    ("168", _("7 days")),
    ("72", _("3 days")),
    ("24", _("1 day")),
    ("720", _("30 days")),
)


# ---------------------------------------------------------------- shared
def _role(value: str) -> Message | str:
    try:
        return ROLE_LABELS[PartyRole(value)]
    except ValueError:
        return value


def kind_of(artifact_key: str) -> Message | str:
    """What a stored document is, in words: the artifact's title, or its SD-JWT form."""
    base = artifact_key.removesuffix(SD_JWT_SUFFIX).removesuffix(PRICE_FREE_SUFFIX)
    try:
        title: Message | str = registry.get(base).title
    except KeyError:
        return artifact_key
    if artifact_key.endswith(PRICE_FREE_SUFFIX):
        return _("{title} without prices (SD-JWT presentation)", title=title)
    if artifact_key.endswith(SD_JWT_SUFFIX):
        return _("{title} as a selective-disclosure credential (SD-JWT)", title=title)
    return title


@dataclass(frozen=True, slots=True)
class Heading:
    """What every page of a shipment names: its id and reference."""

    id: uuid.UUID
    reference: str


def _heading(unit: Unit, shipment_id: uuid.UUID) -> Heading:
    row = unit.session.get(ShipmentRow, shipment_id)
    return Heading(shipment_id, row.reference if row is not None else str(shipment_id))


def _signed_in(services: Services, request: Request) -> tuple[Reader, Principal] | None:
    who = pages.reader(services, request)
    if not who.signed_in:
        return None
    return who, who.principal


def _actor(principal: Principal) -> tuple[uuid.UUID, uuid.UUID]:
    return principal.user_id, principal.organisation_id


def _read_event(
    services: Services,
    request: Request,
    principal: Principal,
    info: DocumentInfo,
    via: str | None = None,
) -> None:
    """The read of one document, as the API's download records it (plus how, if not it)."""
    detail = {"shipment_id": str(info.shipment_id), "artifact_key": info.artifact_key}
    if via is not None:
        detail["via"] = via
    services.store().record_read(
        request, "document.read", ("document", str(info.id)), _actor(principal), detail
    )


# ---------------------------------------------------------------- documents
@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A document as the list shows it."""

    info: DocumentInfo
    kind: Message | str
    previewable: bool

    @property
    def credential_id(self) -> str | None:
        """The id of its verifiable credential, when it was signed."""
        found = (self.info.credential or {}).get("id")
        return str(found) if found is not None else None

    @property
    def log_index(self) -> int | None:
        """Its entry in the organisation's transparency log, when it was logged."""
        found = (self.info.receipt or {}).get("index")
        return int(found) if found is not None else None


def _previewable(info: DocumentInfo) -> bool:
    return info.media_type == PDF or (
        info.media_type in _TEXT_TYPES and info.size <= PREVIEW_MAX_BYTES
    )


def _versions(found: list[DocumentInfo]) -> list[tuple[int, list[DocumentRow]]]:
    """The documents by version, newest version first, each in its pack's order."""
    by_version: dict[int, list[DocumentRow]] = {}
    for info in found:
        row = DocumentRow(info, kind_of(info.artifact_key), _previewable(info))
        by_version.setdefault(info.shipment_version, []).append(row)
    return sorted(by_version.items(), reverse=True)


def _documents_page(
    services: Services,
    request: Request,
    who: Reader,
    principal: Principal,
    shipment_id: uuid.UUID,
    *,
    problems: FormProblems | None = None,
    not_ready: list[tuple[str, Message, str | None]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    with services.store().reading() as unit:
        access = shipment_access(unit, shipment_id, principal, Action.READ_DOCUMENTS)
        found = [d for d in unit.documents.list(shipment_id) if visible(access, d.artifact_key)]
        heading = _heading(unit, shipment_id)
    services.store().record_read(
        request, "documents.listed", ("shipment", str(shipment_id)), _actor(principal)
    )
    packed = request.query_params.get("packed", "")
    return pages.render(
        request,
        who,
        "documents.html",
        {
            "shipment": heading,
            "versions": _versions(found),
            "may_pack": access.can(Action.PACK),
            "packed": int(packed) if packed.isdigit() else None,
            "problems": problems or FormProblems(),
            "not_ready": not_ready or [],
        },
        status,
    )


@router.get("/shipments/{shipment_id}/documents", response_class=HTMLResponse)
def documents(shipment_id: uuid.UUID, request: Request, services: ServicesDep) -> Response:
    """The documents the reader's organisation may download, newest version first."""
    signed = _signed_in(services, request)
    if signed is None:
        return pages.finish_redirect(request, "/sign-in")
    who, principal = signed
    return _documents_page(services, request, who, principal, shipment_id)


@router.post("/shipments/{shipment_id}/pack", response_class=HTMLResponse)
def pack(
    shipment_id: uuid.UUID,
    request: Request,
    services: ServicesDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Make, sign and store the current version's documents (owner only), as the API's POST."""
    signed = _signed_in(services, request)
    if signed is None:
        return pages.finish_redirect(request, "/sign-in")
    who, principal = signed
    with services.store().reading() as unit:  # a stranger learns nothing, not even the form
        shipment_access(unit, shipment_id, principal, Action.PACK)
    if not pages.check_form(request, csrf_token):
        problems = FormProblems()
        problems.add("", _("This form has expired; please send it again"))
        return _documents_page(
            services, request, who, principal, shipment_id, problems=problems, status=403
        )
    try:
        result = run_pack(
            shipment_id, request, Response(), principal, services, None, EMPTY_BODY_DIGEST, None
        )
    except ApiError as error:
        if error.status not in {409, 412, 422}:
            raise
        problems = FormProblems()
        problems.add("", error.message)
        not_ready = [
            (
                item.path,
                item.message,
                None if item.path == "record" else edit_link(shipment_id, item.path),
            )
            for item in error.errors
        ]
        return _documents_page(
            services,
            request,
            who,
            principal,
            shipment_id,
            problems=problems,
            not_ready=not_ready,
            status=error.status,
        )
    return pages.finish_redirect(
        request, f"/shipments/{shipment_id}/documents?packed={result['version']}"
    )


def _pretty(info: DocumentInfo, content: bytes) -> str:
    """The document as text a person can read: indented JSON and XML, one field a line."""
    text = content.decode("utf-8", errors="replace")
    try:
        if info.media_type == "application/json":
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        if info.media_type in {"application/xml", "text/xml"}:
            parser = etree.XMLParser(
                resolve_entities=False, no_network=True, remove_blank_text=True
            )
            root = etree.fromstring(content, parser)
            return str(etree.tostring(root, pretty_print=True, encoding="unicode"))
        if info.media_type == "application/x-www-form-urlencoded":
            return "\n".join(
                f"{name}={value}" for name, value in parse_qsl(text, keep_blank_values=True)
            )
        if info.media_type == "application/sd-jwt":
            return "~\n".join(text.split("~"))
    except (ValueError, etree.XMLSyntaxError):
        return text
    return text


@router.get("/shipments/{shipment_id}/documents/{document_id}/preview")
def preview(
    shipment_id: uuid.UUID, document_id: uuid.UUID, request: Request, services: ServicesDep
) -> Response:
    """A PDF shown by the browser; an XML, JSON or text file shown, indented, in a page."""
    signed = _signed_in(services, request)
    if signed is None:
        return pages.finish_redirect(request, "/sign-in")
    who, principal = signed
    with services.store().reading() as unit:
        info = find_document(unit, shipment_id, document_id, principal)
        heading = _heading(unit, shipment_id)
        content = unit.documents.content(document_id) if _previewable(info) else None
    if content is None:
        return pages.render(
            request,
            who,
            "documents_preview.html",
            {"shipment": heading, "document": info, "kind": kind_of(info.artifact_key)},
        )
    _read_event(services, request, principal, info, "preview")
    if info.media_type == PDF:
        return Response(
            content,
            media_type=PDF,
            headers={
                "Content-Disposition": disposition(info.filename, "inline"),
                "ETag": f'"{info.sha256}"',
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
    return pages.render(
        request,
        who,
        "documents_preview.html",
        {
            "shipment": heading,
            "document": info,
            "kind": kind_of(info.artifact_key),
            "text": _pretty(info, content),
        },
    )


@router.get("/shipments/{shipment_id}/documents/{document_id}/download")
def download(
    shipment_id: uuid.UUID, document_id: uuid.UUID, request: Request, services: ServicesDep
) -> Response:
    """The file as the API gives it: the same bytes, ETag and audit event."""
    signed = _signed_in(services, request)
    if signed is None:
        return pages.finish_redirect(request, "/sign-in")
    _who, principal = signed
    with services.store().reading() as unit:
        info = find_document(unit, shipment_id, document_id, principal)
        content = unit.documents.content(document_id)
    _read_event(services, request, principal, info)
    return Response(
        content,
        media_type=info.media_type,
        headers={
            "Content-Disposition": disposition(info.filename),
            "ETag": f'"{info.sha256}"',
            "Cache-Control": "private, no-store",
        },
    )


def _zip_name(info: DocumentInfo, taken: set[str]) -> str:
    """``version-2/SPM-1187-commercial-invoice.pdf``: one folder a version, names unique."""
    name = ascii_filename(PurePosixPath(info.filename.replace("\\", "/")).name)
    stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
    candidate, n = f"version-{info.shipment_version}/{name}", 2
    while candidate in taken:
        candidate = f"version-{info.shipment_version}/{stem}-{n}{suffix}"
        n += 1
    taken.add(candidate)
    return candidate


def build_zip(reference: str, documents: list[tuple[DocumentInfo, bytes]]) -> bytes:
    """The documents in a ZIP, with ``manifest.json`` and ``SHA256SUMS`` listing each digest."""
    buffer = io.BytesIO()
    taken: set[str] = set()
    manifest: list[dict[str, Any]] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, content in documents:
            name = _zip_name(info, taken)
            archive.writestr(name, content)
            manifest.append(
                {
                    "file": name,
                    "document_id": str(info.id),
                    "version": info.shipment_version,
                    "artifact_key": info.artifact_key,
                    "media_type": info.media_type,
                    "size": info.size,
                    "sha256": info.sha256,
                    "credential_id": (info.credential or {}).get("id"),
                    "log_index": (info.receipt or {}).get("index"),
                }
            )
        summary = {"shipment": reference, "made_at": utcnow().isoformat(), "documents": manifest}
        archive.writestr("manifest.json", json.dumps(summary, indent=2, ensure_ascii=False))
        sums = "".join(f"{item['sha256']}  {item['file']}\n" for item in manifest)
        archive.writestr("SHA256SUMS", sums)
    return buffer.getvalue()


@router.get("/shipments/{shipment_id}/documents.zip")
def documents_zip(shipment_id: uuid.UUID, request: Request, services: ServicesDep) -> Response:
    """Every document the reader may download, in one ZIP; each audited as a read."""
    signed = _signed_in(services, request)
    if signed is None:
        return pages.finish_redirect(request, "/sign-in")
    _who, principal = signed
    with services.store().reading() as unit:
        access = shipment_access(unit, shipment_id, principal, Action.READ_DOCUMENTS)
        found = [d for d in unit.documents.list(shipment_id) if visible(access, d.artifact_key)]
        heading = _heading(unit, shipment_id)
        files = [(info, unit.documents.content(info.id)) for info in found]
    if not files:
        raise ApiError(
            404,
            "documents.none",
            _("This shipment has no documents yet; they are made when the owner packs it"),
        )
    for info, _content in files:
        _read_event(services, request, principal, info, "zip")
    name = f"{heading.reference}-documents.zip"
    return Response(
        build_zip(heading.reference, files),
        media_type="application/zip",
        headers={"Content-Disposition": disposition(name), "Cache-Control": "private, no-store"},
    )


# ---------------------------------------------------------------- parties
def _parties_page(
    services: Services,
    request: Request,
    who: Reader,
    principal: Principal,
    shipment_id: uuid.UUID,
    *,
    form: dict[str, str] | None = None,
    problems: FormProblems | None = None,
    issued: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    with services.store().reading() as unit:
        access = shipment_access(unit, shipment_id, principal, Action.SEE)
        parties = parties_of(unit, shipment_id)
        heading = _heading(unit, shipment_id)
    services.store().record_read(
        request,
        "shipment.read",
        ("shipment", str(shipment_id)),
        _actor(principal),
        {"view": "parties"},
    )
    rows = [{**party, "labels": [_role(role) for role in party["roles"]]} for party in parties]
    return pages.render(
        request,
        who,
        "parties.html",
        {
            "shipment": heading,
            "parties": rows,
            "may_invite": access.can(Action.INVITE),
            "roles": [(role.value, label) for role, label in ROLE_LABELS.items()],
            "role_sees": [(ROLE_LABELS[role], sees) for role, sees in ROLE_SEES.items()],
            "expiries": EXPIRY_CHOICES,
            "form": form or {"expires_in_hours": "168"},
            "problems": problems or FormProblems(),
            "issued": issued,
        },
        status,
    )


@router.get("/shipments/{shipment_id}/parties", response_class=HTMLResponse)
def parties(shipment_id: uuid.UUID, request: Request, services: ServicesDep) -> Response:
    """The owner and each party with its roles; for the owner, the form to invite a partner."""
    signed = _signed_in(services, request)
    if signed is None:
        return pages.finish_redirect(request, "/sign-in")
    who, principal = signed
    return _parties_page(services, request, who, principal, shipment_id)


def _accept_link(services: Services, token: str) -> str:
    return f"{services.settings.public_url.rstrip('/')}/invitations/accept?token={token}"


@router.post("/shipments/{shipment_id}/invitations", response_class=HTMLResponse)
def invite(
    shipment_id: uuid.UUID,
    request: Request,
    services: ServicesDep,
    role: Annotated[str, Form(max_length=40)] = "",
    expires_in_hours: Annotated[str, Form(max_length=4)] = "168",
    note: Annotated[str, Form(max_length=NOTE_MAX)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A single-use invitation, made by the API's core; its link is shown this once."""
    signed = _signed_in(services, request)
    if signed is None:
        return pages.finish_redirect(request, "/sign-in")
    who, principal = signed
    form = {"role": role, "expires_in_hours": expires_in_hours, "note": note}
    with services.store().reading() as unit:  # a stranger learns nothing, not even the form
        shipment_access(unit, shipment_id, principal, Action.INVITE)
    problems = FormProblems()
    if not pages.check_form(request, csrf_token):
        problems.add("", _("This form has expired; please send it again"))
        return _parties_page(
            services, request, who, principal, shipment_id, form=form, problems=problems, status=403
        )
    try:
        asked = InvitationRequest.model_validate(
            {"role": role, "expires_in_hours": expires_in_hours or "168"}
        )
    except ValidationError as error:
        problems = FormProblems.from_validation(error)
        return _parties_page(
            services, request, who, principal, shipment_id, form=form, problems=problems, status=422
        )
    with services.store().unit() as unit:
        shipment_access(unit, shipment_id, principal, Action.INVITE)
        made = issue_invitation(unit, request, principal, services, shipment_id, asked)
        heading = _heading(unit, shipment_id)
    issued = {
        "link": _accept_link(services, made["token"]),
        "role": ROLE_LABELS[asked.role],
        "expires_at": made["expires_at"],
        "note": note.strip(),
        "reference": heading.reference,
    }
    return _parties_page(services, request, who, principal, shipment_id, issued=issued)


def _token_from(text: str) -> str:
    """The token of a pasted link (``...accept?token=...`` or ``#token=...``) or the token."""
    found = _TOKEN_IN_LINK.search(text)
    return found.group(1) if found else text.strip()


def _accept_page(
    services: Services,
    request: Request,
    who: Reader,
    token: str,
    problem: ApiError | None = None,
    status: int = 200,
) -> HTMLResponse:
    """What an invitation offers, and the button to accept it; or why it cannot be."""
    context: dict[str, Any] = {"token": token, "offer": None, "refusal": None}
    if problem is not None:
        context["refusal"] = problem.message
    elif token:
        with services.store().reading() as unit:
            try:
                found = offered_invitation(unit, token)
            except ApiError as error:
                context["refusal"], status = error.message, error.status
            else:
                standing = (
                    None
                    if who.organisation_id is None
                    else unit.shipments.roles_of(found.shipment_id, who.organisation_id)
                )
                if found.accepted_at is not None:
                    status = 410
                    context["refusal"] = _(
                        "This invitation was used already; ask the shipment's owner for a new one"
                    )
                elif found.expires_at <= utcnow():
                    status = 410
                    context["refusal"] = _(
                        "This invitation has expired; ask the shipment's owner for a new one"
                    )
                elif standing is not None and standing[0]:
                    status = 409
                    context["refusal"] = _(
                        "Your organisation owns this shipment; send the invitation to a partner"
                    )
                else:
                    owner = unit.shipments.get(found.shipment_id).owner_organisation_id
                    context["offer"] = {
                        "reference": _heading(unit, found.shipment_id).reference,
                        "owner": unit.organisations.get(owner).name,
                        "role": ROLE_LABELS[found.role],
                        "sees": ROLE_SEES[found.role],
                        "expires_at": found.expires_at,
                    }
    response = pages.render(request, who, "parties_accept.html", context, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/invitations/accept", response_class=HTMLResponse)
def accept_form(
    request: Request,
    services: ServicesDep,
    token: Annotated[str, Query(max_length=MAX_TOKEN_LENGTH + 200)] = "",
) -> Response:
    """What the invitation offers and a button to accept it (or a box to paste its link)."""
    who = pages.reader(services, request)
    return _accept_page(services, request, who, _token_from(token))


@router.post("/invitations/accept", response_class=HTMLResponse)
def accept(
    request: Request,
    services: ServicesDep,
    token: Annotated[str, Form(max_length=MAX_TOKEN_LENGTH + 200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The reader's organisation joins the shipment in the invited role; its page next."""
    who = pages.reader(services, request)
    token = _token_from(token)
    if not who.signed_in:
        return _accept_page(services, request, who, token, status=401)
    if not pages.check_form(request, csrf_token):
        expired = ApiError(403, "form.expired", _("This form has expired; please send it again"))
        return _accept_page(services, request, who, token, expired, 403)
    try:
        with services.store().unit() as unit:
            accepted = accept_token(unit, request, who.principal, token)
    except ApiError as error:
        if error.status >= 500:  # noqa: PLR2004
            raise
        return _accept_page(services, request, who, token, error, error.status)
    return pages.finish_redirect(request, f"/shipments/{accepted['shipment_id']}")


# ---------------------------------------------------------------- audit
_VIEWS: Final[dict[str, Message]] = {
    "parties": _("looked at the parties"),
    "audit": _("looked at who has seen what"),
    "landed_cost": _("read the landed cost"),
    "origin": _("read the USMCA origin result"),
}


def describe(event: AuditEvent, documents: dict[str, DocumentInfo]) -> Message:
    """What an audit event says happened, as a phrase (its subject is shown beside it)."""
    detail = event.detail or {}
    info = documents.get(event.object_id or "")
    key = detail.get("artifact_key") or (info.artifact_key if info is not None else "")
    document = kind_of(key) if key else _("a document")
    role = _role(str(detail.get("role", "")))
    phrases: dict[str, Message] = {
        "shipment.created": _("created the shipment"),
        "shipment.updated": _("changed the record"),
        "documents.listed": _("listed the documents"),
        "documents.packed": _(
            "made and signed {count} documents of version {version}",
            count=detail.get("documents", "?"),
            version=detail.get("version", "?"),
        ),
        "document.credential_read": _("fetched the credential of “{document}”", document=document),
        "document.verified_by_link": _(
            "checked “{document}” with its verification link", document=document
        ),
        "invitation.created": _("invited an organisation as {role}", role=role),
        "invitation.accepted": _("accepted an invitation as {role}", role=role),
    }
    if event.action == "shipment.read":
        view = detail.get("view")
        if view is None:
            return _("read the record")
        return _VIEWS.get(str(view), _("read the shipment ({view})", view=str(view)))
    if event.action == "document.read":
        via = detail.get("via")
        if via == "preview":
            return _("opened “{document}” in the browser", document=document)
        if via == "zip":
            return _("downloaded “{document}” in a ZIP of the documents", document=document)
        return _("downloaded “{document}”", document=document)
    return phrases.get(event.action, _("did “{action}”", action=event.action))


class _Names:
    """People's and organisations' names by id, each looked up once."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.people: dict[uuid.UUID, str | None] = {}
        self.organisations: dict[uuid.UUID, str | None] = {}

    def person(self, user_id: uuid.UUID | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.people:
            user = self.unit.users.get(user_id)
            self.people[user_id] = None if user is None else user.name
        return self.people[user_id]

    def organisation(self, organisation_id: uuid.UUID | None) -> str | None:
        if organisation_id is None:
            return None
        if organisation_id not in self.organisations:
            try:
                name: str | None = self.unit.organisations.get(organisation_id).name
            except NotFoundError:
                name = None
            self.organisations[organisation_id] = name
        return self.organisations[organisation_id]


@router.get("/shipments/{shipment_id}/audit", response_class=HTMLResponse)
def audit(
    shipment_id: uuid.UUID,
    request: Request,
    services: ServicesDep,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Who has seen what: the shipment's and its documents' events, newest first (owner)."""
    signed = _signed_in(services, request)
    if signed is None:
        return pages.finish_redirect(request, "/sign-in")
    who, principal = signed
    with services.store().reading() as unit:
        shipment_access(unit, shipment_id, principal, Action.READ_AUDIT)
        heading = _heading(unit, shipment_id)
        documents = {str(info.id): info for info in unit.documents.list(shipment_id)}
        found = unit.audit.about(
            {"shipment": [str(shipment_id)], "document": list(documents)},
            limit=AUDIT_PAGE + 1,
            before_id=before,
        )
        names = _Names(unit)
        events = [
            {
                "at": event.at,
                "organisation": names.organisation(event.actor_organisation_id),
                "person": names.person(event.actor_user_id),
                "what": describe(event, documents),
                "ip": event.ip,
            }
            for event in found[:AUDIT_PAGE]
        ]
    services.store().record_read(
        request,
        "shipment.read",
        ("shipment", str(shipment_id)),
        _actor(principal),
        {"view": "audit"},
    )
    older = found[AUDIT_PAGE - 1].id if len(found) > AUDIT_PAGE else None
    return pages.render(
        request, who, "audit.html", {"shipment": heading, "events": events, "older": older}
    )
