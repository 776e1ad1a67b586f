"""Engines and sessions: SQLite (a file, WAL, foreign keys on) or PostgreSQL through psycopg 3.

Nothing here is created at import: the application builds one engine at start-up with
:func:`make_engine` and hands a :func:`make_sessionmaker` factory to whoever needs sessions.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine import URL, Connection, Engine
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_POOL_SIZE = 40
"""AnyIO's default thread limiter: the most threads that hold a connection at once."""
PING_AFTER_IDLE_SECONDS = 5.0
"""A pooled PostgreSQL connection idle longer than this is pinged before it is handed out."""
_RETURNED_AT = "cruce_returned_at"


def normalise_url(url: str | URL) -> URL:
    """``postgresql://`` and ``postgres://`` mean psycopg 3; other URLs are kept."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (the
    # documented pysqlite recipe): savepoints and transactional DDL then work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL, **options: Any) -> Engine:  # noqa: ANN401 - create_engine's options
    """An engine for ``url``; a SQLite file's folder is created when missing."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or database.startswith("file:"):
            msg = "cruce stores its data in a SQLite file, not in memory"
            raise ValueError(msg)
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # one connection per thread of the server's pool, kept: a new SQLite connection
        # pays its PRAGMAs and an empty page cache
        if options.setdefault("poolclass", QueuePool) is QueuePool:
            options.setdefault("pool_size", SQLITE_POOL_SIZE)
            options.setdefault("max_overflow", 0)
        engine = create_engine(parsed, **options)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    engine = create_engine(parsed, **options)
    if not options.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle for a while.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one more round trip on every
    unit of work, however busy the pool. A connection used a moment ago is alive; one that
    sat idle may have been closed by the server, a restart or a firewall. When the ping
    fails the pool drops the connection and hands out another (SQLAlchemy's documented
    ``checkout`` event with ``DisconnectionError``). A connection that dies between two
    close uses fails its request, and SQLAlchemy then invalidates the pool.
    """
    dialect = engine.dialect

    def returned(_dbapi: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    def checkout(
        dbapi: DBAPIConnection, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        since = record.info.get(_RETURNED_AT)
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi)
        except Exception as error:  # any failure means: use another connection
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            msg = "the pooled connection did not answer its ping"
            raise exc.DisconnectionError(msg)

    event.listen(engine, "checkin", returned)
    event.listen(engine, "checkout", checkout)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """The session factory of ``engine``; objects stay readable after a commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
