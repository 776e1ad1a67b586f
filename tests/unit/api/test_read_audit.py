"""Reads' audit events: chained in batches by one thread, committed before the read answers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from cruce.api.platform import Platform
from cruce.api.problems import ApiError
from cruce.api.read_audit import AuditUnavailableError, ReadAudit
from cruce.config import Settings
from cruce.store.models import AuditEvent
from cruce.store.repositories.audit import NewEvent

THREADS = 16
READS = 10


@pytest.fixture
def platform(tmp_path) -> Platform:
    return Platform.from_settings(Settings(data_dir=tmp_path))


def _request(ip: str = "203.0.113.7", request_id: str = "r1"):
    return SimpleNamespace(
        client=SimpleNamespace(host=ip), state=SimpleNamespace(request_id=request_id)
    )


def test_a_recorded_read_is_committed_when_record_returns(platform):
    platform.record_read(_request(), "shipment.read", ("shipment", "s1"), (None, None))
    with platform.unit() as unit:
        rows = unit.session.scalars(select(AuditEvent)).all()
    assert [(r.action, r.object_id, r.ip, r.request_id) for r in rows] == [
        ("shipment.read", "s1", "203.0.113.7", "r1")
    ]


def test_reads_from_many_threads_are_each_recorded_once_in_one_valid_chain(platform):
    def reads(worker: int) -> None:
        for step in range(READS):
            platform.record_read(
                _request(request_id=f"{worker}-{step}"),
                "shipment.read",
                ("shipment", "s"),
                (None, None),
            )

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(reads, n) for n in range(THREADS)]:
            future.result()
    with platform.unit() as unit:
        ids = unit.session.scalars(select(AuditEvent.request_id)).all()
        assert sorted(ids) == sorted(f"{w}-{s}" for w in range(THREADS) for s in range(READS))
        assert unit.audit.verify_chain().ok


def test_reads_and_writes_extend_the_same_chain(platform):
    platform.record_read(_request(), "shipment.read", ("shipment", "s1"), (None, None))
    with platform.unit() as unit:
        unit.audit_event(_request(), "shipment.updated", ("shipment", "s1"), (None, None))
    platform.record_read(_request(), "shipment.read", ("shipment", "s1"), (None, None))
    with platform.unit() as unit:
        assert unit.audit.verify_chain().ok
        assert unit.audit.verify_chain().checked == 3


def test_a_batch_that_cannot_commit_fails_its_reads_and_stores_nothing():
    @contextmanager
    def broken_unit():
        raise RuntimeError("the database is down")
        yield  # pragma: no cover

    writer = ReadAudit(broken_unit, wait_seconds=5)
    with pytest.raises(AuditUnavailableError):
        writer.record(NewEvent("shipment.read", "shipment", "s1"))


def test_an_unrecordable_read_is_a_503_not_an_answer(platform, monkeypatch):
    def fail(_event):
        raise AuditUnavailableError

    monkeypatch.setattr(platform.reads, "record", fail)
    with pytest.raises(ApiError) as raised:
        platform.record_read(_request(), "shipment.read", ("shipment", "s1"), (None, None))
    assert raised.value.status == 503
    assert raised.value.headers["Retry-After"] == "5"
