from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from common.factories import shipment
from cruce.store.errors import IntegrityCheckError, NotFoundError
from cruce.store.models import Document
from cruce.store.repositories.accounts import OrganisationRepository
from cruce.store.repositories.documents import DocumentRepository
from cruce.store.repositories.shipments import ShipmentRepository


@pytest.fixture
def shipment_id(db_session, cipher, clock):
    owner = OrganisationRepository(db_session, cipher).create("A", "us_ein", "1")
    return ShipmentRepository(db_session, cipher, clock).create(owner, shipment(), None)[0], owner


def _add(repository, shipment_id, by, version=1, content=b"%PDF-1.7 ..."):
    return repository.add(
        shipment_id,
        version,
        artifact_key="commercial_invoice",
        filename="invoice.pdf",
        media_type="application/pdf",
        content=content,
        by_org=by,
        credential={"type": ["VerifiableCredential"]},
    )


class TestDocumentRepository:
    def test_documents_are_stored_encrypted_and_read_back(
        self, db_session, cipher, clock, shipment_id
    ):
        sid, owner = shipment_id
        repository = DocumentRepository(db_session, cipher, clock)
        info = _add(repository, sid, owner)
        _add(repository, sid, owner, version=2, content=b"second")
        assert info.size == len(b"%PDF-1.7 ...")
        assert repository.content(info.id) == b"%PDF-1.7 ..."
        assert b"%PDF" not in db_session.get(Document, info.id).content_enc
        assert [d.shipment_version for d in repository.list(sid)] == [1, 2]
        assert [d.id for d in repository.list(sid, version=1)] == [info.id]
        assert repository.get(info.id).credential == {"type": ["VerifiableCredential"]}

    def test_bytes_moved_to_another_document_do_not_decrypt(self, db_session, cipher, shipment_id):
        sid, owner = shipment_id
        repository = DocumentRepository(db_session, cipher)
        first, second = _add(repository, sid, owner), _add(repository, sid, owner)
        blob = db_session.get(Document, first.id).content_enc
        db_session.execute(
            update(Document).where(Document.id == second.id).values(content_enc=blob)
        )
        db_session.expire_all()
        with pytest.raises(ValueError, match="not made for this row"):
            repository.content(second.id)

    def test_a_changed_hash_is_detected(self, db_session, cipher, shipment_id):
        sid, owner = shipment_id
        repository = DocumentRepository(db_session, cipher)
        info = _add(repository, sid, owner)
        db_session.execute(update(Document).values(sha256="0" * 64))
        db_session.expire_all()
        with pytest.raises(IntegrityCheckError):
            repository.content(info.id)

    def test_unknown_documents_and_shipments(self, db_session, cipher, shipment_id):
        repository = DocumentRepository(db_session, cipher)
        with pytest.raises(NotFoundError):
            repository.get(uuid.uuid4())
        with pytest.raises(NotFoundError):
            _add(repository, uuid.uuid4(), shipment_id[1])
