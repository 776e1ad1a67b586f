"""The parties of a shipment, and invitations that make an organisation one of them.

Any party sees who takes part in a shipment: the owner and each organisation with its
roles. Only the owner invites: an invitation names a role and an expiry, and its token is
shown once, in the answer to the request that made it; only the token's SHA-256 digest is
stored. Whoever signs in and presents the token makes its organisation a party in that role;
an invitation is used at most once (a conditional UPDATE decides between two accepts).

A token that is malformed or unknown is a 404 (``invitation.not_found``); one that was used
or has expired is a 410 (``invitation.used``, ``invitation.expired``), so the person knows
to ask for a new one; the owner presenting its own invitation is a 409.

Both POSTs take an ``Idempotency-Key``, handled as ``POST /shipments`` does: the key is
claimed, the request run and its response stored in one transaction, so a retry gets the
first response (the invitation's token included) and never a second invitation. The stored
response is encrypted under the caller's organisation's key, since it holds the token.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Final, TypeVar

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from cruce.api import idempotency
from cruce.api.access import Action, shipment_access
from cruce.api.auth import CredentialsDep, Principal, PrincipalDep, authenticate
from cruce.api.deps import Services, ServicesDep
from cruce.api.problems import ApiError, FieldError
from cruce.i18n import _
from cruce.ingest.errors import issues_from_validation
from cruce.store.errors import InvitationUnavailableError
from cruce.store.models import PartyRole, utcnow
from cruce.store.passwords import MAX_TOKEN_LENGTH, TokenKind, new_token, parse_token, token_digest

if TYPE_CHECKING:
    from collections.abc import Callable

    from cruce.api.platform import Unit
    from cruce.store.models import Invitation

router = APIRouter(tags=["parties"])
_KEY_LENGTH: Final = 200
DEFAULT_HOURS: Final = 168
MAX_HOURS: Final = 720
Outcome = tuple[int, dict[str, Any], dict[str, str]]
"""What a POST's work returns: status, JSON body, headers."""
M = TypeVar("M", bound=BaseModel)


class InvitationRequest(BaseModel):
    """The body of ``POST /shipments/{id}/invitations``."""

    model_config = ConfigDict(extra="forbid")

    role: PartyRole
    expires_in_hours: int = Field(default=DEFAULT_HOURS, ge=1, le=MAX_HOURS)


class AcceptRequest(BaseModel):
    """The body of ``POST /invitations/accept``."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)


def _json_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads its JSON after authorising the caller.

    The model's ``$defs`` are written in place: the schema sits inside the OpenAPI
    document, where ``#/$defs/...`` would point nowhere.
    """
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:  # noqa: ANN401 - any JSON value
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline(schema)}},
        }
    }


def _body(model: type[M], data: bytes) -> M:
    """The JSON body as ``model``; 422 naming each field otherwise."""
    try:
        return model.model_validate_json(data or b"{}")
    except ValidationError as error:
        issues = issues_from_validation(error)
        raise ApiError(
            422,
            "request.invalid",
            _("Some fields are missing or not valid"),
            [FieldError(issue.path or "body", issue.message) for issue in issues],
        ) from None


def idempotent(
    unit: Unit,
    request: Request,
    response: Response,
    principal: Principal,
    key: str | None,
    data: bytes,
    run: Callable[[], Outcome],
) -> dict[str, Any]:
    """Run ``run`` once per Idempotency-Key, in the unit's transaction; replay it after that.

    The key is claimed, the work done and its response stored in the same transaction, as
    ``POST /shipments`` does: a repeat gets the first response; the same key with another
    body is a 422; while the first request runs, a 409. The stored response is encrypted
    under the caller's organisation's key (it may hold a secret, such as a token).
    """
    digest = hashlib.sha256(data).hexdigest()
    begun = idempotency.begin(unit, request, response, principal, key, digest, sealed=True)
    if begun.replay is not None:
        return begun.replay
    status, body, headers = run()
    idempotency.complete(unit, principal, begun, status, body, headers, sealed=True)
    response.status_code = status
    for name, value in headers.items():
        response.headers[name] = value
    return body


def parties_of(unit: Unit, shipment_id: uuid.UUID) -> list[dict[str, Any]]:
    """The owner, then each organisation that takes part, with its legal name and roles.

    The caller has checked that its principal may see the shipment.
    """
    owner = unit.shipments.get(shipment_id).owner_organisation_id
    roles: dict[uuid.UUID, list[str]] = {owner: []}
    for organisation, role in unit.shipments.parties(shipment_id):
        roles.setdefault(organisation, []).append(role.value)
    return [
        {
            "organisation_id": str(organisation),
            "name": unit.organisations.get(organisation).name,
            "owner": organisation == owner,
            "roles": sorted(held),
        }
        for organisation, held in roles.items()
    ]


@router.get("/shipments/{shipment_id}/parties", summary="Who takes part in a shipment")
def list_parties(
    shipment_id: uuid.UUID, request: Request, credentials: CredentialsDep, services: ServicesDep
) -> dict[str, Any]:
    """The owner, then each organisation that takes part, with its legal name and roles."""
    with services.store().reading() as unit:
        principal = authenticate(unit, credentials)
        shipment_access(unit, shipment_id, principal, Action.SEE)
        parties = parties_of(unit, shipment_id)
    services.store().record_read(
        request,
        "shipment.read",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
        {"view": "parties"},
    )
    return {"shipment_id": str(shipment_id), "parties": parties}


