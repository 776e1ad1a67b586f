"""The service's transparency log in the store's tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from cruce.store.models import AuditAnchor, LogCheckpoint, LogHash, LogLeaf
from cruce.store.repositories.transparency import (
    LogIntegrityError,
    LogRangeError,
    TransparencyRepository,
)
from cruce.trust import merkle
from cruce.trust.checkpoint import Ed25519Signer, open_checkpoint

ORIGIN = "log.cruce.example/log"
SIGNER = Ed25519Signer(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
OTHER = Ed25519Signer(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33))))


def _digests(start: int, count: int) -> list[bytes]:
    return [hashlib.sha256(f"entry {n}".encode()).digest() for n in range(start, start + count)]


def _filled(session, count: int = 13) -> tuple[TransparencyRepository, list[bytes]]:
    log = TransparencyRepository(session)
    entries = _digests(0, count)
    log.append(entries[:5], "document")
    log.sign_checkpoint(SIGNER)
    log.append(entries[5:], "document")
    log.sign_checkpoint(SIGNER)
    return log, entries


class TestProofs:
    @settings(
        max_examples=15,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        deadline=None,
    )
    @given(batches=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=5))
    def test_every_proof_of_random_batches_verifies_and_the_root_is_merkles(
        self, db_session, batches
    ):
        savepoint = db_session.begin_nested()
        try:
            log = TransparencyRepository(db_session)
            entries: list[bytes] = []
            sizes: list[int] = []
            for count in batches:
                indexes = log.append(_digests(len(entries), count), "document")
                assert indexes == list(range(len(entries), len(entries) + count))
                entries += _digests(len(entries), count)
                signed = log.sign_checkpoint(SIGNER)
                sizes.append(signed.checkpoint.size)
            leaves = [merkle.leaf_hash(e) for e in entries]
            roots = {size: merkle.root(leaves[:size]) for size in sizes}
            for size in range(len(entries) + 1):
                assert log.root(size) == merkle.root(leaves[:size])
            for size in sizes:
                for index in range(size):
                    proof = log.inclusion_proof(index, size)
                    merkle.verify_inclusion(leaves[index], index, size, proof, roots[size])
            for old in sizes:
                for new in sizes:
                    if old <= new:
                        proof = log.consistency_proof(old, new)
                        merkle.verify_consistency(old, new, roots[old], roots[new], proof)
            latest = log.verify(SIGNER.verifier())
            assert latest is not None
            assert (latest.size, latest.root_hash) == (len(entries), roots[len(entries)])
        finally:
            savepoint.rollback()

    def test_a_proof_from_the_store_equals_the_one_from_the_leaves(self, db_session):
        log, entries = _filled(db_session)
        leaves = [merkle.leaf_hash(e) for e in entries]
        assert log.inclusion_proof(6, 13) == merkle.inclusion_proof(leaves, 6)
        assert log.consistency_proof(5, 13) == merkle.consistency_proof(leaves, 5)

    def test_sizes_and_indexes_outside_the_log_name_their_field(self, db_session):
        log, _ = _filled(db_session)
        with pytest.raises(LogRangeError) as raised:
            log.inclusion_proof(13, 13)
        assert raised.value.field == "index"
        with pytest.raises(LogRangeError) as raised:
            log.inclusion_proof(0, 14)
        assert raised.value.field == "size"
        with pytest.raises(LogRangeError) as raised:
            log.consistency_proof(0, 5)
        assert raised.value.field == "old"
        with pytest.raises(LogRangeError) as raised:
            log.consistency_proof(6, 5)
        assert raised.value.field == "old"
        with pytest.raises(LogRangeError) as raised:
            log.consistency_proof(1, 14)
        assert raised.value.field == "new"

    def test_an_entry_that_is_not_a_digest_is_refused(self, db_session):
        with pytest.raises(ValueError, match="32-byte"):
            TransparencyRepository(db_session).append([b"short"], "document")


class TestCheckpoints:
    def test_the_latest_checkpoint_is_signed_and_covers_the_log(self, db_session):
        log, entries = _filled(db_session)
        latest = log.latest_checkpoint()
        assert latest is not None
        opened = open_checkpoint(latest.note, SIGNER.verifier(), origin=ORIGIN).checkpoint
        assert opened.size == len(entries)
        assert opened.root_hash == merkle.root([merkle.leaf_hash(e) for e in entries])

    def test_an_empty_log_has_no_checkpoint_and_verifies(self, db_session):
        log = TransparencyRepository(db_session)
        assert log.size() == 0
        assert log.latest_checkpoint() is None
        assert log.verify(SIGNER.verifier()) is None

    def test_an_entry_reads_back_with_its_kind(self, db_session):
        log, entries = _filled(db_session)
        leaf = log.entry(7)
        assert leaf is not None
        assert (bytes(leaf.entry), leaf.kind) == (entries[7], "document")
        assert log.entry(13) is None


class TestTamperingIsFound:
    def _verify_fails(self, session, log, match):
        session.expire_all()
        with pytest.raises(LogIntegrityError, match=match):
            log.verify(SIGNER.verifier())

    def test_an_altered_stored_hash(self, db_session):
        log, _ = _filled(db_session)
        db_session.execute(update(LogHash).where(LogHash.id == 4).values(hash=b"\x00" * 32))
        self._verify_fails(db_session, log, "Stored tree hash 4")

    def test_an_altered_entry(self, db_session):
        log, _ = _filled(db_session)
        db_session.execute(update(LogLeaf).where(LogLeaf.index == 3).values(entry=b"\x01" * 32))
        self._verify_fails(db_session, log, "Stored tree hash")

    def test_a_deleted_entry_in_the_middle(self, db_session):
        log, _ = _filled(db_session)
        db_session.execute(delete(LogLeaf).where(LogLeaf.index == 6))
        self._verify_fails(db_session, log, "Log entry 6 is missing")

    def test_a_deleted_last_entry_leaves_hashes_and_a_checkpoint_beyond_the_log(self, db_session):
        log, _ = _filled(db_session)
        db_session.execute(delete(LogLeaf).where(LogLeaf.index == 12))
        self._verify_fails(db_session, log, "beyond its last entry")

    def test_an_altered_checkpoint(self, db_session):
        log, _ = _filled(db_session)
        latest = log.latest_checkpoint()
        assert latest is not None
        forged = latest.note.replace("\n13\n", "\n12\n")
        db_session.execute(
            update(LogCheckpoint).where(LogCheckpoint.size == 13).values(note=forged)
        )
        self._verify_fails(db_session, log, "does not verify")

    def test_a_latest_checkpoint_from_another_key(self, db_session):
        log, _ = _filled(db_session)
        log.sign_checkpoint(OTHER)
        self._verify_fails(db_session, log, "not signed by this service's log key")


@pytest.fixture
def committing_log(engine):
    """The log in committed transactions; emptied afterwards for the other tests."""
    yield engine
    with Session(engine) as session, session.begin():
        for model in (AuditAnchor, LogCheckpoint, LogHash, LogLeaf):
            session.execute(delete(model))


class TestConcurrency:
    def test_two_sessions_appending_at_once_get_distinct_consecutive_indexes(
        self, committing_log, database_url
    ):
        if not database_url.startswith("postgresql"):
            pytest.skip("SQLite write transactions are serialised by BEGIN IMMEDIATE")
        barrier = threading.Barrier(2)
        taken: dict[int, list[int]] = {}
        errors: list[BaseException] = []

        def append(worker: int) -> None:
            try:
                with Session(committing_log) as session, session.begin():
                    log = TransparencyRepository(session)
                    log.size()  # a read first: both transactions are under way
                    barrier.wait()
                    taken[worker] = log.append(_digests(100 * worker, 6), "document")
                    log.sign_checkpoint(SIGNER)
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=append, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(taken[0] + taken[1]) == list(range(12))
        for indexes in taken.values():
            assert indexes == list(range(indexes[0], indexes[0] + 6))
        with Session(committing_log) as session:
            latest = TransparencyRepository(session).verify(SIGNER.verifier())
            assert latest is not None
            assert latest.size == 12
