"""Documents rendered from a version of a shipment: encrypted bytes with their hash."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select

from cruce.store.errors import IntegrityCheckError, NotFoundError
from cruce.store.models import Document, utcnow
from cruce.store.models import Shipment as ShipmentRow
from cruce.store.ports import aad

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sqlalchemy.orm import Session

    from cruce.store.ports import Cipher


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A document without its bytes."""

    id: uuid.UUID
    shipment_id: uuid.UUID
    shipment_version: int
    artifact_key: str
    filename: str
    media_type: str
    sha256: str
    size: int
    credential: dict[str, Any] | None
    receipt: dict[str, Any] | None
    created_by_organisation_id: uuid.UUID
    created_at: datetime


def _info(row: Document) -> DocumentInfo:
    return DocumentInfo(
        id=row.id,
        shipment_id=row.shipment_id,
        shipment_version=row.shipment_version,
        artifact_key=row.artifact_key,
        filename=row.filename,
        media_type=row.media_type,
        sha256=row.sha256,
        size=row.size,
        credential=row.credential,
        receipt=row.receipt,
        created_by_organisation_id=row.created_by_organisation_id,
        created_at=row.created_at,
    )


class DocumentStore(Protocol):
    """The documents of shipments."""

    def add(
        self,
        shipment_id: uuid.UUID,
        shipment_version: int,
        *,
        artifact_key: str,
        filename: str,
        media_type: str,
        content: bytes,
        by_org: uuid.UUID,
        credential: dict[str, Any] | None = None,
        receipt: dict[str, Any] | None = None,
    ) -> DocumentInfo:
        """Store a document, encrypted under the shipment owner's key."""
        ...

    def list(self, shipment_id: uuid.UUID, version: int | None = None) -> list[DocumentInfo]:
        """The shipment's documents (of one version when given)."""
        ...

    def get(self, document_id: uuid.UUID) -> DocumentInfo:
        """One document without its bytes."""
        ...

    def content(self, document_id: uuid.UUID) -> bytes:
        """The document's bytes, decrypted and checked against their SHA-256."""
        ...


class DocumentRepository:
    """:class:`DocumentStore` on SQLAlchemy."""

    def __init__(
        self, session: Session, cipher: Cipher, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.session = session
        self.cipher = cipher
        self.clock = clock

    def _owner(self, shipment_id: uuid.UUID) -> uuid.UUID:
        owner = self.session.scalar(
            select(ShipmentRow.owner_organisation_id).where(ShipmentRow.id == shipment_id)
        )
        if owner is None:
            raise NotFoundError("shipment", shipment_id)
        return owner

    def add(
        self,
        shipment_id: uuid.UUID,
        shipment_version: int,
        *,
        artifact_key: str,
        filename: str,
        media_type: str,
        content: bytes,
        by_org: uuid.UUID,
        credential: dict[str, Any] | None = None,
        receipt: dict[str, Any] | None = None,
    ) -> DocumentInfo:
        """Store a document, encrypted under the shipment owner's key."""
        document_id = uuid.uuid4()
        row = Document(
            id=document_id,
            shipment_id=shipment_id,
            shipment_version=shipment_version,
            artifact_key=artifact_key,
            filename=filename,
            media_type=media_type,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            content_enc=self.cipher.encrypt(
                self._owner(shipment_id), content, aad("documents", document_id)
            ),
            credential=credential,
            receipt=receipt,
            created_by_organisation_id=by_org,
            created_at=self.clock(),
        )
        self.session.add(row)
        self.session.flush()
        return _info(row)

    def list(self, shipment_id: uuid.UUID, version: int | None = None) -> list[DocumentInfo]:
        """The shipment's documents (of one version when given), in the order they were made."""
        query = select(Document).where(Document.shipment_id == shipment_id)
        if version is not None:
            query = query.where(Document.shipment_version == version)
        rows = self.session.scalars(query.order_by(Document.created_at, Document.id))
        return [_info(row) for row in rows]

    def _row(self, document_id: uuid.UUID) -> Document:
        row = self.session.get(Document, document_id)
        if row is None:
            raise NotFoundError("document", document_id)
        return row

    def get(self, document_id: uuid.UUID) -> DocumentInfo:
        """One document without its bytes."""
        return _info(self._row(document_id))

    def content(self, document_id: uuid.UUID) -> bytes:
        """The document's bytes, decrypted and checked against their SHA-256."""
        row = self._row(document_id)
        content = self.cipher.decrypt(
            self._owner(row.shipment_id), row.content_enc, aad("documents", document_id)
        )
        if hashlib.sha256(content).hexdigest() != row.sha256:
            raise IntegrityCheckError(f"document {document_id}")
        return content
