"""The transparency log: an append-only RFC 9162 Merkle tree of digests, durable in SQLite.

Only digests enter it: each entry is the 32-byte SHA-256 digest of a document or credential,
never its content, and the leaf is ``H(0x00 ‖ digest)``. Every commit adds its entries, the
tree nodes they complete and a newly signed checkpoint (https://c2sp.org/tlog-checkpoint) in
one transaction, so the checkpoint always covers exactly the committed entries.

Storage. ``leaves(idx, entry)`` holds the entries; ``hashes(id, hash)`` holds every leaf hash
and the hash of every *perfect* subtree (``2**level`` leaves at a multiple of ``2**level``),
which never changes once complete. A hash's ``id`` is its position in append order (leaf
``m``'s hash, then the nodes leaf ``m`` completes, lowest first;
:func:`~cruce.trust.merkle.append_position`), so every insert lands at the end of the
B-tree and a node's id is arithmetic. Any root, inclusion proof or consistency proof folds
at most ``2 log2 n`` stored hashes read in one query (:mod:`cruce.trust.merkle` plans
which); leaves are never rehashed, except by :meth:`TransparencyLog.verify`, the audit that
recomputes everything.

Durability. WAL journal with ``synchronous=FULL``: in WAL mode, NORMAL survives a crash of
the process but may lose the last commits on power loss or an OS crash, and a receipt is a
promise that its entry is logged. FULL costs one fsync per commit, so appends are batched:
:meth:`TransparencyLog.append_many` commits a batch, and :class:`Appender` groups concurrent
appends into one commit every ``batch_size`` entries or ``max_delay`` seconds (the checkpoint
cadence), handing each caller its receipt only once the commit has returned.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from concurrent.futures import Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cruce.trust import merkle
from cruce.trust.checkpoint import (
    Checkpoint,
    Ed25519Signer,
    Note,
    NoteError,
    SignedCheckpoint,
    open_checkpoint,
    sign_checkpoint,
    verifier_from_vkey,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from types import TracebackType

    from cruce.trust.checkpoint import Ed25519Verifier, NoteVerifier
    from cruce.trust.merkle import Node

DIGEST_SIZE = 32
"""Bytes in an entry: a SHA-256 digest."""

SCHEMA_VERSION = 1

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE leaves (idx INTEGER PRIMARY KEY, entry BLOB NOT NULL)",
    "CREATE TABLE hashes (id INTEGER PRIMARY KEY, hash BLOB NOT NULL)",
    (
        "CREATE TABLE checkpoints (id INTEGER PRIMARY KEY, size INTEGER NOT NULL,"
        " vkey TEXT NOT NULL, note TEXT NOT NULL)"
    ),
    *(
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for table in ("leaves", "hashes", "checkpoints")
        for action in ("UPDATE", "DELETE")
    ),
)
_LOOKUP = "SELECT id, hash FROM hashes WHERE id IN (SELECT value FROM json_each(?))"


class LogIntegrityError(Exception):
    """The stored log disagrees with itself: a hash, a leaf or a checkpoint does not match."""


def _check_digest(digest: bytes) -> bytes:
    if not isinstance(digest, bytes) or len(digest) != DIGEST_SIZE:
        raise ValueError(f"a log entry is a {DIGEST_SIZE}-byte SHA-256 digest")
    return digest


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof that ``entry`` is leaf ``index`` of the tree the signed ``checkpoint`` names."""

    index: int
    entry: bytes
    proof: tuple[bytes, ...]
    checkpoint: SignedCheckpoint

    def verify(
        self, log_key: NoteVerifier, *, witnesses: Sequence[NoteVerifier] = (), quorum: int = 0
    ) -> None:
        """Check the checkpoint's signatures, then the inclusion proof against its root.

        Raises :class:`~cruce.trust.checkpoint.NoteError` or
        :class:`~cruce.trust.merkle.ProofError`.
        """
        signed = open_checkpoint(
            self.checkpoint.note, log_key, witnesses=witnesses, quorum=quorum
        ).checkpoint
        leaf = merkle.leaf_hash(self.entry)
        merkle.verify_inclusion(leaf, self.index, signed.size, self.proof, signed.root_hash)


@dataclass(slots=True)
class _Batch:
    start: int
    checkpoint: SignedCheckpoint
    stored: dict[int, bytes]


