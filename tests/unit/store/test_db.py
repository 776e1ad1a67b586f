from __future__ import annotations

import pytest
from sqlalchemy import text

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
