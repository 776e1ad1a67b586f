"""Accounts, sign-in sessions and API tokens.

- ``POST /accounts``: a person signs up with their organisation (they become its owner).
- ``POST /sessions``: sign in; the session cookie is HttpOnly, SameSite=Lax and Secure over
  HTTPS, and the response carries the CSRF token to send back in ``X-CSRF-Token``.
  Rate-limited per address; a wrong address and a wrong password get the same answer in
  the same time.
- ``DELETE /sessions/current``: sign out.
- ``POST /tokens``: an API token for the caller's organisation, shown once.
- ``GET /me``: who the request acts for.

Every change is an audit event (who, what, when, from where).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from cruce.api import idempotency
from cruce.api.auth import SESSION_COOKIE, Principal, PrincipalDep
from cruce.api.deps import Services, ServicesDep
from cruce.api.problems import ONE_LINE, ApiError, FieldError
from cruce.i18n import _
from cruce.store.errors import DuplicateError
from cruce.store.models.accounts import MembershipRole, UserLocale
from cruce.store.passwords import (
    PasswordPolicyError,
    TokenKind,
    check_password_policy,
    hash_password,
    new_csrf_token,
    new_token,
    verify_password,
)

router = APIRouter(tags=["accounts"])
SESSION_LIFETIME: Final = timedelta(hours=12)
TOKEN_LIFETIME: Final = timedelta(days=365)


class _Body(BaseModel):
    # Nothing is stripped: a value is checked as sent, so one longer than the schema's
    # maxLength is refused even when only its surrounding spaces made it so (found by the
    # API fuzzer), and a password is never changed. The web forms strip what people type.
    model_config = ConfigDict(extra="forbid")


class NewOrganisation(_Body):
    """The organisation a person signs up with."""

    name: Annotated[str, Field(min_length=1, max_length=300, pattern=ONE_LINE)]
    tax_scheme: Annotated[str, Field(pattern=r"^(us_ein|mx_rfc|foreign)$")]
    tax_id: Annotated[str, Field(min_length=1, max_length=40, pattern=ONE_LINE)]


class SignUp(_Body):
    """A new account and its organisation."""

    email: EmailStr
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=ONE_LINE)]
    locale: UserLocale = UserLocale.EN
    organisation: NewOrganisation


class SignIn(_Body):
    """An address and its password."""

    email: EmailStr
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class NewToken(_Body):
    """A name for the token, to tell it apart when revoking."""

    name: Annotated[str, Field(min_length=1, max_length=100, pattern=ONE_LINE)]


@router.post("/accounts", status_code=201, summary="Sign up with your organisation")
def sign_up(body: SignUp, request: Request, services: ServicesDep) -> dict[str, Any]:
    """A new user, owner of a new organisation."""
    user_id, organisation_id = create_account(services, request, body)
    return {"user_id": str(user_id), "organisation_id": str(organisation_id)}


def create_account(
    services: Services, request: Request, body: SignUp
) -> tuple[uuid.UUID, uuid.UUID]:
    """A new user, owner of a new organisation: their ids; ApiError 409/422 with the field."""
    platform = services.store()
    try:
        check_password_policy(body.password)
    except PasswordPolicyError as error:
        raise ApiError(
            422, error.code, error.message, [FieldError("password", error.message)]
        ) from None
    with platform.unit() as unit:
        organisation_id = unit.organisations.create(
            body.organisation.name, body.organisation.tax_scheme, body.organisation.tax_id
        )
        try:
            user = unit.users.create(
                str(body.email), body.name, hash_password(body.password), body.locale
            )
        except DuplicateError:
            raise ApiError(
                409,
                "account.email_taken",
                _("An account with this e-mail address exists already"),
                [FieldError("email", _("An account with this e-mail address exists already"))],
            ) from None
        unit.memberships.add(user.id, organisation_id, MembershipRole.OWNER)
        unit.audit_event(
            request,
            "account.created",
            ("user", str(user.id)),
            (user.id, organisation_id),
            {"organisation_id": str(organisation_id)},
        )
        return user.id, organisation_id


def _bad_credentials() -> ApiError:
    return ApiError(401, "auth.invalid", _("The e-mail address or the password is not right"))


@dataclass(frozen=True, slots=True)
class OpenedSession:
    """A new session: the cookie's value, the CSRF token that goes with it, its end."""

    token: str = field(repr=False)
    csrf_token: str = field(repr=False)
    expires_at: datetime


