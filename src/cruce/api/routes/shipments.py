"""Shipments: create, read, update (every version kept), list, and their readiness.

A shipment is created from its record as JSON (``application/json``) or YAML
(``application/yaml``), parsed by the same loader as ``cruce check`` (a bad field is a 422
naming its path, in the request's language). Only the owner and the organisations that
take part in a shipment see it; to anyone else it does not exist (404, not 403, so that
its existence does not leak). An update names the version it replaces in ``If-Match``
(the ETag of the last read): a stale update is refused (412) rather than lost. Every read
and write is an audit event.

``POST`` takes an ``Idempotency-Key``: the request is claimed, run and its response stored
in one transaction, so a retried request (a lost answer, a crash before the commit) gets
the first response, and never a second shipment.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from cruce.api import idempotency, uploads
from cruce.api.access import Action, not_found, shipment_access
from cruce.api.auth import CredentialsDep, Principal, PrincipalDep, authenticate
from cruce.api.deps import Services, ServicesDep
from cruce.api.problems import ONE_LINE, ApiError, FieldError
from cruce.artifacts.checklist import check
from cruce.i18n import _
from cruce.ingest.errors import InputError
from cruce.ingest.loader import parse_shipment
from cruce.store.errors import DuplicateReferenceError, NotFoundError, VersionConflictError
from cruce.store.repositories.shipments import InvalidCursorError

if TYPE_CHECKING:
    from cruce.api.platform import Unit
    from cruce.model import Shipment

router = APIRouter(tags=["shipments"])
_MEDIA: Final = {
    "application/json": "shipment.json",
    "application/yaml": "shipment.yaml",
    "application/x-yaml": "shipment.yaml",
    "text/yaml": "shipment.yaml",
}
_KEY_LENGTH: Final = 200
TAKEN: Final = _("Your organisation has a shipment with this reference already")


def _record(request: Request, data: bytes) -> Any:  # noqa: ANN401 - a Shipment
    """The record in the body (or a multipart upload's), parsed and validated; 4xx otherwise."""
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media == uploads.MEDIA_TYPE:  # a record part and its goods sheet
        return uploads.shipment_from_form(content_type, data)
    filename = _MEDIA.get(media)
    if filename is None:
        raise ApiError(
            415,
            "shipment.media_type",
            _("Send the record as application/json, application/yaml or multipart/form-data"),
        )
    try:
        return parse_shipment(data, filename=filename)
    except InputError as error:
        raise ApiError(
            422,
            "shipment.invalid",
            _("The record has {count} problems", count=len(error.issues)),
            [FieldError(issue.path or "body", issue.message) for issue in error.issues],
        ) from None


def _summary(item: Any) -> dict[str, Any]:  # noqa: ANN401 - a ShipmentSummary
    return {
        "id": str(item.id),
        "reference": item.reference,
        "direction": item.direction,
        "version": item.current_version,
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
    }


def store_new_shipment(
    unit: Unit, request: Request, principal: Principal, record: Shipment
) -> tuple[uuid.UUID, int]:
    """Store ``record`` as version 1, owned by the principal's organisation, and audit it.

    The API's POST and the web app's wizard both create shipments here; 409 when the
    organisation has a shipment with the same reference already.
    """
    try:
        shipment_id, version = unit.shipments.create(
            principal.organisation_id, record, principal.user_id
        )
    except DuplicateReferenceError:
        raise ApiError(
            409,
            "shipment.reference_taken",
            _("Your organisation has a shipment with this reference already"),
            [
                FieldError(
                    "reference",
                    _("Your organisation has a shipment with this reference already"),
                )
            ],
        ) from None
    unit.audit_event(
        request,
        "shipment.created",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
    )
    return shipment_id, version


def store_new_version(
    unit: Unit,
    request: Request,
    principal: Principal,
    shipment_id: uuid.UUID,
    record: Shipment,
    expected: int,
) -> int:
    """Store the next version of ``record`` if ``expected`` is current, and audit it.

    404 to whoever may not update the shipment; 412 when another version came in between.
    """
    shipment_access(unit, shipment_id, principal, Action.UPDATE)
    try:
        version: int = unit.shipments.add_version(
            shipment_id,
            record,
            principal.user_id,
            principal.organisation_id,
            expected_version=expected,
        )
    except VersionConflictError as error:
        raise ApiError(
            412,
            "shipment.version_stale",
            _("The shipment is at version {current}; read it again", current=error.current),
        ) from None
    unit.audit_event(
        request,
        "shipment.updated",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
    )
    return version


@router.post("/shipments", status_code=201, summary="Create a shipment from its record")
async def create_shipment(
    request: Request,
    response: Response,
    principal: PrincipalDep,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(max_length=_KEY_LENGTH)] = None,
) -> dict[str, Any]:
    """Store the record as version 1, owned by the caller's organisation."""
    data = await request.body()
    # parsing and the store are blocking work: off the event loop
    return await run_in_threadpool(
        _create, request, response, principal, services, idempotency_key, data
    )


