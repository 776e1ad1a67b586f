"""A shipment's documents: pack and sign them, list them, download them and their credentials.

``POST /shipments/{id}/packs`` does what ``cruce pack --sign`` does on one machine: it
renders and validates every document of the current version (a record that is not ready
is a 422 naming each blocker's field), signs each as a verifiable credential of the owning
organisation (its issuer, :mod:`cruce.api.issuers`), logs it in the organisation's
transparency log, and stores every file encrypted under the owner's data key with its
credential and log receipt. The invoice is also stored as its SD-JWT, and as a
presentation of it with every price withheld: the one a carrier gets.

Who downloads what follows :mod:`cruce.api.access`: a document the caller's view may not
download does not exist for it (404). Every read and write is an audit event. The POST takes
an ``Idempotency-Key``: the request is claimed, run and its response stored in one
transaction, so a retry gets the first response and never a second set of documents.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from cruce.api import idempotency
from cruce.api.access import WITHOUT_PRICES, Action, ShipmentAccess, not_found, shipment_access
from cruce.api.auth import CredentialsDep, Principal, PrincipalDep, authenticate
from cruce.api.deps import Services, ServicesDep
from cruce.api.issuers import issuers_of
from cruce.api.problems import ApiError, FieldError
from cruce.artifacts.checklist import NotReadyError, pack
from cruce.artifacts.signing import without_prices
from cruce.i18n import _
from cruce.store.errors import NotFoundError
from cruce.trust.issuance import receipt_json

if TYPE_CHECKING:
    from cruce.api.platform import Unit
    from cruce.artifacts.checklist import Checklist, Pack
    from cruce.artifacts.signing import SignedPack
    from cruce.store.repositories.documents import DocumentInfo

router = APIRouter(tags=["documents"])
_KEY_LENGTH: Final = 200
SD_JWT_MEDIA_TYPE: Final = "application/sd-jwt"
SD_JWT_SUFFIX: Final = "_sd_jwt"
"""``commercial_invoice_sd_jwt``: the invoice as an SD-JWT, every claim disclosable."""
PRICE_FREE_SUFFIX: Final = "_without_prices"
"""``commercial_invoice_without_prices``: its presentation with every price withheld."""


class PackRequest(BaseModel):
    """What to pack: the current version, which the caller may name to be sure of it."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[
        int | None,
        Field(ge=1, description="The version you reviewed; 412 when it is no longer current."),
    ] = None


# ---------------------------------------------------------------- idempotency
def _replay(
    services: Services,
    request: Request,
    response: Response,
    principal: Principal,
    key: str | None,
    body_digest: str,
) -> dict[str, Any] | None:
    """The stored response of a completed key, looked at before the slow work; else None.

    Nothing is claimed here (a claim made to look is released in the same transaction):
    the request is claimed, run and completed in the one transaction that stores the
    documents.
    """
    if not key:
        return None
    with services.store().unit() as unit:
        begun = idempotency.begin(unit, request, response, principal, key, body_digest)
        if begun.claimed is not None:
            unit.idempotency.release(begun.claimed)
        return begun.replay


# ---------------------------------------------------------------- views
def _base_key(key: str) -> str:
    """The artifact a stored document belongs to (the invoice for its SD-JWT forms)."""
    return key.removesuffix(SD_JWT_SUFFIX).removesuffix(PRICE_FREE_SUFFIX)


def visible(access: ShipmentAccess, key: str) -> bool:
    """Whether the caller's view may download a document stored under ``key``."""
    if key.endswith(PRICE_FREE_SUFFIX) and access.view in WITHOUT_PRICES:
        return True
    return access.may_download(_base_key(key))


def _url(shipment_id: uuid.UUID, document_id: uuid.UUID) -> str:
    return f"/api/v1/shipments/{shipment_id}/documents/{document_id}"


def _item(info: DocumentInfo) -> dict[str, Any]:
    credential = info.credential or {}
    receipt = info.receipt or {}
    return {
        "id": str(info.id),
        "version": info.shipment_version,
        "artifact_key": info.artifact_key,
        "filename": info.filename,
        "media_type": info.media_type,
        "sha256": info.sha256,
        "size": info.size,
        "credential_id": credential.get("id"),
        "log_index": receipt.get("index"),
        "url": _url(info.shipment_id, info.id),
    }


def ascii_filename(filename: str) -> str:
    """A file name safe in a quoted header parameter: ASCII letters, digits, ``._-``."""
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", folded).strip("._") or "document"