@router.post(
    "/shipments/{shipment_id}/invitations",
    status_code=201,
    summary="Invite an organisation into a shipment in a role",
    openapi_extra=_json_body(InvitationRequest),
)
async def create_invitation(
    shipment_id: uuid.UUID,
    request: Request,
    response: Response,
    principal: PrincipalDep,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(max_length=_KEY_LENGTH)] = None,
) -> dict[str, Any]:
    """A single-use invitation; its token is in this answer only (and in its replays)."""
    data = await request.body()
    return await run_in_threadpool(
        _invite, shipment_id, request, response, principal, services, idempotency_key, data
    )


def issue_invitation(
    unit: Unit,
    request: Request,
    principal: Principal,
    services: Services,
    shipment_id: uuid.UUID,
    asked: InvitationRequest,
) -> dict[str, Any]:
    """A new single-use invitation, audited; the answer holds its token (shown once).

    The caller has checked that its principal may invite (:data:`Action.INVITE`).
    """
    issued = new_token(TokenKind.INVITATION)
    expires_at = utcnow() + timedelta(hours=asked.expires_in_hours)
    invitation = unit.invitations.create(
        shipment_id, asked.role, issued.digest, principal.organisation_id, expires_at
    )
    unit.audit_event(
        request,
        "invitation.created",
        ("shipment", str(shipment_id)),
        (principal.user_id, principal.organisation_id),
        {"invitation": str(invitation.id), "role": asked.role.value},
    )
    public_url = services.settings.public_url.rstrip("/")
    return {
        "id": str(invitation.id),
        "shipment_id": str(shipment_id),
        "role": asked.role.value,
        "expires_at": expires_at.isoformat(),
        "token": issued.token,
        # in the fragment: a browser never sends it to a server or in a Referer
        "accept_url": f"{public_url}/invitations/accept#token={issued.token}",
    }


def _invite(
    shipment_id: uuid.UUID,
    request: Request,
    response: Response,
    principal: Principal,
    services: Services,
    idempotency_key: str | None,
    data: bytes,
) -> dict[str, Any]:
    with services.store().unit() as unit:
        # who may invite is decided before the body is looked at: no 422 leaks to a stranger
        shipment_access(unit, shipment_id, principal, Action.INVITE)
        asked = _body(InvitationRequest, data)

        def run() -> Outcome:
            body = issue_invitation(unit, request, principal, services, shipment_id, asked)
            return 201, body, {}

        return idempotent(unit, request, response, principal, idempotency_key, data, run)


@router.post(
    "/invitations/accept",
    summary="Join a shipment with an invitation's token",
    openapi_extra=_json_body(AcceptRequest),
)
async def accept_invitation(
    request: Request,
    response: Response,
    principal: PrincipalDep,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(max_length=_KEY_LENGTH)] = None,
) -> dict[str, Any]:
    """Make the caller's organisation a party in the invited role; the token is then used."""
    data = await request.body()
    return await run_in_threadpool(
        _accept, request, response, principal, services, idempotency_key, data
    )


def _not_found() -> ApiError:
    return ApiError(
        404,
        "invitation.not_found",
        _("This invitation does not exist; check that the whole link was copied"),
        [
            FieldError(
                "token", _("This invitation does not exist; check that the whole link was copied")
            )
        ],
    )


def _used() -> ApiError:
    return ApiError(
        410,
        "invitation.used",
        _("This invitation was used already; ask the shipment's owner for a new one"),
        [
            FieldError(
                "token",
                _("This invitation was used already; ask the shipment's owner for a new one"),
            )
        ],
    )


def _accept(
    request: Request,
    response: Response,
    principal: Principal,
    services: Services,
    idempotency_key: str | None,
    data: bytes,
) -> dict[str, Any]:
    asked = _body(AcceptRequest, data)
    with services.store().unit() as unit:

        def run() -> Outcome:
            body = accept_token(unit, request, principal, asked.token)
            return 200, body, {"Location": f"/api/v1/shipments/{body['shipment_id']}"}

        return idempotent(unit, request, response, principal, idempotency_key, data, run)


def offered_invitation(unit: Unit, token: str) -> Invitation:
    """The invitation of ``token``, used or not; ApiError 404 when malformed or unknown."""
    token = token.strip()
    parsed = parse_token(token)
    if parsed is None or parsed.kind is not TokenKind.INVITATION:
        raise _not_found()
    found = unit.invitations.find_by_token_hash(token_digest(token))
    if found is None:
        raise _not_found()
    return found


def _expired() -> ApiError:
    return ApiError(
        410,
        "invitation.expired",
        _("This invitation has expired; ask the shipment's owner for a new one"),
        [
            FieldError(
                "token",
                _("This invitation has expired; ask the shipment's owner for a new one"),
            )
        ],
    )


def accept_token(unit: Unit, request: Request, principal: Principal, token: str) -> dict[str, Any]:
    """Make the principal's organisation a party in the invited role, audited; the token is used.

    ApiError 404 (malformed or unknown), 409 (the owner's own), 410 (used or expired).
    """
    found = offered_invitation(unit, token)
    standing = unit.shipments.roles_of(found.shipment_id, principal.organisation_id)
    if standing is not None and standing[0]:
        raise ApiError(
            409,
            "invitation.own_shipment",
            _("Your organisation owns this shipment; send the invitation to a partner"),
        )
    if found.accepted_at is not None:
        raise _used()
    if found.expires_at <= utcnow():
        raise _expired()
    try:
        accepted = unit.invitations.accept(token_digest(token.strip()), principal.organisation_id)
    except InvitationUnavailableError:  # another request used it a moment ago
        raise _used() from None
    unit.audit_event(
        request,
        "invitation.accepted",
        ("shipment", str(accepted.shipment_id)),
        (principal.user_id, principal.organisation_id),
        {"invitation": str(accepted.id), "role": accepted.role.value},
    )
    return {
        "shipment_id": str(accepted.shipment_id),
        "organisation_id": str(principal.organisation_id),
        "role": accepted.role.value,
    }
