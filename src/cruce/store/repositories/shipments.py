"""Shipments and every version of their record, and which organisations may see them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from cruce.artifacts.shipment_record import canonical_json
from cruce.model import Shipment
from cruce.store.errors import (
    DuplicateReferenceError,
    IntegrityCheckError,
    NotFoundError,
    VersionConflictError,
)
from cruce.store.models import PartyRole, ShipmentParty, ShipmentVersion, utcnow
from cruce.store.models import Shipment as ShipmentRow
from cruce.store.ports import aad

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session
    from sqlalchemy.sql.elements import ColumnElement

    from cruce.store.ports import Cipher

MAX_PAGE = 200
# a name of its own: inside the classes, ``list`` is the method
PartyList = list[tuple[uuid.UUID, PartyRole]]


class InvalidCursorError(ValueError):
    """A page cursor that cruce did not make."""


@dataclass(frozen=True, slots=True)
class ShipmentSummary:
    """A shipment without its record: what a list shows."""

    id: uuid.UUID
    owner_organisation_id: uuid.UUID
    reference: str
    direction: str
    current_version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StoredShipment:
    """One version of a shipment's record, decrypted, with who wrote it and when."""

    id: uuid.UUID
    owner_organisation_id: uuid.UUID
    version: int
    current_version: int
    record: Shipment
    record_sha256: str
    created_at: datetime
    created_by_user_id: uuid.UUID | None
    created_by_organisation_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """A version of a record, without the record."""

    version: int
    record_sha256: str
    created_at: datetime
    created_by_user_id: uuid.UUID | None
    created_by_organisation_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Page:
    """A page of shipments and the cursor of the next one (None on the last page)."""

    items: list[ShipmentSummary]
    next_cursor: str | None


class ShipmentStore(Protocol):
    """Shipments as the API sees them."""

    def create(
        self, owner: uuid.UUID, record: Shipment, by_user: uuid.UUID | None
    ) -> tuple[uuid.UUID, int]:
        """Store a new shipment at version 1."""
        ...

    def add_version(
        self,
        shipment_id: uuid.UUID,
        record: Shipment,
        by_user: uuid.UUID | None,
        by_org: uuid.UUID,
        *,
        expected_version: int,
    ) -> int:
        """Store the next version of the record."""
        ...

    def get(
        self,
        shipment_id: uuid.UUID,
        version: int | None = None,
        *,
        visible_to_org: uuid.UUID | None = None,
    ) -> StoredShipment:
        """A version of the record (the current one by default)."""
        ...

    def versions(self, shipment_id: uuid.UUID) -> list[VersionInfo]:
        """Every version, oldest first."""
        ...

    def list(
        self,
        visible_to_org: uuid.UUID,
        *,
        cursor: str | None = None,
        limit: int = 50,
        direction: str | None = None,
        reference_prefix: str | None = None,
    ) -> Page:
        """The shipments an organisation may see, oldest first."""
        ...

    def is_visible(self, shipment_id: uuid.UUID, org_id: uuid.UUID) -> bool:
        """Whether the organisation owns or takes part in the shipment."""
        ...

    def parties(self, shipment_id: uuid.UUID) -> PartyList:
        """The organisations that take part, with their roles."""
        ...

    def roles_of(
        self, shipment_id: uuid.UUID, org_id: uuid.UUID
    ) -> tuple[bool, frozenset[PartyRole]] | None:
        """Whether the organisation owns the shipment and its roles in it; None if neither."""
        ...

    def add_party(
        self, shipment_id: uuid.UUID, organisation_id: uuid.UUID, role: PartyRole
    ) -> bool:
        """Add an organisation in a role; False when it already had it."""
        ...


def visible_to(org_id: uuid.UUID) -> ColumnElement[bool]:
    """The condition on ``shipments`` for what ``org_id`` may see: its own, those it is party to."""
    return or_(
        ShipmentRow.owner_organisation_id == org_id,
        exists().where(
            ShipmentParty.shipment_id == ShipmentRow.id,
            ShipmentParty.organisation_id == org_id,
        ),
    )


