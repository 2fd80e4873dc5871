"""Safeguarding review: decisions on held and flagged messages, meetings ended for safety.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.add_column(sa.Column("review", sa.String(20)))
        batch.add_column(
            sa.Column(
                "reviewed_by_id",
                sa.Integer(),
                sa.ForeignKey("user.id", name="fk_message_reviewed_by"),
            )
        )
        batch.add_column(sa.Column("reviewed_at", UTCDateTime()))
        batch.add_column(sa.Column("original_body", sa.Text()))
        batch.create_index("ix_message_verdict_review", ["verdict", "review"])
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("ended_early_at", UTCDateTime()))
        batch.add_column(
            sa.Column(
                "ended_by_id",
                sa.Integer(),
                sa.ForeignKey("user.id", name="fk_meeting_ended_by"),
            )
        )
        batch.add_column(sa.Column("end_reason", sa.String(500)))


def downgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("end_reason")
        batch.drop_column("ended_by_id")
        batch.drop_column("ended_early_at")
    with op.batch_alter_table("message") as batch:
        batch.drop_index("ix_message_verdict_review")
        batch.drop_column("original_body")
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by_id")
        batch.drop_column("review")
