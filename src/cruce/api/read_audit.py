"""Reads' audit events, chained in batches by one writer thread (group commit).

Every read of a shipment or a document is audited before its answer leaves the service.
A read that wrote its own event would hold the audit chain's lock (one per database) for
its lock, head, insert and commit: under load, every reader would queue behind it and
hold a pooled connection while it waits. Instead a read hands its event to this process's
:class:`ReadAudit` and waits: one thread takes whatever events are waiting, appends them
to the chain in one transaction and commits, then releases their readers. The guarantee
is the one a read's own transaction gave (the event is committed before the answer is
sent; when it cannot be, the reader gets an error, not the data), at one lock and one
commit per batch.

Writes still append their events in their own transaction, so that a change and its
audit event commit together or not at all.

The thread starts with the first event and ends after :data:`IDLE_SECONDS` without one.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from cruce.api.platform import Unit
    from cruce.store.repositories.audit import NewEvent

_log = logging.getLogger(__name__)

IDLE_SECONDS: Final = 1.0
"""How long the writer thread waits for an event before it ends."""
MAX_BATCH: Final = 256
"""The most events one transaction appends."""
WAIT_SECONDS: Final = 30.0
"""How long a reader waits for its event's commit before the read fails."""


class AuditUnavailableError(RuntimeError):
    """A read's audit event could not be committed in time: the read must not be answered."""


@dataclass(slots=True)
class _Pending:
    event: NewEvent
    done: Future[None] = field(default_factory=Future)


class ReadAudit:
    """The writer of reads' audit events for one process's units of work."""

    def __init__(
        self,
        unit: Callable[[], AbstractContextManager[Unit]],
        *,
        max_batch: int = MAX_BATCH,
        wait_seconds: float = WAIT_SECONDS,
    ) -> None:
        self._unit = unit
        self._max_batch = max_batch
        self._wait_seconds = wait_seconds
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"ReadAudit(waiting={self._queue.qsize()}, writing={self._thread is not None})"

    def record(self, event: NewEvent) -> None:
        """Append ``event`` to the chain; return once it is committed.

        :class:`AuditUnavailableError` when it was not committed within the wait (the
        database is down, or refused the batch).
        """
        pending = _Pending(event)
        self._queue.put(pending)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="cruce-read-audit", daemon=True
                )
                self._thread.start()
        try:
            pending.done.result(timeout=self._wait_seconds)
        except Exception as error:
            msg = "the read's audit event was not committed"
            raise AuditUnavailableError(msg) from error

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():  # else an event came in just now: go on
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        try:
            with self._unit() as unit:
                unit.append_events([pending.event for pending in batch])
        except Exception as error:  # noqa: BLE001 - handed to every reader of the batch
            _log.exception("a batch of %d read audit events was not committed", len(batch))
            for pending in batch:
                pending.done.set_exception(error)
        else:
            for pending in batch:
                pending.done.set_result(None)