def disposition(filename: str, kind: str = "attachment") -> str:
    """A Content-Disposition header: ``attachment`` (saved) or ``inline`` (shown)."""
    return (
        f'{kind}; filename="{ascii_filename(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


# ---------------------------------------------------------------- pack
def _not_ready(checklist: Checklist) -> ApiError:
    """422 with each blocker of a required document at its field."""
    seen: set[tuple[str, str]] = set()
    errors: list[FieldError] = []
    for status in checklist.statuses:
        if not status.requirement.required:
            continue
        for problem in status.blockers:
            if (problem.path, problem.code) not in seen:
                seen.add((problem.path, problem.code))
                errors.append(FieldError(problem.path or "record", problem.message))
    return ApiError(
        422,
        "shipment.not_ready",
        _("The shipment is not ready: {count} problems stop its documents", count=len(errors)),
        errors,
    )


def _stale(current: int) -> ApiError:
    return ApiError(
        412,
        "shipment.version_stale",
        _("The shipment is at version {current}; read it again", current=current),
    )


def _store(
    unit: Unit, shipment_id: uuid.UUID, version: int, signed: SignedPack, by_org: uuid.UUID
) -> list[DocumentInfo]:
    """Every signed file with its credential and receipt; the SD-JWT forms beside theirs."""
    stored: list[DocumentInfo] = []
    for packed in signed.pack.artifacts:
        key = packed.status.artifact.key
        rendered = packed.rendered
        issued = signed.credentials.get(key)
        stored.append(
            unit.documents.add(
                shipment_id,
                version,
                artifact_key=key,
                filename=rendered.filename,
                media_type=rendered.media_type,
                content=rendered.data,
                by_org=by_org,
                credential=None if issued is None else issued.credential,
                receipt=None if issued is None else json.loads(receipt_json(issued.receipt)),
            )
        )
        if issued is None or issued.sd_jwt is None:
            continue
        stem = PurePosixPath(rendered.filename).stem
        for suffix, name, token in (
            (SD_JWT_SUFFIX, f"{stem}.sd-jwt", issued.sd_jwt),
            (PRICE_FREE_SUFFIX, f"{stem}-without-prices.sd-jwt", without_prices(issued.sd_jwt)),
        ):
            stored.append(
                unit.documents.add(
                    shipment_id,
                    version,
                    artifact_key=key + suffix,
                    filename=name,
                    media_type=SD_JWT_MEDIA_TYPE,
                    content=token.encode("ascii"),
                    by_org=by_org,
                )
            )
    return stored


@router.post(
    "/shipments/{shipment_id}/packs",
    status_code=201,
    summary="Make, sign and store the shipment's documents",
)
async def create_pack(
    shipment_id: uuid.UUID,
    request: Request,
    response: Response,
    principal: PrincipalDep,
    services: ServicesDep,
    body: Annotated[PackRequest | None, Body()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=_KEY_LENGTH)] = None,
) -> dict[str, Any]:
    """Every document of the current version, signed by your organisation (owner only)."""
    data = await request.body()
    expected = None if body is None else body.version
    # rendering, signing and the store are blocking work: off the event loop
    return await run_in_threadpool(
        run_pack,
        shipment_id,
        request,
        response,
        principal,
        services,
        idempotency_key,
        hashlib.sha256(data).hexdigest(),
        expected,
    )


