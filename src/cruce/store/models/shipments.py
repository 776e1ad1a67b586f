"""Shipments, every version of their record, the parties that see them and invitations."""

from __future__ import annotations

import enum
import uuid  # noqa: TC003 - SQLAlchemy reads the Mapped[] annotations at run time
from datetime import datetime  # noqa: TC003 - same

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cruce.store.models.base import Base, enum_type


class PartyRole(enum.StrEnum):
    """The part an organisation plays in a shipment."""

    SELLER = "seller"
    BUYER = "buyer"
    CONSIGNEE = "consignee"
    CARRIER = "carrier"
    US_CUSTOMS_BROKER = "us_customs_broker"
    MX_CUSTOMS_BROKER = "mx_customs_broker"
    BANK = "bank"
    NOTIFY = "notify"


class Shipment(Base):
    """A shipment: who owns it and which version of its record is current."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("owner_organisation_id", "reference"),
        Index("ix_shipments_created_at_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    reference: Mapped[str] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(5))  # US-MX or MX-US
    current_version: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ShipmentVersion(Base):
    """One version of a shipment's record, encrypted; never changed once written."""

    __tablename__ = "shipment_versions"
    __table_args__ = (UniqueConstraint("shipment_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    version: Mapped[int]
    record_enc: Mapped[bytes]
    record_sha256: Mapped[str] = mapped_column(String(64))  # of the canonical JSON
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_by_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]


class ShipmentParty(Base):
    """An organisation that takes part in a shipment, and so may see it."""

    __tablename__ = "shipment_parties"

    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[PartyRole] = mapped_column(enum_type(PartyRole), primary_key=True)


class Invitation(Base):
    """A single-use invitation for an organisation to join a shipment in a role."""

    __tablename__ = "invitations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[PartyRole] = mapped_column(enum_type(PartyRole))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
