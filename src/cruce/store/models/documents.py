"""The documents rendered from a version of a shipment, encrypted, with their credential."""

from __future__ import annotations

import uuid  # noqa: TC003 - SQLAlchemy reads the Mapped[] annotations at run time
from datetime import datetime  # noqa: TC003 - same
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cruce.store.models.base import Base, json_type


class Document(Base):
    """One rendered artifact of one version of a shipment."""

    __tablename__ = "documents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    shipment_version: Mapped[int]
    artifact_key: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127))
    sha256: Mapped[str] = mapped_column(String(64))  # of the plaintext
    size: Mapped[int] = mapped_column(BigInteger)
    content_enc: Mapped[bytes]
    credential: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    receipt: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    created_by_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]
