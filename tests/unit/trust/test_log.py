from __future__ import annotations

import hashlib
import sqlite3
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cruce.trust import merkle
from cruce.trust.checkpoint import CosignatureSigner, Ed25519Signer, NoteError, add_signatures
from cruce.trust.log import Appender, LogIntegrityError, Receipt, TransparencyLog
from cruce.trust.merkle import ProofError

pytestmark = pytest.mark.unit

ORIGIN = "example.com/cruce-test-log"


def _key(label: str = "log") -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def _digest(number: int) -> bytes:
    return hashlib.sha256(f"document {number}".encode()).digest()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "log.sqlite"


@pytest.fixture
def log(path):
    with TransparencyLog(path, ORIGIN, _key()) as opened:
        yield opened


def _leaf_hashes(count: int) -> list[bytes]:
    return [merkle.leaf_hash(_digest(i)) for i in range(count)]


class TestAppending:
    def test_a_new_log_is_empty_with_a_signed_checkpoint(self, log):
        assert log.size == 0
        assert log.root() == merkle.EMPTY_ROOT
        head = log.checkpoint()
        assert head.checkpoint.size == 0
        assert head.note.startswith(f"{ORIGIN}\n0\n")

    def test_append_returns_consecutive_indexes(self, log):
        assert log.append(_digest(0)) == 0
        assert log.append_many([_digest(1), _digest(2)]) == [1, 2]
        assert log.size == 3
        assert [log.entry(i) for i in range(3)] == [_digest(i) for i in range(3)]

    def test_only_32_byte_digests_enter(self, log):
        for wrong in (b"short", bytes(33), "0" * 32):
            with pytest.raises(ValueError, match="32-byte"):
                log.append(wrong)
        assert log.size == 0

    def test_a_batch_with_a_bad_digest_logs_nothing(self, log):
        with pytest.raises(ValueError, match="32-byte"):
            log.append_many([_digest(0), b"short"])
        assert log.size == 0

    def test_an_empty_batch_commits_nothing(self, log):
        before = log.checkpoint()
        assert log.append_many([]) == []
        assert log.append_batch([]) == []
        assert log.checkpoint() is before

    def test_each_commit_signs_a_checkpoint_of_the_whole_log(self, log):
        log.append_many([_digest(i) for i in range(5)])
        head = log.checkpoint().checkpoint
        assert (head.origin, head.size, head.root_hash) == (ORIGIN, 5, merkle.root(_leaf_hashes(5)))

    def test_a_missing_entry_is_an_index_error(self, log):
        with pytest.raises(IndexError):
            log.entry(0)


class TestProofs:
    def test_roots_and_proofs_match_the_reference_tree_at_every_size(self, log):
        hashes = _leaf_hashes(40)
        for number in range(40):
            log.append(_digest(number))
        for size in range(41):
            assert log.root(size) == merkle.root(hashes[:size])
        for size in range(1, 41):
            for index in range(size):
                expected = merkle.inclusion_proof(hashes[:size], index)
                assert log.inclusion_proof(index, size) == expected
            for old in range(1, size + 1):
                expected = merkle.consistency_proof(hashes[:size], old)
                assert log.consistency_proof(old, size) == expected

    def test_proofs_default_to_the_current_size(self, log):
        log.append_many([_digest(i) for i in range(13)])
        root = log.root()
        proof = log.inclusion_proof(6)
        merkle.verify_inclusion(merkle.leaf_hash(_digest(6)), 6, 13, proof, root)
        merkle.verify_consistency(5, 13, log.root(5), root, log.consistency_proof(5))

    def test_sizes_beyond_the_log_are_refused(self, log):
        log.append(_digest(0))
        with pytest.raises(ValueError, match="1 entries, not 2"):
            log.root(2)
        with pytest.raises(ValueError, match="not in a tree"):
            log.inclusion_proof(1)
        with pytest.raises(ValueError, match="no consistency proof"):
            log.consistency_proof(0, 1)


