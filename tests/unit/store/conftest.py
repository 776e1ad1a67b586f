"""The storage suite runs on SQLite (a temporary file) and on PostgreSQL (one database per
xdist worker on 127.0.0.1:5432, user ``postgres``). Without a reachable PostgreSQL its cases
are skipped, except when ``CI`` is ``true``: then they fail.

Each test gets a session inside a transaction that is rolled back afterwards; the code
under test may commit (``join_transaction_mode="create_savepoint"``).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.orm import Session

from cruce.store import migrations_api
from cruce.store.db import make_engine
from pg_databases import empty_database

if TYPE_CHECKING:
    import uuid

BACKENDS = ["sqlite", "postgresql"]


class FakeCipher:
    """Not encryption: a tag of (organisation, AAD) and the bytes flipped; a wrong AAD fails."""

    PREFIX = b"FAKE"

    @staticmethod
    def _tag(organisation_id: uuid.UUID, aad: bytes) -> bytes:
        return hashlib.sha256(organisation_id.bytes + aad).digest()[:8]

    def encrypt(self, organisation_id: uuid.UUID, plaintext: bytes, aad: bytes) -> bytes:
        return self.PREFIX + self._tag(organisation_id, aad) + bytes(b ^ 0x5A for b in plaintext)

    def decrypt(self, organisation_id: uuid.UUID, blob: bytes, aad: bytes) -> bytes:
        if blob[:4] != self.PREFIX or blob[4:12] != self._tag(organisation_id, aad):
            raise ValueError("not made for this row")
        return bytes(b ^ 0x5A for b in blob[12:])


class StepClock:
    """A clock that moves one millisecond each time it is read."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'cruce.db'}"
    migrations_api.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url():
    with empty_database(f"cruce_test_{_worker()}") as url:
        migrations_api.upgrade(url)
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request):
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(engine):
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture
def cipher():
    return FakeCipher()


@pytest.fixture
def clock():
    return StepClock()
