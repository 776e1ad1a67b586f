"""The audit log anchored in the transparency log, so that deleting its newest rows shows.

The audit log (``cruce.store.repositories.audit``) is a hash chain: a changed row, or rows
deleted in the middle, break it. Deleting the newest rows does not; only a head recorded
elsewhere shows it. :func:`anchor` records the head (the newest event's id and chain hash)
as a leaf of the service's transparency log, stores the anchor row and signs a new
checkpoint, all in the unit's transaction. Once a checkpoint is published (``GET
/api/v1/log/checkpoint``), the anchored heads cannot be taken back either: a rewritten log
is not consistent with the checkpoints others have seen.

When: after ``CRUCE_ANCHOR_EVENTS`` audit events or ``CRUCE_ANCHOR_SECONDS`` seconds since
the first unanchored one, whichever comes first. The check is in-memory counters at the end
of each unit of work that wrote audit events (:meth:`Anchoring.after`); only a due check
writes. The time rule is checked on requests, so an idle service anchors on its next
request; ``cruce audit anchor`` (say, from cron) anchors at once.

:func:`verify_audit` recomputes the chain and checks every anchor against it, the log as a
whole and each anchor's inclusion in the latest checkpoint; it names the first problem.

The log key is an Ed25519 key, ``CRUCE_LOG_KEY`` (a base64 seed) in production; in
development it is generated once into the data directory (``log-key``, mode 0600). Its
name, the checkpoints' origin, is the public URL's host and path followed by ``/log``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from cruce.config import Environment
from cruce.i18n import Message, _
from cruce.store.crypto import KeyConfigurationError
from cruce.store.models import AuditEvent
from cruce.store.repositories.audit import GENESIS, AuditLog, chain_hash
from cruce.store.repositories.transparency import (
    AUDIT_HEAD,
    LogIntegrityError,
    TransparencyRepository,
)
from cruce.trust import merkle
from cruce.trust.checkpoint import Ed25519Signer, NoteError, open_checkpoint

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from cruce.api.platform import Unit
    from cruce.config import Settings
    from cruce.store.models import AuditAnchor
    from cruce.trust.checkpoint import Checkpoint, NoteVerifier

LOG_KEY_FILE: Final = "log-key"
SEED_BYTES: Final = 32
_ENTRY_DOMAIN: Final = b"cruce/audit-head/v1\n"
_log = logging.getLogger(__name__)


def audit_head_entry(event_id: int, head: str) -> bytes:
    """The log entry of an audit head: ``SHA-256(domain ‖ id as u64 ‖ chain hash)``."""
    return hashlib.sha256(
        _ENTRY_DOMAIN + event_id.to_bytes(8, "big") + bytes.fromhex(head)
    ).digest()


# ---------------------------------------------------------------- the log key
def log_origin(settings: Settings) -> str:
    """The log's name: the public URL's host and path, then ``/log``."""
    parts = urlsplit(settings.public_url)
    return f"{parts.netloc}{parts.path.rstrip('/')}/log"


def _seed(text: str) -> bytes:
    try:
        seed = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigurationError(_("The log key is not valid base64.")) from None
    if len(seed) != SEED_BYTES:
        raise KeyConfigurationError(_("The log key is not 32 bytes long."))
    return seed


def _development_seed(path: str) -> bytes:
    """The seed in ``path``, created at first use (0600, atomically; the first writer wins)."""
    if not os.path.exists(path):  # noqa: PTH110 - os.open and os.link below use plain paths
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)  # noqa: PTH103, PTH120
        temporary = f"{path}.{secrets.token_hex(4)}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(SEED_BYTES)).decode() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)  # noqa: PTH108
    with open(path, encoding="ascii") as handle:  # noqa: PTH123
        return _seed(handle.read())


def log_signer(settings: Settings) -> Ed25519Signer:
    """The service's log key: ``CRUCE_LOG_KEY``, else (development only) the data folder's."""
    if settings.log_key is not None:
        seed = _seed(settings.log_key.get_secret_value())
    elif settings.environment is Environment.PRODUCTION:
        raise KeyConfigurationError(_("Production needs CRUCE_LOG_KEY: no log key is configured."))
    else:
        seed = _development_seed(os.fspath(settings.data_dir / LOG_KEY_FILE))
    return Ed25519Signer(log_origin(settings), Ed25519PrivateKey.from_private_bytes(seed))


# ---------------------------------------------------------------- when to anchor
class AnchorSchedule:
    """Counts audit events since the last anchor; due after ``events`` or ``seconds``."""

    def __init__(
        self, events: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.events = events
        self.seconds = seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._pending = 0
        self._since: float | None = None

    def record(self, count: int) -> bool:
        """Count ``count`` new events; True, and the count restarts, when an anchor is due."""
        with self._lock:
            now = self.clock()
            if self._since is None:
                self._since = now
            self._pending += count
            if self._pending < self.events and now - self._since < self.seconds:
                return False
            self._pending, self._since = 0, None
            return True

    def retry(self) -> None:
        """An anchor that was due failed: make it due again at the next event."""
        with self._lock:
            self._pending = max(self._pending, self.events)


@dataclass(frozen=True, slots=True)
class Anchoring:
    """The log key and the anchoring schedule of one application."""

    signer: Ed25519Signer
    schedule: AnchorSchedule

    @classmethod
    def from_settings(cls, settings: Settings) -> Anchoring:
        """The settings' log key and cadence."""
        return cls(
            log_signer(settings), AnchorSchedule(settings.anchor_events, settings.anchor_seconds)
        )

    def after(self, unit: Unit) -> None:
        """At the end of a unit: anchor when the events it wrote make an anchor due.

        The anchor runs in a savepoint: if it fails, the request still commits, the error
        is logged and the next unit that writes an event tries again.
        """
        if not unit.audit_events or not self.schedule.record(unit.audit_events):
            return
        try:
            with unit.session.begin_nested():
                anchor(unit)
        except Exception:  # noqa: BLE001 - the request's own work must still commit
            _log.exception("anchoring the audit log failed; it is retried with the next event")
            self.schedule.retry()


