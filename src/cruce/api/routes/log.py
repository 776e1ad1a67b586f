"""The service's transparency log, public: anyone checks what it holds, with no account.

- ``GET /log/checkpoint``: the latest signed checkpoint (a C2SP note, ``text/plain``).
- ``GET /log/vkey``: the verifier key that signs the checkpoints.
- ``GET /log/proof/inclusion?index=&size=``: entry ``index`` is in the tree of ``size``.
- ``GET /log/proof/consistency?old=&new=``: the tree of ``new`` extends that of ``old``.
- ``GET /log/entries/{index}``: one entry (and, for an audit head, what it anchors).

Hashes are base64. Sizes run up to the latest checkpoint's, so every proof can be checked
against a signed root; 404 before the first checkpoint. Rate-limited per client address
like public verification; nothing here reads a shipment or a document, so nothing is an
audit event.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse

from cruce.api.deps import Services, ServicesDep
from cruce.api.platform import Unit
from cruce.api.problems import ApiError, FieldError
from cruce.i18n import _
from cruce.store.repositories.transparency import AUDIT_HEAD, LogRangeError
from cruce.trust.checkpoint import SignedCheckpoint

router = APIRouter(prefix="/log", tags=["transparency log"])
NOTE_MEDIA_TYPE = "text/plain; charset=utf-8"


def b64(value: bytes) -> str:
    """A hash as the proofs carry it: standard base64."""
    return base64.b64encode(value).decode("ascii")


def rate_limited(request: Request, services: Services) -> None:
    """Counted against the public verification limit of the client's address."""
    if services.verify_limit is not None:
        services.verify_limit.check(request)


def _no_log() -> ApiError:
    return ApiError(404, "log.empty", _("The log has no signed checkpoint yet"))


def _latest(unit: Unit) -> SignedCheckpoint:
    latest = unit.transparency.latest_checkpoint()
    if latest is None:
        raise _no_log()
    return latest


def beyond(field: str, value: int, size: int) -> ApiError:
    """422: ``field`` asks for more than the latest checkpoint covers."""
    message = _(
        "{value} is beyond the latest checkpoint, which covers {size} entries",
        value=value,
        size=size,
    )
    return ApiError(422, "log.out_of_range", message, [FieldError(field, message)])


def _range_error(error: LogRangeError) -> ApiError:
    return ApiError(
        422, "log.out_of_range", error.message, [FieldError(error.field, error.message)]
    )


@router.get(
    "/checkpoint",
    summary="The latest signed checkpoint of the log",
    response_class=PlainTextResponse,
    responses={200: {"content": {NOTE_MEDIA_TYPE: {}}}},
)
def checkpoint(request: Request, services: ServicesDep) -> PlainTextResponse:
    """The C2SP signed note: origin, size, root hash, then the log key's signature."""
    rate_limited(request, services)
    with services.store().unit() as unit:
        latest = _latest(unit)
    return PlainTextResponse(latest.note, media_type=NOTE_MEDIA_TYPE)


@router.get("/vkey", summary="The key that signs the log's checkpoints")
def vkey(request: Request, services: ServicesDep) -> dict[str, str]:
    """The verifier key (``name+keyid+base64``) and the log's origin."""
    rate_limited(request, services)
    anchoring = services.store().anchoring
    if anchoring is None:
        raise _no_log()
    verifier = anchoring.signer.verifier()
    return {"origin": verifier.name, "vkey": verifier.vkey}


@router.get("/proof/inclusion", summary="Proof that an entry is in the log")
def inclusion(
    request: Request,
    services: ServicesDep,
    index: Annotated[int, Query(ge=0, description="The entry's index.")],
    size: Annotated[
        int | None, Query(ge=1, description="The tree size (default: the latest checkpoint's).")
    ] = None,
) -> dict[str, Any]:
    """The RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""
    rate_limited(request, services)
    with services.store().unit() as unit:
        covered = _latest(unit).checkpoint.size
        size = covered if size is None else size
        if size > covered:
            raise beyond("size", size, covered)
        try:
            proof = unit.transparency.inclusion_proof(index, size)
        except LogRangeError as error:
            raise _range_error(error) from None
    return {"index": index, "size": size, "hashes": [b64(h) for h in proof]}


@router.get("/proof/consistency", summary="Proof that the log only grew")
def consistency(
    request: Request,
    services: ServicesDep,
    old: Annotated[int, Query(ge=1, description="The older tree size.")],
    new: Annotated[
        int | None, Query(ge=1, description="The newer size (default: the latest checkpoint's).")
    ] = None,
) -> dict[str, Any]:
    """The RFC 9162 consistency proof from the tree of ``old`` entries to that of ``new``."""
    rate_limited(request, services)
    with services.store().unit() as unit:
        covered = _latest(unit).checkpoint.size
        new = covered if new is None else new
        if new > covered:
            raise beyond("new", new, covered)
        try:
            proof = unit.transparency.consistency_proof(old, new)
        except LogRangeError as error:
            raise _range_error(error) from None
    return {"old": old, "new": new, "hashes": [b64(h) for h in proof]}


@router.get("/entries/{index}", summary="One entry of the log")
def entry(
    request: Request,
    services: ServicesDep,
    index: Annotated[int, Path(ge=0, description="The entry's index.")],
) -> dict[str, Any]:
    """The 32-byte entry, its kind and time; for an audit head, the event id and chain hash."""
    rate_limited(request, services)
    with services.store().unit() as unit:
        covered = _latest(unit).checkpoint.size
        if index >= covered:
            raise beyond("index", index, covered)
        leaf = unit.transparency.entry(index)
        if leaf is None:
            raise ApiError(404, "log.entry_missing", _("The log has no entry {index}", index=index))
        body: dict[str, Any] = {
            "index": leaf.index,
            "entry": b64(bytes(leaf.entry)),
            "kind": leaf.kind,
            "created_at": leaf.created_at.isoformat(),
        }
        if leaf.kind == AUDIT_HEAD:
            anchor = unit.transparency.anchor_at(index)
            if anchor is not None:
                body["audit"] = {"event_id": anchor.audit_event_id, "head": anchor.audit_head}
    return body
