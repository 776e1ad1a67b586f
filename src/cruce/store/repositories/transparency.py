"""The service's transparency log in the store's own tables: an RFC 9162 Merkle tree.

The same tree as :mod:`cruce.trust.log` (which keeps an organisation's log in its own
SQLite file), on SQLite or PostgreSQL: ``log_leaves`` holds the 32-byte entries,
``log_hashes`` every leaf hash and perfect-subtree hash keyed by its place in append order
(:func:`~cruce.trust.merkle.append_position`), so any root or proof folds at most
``2 log2 n`` stored hashes read in one query, planned by :mod:`cruce.trust.merkle`.
``log_checkpoints`` holds the signed C2SP checkpoints and ``audit_anchors`` the audit
log's heads recorded as leaves (see ``cruce.api.anchoring``).

Rows are only ever added. On PostgreSQL, appends and checkpoints take transaction-scoped
advisory locks, the audit log's first and then the log's (one order for every writer, so
two transactions never wait on each other in a circle): two transactions cannot take the
same leaf index, and each checkpoint covers exactly the leaves committed before it. On
SQLite every write transaction begins ``IMMEDIATE`` and so is serialised already.

:meth:`TransparencyRepository.verify` recomputes everything: every leaf hash, every stored
node, every checkpoint's signature and root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select, text

from cruce.i18n import Message, _
from cruce.store.models import AuditAnchor, LogCheckpoint, LogHash, LogLeaf, utcnow
from cruce.store.repositories.audit import _AUDIT_LOCK
from cruce.trust import merkle
from cruce.trust.checkpoint import (
    Checkpoint,
    Note,
    NoteError,
    SignedCheckpoint,
    open_checkpoint,
    sign_checkpoint,
    verifier_from_vkey,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

    from cruce.trust.checkpoint import Ed25519Signer, NoteVerifier
    from cruce.trust.merkle import Node

ENTRY_SIZE = 32
"""Bytes in an entry: a SHA-256 digest."""

AUDIT_HEAD = "audit_head"
"""The kind of a leaf that records the audit log's head."""

# PostgreSQL advisory lock that serialises appends to the log (a constant: "crucelog")
_LOG_LOCK = 0x6372756365_6C6F67
_CHUNK = 1024
"""Leaves rehashed per query by :meth:`TransparencyRepository.verify`."""


class LogRangeError(ValueError):
    """A size or index the log cannot answer for; ``field`` names the parameter at fault."""

    def __init__(self, field: str, message: Message) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


