"""Many requests at once on the SQLite store: each reads, then writes its audit event."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from cruce.api.platform import Platform
from cruce.config import Settings
from cruce.store.models import AuditEvent

THREADS = 16
UNITS = 12


@pytest.fixture
def platform(tmp_path) -> Platform:
    return Platform.from_settings(Settings(data_dir=tmp_path))


def _read_then_audit(platform: Platform, worker: int) -> None:
    for step in range(UNITS):
        with platform.unit() as unit:
            unit.audit.head()  # a read first: the transaction holds a snapshot
            unit.audit.append("shipment.read", "shipment", f"{worker}-{step}")


def test_concurrent_units_that_read_then_write_all_commit_on_sqlite(platform):
    # Before units were serialised and SQLite transactions began IMMEDIATE, a read that
    # turned into a write failed at once with "database is locked" when another writer
    # had committed since its snapshot (a 500 for most requests under 32 connections).
    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(_read_then_audit, platform, n) for n in range(THREADS)]:
            future.result()
    with platform.unit() as unit:
        count = unit.session.scalar(select(func.count()).select_from(AuditEvent))
        assert count == THREADS * UNITS
        assert unit.audit.verify_chain().ok
