"""Reading units: no transaction on PostgreSQL, and nothing of theirs leaks into a unit of work."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from cruce.api.platform import Platform
from cruce.config import Settings
from cruce.store.crypto import KeyCache
from cruce.store.models import AuditEvent
from pg_databases import empty_database

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def platform(request, tmp_path):
    if request.param == "sqlite":
        yield Platform.from_settings(Settings(data_dir=tmp_path))
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with empty_database(f"cruce_reading_{worker}") as url:
        platform = Platform.from_settings(Settings(data_dir=tmp_path, database_url=url))
        try:
            yield platform
        finally:
            platform.sessions.kw["bind"].dispose()


def _in_transaction(unit) -> bool:
    connection = unit.session.connection()
    if connection.dialect.name == "postgresql":
        return not connection.connection.driver_connection.autocommit
    return connection.in_transaction()


def test_a_reading_unit_on_postgresql_begins_no_transaction(platform):
    with platform.reading() as unit:
        unit.audit.head()
        in_transaction = _in_transaction(unit)
    # on SQLite a reading unit is a unit of work (its lock serialises the one writer)
    assert in_transaction is (platform.readers is None)


def test_a_unit_after_a_reading_unit_still_rolls_back_what_it_wrote(platform):
    for _ in range(3):  # the pooled connections have all served reading units
        with platform.reading() as unit:
            unit.audit.head()

    def write_then_fail() -> None:
        with platform.unit() as unit:
            assert _in_transaction(unit)
            unit.audit.append("shipment.updated", "shipment", "s1")
            msg = "the request fails after its write"
            raise RuntimeError(msg)

    with pytest.raises(RuntimeError, match="fails"):
        write_then_fail()
    with platform.reading() as unit:
        assert unit.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_each_statement_of_a_reading_unit_sees_what_has_committed(platform):
    if platform.readers is None:
        pytest.skip("on SQLite a reading unit is a transaction that holds the write lock")
    with platform.reading() as reader:
        assert reader.audit.head() is None
        with platform.unit() as writer:
            writer.audit.append("shipment.read", "shipment", "s1")
        assert reader.audit.head() is not None


def test_a_key_opened_by_a_reading_unit_is_shared_with_the_next_units(platform):
    with platform.unit() as unit:
        organisation_id = unit.organisations.create("Aceros del Norte", "mx_rfc", "AAA010101AAA")
    object.__setattr__(platform, "keys", KeyCache())  # as a new process would start
    assert platform.keys.get(organisation_id, 1) is None
    with platform.reading() as unit:
        assert unit.organisations.get(organisation_id).tax_id == "AAA010101AAA"
    assert platform.keys.get(organisation_id, 1) is not None
