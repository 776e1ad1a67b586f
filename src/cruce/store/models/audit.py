"""The audit log: append-only rows linked by a hash chain."""

from __future__ import annotations

import uuid  # noqa: TC003 - SQLAlchemy reads the Mapped[] annotations at run time
from datetime import datetime  # noqa: TC003 - same
from typing import Any

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cruce.store.models.base import Base, json_type


class AuditEvent(Base):
    """Who did what to which object; ``hash`` covers the event and the previous hash."""

    __tablename__ = "audit_events"

    # BIGINT on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY autoincrements
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime]
    actor_user_id: Mapped[uuid.UUID | None]
    actor_organisation_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(json_type())
    # unique: two writers that read the same head cannot both extend it (no forked chain)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
