from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from cruce.store import db
from cruce.store.db import make_engine, make_sessionmaker, normalise_url


class TestMakeEngine:
    def test_sqlite_has_wal_foreign_keys_and_a_busy_timeout(self, tmp_path):
        engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'x.db'}")
        try:
            with engine.connect() as connection:
                assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
                assert connection.scalar(text("PRAGMA foreign_keys")) == 1
                assert connection.scalar(text("PRAGMA busy_timeout")) == 5000
        finally:
            engine.dispose()
        assert (tmp_path / "new" / "x.db").exists()

    def test_sqlite_in_memory_is_refused(self):
        with pytest.raises(ValueError, match="file"):
            make_engine("sqlite://")

    def test_postgresql_urls_use_psycopg_3(self):
        assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
        assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"

    def test_sessions_keep_objects_readable_after_commit(self, engine):
        assert make_sessionmaker(engine).kw["expire_on_commit"] is False


class TestPingWhenIdle:
    """PostgreSQL connections are pinged before use only after sitting idle."""

    @staticmethod
    def _count_pings(engine, monkeypatch) -> list[int]:
        pings: list[int] = []
        ping = engine.dialect.do_ping

        def counted(dbapi_connection):
            pings.append(1)
            return ping(dbapi_connection)

        monkeypatch.setattr(engine.dialect, "do_ping", counted)
        return pings

    def test_a_connection_the_server_closed_while_it_sat_idle_is_replaced(
        self, postgresql_url, monkeypatch
    ):
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        engine = make_engine(postgresql_url)
        killer = make_engine(postgresql_url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                before = connection.scalar(text("SELECT pg_backend_pid()"))
            with killer.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": before})
            with engine.connect() as connection:  # no error: the ping found it dead
                assert connection.scalar(text("SELECT pg_backend_pid()")) != before
        finally:
            engine.dispose()
            killer.dispose()

    def test_a_connection_used_a_moment_ago_is_not_pinged(self, postgresql_url, monkeypatch):
        engine = make_engine(postgresql_url)
        pings = self._count_pings(engine, monkeypatch)
        try:
            for _ in range(5):
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            assert pings == []
            monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            assert pings == [1]
        finally:
            engine.dispose()