class LogIntegrityError(Exception):
    """The stored log disagrees with itself: a leaf, a stored hash or a checkpoint is wrong."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def _first_position(size: int) -> int:
    """How many hashes a tree of ``size`` leaves stores: the append position of the next."""
    return 2 * size - size.bit_count()


class TransparencyRepository:
    """The log on SQLAlchemy: append, prove, sign checkpoints, verify."""

    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    # ------------------------------------------------------------ writing
    def lock(self) -> None:
        """Serialise this transaction with every other writer of the log, to its end.

        PostgreSQL: the audit log's advisory lock, then the log's (re-entrant, released at
        commit or rollback). SQLite: nothing; its write transactions are serialised.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            for key in (_AUDIT_LOCK, _LOG_LOCK):
                self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def append(self, entries: Sequence[bytes], kind: str) -> list[int]:
        """Add ``entries`` (32-byte digests) at the end of the log; their indexes.

        Stores each leaf, its hash and every perfect subtree it completes. No checkpoint is
        signed: call :meth:`sign_checkpoint` in the same transaction.
        """
        for entry in entries:
            if not isinstance(entry, bytes) or len(entry) != ENTRY_SIZE:
                raise ValueError(f"a log entry is a {ENTRY_SIZE}-byte SHA-256 digest")
        if not entries:
            return []
        self.lock()
        start = self.size()
        frontier = self._resolve([[node] for node in merkle.root_nodes(start)])
        leaves = [merkle.leaf_hash(entry) for entry in entries]
        hashes = list(merkle.extend(frontier, start, leaves))
        now = self.clock()
        self.session.execute(
            insert(LogLeaf),
            [
                {"index": index, "entry": entry, "kind": kind, "created_at": now}
                for index, entry in enumerate(entries, start)
            ],
        )
        self.session.execute(
            insert(LogHash), [{"id": position, "hash": value} for position, value in hashes]
        )
        return list(range(start, start + len(entries)))

    def sign_checkpoint(self, signer: Ed25519Signer) -> SignedCheckpoint:
        """Sign and store a checkpoint of the whole log; its origin is the key's name."""
        self.lock()
        size = self.size()
        signed = sign_checkpoint(Checkpoint(signer.name, size, self.root(size)), signer)
        self.session.add(
            LogCheckpoint(
                size=size, vkey=signer.verifier().vkey, note=signed.note, created_at=self.clock()
            )
        )
        self.session.flush()
        return signed

    def add_anchor(self, log_index: int, audit_event_id: int, audit_head: str) -> AuditAnchor:
        """Record that leaf ``log_index`` holds the audit head ``(audit_event_id, audit_head)``."""
        row = AuditAnchor(
            log_index=log_index,
            audit_event_id=audit_event_id,
            audit_head=audit_head,
            created_at=self.clock(),
        )
        self.session.add(row)
        self.session.flush()
        return row

    # ------------------------------------------------------------ reading
    def size(self) -> int:
        """The number of leaves."""
        last = self.session.scalar(select(func.max(LogLeaf.index)))
        return 0 if last is None else int(last) + 1

    def entry(self, index: int) -> LogLeaf | None:
        """The leaf at ``index``, or None."""
        return self.session.scalars(select(LogLeaf).where(LogLeaf.index == index)).one_or_none()

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        """The newest stored checkpoint (not verified here), or None before the first."""
        note = self.session.scalar(
            select(LogCheckpoint.note).order_by(LogCheckpoint.id.desc()).limit(1)
        )
        if note is None:
            return None
        return SignedCheckpoint(Checkpoint.from_body(Note.parse(note).text), note)

    def last_anchor(self) -> AuditAnchor | None:
        """The newest audit anchor, or None."""
        return self.session.scalars(
            select(AuditAnchor).order_by(AuditAnchor.log_index.desc()).limit(1)
        ).one_or_none()

    def anchor_at(self, log_index: int) -> AuditAnchor | None:
        """The audit anchor recorded as leaf ``log_index``, or None."""
        return self.session.get(AuditAnchor, log_index)

    def anchors(self) -> list[AuditAnchor]:
        """Every audit anchor, oldest first."""
        return list(self.session.scalars(select(AuditAnchor).order_by(AuditAnchor.log_index)))

    def audit_leaves_without_anchor(self) -> list[int]:
        """The indexes of ``audit_head`` leaves that have no anchor row."""
        query = (
            select(LogLeaf.index)
            .outerjoin(AuditAnchor, AuditAnchor.log_index == LogLeaf.index)
            .where(LogLeaf.kind == AUDIT_HEAD, AuditAnchor.log_index.is_(None))
            .order_by(LogLeaf.index)
        )
        return list(self.session.scalars(query))

    def _lookup(self, nodes: list[Node]) -> dict[Node, bytes]:
        ids = {merkle.append_position(level, index): (level, index) for level, index in nodes}
        if not ids:
            return {}
        rows = self.session.execute(select(LogHash.id, LogHash.hash).where(LogHash.id.in_(ids)))
        return {ids[position]: value for position, value in rows}

    def _resolve(self, plan: Sequence[Sequence[Node]]) -> list[bytes]:
        try:
            return merkle.resolve(plan, self._lookup)
        except LookupError as error:
            raise LogIntegrityError(
                _("The log is missing stored tree hashes it needs: {detail}", detail=str(error))
            ) from error

    def _check_size(self, size: int, field: str) -> None:
        current = self.size()
        if not 0 <= size <= current:
            raise LogRangeError(
                field,
                _("The log has {size} entries; {value} is out of range.", size=current, value=size),
            )

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first ``size`` leaves (all, by default)."""
        if size is None:
            size = self.size()
        self._check_size(size, "size")
        return merkle.fold(self._resolve([merkle.root_nodes(size)]))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The inclusion proof (RFC 9162 §2.1.3) of leaf ``index`` in the tree of ``size``."""
        self._check_size(size, "size")
        if not 0 <= index < size:
            raise LogRangeError(
                "index",
                _("Entry {index} is not in a tree of {size} entries.", index=index, size=size),
            )
        return self._resolve(merkle.inclusion_plan(index, size))

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """The proof (RFC 9162 §2.1.4) that the tree of ``new`` leaves extends that of ``old``."""
        self._check_size(new, "new")
        if not 0 < old <= new:
            raise LogRangeError(
                "old",
                _("The old size must be between 1 and the new size ({new}).", new=new),
            )
        return self._resolve(merkle.consistency_plan(old, new))

    # ------------------------------------------------------------ verifying
    def verify(self, verifier: NoteVerifier) -> Checkpoint | None:
        """Recompute the whole log; the latest checkpoint, or None when there is none yet.

        Rehashes every leaf and rebuilds every stored node, comparing each; checks every
        checkpoint's signature (with the key it records), its size (never shrinking, never
        beyond the log) and its root against the recomputed tree; and checks that the latest
        checkpoint is signed by ``verifier``, the service's log key. Raises
        :class:`LogIntegrityError` at the first disagreement.
        """
        size = self.size()
        checkpoints = self.session.execute(
            select(LogCheckpoint.size, LogCheckpoint.vkey, LogCheckpoint.note).order_by(
                LogCheckpoint.id
            )
        ).all()
        roots = self._rebuild(size, {row.size for row in checkpoints})
        previous = 0
        latest: Checkpoint | None = None
        for number, (checkpoint_size, vkey, note) in enumerate(checkpoints, start=1):
            try:
                head = open_checkpoint(note, verifier_from_vkey(vkey)).checkpoint
            except NoteError:
                raise LogIntegrityError(
                    _("Checkpoint {number} has a signature that does not verify.", number=number)
                ) from None
            if head.size != checkpoint_size or not previous <= head.size <= size:
                raise LogIntegrityError(
                    _(
                        "Checkpoint {number} has an impossible size, {size}.",
                        number=number,
                        size=head.size,
                    )
                )
            if roots[head.size] != head.root_hash:
                raise LogIntegrityError(
                    _(
                        "Checkpoint {number} (size {size}) does not match the log's entries.",
                        number=number,
                        size=head.size,
                    )
                )
            previous, latest = head.size, head
        if checkpoints:
            try:
                open_checkpoint(checkpoints[-1].note, verifier, origin=verifier.name)
            except NoteError:
                raise LogIntegrityError(
                    _("The latest checkpoint is not signed by this service's log key.")
                ) from None
        return latest

    def _rebuild(self, size: int, wanted: set[int]) -> dict[int, bytes]:
        """Rehash leaves ``0:size`` by chunks against the stored hashes; the ``wanted`` roots."""
        roots = {0: merkle.EMPTY_ROOT}
        frontier: list[bytes] = []
        for start in range(0, size, _CHUNK):
            end = min(start + _CHUNK, size)
            leaves = self.session.execute(
                select(LogLeaf.index, LogLeaf.entry)
                .where(LogLeaf.index >= start, LogLeaf.index < end)
                .order_by(LogLeaf.index)
            ).all()
            stored = self.session.execute(
                select(LogHash.id, LogHash.hash)
                .where(LogHash.id >= _first_position(start), LogHash.id < _first_position(end))
                .order_by(LogHash.id)
            ).all()
            hashes = iter([(int(position), bytes(value)) for position, value in stored])
            leaf_hashes = self._leaf_hashes(leaves, (start, end), frontier, wanted, roots)
            for position, value in merkle.extend(frontier, start, leaf_hashes):
                if next(hashes, None) != (position, value):
                    raise LogIntegrityError(
                        _("Stored tree hash {position} is wrong or missing.", position=position)
                    )
        beyond = self.session.scalar(
            select(func.count()).select_from(LogHash).where(LogHash.id >= _first_position(size))
        )
        if beyond:
            raise LogIntegrityError(_("The log stores tree hashes beyond its last entry."))
        roots[size] = merkle.fold(frontier)
        return roots

    @staticmethod
    def _leaf_hashes(
        leaves: Sequence[tuple[int, bytes]],
        span: tuple[int, int],
        frontier: list[bytes],
        wanted: set[int],
        roots: dict[int, bytes],
    ) -> Iterator[bytes]:
        """Each leaf's hash, checking that indexes run on; the root before each wanted size."""
        expected, end = span
        for index, entry in leaves:
            if index != expected or len(entry) != ENTRY_SIZE:
                break
            if expected in wanted:
                roots[expected] = merkle.fold(frontier)
            expected += 1
            yield merkle.leaf_hash(bytes(entry))
        if expected != end:
            raise LogIntegrityError(_("Log entry {index} is missing or malformed.", index=expected))


__all__ = [
    "AUDIT_HEAD",
    "ENTRY_SIZE",
    "LogIntegrityError",
    "LogRangeError",
    "TransparencyRepository",
]