def encode_cursor(created_at: datetime, shipment_id: uuid.UUID) -> str:
    """An opaque cursor that points just after a row."""
    raw = json.dumps([created_at.isoformat(), shipment_id.hex]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor points after; :class:`InvalidCursorError` when malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, hex_id = json.loads(raw)
        created_at = datetime.fromisoformat(at)
        if created_at.tzinfo is None:
            raise InvalidCursorError(cursor)
        return created_at, uuid.UUID(hex=hex_id)
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidCursorError(cursor) from error


def _summary(row: ShipmentRow) -> ShipmentSummary:
    return ShipmentSummary(
        id=row.id,
        owner_organisation_id=row.owner_organisation_id,
        reference=row.reference,
        direction=row.direction,
        current_version=row.current_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ShipmentRepository:
    """:class:`ShipmentStore` on SQLAlchemy; records encrypted under the owner's key."""

    def __init__(
        self, session: Session, cipher: Cipher, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.session = session
        self.cipher = cipher
        self.clock = clock

    def _version_row(  # noqa: PLR0917 - private, called twice
        self,
        row: ShipmentRow,
        version: int,
        record: Shipment,
        by_user: uuid.UUID | None,
        by_org: uuid.UUID,
        at: datetime,
    ) -> ShipmentVersion:
        plaintext = canonical_json(record)
        return ShipmentVersion(
            id=uuid.uuid4(),
            shipment_id=row.id,
            version=version,
            record_enc=self.cipher.encrypt(
                row.owner_organisation_id,
                plaintext,
                aad("shipment_versions", row.id, version),
            ),
            record_sha256=hashlib.sha256(plaintext).hexdigest(),
            created_by_user_id=by_user,
            created_by_organisation_id=by_org,
            created_at=at,
        )

    def create(
        self, owner: uuid.UUID, record: Shipment, by_user: uuid.UUID | None
    ) -> tuple[uuid.UUID, int]:
        """Store a new shipment at version 1; :class:`DuplicateReferenceError` when taken."""
        now = self.clock()
        row = ShipmentRow(
            id=uuid.uuid4(),
            owner_organisation_id=owner,
            reference=record.reference,
            direction=record.direction,
            current_version=1,
            created_at=now,
            updated_at=now,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError as error:
            raise DuplicateReferenceError(record.reference) from error
        self.session.add(self._version_row(row, 1, record, by_user, owner, now))
        self.session.flush()
        return row.id, 1

    def _row(self, shipment_id: uuid.UUID) -> ShipmentRow:
        row = self.session.get(ShipmentRow, shipment_id)
        if row is None:
            raise NotFoundError("shipment", shipment_id)
        return row

    def add_version(
        self,
        shipment_id: uuid.UUID,
        record: Shipment,
        by_user: uuid.UUID | None,
        by_org: uuid.UUID,
        *,
        expected_version: int,
    ) -> int:
        """Store the next version; :class:`VersionConflictError` when another came first."""
        row = self._row(shipment_id)
        now = self.clock()
        new_version = expected_version + 1
        try:
            with self.session.begin_nested():
                result = self.session.execute(
                    update(ShipmentRow)
                    .where(
                        ShipmentRow.id == shipment_id,
                        ShipmentRow.current_version == expected_version,
                    )
                    .values(
                        current_version=new_version,
                        updated_at=now,
                        reference=record.reference,
                        direction=record.direction,
                    )
                    .execution_options(synchronize_session=False)
                )
        except IntegrityError as error:
            raise DuplicateReferenceError(record.reference) from error
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.session.refresh(row)
            raise VersionConflictError(shipment_id, expected_version, row.current_version)
        self.session.add(self._version_row(row, new_version, record, by_user, by_org, now))
        self.session.flush()
        self.session.refresh(row)
        return new_version

    def _decrypted(
        self, shipment_id: uuid.UUID, version: int | None, visible_to_org: uuid.UUID | None
    ) -> tuple[ShipmentRow, ShipmentVersion, bytes]:
        """The shipment's row, the version's row and its record, decrypted and hash-checked."""
        row = self._row(shipment_id)
        if visible_to_org is not None and not self.is_visible(shipment_id, visible_to_org):
            raise NotFoundError("shipment", shipment_id)
        wanted = row.current_version if version is None else version
        stored = self.session.scalars(
            select(ShipmentVersion).where(
                ShipmentVersion.shipment_id == shipment_id, ShipmentVersion.version == wanted
            )
        ).one_or_none()
        if stored is None:
            raise NotFoundError("shipment version", f"{shipment_id}@{wanted}")
        plaintext = self.cipher.decrypt(
            row.owner_organisation_id,
            stored.record_enc,
            aad("shipment_versions", shipment_id, wanted),
        )
        if hashlib.sha256(plaintext).hexdigest() != stored.record_sha256:
            raise IntegrityCheckError(f"shipment {shipment_id} version {wanted}")
        return row, stored, plaintext

    def get(
        self,
        shipment_id: uuid.UUID,
        version: int | None = None,
        *,
        visible_to_org: uuid.UUID | None = None,
    ) -> StoredShipment:
        """A version of the record, decrypted and checked against its SHA-256.

        With ``visible_to_org``, a shipment that organisation may not see is not found.
        """
        row, stored, plaintext = self._decrypted(shipment_id, version, visible_to_org)
        return StoredShipment(
            id=row.id,
            owner_organisation_id=row.owner_organisation_id,
            version=stored.version,
            current_version=row.current_version,
            record=Shipment.model_validate_json(plaintext),
            record_sha256=stored.record_sha256,
            created_at=stored.created_at,
            created_by_user_id=stored.created_by_user_id,
            created_by_organisation_id=stored.created_by_organisation_id,
        )

    def get_json(
        self, shipment_id: uuid.UUID, version: int | None = None
    ) -> tuple[VersionInfo, int, bytes]:
        """A version's canonical JSON as stored, with its version facts and the current number.

        The record was validated when it was written and its SHA-256 is checked here, so a
        reader that only passes it on (the API's GET) need not validate it again. One query
        (the shipment joined to the version asked for), outside the session's identity map.
        """
        wanted = ShipmentRow.current_version if version is None else version
        query = (
            select(
                ShipmentRow.owner_organisation_id,
                ShipmentRow.current_version,
                ShipmentVersion.version,
                ShipmentVersion.record_enc,
                ShipmentVersion.record_sha256,
                ShipmentVersion.created_at,
                ShipmentVersion.created_by_user_id,
                ShipmentVersion.created_by_organisation_id,
            )
            .join(
                ShipmentVersion,
                and_(
                    ShipmentVersion.shipment_id == ShipmentRow.id,
                    ShipmentVersion.version == wanted,
                ),
            )
            .where(ShipmentRow.id == shipment_id)
        )
        found = self.session.connection().execute(query).one_or_none()
        if found is None:
            if version is None:
                raise NotFoundError("shipment", shipment_id)
            raise NotFoundError("shipment version", f"{shipment_id}@{version}")
        plaintext = self.cipher.decrypt(
            found.owner_organisation_id,
            found.record_enc,
            aad("shipment_versions", shipment_id, found.version),
        )
        if hashlib.sha256(plaintext).hexdigest() != found.record_sha256:
            raise IntegrityCheckError(f"shipment {shipment_id} version {found.version}")
        info = VersionInfo(
            version=found.version,
            record_sha256=found.record_sha256,
            created_at=found.created_at,
            created_by_user_id=found.created_by_user_id,
            created_by_organisation_id=found.created_by_organisation_id,
        )
        return info, found.current_version, plaintext

    def versions(self, shipment_id: uuid.UUID) -> list[VersionInfo]:
        """Every version, oldest first."""
        self._row(shipment_id)
        rows = self.session.scalars(
            select(ShipmentVersion)
            .where(ShipmentVersion.shipment_id == shipment_id)
            .order_by(ShipmentVersion.version)
        )
        return [
            VersionInfo(
                version=v.version,
                record_sha256=v.record_sha256,
                created_at=v.created_at,
                created_by_user_id=v.created_by_user_id,
                created_by_organisation_id=v.created_by_organisation_id,
            )
            for v in rows
        ]

    def list(
        self,
        visible_to_org: uuid.UUID,
        *,
        cursor: str | None = None,
        limit: int = 50,
        direction: str | None = None,
        reference_prefix: str | None = None,
    ) -> Page:
        """The shipments an organisation may see, ordered by (created_at, id), a page at a time."""
        limit = max(1, min(limit, MAX_PAGE))
        query = select(ShipmentRow).where(visible_to(visible_to_org))
        if direction is not None:
            query = query.where(ShipmentRow.direction == direction)
        if reference_prefix:
            query = query.where(ShipmentRow.reference.startswith(reference_prefix, autoescape=True))
        if cursor is not None:
            after_at, after_id = decode_cursor(cursor)
            query = query.where(
                or_(
                    ShipmentRow.created_at > after_at,
                    and_(ShipmentRow.created_at == after_at, ShipmentRow.id > after_id),
                )
            )
        query = query.order_by(ShipmentRow.created_at, ShipmentRow.id).limit(limit + 1)
        rows = list(self.session.scalars(query))
        items = [_summary(row) for row in rows[:limit]]
        next_cursor = (
            encode_cursor(items[-1].created_at, items[-1].id) if len(rows) > limit else None
        )
        return Page(items=items, next_cursor=next_cursor)

    def is_visible(self, shipment_id: uuid.UUID, org_id: uuid.UUID) -> bool:
        """Whether the organisation owns or takes part in the shipment."""
        found = self.session.scalar(
            select(ShipmentRow.id).where(ShipmentRow.id == shipment_id, visible_to(org_id))
        )
        return found is not None

    def roles_of(
        self, shipment_id: uuid.UUID, org_id: uuid.UUID
    ) -> tuple[bool, frozenset[PartyRole]] | None:
        """Whether the organisation owns the shipment and its roles in it; None if neither.

        One query: the shipment's owner joined to the organisation's party rows.
        """
        query = (
            select(ShipmentRow.owner_organisation_id, ShipmentParty.role)
            .outerjoin(
                ShipmentParty,
                and_(
                    ShipmentParty.shipment_id == ShipmentRow.id,
                    ShipmentParty.organisation_id == org_id,
                ),
            )
            .where(ShipmentRow.id == shipment_id)
        )
        rows = self.session.connection().execute(query).all()
        if not rows:
            return None
        owner = rows[0][0] == org_id
        roles = frozenset(role for _owner, role in rows if role is not None)
        if not owner and not roles:
            return None
        return owner, roles

    def parties(self, shipment_id: uuid.UUID) -> PartyList:
        """The organisations that take part, with their roles."""
        rows = self.session.execute(
            select(ShipmentParty.organisation_id, ShipmentParty.role)
            .where(ShipmentParty.shipment_id == shipment_id)
            .order_by(ShipmentParty.role, ShipmentParty.organisation_id)
        )
        return [(org, role) for org, role in rows]

    def add_party(
        self, shipment_id: uuid.UUID, organisation_id: uuid.UUID, role: PartyRole
    ) -> bool:
        """Add an organisation in a role; False when it already had it."""
        key = (shipment_id, organisation_id, role)
        if self.session.get(ShipmentParty, key) is not None:
            return False
        self._row(shipment_id)
        self.session.add(
            ShipmentParty(shipment_id=shipment_id, organisation_id=organisation_id, role=role)
        )
        self.session.flush()
        return True
