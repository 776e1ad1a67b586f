"""The transparency log: leaves, stored tree hashes, signed checkpoints, audit anchors.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:33:48.133209
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the log's four tables."""
    op.create_table(
        "log_checkpoints",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("vkey", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_checkpoints")),
    )
    op.create_table(
        "log_hashes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_hashes")),
    )
    op.create_table(
        "log_leaves",
        sa.Column(
            "index",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("entry", sa.LargeBinary(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("index", name=op.f("pk_log_leaves")),
    )
    op.create_table(
        "audit_anchors",
        sa.Column(
            "log_index",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("audit_event_id", sa.BigInteger(), nullable=False),
        sa.Column("audit_head", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["log_index"],
            ["log_leaves.index"],
            name=op.f("fk_audit_anchors_log_index_log_leaves"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("log_index", name=op.f("pk_audit_anchors")),
    )
    with op.batch_alter_table("audit_anchors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_anchors_audit_event_id"), ["audit_event_id"], unique=False
        )


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("audit_anchors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_anchors_audit_event_id"))

    op.drop_table("audit_anchors")
    op.drop_table("log_leaves")
    op.drop_table("log_hashes")
    op.drop_table("log_checkpoints")
