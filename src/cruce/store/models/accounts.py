"""Organisations, users and who belongs to which organisation."""

from __future__ import annotations

import enum
import uuid  # noqa: TC003 - SQLAlchemy reads the Mapped[] annotations at run time
from datetime import datetime  # noqa: TC003 - same
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cruce.store.models.base import Base, enum_type, json_type


class MembershipRole(enum.StrEnum):
    """What a user may do in an organisation."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class UserLocale(enum.StrEnum):
    """The language a user reads cruce in."""

    EN = "en"
    ES = "es"


class Organisation(Base):
    """A company: shipper, buyer, broker, carrier or bank."""

    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    tax_scheme: Mapped[str] = mapped_column(String(32))
    tax_id_enc: Mapped[bytes]  # encrypted with the organisation's data key
    did_host: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    address: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    """Its registered address, as a shipment record writes an address (cruce.model.Address)."""


class User(Base):
    """A person who signs in."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[UserLocale] = mapped_column(enum_type(UserLocale, 8))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class Membership(Base):
    """A user's role in an organisation."""

    __tablename__ = "memberships"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[MembershipRole] = mapped_column(enum_type(MembershipRole, 16))


class DataKey(Base):
    """An organisation's data key, wrapped by a key-encryption key; old versions stay to decrypt."""

    __tablename__ = "data_keys"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    wrapped: Mapped[bytes]
    kek_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