class TestReceipts:
    def test_a_receipt_verifies_against_the_log_key(self, log):
        log.append_many([_digest(i) for i in range(9)])
        receipt = log.receipt(4)
        assert receipt.index == 4
        assert receipt.entry == _digest(4)
        assert receipt.checkpoint == log.checkpoint()
        receipt.verify(log.verifier)

    def test_batch_receipts_match_receipts_read_back(self, log):
        log.append_many([_digest(i) for i in range(5)])
        receipts = log.append_batch([_digest(i) for i in range(5, 12)])
        assert [r.index for r in receipts] == list(range(5, 12))
        for receipt in receipts:
            receipt.verify(log.verifier)
            assert receipt == log.receipt(receipt.index)

    def test_a_receipt_for_another_entry_fails(self, log):
        log.append_many([_digest(i) for i in range(3)])
        receipt = log.receipt(1)
        forged = Receipt(1, _digest(2), receipt.proof, receipt.checkpoint)
        with pytest.raises(ProofError):
            forged.verify(log.verifier)

    def test_a_receipt_checked_with_another_key_fails(self, log):
        log.append(_digest(0))
        other = Ed25519Signer(ORIGIN, _key("other")).verifier()
        with pytest.raises(NoteError):
            log.receipt(0).verify(other)

    def test_a_receipt_can_require_a_witness(self, log):
        log.append_many([_digest(i) for i in range(3)])
        receipt = log.receipt(2)
        witness = CosignatureSigner("witness.example/w1", _key("w1"), clock=lambda: 1)
        with pytest.raises(NoteError, match="0 witness cosignatures, 1 needed"):
            receipt.verify(log.verifier, witnesses=[witness.verifier()], quorum=1)
        cosigned = add_signatures(receipt.checkpoint.note, witness)
        signed = type(receipt.checkpoint)(receipt.checkpoint.checkpoint, cosigned)
        witnessed = Receipt(receipt.index, receipt.entry, receipt.proof, signed)
        witnessed.verify(log.verifier, witnesses=[witness.verifier()], quorum=1)


