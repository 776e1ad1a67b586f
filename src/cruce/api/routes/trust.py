"""The public trust evidence of the organisations the service signs for: no account needed.

Each organisation that has packed is an issuer known as ``did:web:<host>:orgs:<id>``
(:mod:`cruce.api.issuers`); what a verifier needs to check its documents is public:

- ``GET /orgs/{id}/did.json`` (at the root, where did:web resolution looks): its DID
  document, every key it signed with, and its legal name and tax identifier;
- ``GET /orgs/{id}/status/1`` (also at the root: the credentials name it): its signed
  revocation status list;
- under ``/api/v1``, its own transparency log: ``/orgs/{id}/log/checkpoint`` (a C2SP
  signed note), ``/orgs/{id}/log/vkey``, and the inclusion and consistency proofs
  ``/orgs/{id}/log/proof/inclusion?index=&size=`` and ``…/consistency?old=&new=``
  (hashes base64; sizes up to the latest checkpoint's).

An organisation without an issuer yet is a 404. Rate-limited per client address like public
verification; nothing here reads a shipment or a document, so nothing is an audit event.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from cruce.api.deps import Services, ServicesDep
from cruce.api.issuers import Issuer, issuers_of
from cruce.api.problems import ApiError
from cruce.api.routes.log import b64, beyond, rate_limited
from cruce.i18n import _

if TYPE_CHECKING:
    from cruce.trust.log import TransparencyLog

public_router = APIRouter(tags=["trust"], include_in_schema=False)
"""Routes at the root of the service: did:web resolution and the status lists (standard
addresses the credentials name, so they stay out of the ``/api/v1`` description)."""
router = APIRouter(prefix="/orgs/{org_id}/log", tags=["trust"])
"""The issuers' transparency logs, under ``/api/v1``."""
DID_MEDIA_TYPE: Final = "application/did+json"
NOTE_MEDIA_TYPE: Final = "text/plain; charset=utf-8"


def _issuer(services: Services, org_id: uuid.UUID) -> Issuer:
    """The organisation's issuer; 404 when it has none."""
    found = issuers_of(services).get(org_id)
    if found is None:
        raise ApiError(404, "issuer.not_found", _("This organisation has signed nothing here"))
    return found


def _passphrase(services: Services, issuer: Issuer) -> str:
    with services.store().unit() as unit:
        return issuer.passphrase(unit)


@public_router.get(
    "/orgs/{org_id}/did.json",
    summary="An organisation's DID document (did:web)",
    responses={200: {"content": {DID_MEDIA_TYPE: {}}}},
)
def did_document(org_id: uuid.UUID, request: Request, services: ServicesDep) -> JSONResponse:
    """Every key the organisation signs with, retired ones too, and who it is."""
    rate_limited(request, services)
    return JSONResponse(_issuer(services, org_id).did_document(), media_type=DID_MEDIA_TYPE)


@public_router.get("/orgs/{org_id}/status/1", summary="An organisation's revocation status list")
def status_list(org_id: uuid.UUID, request: Request, services: ServicesDep) -> dict[str, Any]:
    """The Bitstring Status List credential the organisation last signed."""
    rate_limited(request, services)
    found = _issuer(services, org_id).status_list_credential()
    if found is None:
        raise ApiError(404, "issuer.not_found", _("This organisation has signed nothing here"))
    return found


@router.get(
    "/checkpoint",
    summary="The latest signed checkpoint of an organisation's log",
    response_class=PlainTextResponse,
    responses={200: {"content": {NOTE_MEDIA_TYPE: {}}}},
)
def checkpoint(org_id: uuid.UUID, request: Request, services: ServicesDep) -> PlainTextResponse:
    """The C2SP signed note: origin, size, root hash, then the log key's signature."""
    rate_limited(request, services)
    issuer = _issuer(services, org_id)
    passphrase = _passphrase(services, issuer)
    with issuer.lock, issuer.open_log(passphrase) as log:
        note = log.checkpoint().note
    return PlainTextResponse(note, media_type=NOTE_MEDIA_TYPE)


@router.get("/vkey", summary="The key that signs an organisation's log checkpoints")
def vkey(org_id: uuid.UUID, request: Request, services: ServicesDep) -> dict[str, str]:
    """The verifier key (``name+keyid+base64``) and the log's origin."""
    rate_limited(request, services)
    issuer = _issuer(services, org_id)
    found = issuer.vkey()
    if found is None:
        raise ApiError(404, "issuer.not_found", _("This organisation has signed nothing here"))
    return {"origin": issuer.log_origin, "vkey": found}


def _covered(log: TransparencyLog) -> int:
    return log.checkpoint().checkpoint.size


@router.get("/proof/inclusion", summary="Proof that an entry is in an organisation's log")
def inclusion(
    org_id: uuid.UUID,
    request: Request,
    services: ServicesDep,
    index: Annotated[int, Query(ge=0, description="The entry's index.")],
    size: Annotated[
        int | None, Query(ge=1, description="The tree size (default: the latest checkpoint's).")
    ] = None,
) -> dict[str, Any]:
    """The RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""
    rate_limited(request, services)
    issuer = _issuer(services, org_id)
    passphrase = _passphrase(services, issuer)
    with issuer.lock, issuer.open_log(passphrase) as log:
        covered = _covered(log)
        size = covered if size is None else size
        if size > covered:
            raise beyond("size", size, covered)
        if index >= size:
            raise beyond("index", index, size)
        proof = log.inclusion_proof(index, size)
    return {"index": index, "size": size, "hashes": [b64(h) for h in proof]}


@router.get("/proof/consistency", summary="Proof that an organisation's log only grew")
def consistency(
    org_id: uuid.UUID,
    request: Request,
    services: ServicesDep,
    old: Annotated[int, Query(ge=1, description="The older tree size.")],
    new: Annotated[
        int | None, Query(ge=1, description="The newer size (default: the latest checkpoint's).")
    ] = None,
) -> dict[str, Any]:
    """The RFC 9162 consistency proof from the tree of ``old`` entries to that of ``new``."""
    rate_limited(request, services)
    issuer = _issuer(services, org_id)
    passphrase = _passphrase(services, issuer)
    with issuer.lock, issuer.open_log(passphrase) as log:
        covered = _covered(log)
        new = covered if new is None else new
        if new > covered:
            raise beyond("new", new, covered)
        if old > new:
            raise beyond("old", old, new)
        proof = log.consistency_proof(old, new)
    return {"old": old, "new": new, "hashes": [b64(h) for h in proof]}
