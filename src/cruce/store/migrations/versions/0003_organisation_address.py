"""An organisation's registered address.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``organisations.address`` (JSON; JSONB on PostgreSQL), empty for existing rows."""
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column(
                "address",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    """Drop the address."""
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("address")
