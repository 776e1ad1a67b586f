"""The store as the routes reach it: one database session and its repositories per request.

:class:`Platform` is built once by the application factory (an engine, a sessionmaker and
the KMS); :meth:`Platform.unit` opens a :class:`Unit` for one request: it commits when the
block ends normally and rolls back when it raises, so a failed request leaves nothing half
written.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from cruce.api.anchoring import Anchoring
from cruce.api.problems import ApiError
from cruce.api.read_audit import AuditUnavailableError, ReadAudit
from cruce.config import Environment
from cruce.i18n import _
from cruce.store.crypto import Envelope, KeyCache, LocalKms
from cruce.store.db import make_engine, make_sessionmaker
from cruce.store.migrations_api import upgrade
from cruce.store.repositories.accounts import (
    MembershipRepository,
    OrganisationRepository,
    UserRepository,
)
from cruce.store.repositories.audit import AuditLog, NewEvent
from cruce.store.repositories.auth import ApiTokenRepository, SessionRepository
from cruce.store.repositories.documents import DocumentRepository
from cruce.store.repositories.idempotency import IdempotencyRepository
from cruce.store.repositories.invitations import InvitationRepository
from cruce.store.repositories.keys import DataKeyRepository
from cruce.store.repositories.shipments import ShipmentRepository
from cruce.store.repositories.transparency import TransparencyRepository

if TYPE_CHECKING:
    import uuid
    from collections.abc import Iterator, Sequence

    from fastapi import Request
    from sqlalchemy.orm import Session, sessionmaker

    from cruce.config import Settings
    from cruce.store.crypto import Kms


@dataclass
class Unit:
    """One request's database session and the repositories on it."""

    session: Session
    kms: Kms
    anchoring: Anchoring | None = None
    """The log key and the anchoring schedule (None: audit heads are not anchored)."""
    keys: KeyCache | None = None
    """The process's unwrapped data keys, shared by the units (None: this unit's own)."""
    audit_events: int = field(default=0, init=False)
    """Audit events this unit wrote (the anchoring schedule counts them)."""

    @cached_property
    def cipher(self) -> Envelope:
        """Envelope encryption with the data keys stored in this session."""
        return Envelope(self.kms, DataKeyRepository(self.session), shared=self.keys)

    @cached_property
    def organisations(self) -> OrganisationRepository:
        """Organisations (tax identifiers encrypted)."""
        return OrganisationRepository(self.session, self.cipher)

    @cached_property
    def users(self) -> UserRepository:
        """User accounts."""
        return UserRepository(self.session)

    @cached_property
    def memberships(self) -> MembershipRepository:
        """Who belongs to which organisation, in which role."""
        return MembershipRepository(self.session)

    @cached_property
    def tokens(self) -> ApiTokenRepository:
        """API tokens, stored as digests."""
        return ApiTokenRepository(self.session)

    @cached_property
    def sessions(self) -> SessionRepository:
        """Signed-in browser sessions, stored as digests."""
        return SessionRepository(self.session)

    @cached_property
    def shipments(self) -> ShipmentRepository:
        """Shipments, every version kept, records encrypted under the owner's key."""
        return ShipmentRepository(self.session, self.cipher)

    @cached_property
    def documents(self) -> DocumentRepository:
        """Rendered documents, their bytes encrypted under the shipment owner's key."""
        return DocumentRepository(self.session, self.cipher)

    @cached_property
    def invitations(self) -> InvitationRepository:
        """Single-use invitations of organisations into shipments."""
        return InvitationRepository(self.session)

    @cached_property
    def idempotency(self) -> IdempotencyRepository:
        """Idempotency keys of POST requests."""
        return IdempotencyRepository(self.session)

    @cached_property
    def audit(self) -> AuditLog:
        """The append-only, hash-chained audit log."""
        return AuditLog(self.session)

    @cached_property
    def transparency(self) -> TransparencyRepository:
        """The service's transparency log, where the audit log's heads are anchored."""
        return TransparencyRepository(self.session)

    def audit_event(
        self,
        request: Request,
        action: str,
        target: tuple[str, str],
        actor: tuple[uuid.UUID | None, uuid.UUID | None],
        detail: dict[str, str] | None = None,
    ) -> None:
        """Who (user, organisation) did what to what, from which address, in which request.

        The event commits with this unit's other writes; a read that writes nothing
        records its event with :meth:`Platform.record_read` instead.
        """
        self.append_events([request_event(request, action, target, actor, detail)])

    def append_events(self, events: Sequence[NewEvent]) -> None:
        """Append events to the audit chain in this unit's transaction."""
        self.audit_events += len(events)
        self.audit.append_many(events)