class TestDurability:
    def test_reopening_continues_the_log(self, path):
        with TransparencyLog(path, ORIGIN, _key()) as log:
            log.append_many([_digest(i) for i in range(6)])
            head = log.checkpoint()
        with TransparencyLog(path, ORIGIN, _key()) as log:
            assert log.size == 6
            assert log.checkpoint() == head
            assert log.append(_digest(6)) == 6
            assert log.root() == merkle.root(_leaf_hashes(7))
            assert log.verify() == log.root()

    def test_another_origin_cannot_open_the_log(self, path):
        TransparencyLog(path, ORIGIN, _key()).close()
        with pytest.raises(ValueError, match=r"not 'example\.org/other'"):
            TransparencyLog(path, "example.org/other", _key())

    def test_a_new_key_signs_the_current_size_again(self, path):
        with TransparencyLog(path, ORIGIN, _key()) as log:
            log.append_many([_digest(i) for i in range(4)])
        with TransparencyLog(path, ORIGIN, _key("rotated")) as log:
            head = log.checkpoint()
            assert head.checkpoint.size == 4
            log.receipt(3).verify(log.verifier)
            assert log.verify() == merkle.root(_leaf_hashes(4))

    def test_the_journal_is_wal_with_full_synchronisation(self, log):
        assert log._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert log._db.execute("PRAGMA synchronous").fetchone()[0] == 2

    def test_stored_hashes_are_append_only(self, log):
        log.append_many([_digest(i) for i in range(3)])
        for statement in ("UPDATE hashes SET hash = x'00'", "DELETE FROM leaves"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                log._db.execute(statement)

    def test_each_leaf_and_completed_node_is_stored_once(self, log):
        log.append_many([_digest(i) for i in range(37)])
        count = log._db.execute("SELECT COUNT(*) FROM hashes").fetchone()[0]
        assert count == 2 * 37 - (37).bit_count()


def _tamper(path, statement: str, *parameters) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP TRIGGER IF EXISTS hashes_no_update")
    db.execute("DROP TRIGGER IF EXISTS leaves_no_update")
    db.execute("DROP TRIGGER IF EXISTS checkpoints_no_update")
    db.execute(statement, parameters)
    db.close()


class TestVerify:
    def _filled(self, path, count: int = 21) -> None:
        with TransparencyLog(path, ORIGIN, _key()) as log:
            for start in range(0, count, 5):
                log.append_many([_digest(i) for i in range(start, min(start + 5, count))])

    def test_an_intact_log_verifies_to_its_root(self, path):
        self._filled(path)
        with TransparencyLog(path, ORIGIN, _key()) as log:
            assert log.verify() == merkle.root(_leaf_hashes(21))

    def test_a_changed_entry_is_found(self, path):
        self._filled(path)
        _tamper(path, "UPDATE leaves SET entry = ? WHERE idx = 7", _digest(99))
        with TransparencyLog(path, ORIGIN, _key()) as log, pytest.raises(LogIntegrityError):
            log.verify()

    def test_a_changed_interior_node_is_found(self, path):
        self._filled(path)
        position = merkle.append_position(2, 1)
        _tamper(path, "UPDATE hashes SET hash = ? WHERE id = ?", bytes(32), position)
        opened = TransparencyLog(path, ORIGIN, _key())
        with opened as log, pytest.raises(LogIntegrityError, match=f"stored hash {position}"):
            log.verify()

    def test_a_changed_checkpoint_is_found(self, path):
        self._filled(path)
        _tamper(path, "UPDATE checkpoints SET note = replace(note, '\n10\n', '\n11\n')")
        opened = TransparencyLog(path, ORIGIN, _key())
        with opened as log, pytest.raises(LogIntegrityError, match="does not verify"):
            log.verify()

    def test_a_missing_hash_is_found_by_proofs(self, path):
        self._filled(path)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("DROP TRIGGER hashes_no_delete")
        db.execute("DELETE FROM hashes WHERE id = ?", (merkle.append_position(0, 3),))
        db.close()
        with TransparencyLog(path, ORIGIN, _key()) as log:
            with pytest.raises(LogIntegrityError, match="missing"):
                log.inclusion_proof(2, 21)
            with pytest.raises(LogIntegrityError):
                log.verify()


class TestAppender:
    def test_a_full_batch_commits_at_once_under_one_checkpoint(self, log):
        with Appender(log, batch_size=4, max_delay=60) as appender:
            futures = [appender.submit(_digest(i)) for i in range(4)]
            receipts = [future.result(timeout=10) for future in futures]
        assert [r.index for r in receipts] == [0, 1, 2, 3]
        assert {r.checkpoint.checkpoint.size for r in receipts} == {4}
        for receipt in receipts:
            receipt.verify(log.verifier)

    def test_a_lone_entry_waits_at_most_the_delay(self, log):
        with Appender(log, batch_size=1000, max_delay=0.05) as appender:
            receipt = appender.append(_digest(0), timeout=10)
        assert receipt.index == 0
        assert log.checkpoint().checkpoint.size == 1

    def test_flush_commits_what_waits(self, log):
        with Appender(log, batch_size=1000, max_delay=60) as appender:
            futures = [appender.submit(_digest(i)) for i in range(3)]
            appender.flush()
            assert all(future.done() for future in futures)
            assert log.size == 3

    def test_close_commits_what_waits_and_refuses_more(self, log):
        appender = Appender(log, batch_size=1000, max_delay=60)
        future = appender.submit(_digest(0))
        appender.close()
        assert future.result(timeout=0).index == 0
        with pytest.raises(RuntimeError, match="closed"):
            appender.submit(_digest(1))

    def test_a_cancelled_entry_is_not_logged(self, log):
        with Appender(log, batch_size=1000, max_delay=60) as appender:
            dropped = appender.submit(_digest(0))
            kept = appender.submit(_digest(1))
            assert dropped.cancel()
        assert kept.result(timeout=0).index == 0
        assert log.size == 1
        assert log.entry(0) == _digest(1)

    def test_a_failed_commit_reaches_every_caller(self, log):
        log.close()
        with Appender(log, batch_size=2, max_delay=60) as appender:
            futures = [appender.submit(_digest(i)) for i in range(2)]
            for future in futures:
                with pytest.raises(sqlite3.ProgrammingError):
                    future.result(timeout=10)

    def test_bad_settings_and_digests_are_refused(self, log):
        with pytest.raises(ValueError, match="positive"):
            Appender(log, batch_size=0)
        with Appender(log) as appender, pytest.raises(ValueError, match="32-byte"):
            appender.submit(b"short")

    def test_many_threads_get_distinct_indexes(self, log):
        results: list[Receipt] = []
        lock = threading.Lock()

        def work(appender: Appender, offset: int) -> None:
            for number in range(offset, offset + 25):
                receipt = appender.append(_digest(number), timeout=30)
                with lock:
                    results.append(receipt)

        with Appender(log, batch_size=16, max_delay=0.01) as appender:
            threads = [threading.Thread(target=work, args=(appender, n * 25)) for n in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert sorted(r.index for r in results) == list(range(100))
        for receipt in results:
            assert log.entry(receipt.index) == receipt.entry
            receipt.verify(log.verifier)
        assert log.verify() == log.root()
