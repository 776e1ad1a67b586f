"""Who is asking: an API token (``Authorization: Bearer``) or a signed-in session cookie.

A token or a session is looked up by the digest of what the client presents (the secret
itself is never stored), refused when revoked or expired, and compared in constant time.
A request signed in by cookie that changes something must carry the session's CSRF token
in ``X-CSRF-Token`` (the double-submit pattern); a bearer token needs none, since a
browser never sends it by itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Final

from fastapi import Depends, Request

from cruce.api.deps import ServicesDep
from cruce.api.platform import Unit
from cruce.api.problems import ApiError
from cruce.i18n import _
from cruce.store.passwords import (
    TokenKind,
    parse_token,
    token_digest,
    verify_csrf_token,
    verify_token,
)

SESSION_COOKIE: Final = "cruce_session"
CSRF_HEADER: Final = "X-CSRF-Token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
TOUCH_EVERY: Final = timedelta(minutes=5)
"""How stale a token's "last used" time may be: a write on every request would serialise reads."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The user and organisation a request acts for, and how it proved it."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    via: str  # "token" or "session"
    session_id: uuid.UUID | None = None


def _unauthorised() -> ApiError:
    return ApiError(
        401,
        "auth.required",
        _("Sign in, or send an API token in the Authorization header"),
        headers={"WWW-Authenticate": "Bearer"},
    )


def _live(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
    return revoked_at is None and (expires_at is None or expires_at > now)


def _bearer(unit: Unit, presented: str, now: datetime) -> Principal:
    """The principal of an API token; ApiError 401 when it is not a live token of cruce's."""
    parsed = parse_token(presented)
    if parsed is None or parsed.kind is not TokenKind.API:
        raise _unauthorised()
    row = unit.tokens.find_by_lookup(parsed.lookup)
    if row is None or not verify_token(presented, row.token_hash):
        raise _unauthorised()
    if not _live(row.revoked_at, row.expires_at, now):
        raise _unauthorised()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        unit.tokens.touch(row.id)  # at most one write per token and period
    return Principal(row.user_id, row.organisation_id, "token")


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request presents to prove who it is, read from its headers alone."""

    bearer: str | None = field(default=None, repr=False)
    cookie: str | None = field(default=None, repr=False)
    csrf: str | None = field(default=None, repr=False)
    safe: bool = True
    """The method only reads (no CSRF token needed)."""


async def presented_credentials(request: Request) -> Credentials:
    """The request's token or session cookie; ApiError 401 when it presents neither.

    A coroutine: reading headers needs no thread. The database is asked later, in the
    route's own unit of work (:func:`authenticate`) or in :func:`current_principal`.
    """
    header = request.headers.get("authorization", "")
    scheme, _space, presented = header.partition(" ")
    bearer = presented.strip() if scheme.lower() == "bearer" and presented.strip() else None
    cookie = request.cookies.get(SESSION_COOKIE) or None
    if bearer is None and cookie is None:
        raise _unauthorised()
    return Credentials(
        bearer, cookie, request.headers.get(CSRF_HEADER), request.method in SAFE_METHODS
    )


def authenticate(unit: Unit, credentials: Credentials) -> Principal:
    """The principal of the credentials, looked up in ``unit``; ApiError 401 or 403."""
    now = datetime.now(UTC)
    if credentials.bearer is not None:
        return _bearer(unit, credentials.bearer, now)
    if credentials.cookie is None:
        raise _unauthorised()
    signed_in = unit.sessions.find_by_token_hash(token_digest(credentials.cookie))
    if signed_in is None or not _live(signed_in.revoked_at, signed_in.expires_at, now):
        raise _unauthorised()
    if not credentials.safe and not verify_csrf_token(credentials.csrf, signed_in.csrf_hash):
        raise ApiError(
            403,
            "auth.csrf",
            _("The request lacks the session's CSRF token ({header})", header=CSRF_HEADER),
        )
    organisations = unit.memberships.organisations_of(signed_in.user_id)
    if not organisations:
        raise _unauthorised()
    return Principal(signed_in.user_id, organisations[0][0], "session", signed_in.id)


CredentialsDep = Annotated[Credentials, Depends(presented_credentials)]


def current_principal(services: ServicesDep, credentials: CredentialsDep) -> Principal:
    """The request's principal, in a unit of its own; ApiError 401 without a valid one.

    Routes that read a shipment or a document authenticate inside their own unit instead
    (:func:`authenticate`): one unit of work per request, not two.
    """
    platform = services.platform
    if platform is None:
        raise _unauthorised()
    with platform.unit() as unit:
        return authenticate(unit, credentials)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