def request_event(
    request: Request,
    action: str,
    target: tuple[str, str],
    actor: tuple[uuid.UUID | None, uuid.UUID | None],
    detail: dict[str, str] | None = None,
) -> NewEvent:
    """The audit event of a request: the actor, the target and where the request came from."""
    return NewEvent(
        action,
        target[0],
        target[1],
        actor_user_id=actor[0],
        actor_organisation_id=actor[1],
        ip=request.client.host if request.client is not None else None,
        request_id=getattr(request.state, "request_id", None),
        detail=dict(detail or {}),
    )


@dataclass(frozen=True, slots=True)
class Platform:
    """The database and the key-encryption keys, built once per application."""

    sessions: sessionmaker[Session]
    kms: Kms
    serialise: AbstractContextManager[object] = field(default_factory=nullcontext)
    """Held for the whole unit: a lock on SQLite, which has one writer at a time (every
    request writes, if only its audit event); a thread then waits on the lock rather than
    polling SQLite's busy handler. Nothing on PostgreSQL."""
    anchoring: Anchoring | None = None
    """The log key and when to anchor the audit log's head (see :mod:`cruce.api.anchoring`)."""
    keys: KeyCache = field(default_factory=KeyCache)
    """Data keys opened by committed units, kept unwrapped for the next ones."""
    reads: ReadAudit = field(init=False, repr=False)
    """The writer of reads' audit events (see :mod:`cruce.api.read_audit`)."""
    readers: sessionmaker[Session] | None = field(init=False, repr=False)
    """Sessions whose statements each commit on their own (PostgreSQL; None on SQLite)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reads", ReadAudit(self.unit))
        engine = self.sessions.kw["bind"]
        readers = None
        if engine.dialect.name == "postgresql":
            readers = make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
        object.__setattr__(self, "readers", readers)

    @classmethod
    def from_settings(cls, settings: Settings) -> Platform:
        """An engine on the settings' database and the settings' KEKs.

        In development the database is brought to the latest migration at start-up; in
        production that is an explicit step (``cruce db upgrade``) before the service starts.
        """
        url = settings.sqlalchemy_url()
        if settings.environment is Environment.DEVELOPMENT:
            upgrade(url)
        engine = make_engine(url)
        serialise = threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()
        return cls(
            make_sessionmaker(engine),
            LocalKms.from_settings(settings),
            serialise,
            Anchoring.from_settings(settings),
        )

    def record_read(
        self,
        request: Request,
        action: str,
        target: tuple[str, str],
        actor: tuple[uuid.UUID | None, uuid.UUID | None],
        detail: dict[str, str] | None = None,
    ) -> None:
        """Audit a read; return once its event is committed (call it before answering).

        ApiError 503 when the event cannot be committed: a read that is not audited is
        not answered.
        """
        try:
            self.reads.record(request_event(request, action, target, actor, detail))
        except AuditUnavailableError:
            raise ApiError(
                503,
                "audit.unavailable",
                _("The service cannot record this read in its audit log now; try again"),
                headers={"Retry-After": "5"},
            ) from None

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        """A unit of work: committed when the block ends, rolled back when it raises."""
        with self.serialise:
            session = self.sessions()
            try:
                unit = Unit(session, self.kms, self.anchoring, self.keys)
                yield unit
                if self.anchoring is not None:
                    self.anchoring.after(unit)
                session.commit()
                if "cipher" in unit.__dict__:  # the envelope was used: share what it opened
                    self.keys.publish(unit.cipher.opened)
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def reading(self) -> Iterator[Unit]:
        """A unit of work that reads: no transaction to begin or commit on PostgreSQL.

        Each statement sees what was committed when it ran (PostgreSQL's autocommit), which
        spares a read two round trips; a read that needs one snapshot across statements
        asks for it in one statement. The rare write a read makes (a token's "last used"
        time) commits on its own. On SQLite this is :meth:`unit`.
        """
        if self.readers is None:
            with self.unit() as unit:
                yield unit
            return
        session = self.readers()
        try:
            unit = Unit(session, self.kms, self.anchoring, self.keys)
            yield unit
            if "cipher" in unit.__dict__:  # what it opened was committed: share it
                self.keys.publish(unit.cipher.opened)
        finally:
            session.close()