class TransparencyLog:
    """A durable append-only log of digests at ``path`` whose checkpoints ``signer`` signs.

    ``origin`` names the log on every checkpoint; a private key signs under that name. A log
    that exists continues: its origin must match, and a new signing key signs the current
    size again on opening (key rotation; :meth:`verify` checks each checkpoint with its own
    key). One object may serve many threads; one process writes at a time (a second writer's
    commit fails on the leaf index it would reuse, and logs nothing).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        origin: str,
        signer: Ed25519PrivateKey | Ed25519Signer,
        *,
        cache_mib: int = 64,
    ) -> None:
        self._signer = (
            Ed25519Signer(origin, signer) if isinstance(signer, Ed25519PrivateKey) else signer
        )
        self._vkey = self._signer.verifier().vkey
        self._origin = origin
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            self._open(cache_mib)
        except BaseException:
            self._db.close()
            raise

    def _open(self, cache_mib: int) -> None:
        db = self._db
        if db.execute("PRAGMA journal_mode=WAL").fetchone()[0] != "wal":
            raise sqlite3.OperationalError("the log needs SQLite's WAL journal")
        db.execute("PRAGMA synchronous=FULL")
        db.execute(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
        with self._transaction():
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in _SCHEMA:
                    db.execute(statement)
                db.execute("INSERT INTO meta VALUES ('origin', ?)", (self._origin,))
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                self._store_checkpoint(sign_checkpoint(self._checkpoint(0, []), self._signer))
            elif version != SCHEMA_VERSION:
                raise LogIntegrityError(f"unknown log schema version {version}")
        (stored_origin,) = db.execute("SELECT value FROM meta WHERE key = 'origin'").fetchone()
        if stored_origin != self._origin:
            raise ValueError(f"the log at this path is {stored_origin!r}, not {self._origin!r}")
        self._size: int = db.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves").fetchone()[0]
        self._frontier = self._resolve([[node] for node in merkle.root_nodes(self._size)])
        size, vkey, note = db.execute(
            "SELECT size, vkey, note FROM checkpoints ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if size != self._size:
            raise LogIntegrityError(f"the last checkpoint has size {size}, the log {self._size}")
        if vkey == self._vkey:
            self._latest = SignedCheckpoint(Checkpoint.from_body(Note.parse(note).text), note)
        else:
            self._latest = sign_checkpoint(
                self._checkpoint(self._size, self._frontier), self._signer
            )
            with self._transaction():
                self._store_checkpoint(self._latest)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` when anything fails."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _checkpoint(self, size: int, frontier: Sequence[bytes]) -> Checkpoint:
        return Checkpoint(self._origin, size, merkle.fold(frontier))

    def _store_checkpoint(self, signed: SignedCheckpoint) -> None:
        self._db.execute(
            "INSERT INTO checkpoints (size, vkey, note) VALUES (?, ?, ?)",
            (signed.checkpoint.size, self._vkey, signed.note),
        )

    def _lookup(
        self, nodes: Iterable[Node], known: Mapping[int, bytes] | None = None
    ) -> dict[Node, bytes]:
        ids = {merkle.append_position(level, index): (level, index) for level, index in nodes}
        found: dict[Node, bytes] = {}
        if known is not None:
            found = {ids[i]: known[i] for i in ids if i in known}
        wanted = [i for i in ids if ids[i] not in found]
        if wanted:
            with self._lock:
                rows = self._db.execute(_LOOKUP, (json.dumps(wanted),)).fetchall()
            found.update((ids[i], value) for i, value in rows)
        return found

    def _resolve(
        self, plan: Sequence[Sequence[Node]], known: Mapping[int, bytes] | None = None
    ) -> list[bytes]:
        try:
            return merkle.resolve(plan, lambda nodes: self._lookup(nodes, known))
        except LookupError as error:
            raise LogIntegrityError(str(error)) from error

    @property
    def origin(self) -> str:
        """The log's name, the first line of its checkpoints."""
        return self._origin

    @property
    def size(self) -> int:
        """The number of committed entries."""
        return self._size

    @property
    def verifier(self) -> Ed25519Verifier:
        """The verifier of the log's checkpoint key, for clients and witnesses."""
        return self._signer.verifier()

    def _check_size(self, size: int | None) -> int:
        current = self._size
        if size is None:
            return current
        if not 0 <= size <= current:
            raise ValueError(f"the log has {current} entries, not {size}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the tree of the first ``size`` entries (all, by default)."""
        with self._lock:
            size = self._check_size(size)
            if size == self._size:
                return merkle.fold(self._frontier)
        return merkle.fold(self._resolve([merkle.root_nodes(size)]))

    def entry(self, index: int) -> bytes:
        """The digest logged at ``index``."""
        with self._lock:
            row = self._db.execute("SELECT entry FROM leaves WHERE idx = ?", (index,)).fetchone()
        if row is None:
            raise IndexError(f"the log has no entry {index}")
        value: bytes = row[0]
        return value

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The inclusion proof of entry ``index`` in the tree of ``size`` (all, by default)."""
        size = self._check_size(size)
        return self._resolve(merkle.inclusion_plan(index, size))

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """The proof that the tree of ``new`` entries (all, by default) extends that of ``old``."""
        new = self._check_size(new)
        return self._resolve(merkle.consistency_plan(old, new))

    def checkpoint(self) -> SignedCheckpoint:
        """The latest signed checkpoint; it covers every committed entry."""
        return self._latest

    def receipt(self, index: int) -> Receipt:
        """Entry ``index`` with its inclusion proof against the latest checkpoint."""
        with self._lock:
            signed = self._latest
            entry = self.entry(index)
            proof = self.inclusion_proof(index, signed.checkpoint.size)
        return Receipt(index, entry, tuple(proof), signed)

    def append(self, digest: bytes) -> int:
        """Log one digest in its own commit (one fsync) and return its index."""
        return self.append_many([digest])[0]

    def append_many(self, digests: Iterable[bytes]) -> list[int]:
        """Log ``digests`` in one commit under one new checkpoint; return their indexes."""
        entries = [_check_digest(d) for d in digests]
        batch = self._commit(entries)
        return list(range(batch.start, batch.start + len(entries)))

    def append_batch(self, digests: Iterable[bytes]) -> list[Receipt]:
        """As :meth:`append_many`, returning each entry's receipt against the new checkpoint."""
        entries = [_check_digest(d) for d in digests]
        batch = self._commit(entries)
        size = batch.checkpoint.checkpoint.size
        try:
            proofs = merkle.inclusion_proofs(
                batch.start, size, size, lambda nodes: self._lookup(nodes, batch.stored)
            )
        except LookupError as error:
            raise LogIntegrityError(str(error)) from error
        return [
            Receipt(index, entry, tuple(proof), batch.checkpoint)
            for (index, entry), proof in zip(enumerate(entries, batch.start), proofs, strict=True)
        ]

    def _commit(self, entries: Sequence[bytes]) -> _Batch:
        with self._lock:
            start = self._size
            if not entries:
                return _Batch(start, self._latest, {})
            frontier = list(self._frontier)
            stored = {
                merkle.append_position(*node): value
                for node, value in zip(merkle.root_nodes(start), frontier, strict=True)
            }
            leaves = [hashlib.sha256(b"\x00" + entry).digest() for entry in entries]
            hash_rows = list(merkle.extend(frontier, start, leaves))
            size = start + len(entries)
            signed = sign_checkpoint(self._checkpoint(size, frontier), self._signer)
            with self._transaction():
                self._db.executemany("INSERT INTO leaves VALUES (?, ?)", enumerate(entries, start))
                self._db.executemany("INSERT INTO hashes VALUES (?, ?)", hash_rows)
                self._store_checkpoint(signed)
            self._size, self._frontier, self._latest = size, frontier, signed
        stored.update(hash_rows)
        return _Batch(start, signed, stored)

    def verify(self) -> bytes:
        """Audit the whole log and return its root.

        Rehashes every entry, rebuilds every stored node and compares it, and checks every
        stored checkpoint: its signature (with the key it was signed with), its origin, and
        its root against the recomputed tree of its size. Sizes only grow from one
        checkpoint to the next and the last one covers every entry. Raises
        :class:`LogIntegrityError`.
        """
        with self._lock:
            checkpoints = self._db.execute(
                "SELECT size, vkey, note FROM checkpoints ORDER BY id"
            ).fetchall()
            wanted = {size for size, _, _ in checkpoints}
            roots = {0: merkle.EMPTY_ROOT}
            leaves = self._db.execute("SELECT idx, entry FROM leaves ORDER BY idx")
            stored = self._db.execute("SELECT id, hash FROM hashes ORDER BY id")
            size = self._rebuild(leaves, stored, wanted, roots)
        if size != self._size:
            raise LogIntegrityError(f"the log holds {size} entries, not {self._size}")
        previous = 0
        for number, (checkpoint_size, vkey, note) in enumerate(checkpoints):
            try:
                signed = open_checkpoint(note, verifier_from_vkey(vkey), origin=self._origin)
            except NoteError as error:
                raise LogIntegrityError(f"checkpoint {number}: {error}") from error
            head = signed.checkpoint
            if head.size != checkpoint_size or head.size < previous or head.size > size:
                raise LogIntegrityError(f"checkpoint {number} has an impossible size {head.size}")
            if roots[head.size] != head.root_hash:
                raise LogIntegrityError(f"checkpoint {number} (size {head.size}) has a wrong root")
            previous = head.size
        if previous != size:
            raise LogIntegrityError(f"the last checkpoint covers {previous} of {size} entries")
        return roots[size]

    @staticmethod
    def _rebuild(
        leaves: Iterator[tuple[int, bytes]],
        stored: Iterator[tuple[int, bytes]],
        wanted: set[int],
        roots: dict[int, bytes],
    ) -> int:
        frontier: list[bytes] = []
        size = 0

        def leaf_hashes() -> Iterator[bytes]:
            nonlocal size
            for index, entry in leaves:
                if index != size or len(entry) != DIGEST_SIZE:
                    raise LogIntegrityError(f"entry {size} is missing or malformed")
                if size in wanted:
                    roots[size] = merkle.fold(frontier)
                size += 1
                yield merkle.leaf_hash(entry)

        for position, value in merkle.extend(frontier, 0, leaf_hashes()):
            if next(stored, None) != (position, value):
                raise LogIntegrityError(f"stored hash {position} is wrong or missing")
        if next(stored, None) is not None:
            raise LogIntegrityError("the store holds hashes beyond the last entry")
        roots[size] = merkle.fold(frontier)
        return size

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class Appender:
    """Groups appends from many callers into one commit per batch (group commit).

    A commit happens when ``batch_size`` entries wait or the oldest has waited ``max_delay``
    seconds, whichever comes first; :meth:`append` blocks until its entry's commit has
    returned and gives back the receipt, so a receipt in hand survives a crash. A future
    cancelled before its commit is not logged.
    """

    def __init__(
        self, log: TransparencyLog, *, batch_size: int = 1000, max_delay: float = 1.0
    ) -> None:
        if batch_size < 1 or max_delay <= 0:
            raise ValueError("an appender needs a positive batch size and delay")
        self._log = log
        self._batch_size = batch_size
        self._max_delay = max_delay
        self._cond = threading.Condition()
        self._pending: list[tuple[bytes, Future[Receipt], float]] = []
        self._committing: list[Future[Receipt]] = []
        self._flushing = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="cruce-log-appender", daemon=True)
        self._thread.start()

    def submit(self, digest: bytes) -> Future[Receipt]:
        """Queue ``digest``; the future resolves to its receipt once committed."""
        _check_digest(digest)
        future: Future[Receipt] = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the appender is closed")
            self._pending.append((digest, future, time.monotonic()))
            if len(self._pending) in {1, self._batch_size}:  # a deadline starts, or a batch is full
                self._cond.notify()
        return future

    def append(self, digest: bytes, timeout: float | None = None) -> Receipt:
        """Log ``digest`` with the next commit and return its receipt."""
        return self.submit(digest).result(timeout)

    def flush(self) -> None:
        """Commit whatever was submitted before now, and return when it is committed."""
        with self._cond:
            futures = [*self._committing, *(future for _, future, _ in self._pending)]
            self._flushing = True
            self._cond.notify()
        wait(futures)

    def close(self) -> None:
        """Commit whatever waits and stop; later submissions raise."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _take(self) -> list[tuple[bytes, Future[Receipt], float]] | None:
        with self._cond:
            while True:
                if not self._pending:
                    self._flushing = False
                    if self._closed:
                        return None
                    self._cond.wait()
                    continue
                due = self._pending[0][2] + self._max_delay - time.monotonic()
                ready = len(self._pending) >= self._batch_size or self._flushing or self._closed
                if ready or due <= 0:
                    batch = self._pending[: self._batch_size]
                    del self._pending[: self._batch_size]
                    self._committing = [future for _, future, _ in batch]
                    return batch
                self._cond.wait(due)

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            live = [
                (digest, future)
                for digest, future, _ in batch
                if future.set_running_or_notify_cancel()
            ]
            if not live:
                continue
            try:
                receipts = self._log.append_batch([digest for digest, _ in live])
            except BaseException as error:  # noqa: BLE001 - every waiting caller gets it through its future
                for _, future in live:
                    future.set_exception(error)
            else:
                for (_, future), receipt in zip(live, receipts, strict=True):
                    future.set_result(receipt)
