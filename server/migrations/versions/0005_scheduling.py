"""Scheduling: meeting series and calendar sequence, profiles for matching, reminders,
personal tokens (API and calendar feed), network-wide matching per organisation, calendar
invitations attached to outbox e-mail.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(
            sa.Column("network_matching", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("series_id", sa.String(36)))
        batch.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column(
                "created_by_id",
                sa.Integer(),
                sa.ForeignKey("user.id", name="fk_meeting_created_by"),
            )
        )
        batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_meeting_series_id", ["series_id"])
    op.execute("UPDATE meeting SET updated_at = created_at")
    with op.batch_alter_table("meeting") as batch:
        batch.alter_column("updated_at", existing_type=UTCDateTime(), nullable=False)
    with op.batch_alter_table("outboxemail") as batch:
        batch.add_column(sa.Column("calendar", sa.Text()))
        batch.add_column(sa.Column("calendar_method", sa.String(10)))
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False, unique=True),
        sa.Column("interests", sa.Text(), nullable=False),
        sa.Column("sectors", sa.Text(), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("availability", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime()),
        sa.UniqueConstraint("meeting_id", "kind", "starts_at", name="uq_reminder_once"),
    )
    op.create_index("ix_reminder_due", "reminder", ["sent_at", "due_at"])
    op.create_table(
        "personaltoken",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime()),
        sa.Column("revoked_at", UTCDateTime()),
    )
    op.create_index("ix_personaltoken_user_id", "personaltoken", ["user_id"])


def downgrade() -> None:
    for table in ("personaltoken", "reminder", "profile"):
        op.drop_table(table)
    with op.batch_alter_table("meeting") as batch:
        batch.drop_index("ix_meeting_series_id")
        for column in ("updated_at", "created_by_id", "sequence", "series_id"):
            batch.drop_column(column)
    with op.batch_alter_table("outboxemail") as batch:
        batch.drop_column("calendar_method")
        batch.drop_column("calendar")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("network_matching")
