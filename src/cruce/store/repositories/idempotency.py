"""Idempotency keys: the first request with a key runs; repeats get its stored response."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cruce.store.errors import NotFoundError
from cruce.store.models import IdempotencyKey, utcnow

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sqlalchemy.orm import Session


class IdempotencyState(enum.StrEnum):
    """What :meth:`IdempotencyRepository.begin` found."""

    NEW = "new"  # run the request, then complete()
    IN_PROGRESS = "in_progress"  # the first request has not finished: 409, retry later
    COMPLETED = "completed"  # replay the stored response
    CONFLICT = "conflict"  # the key was used for another request: 422


@dataclass(frozen=True, slots=True)
class IdempotencyOutcome:
    """The state of a key and, once completed, the response to replay."""

    state: IdempotencyState
    id: uuid.UUID
    status_code: int | None = None
    response_body: bytes | None = None
    response_headers: dict[str, str] = field(default_factory=dict)


class IdempotencyStore(Protocol):
    """Idempotency keys per principal."""

    def begin(
        self, principal: str, key: str, method: str, path: str, request_sha256: str
    ) -> IdempotencyOutcome:
        """Claim the key for this request, or report what it is already used for."""
        ...

    def complete(
        self,
        record_id: uuid.UUID,
        status_code: int,
        response_body: bytes,
        response_headers: dict[str, str],
    ) -> None:
        """Store the response of the request that claimed the key."""
        ...


class IdempotencyRepository:
    """:class:`IdempotencyStore` on SQLAlchemy; the unique (principal, key) decides races."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def begin(
        self, principal: str, key: str, method: str, path: str, request_sha256: str
    ) -> IdempotencyOutcome:
        """Claim the key for this request, or report what it is already used for."""
        row = IdempotencyKey(
            id=uuid.uuid4(),
            principal=principal,
            key=key,
            method=method.upper(),
            path=path,
            request_sha256=request_sha256,
            status_code=None,
            response_body=None,
            response_headers={},
            created_at=self.clock(),
            completed_at=None,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            pass
        else:
            return IdempotencyOutcome(IdempotencyState.NEW, row.id)
        found = self.session.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.principal == principal, IdempotencyKey.key == key
            )
        ).one()
        if (found.request_sha256, found.method, found.path) != (
            request_sha256,
            method.upper(),
            path,
        ):
            return IdempotencyOutcome(IdempotencyState.CONFLICT, found.id)
        if found.completed_at is None:
            return IdempotencyOutcome(IdempotencyState.IN_PROGRESS, found.id)
        return IdempotencyOutcome(
            IdempotencyState.COMPLETED,
            found.id,
            status_code=found.status_code,
            response_body=found.response_body,
            response_headers=dict(found.response_headers),
        )

    def complete(
        self,
        record_id: uuid.UUID,
        status_code: int,
        response_body: bytes,
        response_headers: dict[str, str],
    ) -> None:
        """Store the response of the request that claimed the key."""
        row = self.session.get(IdempotencyKey, record_id)
        if row is None:
            raise NotFoundError("idempotency key", record_id)
        row.status_code = status_code
        row.response_body = response_body
        row.response_headers = dict(response_headers)
        row.completed_at = self.clock()
        self.session.flush()

    def release(self, record_id: uuid.UUID) -> None:
        """Forget a key whose request failed before it had a response, so it may be retried."""
        row = self.session.get(IdempotencyKey, record_id)
        if row is not None and row.completed_at is None:
            self.session.delete(row)
            self.session.flush()
