"""API tokens and browser sessions; only hashes of their secrets are stored."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from cruce.store.errors import DuplicateError, NotFoundError
from cruce.store.models import ApiToken, UserSession, utcnow

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session


class ApiTokenStore(Protocol):
    """API tokens, found by their public prefix."""

    def create(
        self,
        organisation_id: uuid.UUID,
        user_id: uuid.UUID,
        *,
        name: str,
        lookup: str,
        token_hash: str,
        scopes: Sequence[str],
        expires_at: datetime | None = None,
    ) -> ApiToken:
        """Store a new token; :class:`DuplicateError` when the prefix is taken."""
        ...

    def find_by_lookup(self, lookup: str) -> ApiToken | None:
        """The token with this prefix (revoked or expired ones too: the caller checks)."""
        ...

    def for_organisation(self, organisation_id: uuid.UUID) -> list[ApiToken]:
        """The organisation's tokens, newest first."""
        ...

    def revoke(self, token_id: uuid.UUID) -> None:
        """Refuse the token from now on."""
        ...

    def touch(self, token_id: uuid.UUID) -> None:
        """Record that the token was used now."""
        ...


class ApiTokenRepository:
    """:class:`ApiTokenStore` on SQLAlchemy."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def create(
        self,
        organisation_id: uuid.UUID,
        user_id: uuid.UUID,
        *,
        name: str,
        lookup: str,
        token_hash: str,
        scopes: Sequence[str],
        expires_at: datetime | None = None,
    ) -> ApiToken:
        """Store a new token; :class:`DuplicateError` when the prefix is taken."""
        token = ApiToken(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            user_id=user_id,
            name=name,
            lookup=lookup,
            token_hash=token_hash,
            scopes=list(scopes),
            created_at=self.clock(),
            expires_at=expires_at,
            last_used_at=None,
            revoked_at=None,
        )
        try:
            with self.session.begin_nested():
                self.session.add(token)
                self.session.flush()
        except IntegrityError as error:
            raise DuplicateError(f"token prefix {lookup} is taken") from error
        return token

    def find_by_lookup(self, lookup: str) -> ApiToken | None:
        """The token with this prefix (revoked or expired ones too: the caller checks)."""
        return self.session.scalars(select(ApiToken).where(ApiToken.lookup == lookup)).one_or_none()

    def for_organisation(self, organisation_id: uuid.UUID) -> list[ApiToken]:
        """The organisation's tokens, newest first."""
        return list(
            self.session.scalars(
                select(ApiToken)
                .where(ApiToken.organisation_id == organisation_id)
                .order_by(ApiToken.created_at.desc(), ApiToken.id)
            )
        )

    def _token(self, token_id: uuid.UUID) -> ApiToken:
        token = self.session.get(ApiToken, token_id)
        if token is None:
            raise NotFoundError("API token", token_id)
        return token

    def revoke(self, token_id: uuid.UUID) -> None:
        """Refuse the token from now on (the first revocation's time is kept)."""
        token = self._token(token_id)
        if token.revoked_at is None:
            token.revoked_at = self.clock()
            self.session.flush()

    def touch(self, token_id: uuid.UUID) -> None:
        """Record that the token was used now."""
        self._token(token_id).last_used_at = self.clock()
        self.session.flush()


class SessionStore(Protocol):
    """Signed-in browsers."""

    def create(
        self, token_hash: str, csrf_hash: str, user_id: uuid.UUID, expires_at: datetime
    ) -> UserSession:
        """Store a new session."""
        ...

    def find_by_token_hash(self, token_hash: str) -> UserSession | None:
        """The session (revoked or expired ones too: the caller checks)."""
        ...

    def revoke(self, session_id: uuid.UUID) -> None:
        """Sign the session out."""
        ...

    def revoke_all_for_user(self, user_id: uuid.UUID) -> int:
        """Sign every session of a user out; how many were open."""
        ...


class SessionRepository:
    """:class:`SessionStore` on SQLAlchemy."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def create(
        self, token_hash: str, csrf_hash: str, user_id: uuid.UUID, expires_at: datetime
    ) -> UserSession:
        """Store a new session."""
        row = UserSession(
            id=uuid.uuid4(),
            token_hash=token_hash,
            csrf_hash=csrf_hash,
            user_id=user_id,
            created_at=self.clock(),
            expires_at=expires_at,
            revoked_at=None,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def find_by_token_hash(self, token_hash: str) -> UserSession | None:
        """The session (revoked or expired ones too: the caller checks)."""
        return self.session.scalars(
            select(UserSession).where(UserSession.token_hash == token_hash)
        ).one_or_none()

    def revoke(self, session_id: uuid.UUID) -> None:
        """Sign the session out."""
        row = self.session.get(UserSession, session_id)
        if row is None:
            raise NotFoundError("session", session_id)
        if row.revoked_at is None:
            row.revoked_at = self.clock()
            self.session.flush()

    def revoke_all_for_user(self, user_id: uuid.UUID) -> int:
        """Sign every session of a user out; how many were open."""
        result = self.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=self.clock())
            .execution_options(synchronize_session="fetch")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