# ---------------------------------------------------------------- anchoring
@dataclass(frozen=True, slots=True)
class Anchored:
    """What :func:`anchor_head` did: the head anchored (None: nothing new) and the log's size."""

    audit_event_id: int | None
    log_index: int | None
    size: int


def anchor_head(audit: AuditLog, log: TransparencyRepository, signer: Ed25519Signer) -> Anchored:
    """Append the audit head to the log, store its anchor, sign a checkpoint (one transaction).

    Nothing is appended when the head is already the last one anchored; a checkpoint is
    still signed when the latest one is not signed by ``signer`` (a new key, a new name).
    """
    log.lock()  # the audit log's lock first: its head cannot move until the commit
    head = audit.head()
    last = log.last_anchor()
    if head is None or (last is not None and (last.audit_event_id, last.audit_head) == head):
        latest = log.latest_checkpoint()
        if latest is None and head is None:
            return Anchored(None, None, log.size())
        if latest is not None and _opens(latest.note, signer):
            return Anchored(None, None, latest.checkpoint.size)
        signed = log.sign_checkpoint(signer)
        return Anchored(None, None, signed.checkpoint.size)
    event_id, head_hash = head
    (index,) = log.append([audit_head_entry(event_id, head_hash)], AUDIT_HEAD)
    log.add_anchor(index, event_id, head_hash)
    signed = log.sign_checkpoint(signer)
    return Anchored(event_id, index, signed.checkpoint.size)


def _opens(note: str, signer: Ed25519Signer) -> bool:
    verifier = signer.verifier()
    try:
        open_checkpoint(note, verifier, origin=verifier.name)
    except NoteError:
        return False
    return True


def anchor(unit: Unit) -> Anchored:
    """Anchor the audit log's current head in the unit's transaction."""
    if unit.anchoring is None:
        raise RuntimeError("this platform has no log key: nothing can be anchored")
    return anchor_head(unit.audit, unit.transparency, unit.anchoring.signer)


# ---------------------------------------------------------------- verifying
@dataclass(frozen=True, slots=True)
class AuditCheck:
    """The result of :func:`verify_audit`: ok, or the first problem found."""

    events: int
    anchors: int
    problem: str | None = None
    """``altered``, ``missing_before``, ``anchor_mismatch``, ``deleted``, ``deleted_tail``,
    ``anchor_entry``, ``anchor_missing``, ``not_in_checkpoint`` or ``log``."""
    event_id: int | None = None
    log_index: int | None = None
    message: Message | None = None

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return self.problem is None


