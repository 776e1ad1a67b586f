"""The audit log: rows appended, never changed, each hash covering the one before.

``hash = sha256(prev_hash || canonical JSON of the event)``; :meth:`AuditLog.verify_chain`
recomputes the chain and names the first row that was changed, or after which rows are
missing. Deleting the newest rows is only visible against a head recorded elsewhere
(:meth:`AuditLog.head`, e.g. in the transparency log).
"""

from __future__ import annotations

import hashlib
import uuid  # noqa: TC003 - in the Protocol's signature and NewEvent's fields
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import rfc8785
from sqlalchemy import insert, inspect, or_, select, text

from cruce.store.models import AuditEvent, utcnow

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

GENESIS = "0" * 64
# PostgreSQL advisory lock that serialises appends (a constant: "cruce.audit")
_AUDIT_LOCK = 0x637275636561
_COLUMNS = [column for column in inspect(AuditEvent).column_attrs if column.key != "id"]


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append: who (user, organisation) did what to what, from where."""

    action: str
    object_type: str
    object_id: str | None = None
    actor_user_id: uuid.UUID | None = None
    actor_organisation_id: uuid.UUID | None = None
    ip: str | None = None
    request_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The result of :meth:`AuditLog.verify_chain`."""

    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: Literal["altered", "missing_before", "head_mismatch"] | None = None


def event_bytes(row: AuditEvent) -> bytes:
    """The canonical JSON of an event, as hashed."""
    document: dict[str, Any] = {
        "at": row.at.isoformat(),
        "actor_user_id": None if row.actor_user_id is None else str(row.actor_user_id),
        "actor_organisation_id": (
            None if row.actor_organisation_id is None else str(row.actor_organisation_id)
        ),
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "ip": row.ip,
        "request_id": row.request_id,
        "detail": row.detail,
    }
    return rfc8785.dumps(document)


def chain_hash(prev_hash: str, row: AuditEvent) -> str:
    """The hash of an event linked to the previous one."""
    return hashlib.sha256(prev_hash.encode() + event_bytes(row)).hexdigest()


class AuditStore(Protocol):
    """An append-only, hash-chained log of who did what."""

    def append(
        self,
        action: str,
        object_type: str,
        object_id: str | None = None,
        *,
        actor_user_id: uuid.UUID | None = None,
        actor_organisation_id: uuid.UUID | None = None,
        ip: str | None = None,
        request_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Add an event at the end of the chain."""
        ...

    def verify_chain(self, expected_head: str | None = None) -> ChainCheck:
        """Recompute the chain."""
        ...


class AuditLog:
    """:class:`AuditStore` on SQLAlchemy."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def head(self) -> tuple[int, str] | None:
        """The id and hash of the newest event, or None when the log is empty."""
        row = (
            self.session.connection()
            .execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
            .one_or_none()
        )
        return None if row is None else (row[0], row[1])

    def append(
        self,
        action: str,
        object_type: str,
        object_id: str | None = None,
        *,
        actor_user_id: uuid.UUID | None = None,
        actor_organisation_id: uuid.UUID | None = None,
        ip: str | None = None,
        request_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Add an event at the end of the chain (appends are serialised per database)."""
        event = NewEvent(
            action,
            object_type,
            object_id,
            actor_user_id=actor_user_id,
            actor_organisation_id=actor_organisation_id,
            ip=ip,
            request_id=request_id,
            detail=dict(detail or {}),
        )
        return self.append_many([event])[0]

    def append_many(self, events: Sequence[NewEvent]) -> list[AuditEvent]:
        """Add events at the end of the chain, in order, under one hold of the chain's lock.

        The rows are written with one Core INSERT (SQLAlchemy's "insertmanyvalues": one
        statement, ids returned in the events' order), not added to the session for its
        next flush: a batch of reads' events costs one round trip, not one per event.
        """
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK})
        head = self.head()
        prev_hash = GENESIS if head is None else head[1]
        rows: list[AuditEvent] = []
        for event in events:
            row = AuditEvent(
                at=self.clock(),
                actor_user_id=event.actor_user_id,
                actor_organisation_id=event.actor_organisation_id,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                ip=event.ip,
                request_id=event.request_id,
                detail=dict(event.detail),
                prev_hash=prev_hash,
            )
            row.hash = prev_hash = chain_hash(prev_hash, row)
            rows.append(row)
        if not rows:
            return rows
        values = [{column.key: getattr(row, column.key) for column in _COLUMNS} for row in rows]
        ids = connection.execute(
            insert(AuditEvent).returning(AuditEvent.id, sort_by_parameter_order=True), values
        ).scalars()
        for row, row_id in zip(rows, ids, strict=True):
            row.id = row_id
        return rows

    def about(
        self,
        objects: Mapping[str, Collection[str]],
        *,
        limit: int = 100,
        before_id: int | None = None,
    ) -> list[AuditEvent]:
        """The events about the given objects (ids by object type), newest first.

        ``{"shipment": [id], "document": [ids]}`` gives what was done to a shipment and to
        its documents. ``before_id`` pages back: only events older than that one.
        """
        about_any = [
            (AuditEvent.object_type == kind) & AuditEvent.object_id.in_(list(ids))
            for kind, ids in objects.items()
            if ids
        ]
        if not about_any or limit < 1:
            return []
        query = select(AuditEvent).where(or_(*about_any))
        if before_id is not None:
            query = query.where(AuditEvent.id < before_id)
        return list(self.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))

    def verify_chain(self, expected_head: str | None = None) -> ChainCheck:
        """Recompute every hash, oldest first; the first row that does not fit is reported.

        ``altered``: the row's content no longer gives its hash. ``missing_before``: the
        row does not link to the row before it (rows between were deleted, or the row's
        link was changed). ``head_mismatch``: the newest hash is not ``expected_head``.
        """
        prev_hash = GENESIS
        checked = 0
        last_id: int | None = None
        query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
        rows = self.session.scalars(query)
        try:
            for row in rows:
                if row.prev_hash != prev_hash:
                    return ChainCheck(
                        ok=False, checked=checked, first_bad_id=row.id, problem="missing_before"
                    )
                if chain_hash(row.prev_hash, row) != row.hash:
                    return ChainCheck(
                        ok=False, checked=checked, first_bad_id=row.id, problem="altered"
                    )
                prev_hash = row.hash
                last_id = row.id
                checked += 1
        finally:
            rows.close()  # a server-side cursor on PostgreSQL
        if expected_head is not None and expected_head != prev_hash:
            return ChainCheck(
                ok=False, checked=checked, first_bad_id=last_id, problem="head_mismatch"
            )
        return ChainCheck(ok=True, checked=checked)
