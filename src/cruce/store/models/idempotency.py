"""Idempotency keys: a repeated request gets the response of the first one."""

from __future__ import annotations

import uuid  # noqa: TC003 - SQLAlchemy reads the Mapped[] annotations at run time
from datetime import datetime  # noqa: TC003 - same

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cruce.store.models.base import Base, json_type


class IdempotencyKey(Base):
    """A request made with an ``Idempotency-Key``, and its response once it is done."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2048))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[bytes | None]
    response_headers: Mapped[dict[str, str]] = mapped_column(json_type())
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
