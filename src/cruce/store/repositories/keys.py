"""The persistence of organisations' wrapped data keys: ``cruce.store.crypto.DataKeyStore``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from cruce.i18n import _
from cruce.store.crypto import DataKeyConflictError, StoredDataKey
from cruce.store.errors import NotFoundError
from cruce.store.models import DataKey, utcnow

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session


def _stored(row: DataKey) -> StoredDataKey:
    return StoredDataKey(
        organisation_id=row.organisation_id,
        version=row.version,
        wrapped=row.wrapped,
        kek_id=row.kek_id,
        retired=row.retired_at is not None,
    )


class DataKeyRepository:
    """``DataKeyStore`` (its Protocol is in :mod:`cruce.store.crypto`) on SQLAlchemy."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def active(self, organisation_id: uuid.UUID) -> StoredDataKey | None:
        """The newest key that is not retired, or None."""
        row = self.session.scalars(
            select(DataKey)
            .where(DataKey.organisation_id == organisation_id, DataKey.retired_at.is_(None))
            .order_by(DataKey.version.desc())
            .limit(1)
        ).one_or_none()
        return None if row is None else _stored(row)

    def get(self, organisation_id: uuid.UUID, version: int) -> StoredDataKey | None:
        """One version, retired or not."""
        row = self.session.get(DataKey, (organisation_id, version))
        return None if row is None else _stored(row)

    def add(self, organisation_id: uuid.UUID, version: int, wrapped: bytes, kek_id: str) -> None:
        """Store a new version; ``DataKeyConflictError`` when it exists (the loser of a race)."""
        try:
            with self.session.begin_nested():
                self.session.add(
                    DataKey(
                        organisation_id=organisation_id,
                        version=version,
                        wrapped=wrapped,
                        kek_id=kek_id,
                        created_at=self.clock(),
                        retired_at=None,
                    )
                )
                self.session.flush()
        except IntegrityError as error:
            raise DataKeyConflictError(
                _("The data key version {version} exists already.", version=version)
            ) from error

    def _row(self, organisation_id: uuid.UUID, version: int) -> DataKey:
        row = self.session.get(DataKey, (organisation_id, version))
        if row is None:
            raise NotFoundError("data key", f"{organisation_id} v{version}")
        return row

    def retire(self, organisation_id: uuid.UUID, version: int) -> None:
        """Stop encrypting with a version (it still decrypts)."""
        row = self._row(organisation_id, version)
        if row.retired_at is None:
            row.retired_at = self.clock()
            self.session.flush()

    def all(self, organisation_id: uuid.UUID) -> Sequence[StoredDataKey]:
        """Every version, oldest first."""
        rows = self.session.scalars(
            select(DataKey)
            .where(DataKey.organisation_id == organisation_id)
            .order_by(DataKey.version)
        )
        return [_stored(row) for row in rows]

    def rewrap(self, organisation_id: uuid.UUID, version: int, wrapped: bytes, kek_id: str) -> None:
        """Replace a key's wrapping (rotation of the key-encryption key)."""
        self._row(organisation_id, version)
        self.session.execute(
            update(DataKey)
            .where(DataKey.organisation_id == organisation_id, DataKey.version == version)
            .values(wrapped=wrapped, kek_id=kek_id)
        )
        self.session.expire_all()

    def organisations(self) -> Iterable[uuid.UUID]:
        """Every organisation that has a data key."""
        return list(
            self.session.scalars(
                select(DataKey.organisation_id).distinct().order_by(DataKey.organisation_id)
            )
        )