def verify_audit(session: Session, verifier: NoteVerifier) -> AuditCheck:
    """Recompute the audit chain, check every anchor against it and the log; first problem.

    In order: each event's link and hash (an altered row, rows deleted in the middle); each
    anchored head against the recomputed chain at its event (a rewritten chain), and every
    anchored event still there (deleted at the tail, or with the chain relinked over the
    gap); the whole log (:meth:`TransparencyRepository.verify`, the latest checkpoint signed
    by ``verifier``); each anchor against its leaf and each ``audit_head`` leaf against its
    anchor row; and each anchor's inclusion proof in the latest checkpoint.
    """
    log = TransparencyRepository(session)
    anchors = log.anchors()
    heads: dict[int, str] = {}
    for row in anchors:
        heads.setdefault(row.audit_event_id, row.audit_head)
        if heads[row.audit_event_id] != row.audit_head:
            return _anchor_mismatch(0, len(anchors), row.audit_event_id)
    chain = _check_chain(session, heads, len(anchors))
    if isinstance(chain, AuditCheck):
        return chain
    events, last_id, seen = chain
    lost = sorted(set(heads) - seen)
    if lost and last_id is not None and lost[0] < last_id:
        return AuditCheck(
            events=events,
            anchors=len(anchors),
            problem="deleted",
            event_id=lost[0],
            message=_("Audit event {event_id} was anchored but is gone.", event_id=lost[0]),
        )
    if lost:
        return AuditCheck(
            events=events,
            anchors=len(anchors),
            problem="deleted_tail",
            event_id=lost[0],
            message=_(
                "Audit event {event_id} was anchored but is gone: the newest events were deleted.",
                event_id=lost[0],
            ),
        )
    try:
        latest = log.verify(verifier)
    except LogIntegrityError as error:
        return AuditCheck(events, len(anchors), "log", message=error.message)
    return _check_anchors(log, anchors, latest, events)


def _anchor_mismatch(events: int, anchors: int, event_id: int) -> AuditCheck:
    return AuditCheck(
        events=events,
        anchors=anchors,
        problem="anchor_mismatch",
        event_id=event_id,
        message=_(
            "Audit event {event_id} does not match the head anchored for it: the log was "
            "rewritten.",
            event_id=event_id,
        ),
    )


def _check_chain(
    session: Session, heads: dict[int, str], anchors: int
) -> AuditCheck | tuple[int, int | None, set[int]]:
    """Walk the chain oldest first: event count, last id, anchored ids met; or the problem."""
    previous = GENESIS
    events = 0
    last_id: int | None = None
    seen: set[int] = set()
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
    rows = session.scalars(query)
    try:
        for row in rows:
            if row.prev_hash != previous:
                return AuditCheck(
                    events=events,
                    anchors=anchors,
                    problem="missing_before",
                    event_id=row.id,
                    message=_(
                        "Audit events before event {event_id} were deleted (or its link was "
                        "changed).",
                        event_id=row.id,
                    ),
                )
            if chain_hash(row.prev_hash, row) != row.hash:
                return AuditCheck(
                    events=events,
                    anchors=anchors,
                    problem="altered",
                    event_id=row.id,
                    message=_("Audit event {event_id} was altered.", event_id=row.id),
                )
            if row.id in heads:
                if heads[row.id] != row.hash:
                    return _anchor_mismatch(events, anchors, row.id)
                seen.add(row.id)
            previous, last_id = row.hash, row.id
            events += 1
    finally:
        rows.close()  # a server-side cursor on PostgreSQL
    return events, last_id, seen


def _check_anchors(
    log: TransparencyRepository, anchors: list[AuditAnchor], latest: Checkpoint | None, events: int
) -> AuditCheck:
    """Each anchor against its leaf, each audit leaf against its anchor, each inclusion."""
    count = len(anchors)
    for row in anchors:
        leaf = log.entry(row.log_index)
        expected = audit_head_entry(row.audit_event_id, row.audit_head)
        if leaf is None or leaf.kind != AUDIT_HEAD or bytes(leaf.entry) != expected:
            return AuditCheck(
                events,
                count,
                "anchor_entry",
                row.audit_event_id,
                row.log_index,
                _(
                    "The anchor of log entry {index} does not match the entry logged there.",
                    index=row.log_index,
                ),
            )
    orphans = log.audit_leaves_without_anchor()
    if orphans:
        return AuditCheck(
            events,
            count,
            "anchor_missing",
            log_index=orphans[0],
            message=_(
                "Log entry {index} records an audit head, but its anchor was deleted.",
                index=orphans[0],
            ),
        )
    for row in anchors:
        included = latest is not None and row.log_index < latest.size
        if latest is not None and included:
            leaf_hash = merkle.leaf_hash(audit_head_entry(row.audit_event_id, row.audit_head))
            proof = log.inclusion_proof(row.log_index, latest.size)
            try:
                merkle.verify_inclusion(
                    leaf_hash, row.log_index, latest.size, proof, latest.root_hash
                )
            except merkle.ProofError:
                included = False
        if not included:
            return AuditCheck(
                events,
                count,
                "not_in_checkpoint",
                row.audit_event_id,
                row.log_index,
                _(
                    "The anchor of log entry {index} is not in the latest signed checkpoint.",
                    index=row.log_index,
                ),
            )
    return AuditCheck(events=events, anchors=count)
