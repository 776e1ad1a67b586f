"""The Idempotency-Key of a POST: run the request once, replay its response after that.

A route claims the key, does its work and stores its response in one transaction of the
unit of work, so a crash before the commit leaves no claim and no effect, and a retry after
it gets the first response. The same key with another body is a 422; while the first
request runs, a 409. Keys are per user of an organisation. A response that may hold a
secret (an invitation's token) is stored encrypted under the organisation's data key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cruce.api.problems import ApiError
from cruce.i18n import _
from cruce.store.ports import aad
from cruce.store.repositories.idempotency import IdempotencyState

if TYPE_CHECKING:
    import uuid

    from fastapi import Request, Response

    from cruce.api.auth import Principal
    from cruce.api.platform import Unit


@dataclass(frozen=True, slots=True)
class Begun:
    """What a key allows: replay a stored response, or run under this claim (or no claim)."""

    replay: dict[str, Any] | None = None
    claimed: uuid.UUID | None = None


def begin(
    unit: Unit,
    request: Request,
    response: Response,
    principal: Principal,
    key: str | None,
    body_digest: str,
    *,
    sealed: bool = False,
) -> Begun:
    """Claim ``key`` for this request; a completed key's response is set on ``response``."""
    if not key:
        return Begun()
    outcome = unit.idempotency.begin(
        f"{principal.organisation_id}:{principal.user_id}",
        key,
        "POST",
        request.url.path,
        body_digest,
    )
    if outcome.state is IdempotencyState.COMPLETED and outcome.response_body is not None:
        stored = outcome.response_body
        if sealed:
            stored = unit.cipher.decrypt(
                principal.organisation_id, stored, aad("idempotency", outcome.id)
            )
        response.status_code = outcome.status_code or 201
        for name, value in outcome.response_headers.items():
            response.headers[name] = value
        replayed: dict[str, Any] = json.loads(stored)
        return Begun(replay=replayed)
    if outcome.state is IdempotencyState.CONFLICT:
        raise ApiError(
            422, "idempotency.key_reused", _("This Idempotency-Key was used for another request")
        )
    if outcome.state is IdempotencyState.IN_PROGRESS:
        raise ApiError(
            409, "idempotency.in_progress", _("The first request with this key is still running")
        )
    return Begun(claimed=outcome.id)


def complete(
    unit: Unit,
    principal: Principal,
    begun: Begun,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    *,
    sealed: bool = False,
) -> None:
    """Store the response of a claimed request, in the unit's transaction (nothing unclaimed)."""
    if begun.claimed is None:
        return
    stored = json.dumps(body).encode()
    if sealed:
        stored = unit.cipher.encrypt(
            principal.organisation_id, stored, aad("idempotency", begun.claimed)
        )
    unit.idempotency.complete(begun.claimed, status, stored, headers)
