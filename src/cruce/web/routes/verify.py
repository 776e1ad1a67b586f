"""Public verification: anyone checks a document cruce signed, with no account.

``/verify`` is a form for a customs officer, a buyer or an auditor: they upload the file
they hold (a signed PDF, its credential JSON or an SD-JWT presentation, as
``POST /api/v1/verify`` takes, optionally with its log receipt and evidence files) and read
the four checks of :func:`cruce.api.routes.verify.check_document` in their language, each a
plain yes or no with its sentence, under a verdict: accepted, rejected (and why), or not
established.

A PDF cruce seals carries a QR code with the link :func:`cruce.trust.issuance.link` makes:
``<public URL>/orgs/<organisation id>/c/<credential id>#sha256=<digest>``. The fragment never
reaches the server; the page for the rest looks up the document that credential was issued
for by that organisation, checks the sealed file the service holds exactly as an upload of
it would be checked, and shows the digest so the reader can compare it with the end of the
address they opened. The link's path is under ``/orgs/``, where errors are problem
documents for machines, so that page renders its own refusals.

Both are rate-limited like the API's verification; nothing is stored but the audit event of
a stored document read through its link.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from cruce.api.deps import ServicesDep
from cruce.api.issuers import Address
from cruce.api.problems import ApiError
from cruce.api.routes.verify import MAX_EVIDENCE_FILES, check_document
from cruce.i18n import Message, _
from cruce.store.errors import IntegrityCheckError, NotFoundError
from cruce.store.models import Document
from cruce.trust.checkpoint import Checkpoint, NoteError
from cruce.trust.jose import VerificationError, decode_compact
from cruce.trust.jsonld import jcs
from cruce.trust.pdf_seal import SealError, unseal
from cruce.trust.report import CheckName, Outcome, Report
from cruce.web import pages
from cruce.web.forms import FormProblems, refused_form

if TYPE_CHECKING:
    from starlette.datastructures import FormData

    from cruce.api.deps import Services
    from cruce.api.platform import Unit
    from cruce.store.repositories.documents import DocumentInfo
    from cruce.web.pages import Reader

router = APIRouter(include_in_schema=False)
PDF: Final = "application/pdf"
MAX_FORM_PARTS: Final = MAX_EVIDENCE_FILES + 4
"""The file, its receipt, the evidence files and the form token; more parts are refused."""
_FORM_REFUSED: Final = 400

QUESTIONS: Final[dict[CheckName, Message]] = {
    CheckName.INTEGRITY: _("Is the file exactly what was signed?"),
    CheckName.STATUS: _("Is it still in force?"),
    CheckName.ISSUER: _("Is the issuer known?"),
    CheckName.LOG: _("Is it in the transparency log?"),
}
ANSWERS: Final[dict[CheckName, dict[Outcome, Message]]] = {
    CheckName.INTEGRITY: {
        Outcome.PASSED: _("Yes: the signature verifies and not one byte has changed."),
        Outcome.FAILED: _("No: this file was changed after it was signed."),
        Outcome.NOT_CHECKED: _("Not checked: the issuer's key is not at hand."),
    },
    CheckName.STATUS: {
        Outcome.PASSED: _("Yes: valid, the issuer has not revoked it."),
        Outcome.FAILED: _("No: revoked, or its status cannot be trusted."),
        Outcome.NOT_CHECKED: _("Not checked: its status could not be read."),
    },
    CheckName.ISSUER: {
        Outcome.PASSED: _("Yes: signed with a key its issuer publishes."),
        Outcome.FAILED: _("No: who signed it cannot be established."),
        Outcome.NOT_CHECKED: _("Not checked: the issuer's identity is not established."),
    },
    CheckName.LOG: {
        Outcome.PASSED: _("Yes: it is in the issuer's public log."),
        Outcome.FAILED: _("No: its log record does not check out."),
        Outcome.NOT_CHECKED: _("Not checked: no log record came with it."),
    },
}
STATES: Final = {Outcome.PASSED: "ok", Outcome.FAILED: "bad", Outcome.NOT_CHECKED: "warn"}


# ---------------------------------------------------------------- the report as a page
@dataclass(frozen=True, slots=True)
class Line:
    """One check as the page shows it: the question, a yes or no, the sentence that explains."""

    name: str
    question: Message
    state: str
    answer: Message
    detail: Message


@dataclass(frozen=True, slots=True)
class Seen:
    """What the page shows besides the checks: who signed it, against which checkpoint."""

    did: str | None = None
    did_document: str | None = None
    checkpoint: dict[str, str] = field(default_factory=dict)
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """A verification as the page shows it: the verdict, its reason, the four lines."""

    state: str
    verdict: Message
    reason: Message
    lines: tuple[Line, ...]
    facts: dict[str, str]
    seen: Seen


def _reason(report: Report) -> tuple[str, Message, Message]:
    """The verdict's state, its words and the one sentence that says why."""
    failed = {c.name: c for c in report.checks if c.outcome is Outcome.FAILED}
    if CheckName.INTEGRITY in failed:
        return (
            "bad",
            _("Rejected"),
            _("This file was changed after it was signed, or its signature is not valid."),
        )
    if CheckName.STATUS in failed:
        return "bad", _("Rejected"), failed[CheckName.STATUS].detail
    if failed:
        return "bad", _("Rejected"), next(iter(failed.values())).detail
    if report.valid:
        return (
            "ok",
            _("Accepted"),
            _("The document is genuine, unchanged and issued by the organisation named below."),
        )
    missing = next(c for c in report.checks if c.outcome is Outcome.NOT_CHECKED)
    return "warn", _("Not established"), missing.detail