def _create(
    request: Request,
    response: Response,
    principal: Principal,
    services: Services,
    idempotency_key: str | None,
    data: bytes,
) -> dict[str, Any]:
    record = _record(request, data)
    body_digest = hashlib.sha256(data).hexdigest()
    with services.store().unit() as unit:
        begun = idempotency.begin(unit, request, response, principal, idempotency_key, body_digest)
        if begun.replay is not None:
            return begun.replay
        shipment_id, version = store_new_shipment(unit, request, principal, record)
        body = {
            "id": str(shipment_id),
            "version": version,
            "reference": record.reference,
            "direction": record.direction,
        }
        headers = {"Location": f"/api/v1/shipments/{shipment_id}", "ETag": f'"{version}"'}
        idempotency.complete(unit, principal, begun, 201, body, headers)
    for name, value in headers.items():
        response.headers[name] = value
    return body


@router.get("/shipments", summary="The shipments your organisation takes part in")
def list_shipments(
    credentials: CredentialsDep,
    services: ServicesDep,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    direction: Annotated[str | None, Query(pattern=r"^(US-MX|MX-US)$")] = None,
    reference: Annotated[str | None, Query(min_length=1, max_length=60, pattern=ONE_LINE)] = None,
) -> dict[str, Any]:
    """A page of shipments, oldest first, and the cursor of the next page."""
    with services.store().reading() as unit:
        principal = authenticate(unit, credentials)
        try:
            page = unit.shipments.list(
                principal.organisation_id,
                cursor=cursor,
                limit=limit,
                direction=direction,
                reference_prefix=reference,
            )
        except InvalidCursorError:
            raise ApiError(
                422,
                "shipment.cursor_invalid",
                _("The cursor is not one this service gave"),
                [FieldError("cursor", _("The cursor is not one this service gave"))],
            ) from None
        return {"items": [_summary(item) for item in page.items], "next_cursor": page.next_cursor}


@router.get("/shipments/{shipment_id}", summary="A shipment's record")
def get_shipment(
    shipment_id: uuid.UUID,
    request: Request,
    credentials: CredentialsDep,
    services: ServicesDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """The current version of the record (or the one asked for), with its ETag.

    The record is sent as stored (canonical JSON, validated when written, its SHA-256
    checked on the way out), not parsed and serialised again.
    """
    with services.store().reading() as unit:
        principal = authenticate(unit, credentials)
        shipment_access(unit, shipment_id, principal, Action.READ_RECORD)
        try:
            info, current, record_json = unit.shipments.get_json(shipment_id, version)
        except NotFoundError:
            raise not_found() from None
    services.store().record_read(
        request,
        "shipment.read",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
    )
    head = json.dumps(
        {
            "id": str(shipment_id),
            "version": info.version,
            "current_version": current,
            "record_sha256": info.record_sha256,
            "created_at": info.created_at.isoformat(),
        }
    )
    body = head[:-1].encode() + b', "record": ' + record_json + b"}"
    return Response(body, media_type="application/json", headers={"ETag": f'"{current}"'})


@router.put("/shipments/{shipment_id}", summary="Store a new version of the record")
async def update_shipment(
    shipment_id: uuid.UUID,
    request: Request,
    response: Response,
    principal: PrincipalDep,
    services: ServicesDep,
    if_match: Annotated[str | None, Header(max_length=20)] = None,
) -> dict[str, Any]:
    """The next version; ``If-Match`` must name the current one (428 without, 412 if stale)."""
    if not if_match:
        raise ApiError(
            428, "shipment.if_match_required", _("Send If-Match with the version you change")
        )
    try:
        expected = int(if_match.strip().strip('W/"').strip('"'))
    except ValueError:
        raise ApiError(
            412, "shipment.version_stale", _("If-Match does not name a version of this shipment")
        ) from None
    data = await request.body()
    return await run_in_threadpool(
        _update, shipment_id, request, response, principal, services, expected, data
    )


def _update(
    shipment_id: uuid.UUID,
    request: Request,
    response: Response,
    principal: Principal,
    services: Services,
    expected: int,
    data: bytes,
) -> dict[str, Any]:
    record = _record(request, data)
    with services.store().unit() as unit:
        version = store_new_version(unit, request, principal, shipment_id, record, expected)
    response.headers["ETag"] = f'"{version}"'
    return {"id": str(shipment_id), "version": version}


@router.get("/shipments/{shipment_id}/readiness", summary="What each document still needs")
def readiness(
    shipment_id: uuid.UUID, request: Request, credentials: CredentialsDep, services: ServicesDep
) -> dict[str, Any]:
    """The readiness checklist of the current version (``cruce check --json``)."""
    with services.store().reading() as unit:
        principal = authenticate(unit, credentials)
        shipment_access(unit, shipment_id, principal, Action.READ_RECORD)
        stored = unit.shipments.get(shipment_id)
    services.store().record_read(
        request,
        "shipment.read",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
    )
    return check(stored.record).as_dict()
