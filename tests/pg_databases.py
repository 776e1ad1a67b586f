"""Empty PostgreSQL databases for tests: made, handed over, dropped."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from cruce.store.db import make_engine

if TYPE_CHECKING:
    from collections.abc import Iterator

PG_HOST = os.environ.get("CRUCE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
PG_ADMIN_DB = "test"


@contextmanager
def empty_database(name: str) -> Iterator[str]:
    """The URL of a new, empty database ``name``, dropped afterwards.

    When PostgreSQL cannot be reached the test is skipped, and fails under ``CI=true``.
    """
    admin = make_engine(
        f"{PG_HOST}/{PG_ADMIN_DB}",
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        reason = f"PostgreSQL is not reachable at {PG_HOST}: {error.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield f"{PG_HOST}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