def result(report: Report, seen: Seen) -> Result:
    """The page's form of a report."""
    state, verdict, reason = _reason(report)
    lines = tuple(
        Line(
            c.name.value,
            QUESTIONS[c.name],
            STATES[c.outcome],
            ANSWERS[c.name][c.outcome],
            c.detail,
        )
        for c in report.checks
    )
    seen_checkpoint = seen.checkpoint if report.outcome(CheckName.LOG) is Outcome.PASSED else {}
    shown = Seen(seen.did, seen.did_document, seen_checkpoint, seen.digest)
    return Result(state, verdict, reason, lines, dict(report.facts), shown)


def _checkpoint(receipt: bytes | None) -> dict[str, str]:
    """The checkpoint a log receipt is proven against: origin, size, root hash (or nothing)."""
    if receipt is None:
        return {}
    try:
        note = str(json.loads(receipt)["checkpoint"])
        found = Checkpoint.from_body(note.split("\n\n", 1)[0] + "\n")
    except (ValueError, KeyError, TypeError, RecursionError, NoteError):
        return {}
    return {
        "origin": found.origin,
        "size": str(found.size),
        "root": base64.b64encode(found.root_hash).decode("ascii"),
    }


def _did_document(services: Services, did: str | None) -> str | None:
    """The path of the DID document this service publishes for ``did``, if it is one of ours."""
    if not did or ":orgs:" not in did:
        return None
    try:
        organisation_id = uuid.UUID(did.rsplit(":", 1)[1])
        ours = Address.of(services.settings.public_url, organisation_id).did
    except ValueError:
        return None
    return f"/orgs/{organisation_id}/did.json" if ours == did else None


def _issuer_of(credential: object) -> str | None:
    issuer = credential.get("issuer") if isinstance(credential, dict) else None
    did = issuer.get("id") if isinstance(issuer, dict) else issuer
    return did if isinstance(did, str) else None