def run_pack(
    shipment_id: uuid.UUID,
    request: Request,
    response: Response,
    principal: Principal,
    services: Services,
    idempotency_key: str | None,
    body_digest: str,
    expected: int | None,
) -> dict[str, Any]:
    """Pack, sign and store the current version (owner only): the POST's work, also the web's.

    ApiError 422 ``shipment.not_ready`` naming each blocker, 412 when ``expected`` is not
    the current version, 409 when the record changed while its documents were made.
    """
    replayed = _replay(services, request, response, principal, idempotency_key, body_digest)
    if replayed is not None:
        return replayed
    platform = services.store()
    with platform.unit() as unit:
        shipment_access(unit, shipment_id, principal, Action.PACK)
        stored = unit.shipments.get(shipment_id)
    if expected is not None and expected != stored.version:
        raise _stale(stored.version)
    try:  # the slow part (1-2 s), outside any transaction
        packed: Pack = pack(stored.record)
    except NotReadyError as error:
        raise _not_ready(error.checklist) from None
    issuers = issuers_of(services)
    with platform.unit() as unit:  # committed on its own: the issuer's secret needs its key
        issuer = issuers.ensure(unit, principal.organisation_id)
    with platform.unit() as unit:
        begun = idempotency.begin(unit, request, response, principal, idempotency_key, body_digest)
        if begun.replay is not None:
            return begun.replay
        shipment_access(unit, shipment_id, principal, Action.PACK)
        current = unit.shipments.get(shipment_id).version
        if current != stored.version:
            raise ApiError(
                409,
                "shipment.changed_while_packing",
                _("The shipment changed while its documents were made; pack it again"),
            )
        signed = issuers.sign(unit, issuer, packed, now=datetime.now(UTC))
        documents = _store(unit, shipment_id, current, signed, principal.organisation_id)
        unit.audit_event(
            request,
            "documents.packed",
            ("shipment", str(shipment_id)),
            (principal.user_id, principal.organisation_id),
            {"version": str(current), "documents": str(len(documents))},
        )
        result = {
            "shipment_id": str(shipment_id),
            "version": current,
            "documents": [_item(info) for info in documents],
        }
        headers = {"Location": f"/api/v1/shipments/{shipment_id}/documents?version={current}"}
        idempotency.complete(unit, principal, begun, 201, result, headers)
    for name, value in headers.items():
        response.headers[name] = value
    return result


# ---------------------------------------------------------------- read
@router.get("/shipments/{shipment_id}/documents", summary="The documents you may download")
def list_documents(
    shipment_id: uuid.UUID,
    request: Request,
    credentials: CredentialsDep,
    services: ServicesDep,
    version: Annotated[int | None, Query(ge=1, description="Only this version's.")] = None,
) -> dict[str, Any]:
    """Every stored document your organisation's view of the shipment allows, oldest first.

    A carrier's list has the invoice only as its SD-JWT presentation without prices.
    """
    with services.store().reading() as unit:
        principal = authenticate(unit, credentials)
        access = shipment_access(unit, shipment_id, principal, Action.READ_DOCUMENTS)
        found = unit.documents.list(shipment_id, version)
    services.store().record_read(
        request,
        "documents.listed",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
    )
    items = [_item(info) for info in found if visible(access, info.artifact_key)]
    return {"shipment_id": str(shipment_id), "documents": items}


def find_document(
    unit: Unit, shipment_id: uuid.UUID, document_id: uuid.UUID, principal: Principal
) -> DocumentInfo:
    """The document, when it is this shipment's and the caller's view may download it."""
    access = shipment_access(unit, shipment_id, principal, Action.READ_DOCUMENTS)
    try:
        info = unit.documents.get(document_id)
    except NotFoundError:
        raise not_found() from None
    if info.shipment_id != shipment_id or not visible(access, info.artifact_key):
        raise not_found()
    return info


@router.get(
    "/shipments/{shipment_id}/documents/{document_id}",
    summary="A document's file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(
    shipment_id: uuid.UUID,
    document_id: uuid.UUID,
    request: Request,
    credentials: CredentialsDep,
    services: ServicesDep,
) -> Response:
    """The file as stored (decrypted, its SHA-256 checked), as an attachment."""
    with services.store().reading() as unit:
        principal = authenticate(unit, credentials)
        info = find_document(unit, shipment_id, document_id, principal)
        content = unit.documents.content(document_id)
    services.store().record_read(
        request,
        "document.read",
        ("document", str(document_id)),
        (principal.user_id, principal.organisation_id),
        {"shipment_id": str(shipment_id), "artifact_key": info.artifact_key},
    )
    return Response(
        content,
        media_type=info.media_type,
        headers={"Content-Disposition": disposition(info.filename), "ETag": f'"{info.sha256}"'},
    )


@router.get(
    "/shipments/{shipment_id}/documents/{document_id}/credential",
    summary="A document's verifiable credential",
)
def credential(
    shipment_id: uuid.UUID,
    document_id: uuid.UUID,
    request: Request,
    credentials: CredentialsDep,
    services: ServicesDep,
) -> JSONResponse:
    """The signed credential (W3C VC 2.0) of the document; 404 for a file that has none."""
    with services.store().reading() as unit:
        principal = authenticate(unit, credentials)
        info = find_document(unit, shipment_id, document_id, principal)
        if info.credential is None:
            raise not_found()
    services.store().record_read(
        request,
        "document.credential_read",
        ("document", str(document_id)),
        (principal.user_id, principal.organisation_id),
        {"shipment_id": str(shipment_id), "artifact_key": info.artifact_key},
    )
    return JSONResponse(info.credential)