def open_session(services: Services, request: Request, body: SignIn) -> OpenedSession:
    """Check the password and open a session; ApiError 401 (or 429 when rate-limited)."""
    if services.login_limit is not None:
        services.login_limit.check(request)
    platform = services.store()
    with platform.unit() as unit:
        user = unit.users.find_by_email(str(body.email))
        hashed = None if user is None or user.disabled_at is not None else user.password_hash
        if not verify_password(hashed, body.password) or user is None:
            raise _bad_credentials()
        token, csrf = new_token(TokenKind.SESSION), new_csrf_token()
        expires = datetime.now(UTC) + SESSION_LIFETIME
        unit.sessions.create(token.digest, csrf.digest, user.id, expires)
        unit.audit_event(
            request,
            "session.created",
            ("user", str(user.id)),
            (user.id, None),
            {},
        )
    return OpenedSession(token.token, csrf.token, expires)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, for the whole site."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
        path="/",
    )


@router.post("/sessions", status_code=201, summary="Sign in")
def sign_in(
    body: SignIn, request: Request, response: Response, services: ServicesDep
) -> dict[str, Any]:
    """A session cookie and the CSRF token that goes with it."""
    opened = open_session(services, request, body)
    set_session_cookie(request, response, opened.token)
    return {"csrf_token": opened.csrf_token, "expires_at": opened.expires_at.isoformat()}


def end_session(services: Services, request: Request, principal: Principal) -> None:
    """Revoke the principal's session (nothing for a token) and audit it."""
    if principal.session_id is None:
        return
    with services.store().unit() as unit:
        unit.sessions.revoke(principal.session_id)
        unit.audit_event(
            request,
            "session.ended",
            ("user", str(principal.user_id)),
            (principal.user_id, principal.organisation_id),
            {},
        )


@router.delete("/sessions/current", status_code=204, summary="Sign out")
def sign_out(
    principal: PrincipalDep, request: Request, response: Response, services: ServicesDep
) -> None:
    """The session ends; its cookie is cleared."""
    end_session(services, request, principal)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.post("/tokens", status_code=201, summary="Create an API token (shown once)")
def create_token(
    body: NewToken,
    principal: PrincipalDep,
    request: Request,
    response: Response,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    """A token for the caller's organisation; only its digest is kept.

    With an ``Idempotency-Key`` a retry gets the same token back (its answer is kept
    encrypted under the organisation's key) rather than a second token.
    """
    issued = new_token(TokenKind.API)
    expires = datetime.now(UTC) + TOKEN_LIFETIME
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    with services.store().unit() as unit:
        begun = idempotency.begin(
            unit, request, response, principal, idempotency_key, digest, sealed=True
        )
        if begun.replay is not None:
            return begun.replay
        row = unit.tokens.create(
            principal.organisation_id,
            principal.user_id,
            name=body.name,
            lookup=issued.lookup,
            token_hash=issued.digest,
            scopes=["shipments"],
            expires_at=expires,
        )
        unit.audit_event(
            request,
            "token.created",
            ("api_token", str(row.id)),
            (principal.user_id, principal.organisation_id),
            {"name": body.name},
        )
        answer = {"id": str(row.id), "token": issued.token, "expires_at": expires.isoformat()}
        idempotency.complete(unit, principal, begun, 201, answer, {}, sealed=True)
        return answer


@router.get("/me", summary="Who this request acts for")
def me(principal: PrincipalDep, services: ServicesDep) -> dict[str, Any]:
    """The user and the organisation, as the service knows them."""
    with services.store().unit() as unit:
        user = unit.users.get(principal.user_id)
        organisation = unit.organisations.get(principal.organisation_id)
        if user is None:
            raise ApiError(404, "not_found", _("Not found"))
        return {
            "user": {"id": str(user.id), "email": user.email, "name": user.name},
            "organisation": {"id": str(organisation.id), "name": organisation.name},
            "via": principal.via,
        }