def seen_in(services: Services, data: bytes, receipt: bytes | None) -> Seen:
    """The issuer's DID and the receipt's checkpoint, read from the file (best effort).

    The checks themselves are :func:`check_document`'s; this only names what they used.
    """
    if data.startswith(b"%PDF"):
        try:
            sealed = unseal(data)
        except SealError:
            return Seen()
        data, receipt = sealed.credential or b"", receipt or sealed.receipt
    if data.lstrip().startswith(b"eyJ") and b"~" in data:
        try:
            header, _signed = decode_compact(data.decode("ascii").strip().split("~", 1)[0])
        except (UnicodeDecodeError, ValueError, VerificationError):
            return Seen()
        kid = header.get("kid")
        did = str(kid).split("#", 1)[0] if kid else None
        return Seen(did, _did_document(services, did))
    try:
        credential = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Seen(checkpoint=_checkpoint(receipt))
    did = _issuer_of(credential)
    digest = None
    if isinstance(credential, dict):
        digest = _digest(credential)
    return Seen(did, _did_document(services, did), _checkpoint(receipt), digest)


def _digest(credential: dict[str, Any]) -> str | None:
    """The SHA-256 of the credential as logged, base64url: what the QR link ends with."""
    try:
        canonical = jcs(credential)
    except (ValueError, TypeError, RecursionError):
        return None
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()


# ---------------------------------------------------------------- the upload form
def _form_page(
    request: Request,
    who: Reader,
    problems: FormProblems | None = None,
    found: Result | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "problems": problems or FormProblems(),
        "result": found,
        "limit": services_limit(request),
    }
    return pages.render(request, who, "verify.html", context, status)


def services_limit(request: Request) -> str:
    """The largest file the page takes, as people write it (``20 MB``)."""
    return _size(request.app.state.services.settings.max_upload_bytes)


def _size(limit: int) -> str:
    mebibyte = 1024 * 1024
    return f"{limit // mebibyte} MB" if limit >= mebibyte else f"{limit // 1024} KB"


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, services: ServicesDep) -> Response:
    """The form: choose the file you received, send it, read the four checks."""
    who = pages.reader(services, request)
    return _form_page(request, who)


class _Refused(Exception):  # noqa: N818 - a refusal of the form, not an error of the service
    def __init__(self, name: str, message: Message, status: int) -> None:
        self.name, self.message, self.status = name, message, status
        super().__init__(str(message))


async def _read(part: object, limit: int, name: str, label: Message) -> bytes | None:
    """A file part's bytes (None when no file was chosen); _Refused past ``limit``."""
    if not isinstance(part, UploadFile):
        if part is None or part == "":
            return None
        raise _Refused(name, _("{field}: send a file, not text", field=label), 422)
    if not part.filename and not part.size:
        return None  # a browser sends an empty part for a file input left empty
    data = await part.read(limit + 1)
    if len(data) > limit:
        raise _Refused(
            name, _("{field} is larger than {size}", field=label, size=_size(limit)), 413
        )
    return data


async def _uploads(
    form: FormData, limit: int
) -> tuple[bytes, bytes | None, list[tuple[str, bytes]]]:
    """The file to check, its receipt and the evidence files; _Refused naming the field."""
    data = await _read(form.get("file"), limit, "file", _("The file to check"))
    if data is None:
        raise _Refused("file", _("Choose the file to check"), 422)
    if not data.strip():
        raise _Refused("file", _("The file to check is empty"), 422)
    receipt = await _read(form.get("receipt"), limit, "receipt", _("The log receipt"))
    evidence: list[tuple[str, bytes]] = []
    for part in form.getlist("evidence"):
        found = await _read(part, limit, "evidence", _("An evidence file"))
        if found is not None and isinstance(part, UploadFile):
            evidence.append((part.filename or "evidence.json", found))
    return data, receipt, evidence


def _check(
    services: Services, data: bytes, receipt: bytes | None, evidence: list[tuple[str, bytes]]
) -> Result:
    report = check_document(services, data, receipt, evidence)
    return result(report, seen_in(services, data, receipt))


