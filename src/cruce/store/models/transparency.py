"""The service's transparency log (an RFC 9162 Merkle tree) and the audit heads anchored in it.

Four append-only tables: the leaves (32-byte entries), the stored tree hashes (each leaf
hash and each perfect subtree, keyed by :func:`cruce.trust.merkle.append_position`), the
signed checkpoints, and the audit anchors (which audit event and chain hash each
``audit_head`` leaf records). Nothing updates or deletes a row; the repository only adds.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - SQLAlchemy reads the Mapped[] annotations at run time

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cruce.store.models.base import Base

# BIGINT on PostgreSQL; INTEGER on SQLite, where an INTEGER PRIMARY KEY is the rowid
_SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")


class LogLeaf(Base):
    """One entry of the log: a 32-byte digest at ``index``, and what kind of thing it names."""

    __tablename__ = "log_leaves"

    index: Mapped[int] = mapped_column(_SEQUENCE, primary_key=True, autoincrement=False)
    entry: Mapped[bytes] = mapped_column(LargeBinary(32))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class LogHash(Base):
    """A leaf hash or a perfect subtree's hash; ``id`` is its place in append order."""

    __tablename__ = "log_hashes"

    id: Mapped[int] = mapped_column(_SEQUENCE, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogCheckpoint(Base):
    """A signed checkpoint (C2SP tlog-checkpoint note) of the first ``size`` leaves."""

    __tablename__ = "log_checkpoints"

    id: Mapped[int] = mapped_column(_SEQUENCE, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInteger)
    vkey: Mapped[str] = mapped_column(String(300))
    """The verifier key of the key that signed it (keys may rotate)."""
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuditAnchor(Base):
    """The audit log's head (newest event id and its chain hash) recorded as leaf ``log_index``.

    No foreign key to ``audit_events``: an anchor must outlive the rows it vouches for, so
    that their deletion shows.
    """

    __tablename__ = "audit_anchors"

    log_index: Mapped[int] = mapped_column(
        _SEQUENCE,
        ForeignKey("log_leaves.index", ondelete="RESTRICT"),
        primary_key=True,
        autoincrement=False,
    )
    audit_event_id: Mapped[int] = mapped_column(BigInteger, index=True)
    audit_head: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
