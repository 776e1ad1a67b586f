"""The one declarative base: one metadata with a constraint naming convention, typed columns.

Every table's primary key is a UUID (except the audit log's sequence); times are
timezone-aware and written by the code in UTC; enums are stored by their value.
"""

from __future__ import annotations

import enum  # noqa: TC003 - used at run time by enum_type
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Dialect, Enum, LargeBinary, MetaData, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints: Alembic's batch mode on SQLite rebuilds tables by constraint name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE``; refuses naive times and always reads back aware UTC.

    SQLite keeps no zone, so the value is written in UTC and read back as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002 - the same for every dialect
        """Aware times only, converted to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime given to a timezone-aware column"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002 - the same for every dialect
        """UTC, whatever the database returned."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_type() -> JSON:
    """JSON, stored as JSONB on PostgreSQL."""
    return JSON().with_variant(JSONB(), "postgresql")


def enum_type(cls: type[enum.Enum], length: int = 32) -> Enum:
    """An enum stored as its value in a VARCHAR (no native enum type to migrate)."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


def utcnow() -> datetime:
    """Now, in UTC: the default clock of the repositories."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """The declarative base of every cruce table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        uuid.UUID: Uuid(),
        datetime: UTCDateTime(),
        bytes: LargeBinary(),
    }

    def __repr__(self) -> str:
        keys = ", ".join(
            f"{column.key}={getattr(self, column.key, None)!r}"
            for column in self.__table__.primary_key.columns  # type: ignore[attr-defined]
        )
        return f"{type(self).__name__}({keys})"