@router.post("/verify", response_class=HTMLResponse)
async def verify_upload(request: Request, services: ServicesDep) -> Response:
    """The four checks of the uploaded file; the form again, 4xx, naming what is wrong."""
    who = await run_in_threadpool(pages.reader, services, request)
    if services.verify_limit is not None:
        services.verify_limit.check(request)
    limit = services.settings.max_upload_bytes
    try:
        async with request.form(max_files=MAX_FORM_PARTS, max_fields=MAX_FORM_PARTS) as form:
            token = form.get("csrf_token")
            if not pages.check_form(request, token if isinstance(token, str) else None):
                context = {"result": None, "limit": services_limit(request)}
                return refused_form(request, who, "verify.html", context)
            data, receipt, evidence = await _uploads(form, limit)
    except _Refused as refused:
        problems = FormProblems()
        problems.add(refused.name, refused.message)
        return _form_page(request, who, problems, status=refused.status)
    except (HTTPException, MultiPartException, ValueError):  # a malformed body, too many parts
        problems = FormProblems()
        problems.add("file", _("The upload could not be read; choose the file and send it again"))
        return _form_page(request, who, problems, status=_FORM_REFUSED)
    try:
        found = await run_in_threadpool(_check, services, data, receipt, evidence)
    except ApiError as error:  # verify.unreadable: not a document cruce signed
        problems = FormProblems()
        problems.add("file", error.message)
        return _form_page(request, who, problems, status=error.status)
    return _form_page(request, who, found=found)


# ---------------------------------------------------------------- the QR code's link
def issued_document(
    unit: Unit, organisation_id: uuid.UUID, credential_id: str
) -> DocumentInfo | None:
    """The stored document ``organisation_id`` issued as credential ``credential_id``."""
    found = unit.session.scalar(
        select(Document.id)
        .where(
            Document.created_by_organisation_id == organisation_id,
            Document.credential.is_not(None),
            Document.credential["id"].as_string() == credential_id,
        )
        .order_by(Document.created_at)
        .limit(1)
    )
    return None if found is None else unit.documents.get(found)


def _unknown_link() -> ApiError:
    return ApiError(
        404,
        "verify.link_unknown",
        _(
            "No document signed here matches this link. Check that the whole link was "
            "scanned, or upload the file you received."
        ),
    )


def _linked(
    services: Services, request: Request, org_id: str, credential_id: str
) -> tuple[Result, DocumentInfo]:
    """The verification of the document behind a QR link; ApiError 404 when there is none."""
    try:
        organisation_id = uuid.UUID(org_id)
    except ValueError:
        raise _unknown_link() from None
    if not credential_id.startswith("urn:uuid:") or len(credential_id) > 100:  # noqa: PLR2004
        raise _unknown_link()
    with services.store().reading() as unit:
        info = issued_document(unit, organisation_id, credential_id)
        if info is None or info.credential is None:
            raise _unknown_link()
        try:
            content = unit.documents.content(info.id) if info.media_type == PDF else None
        except (NotFoundError, IntegrityCheckError):
            content = None
    services.store().record_read(
        request,
        "document.verified_by_link",
        ("document", str(info.id)),
        (None, None),
        {"credential_id": credential_id},
    )
    receipt = None if info.receipt is None else json.dumps(info.receipt).encode()
    if content is not None:
        return _check(services, content, None, []), info
    credential = jcs(info.credential)
    return _check(services, credential, receipt, []), info


@router.get("/orgs/{org_id}/c/{credential_id:path}", response_class=HTMLResponse)
def verify_link(
    org_id: str, credential_id: str, request: Request, services: ServicesDep
) -> Response:
    """What the QR code printed on a document opens: its four checks, no upload needed."""
    who = pages.reader(services, request)
    try:
        if services.verify_limit is not None:
            services.verify_limit.check(request)
        found, info = _linked(services, request, org_id, credential_id)
    except ApiError as error:  # under /orgs/ errors would be problems: this one is a page
        response = pages.render(
            request, who, "error.html", {"problem": error.message}, error.status
        )
        response.headers.update(error.headers or {})
        return response
    context = {"result": found, "credential_id": credential_id, "sealed": info.media_type == PDF}
    return pages.render(request, who, "verify_link.html", context)
