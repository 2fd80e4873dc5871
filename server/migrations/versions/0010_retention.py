"""Retention: how long each type of record is kept (seeded with the defaults), and daily job runs.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The defaults as they were when this migration was written (server/retention.py explains them).
_DEFAULTS = (
    ("chat_messages", 730, "pairing_end"),
    ("meetings", 730, "pairing_end"),
    ("concerns", 9131, "subject_date_of_birth"),
    ("outbox_emails", 90, "sent"),
    ("login_failures", 30, "attempt"),
    ("sessions_and_tokens", 30, "expiry_or_use"),
)


def upgrade() -> None:
    policy = op.create_table(
        "retention_policy",
        sa.Column("record_type", sa.String(40), primary_key=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("anchor", sa.String(40), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("ran_on", sa.Date(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("name", "ran_on", name="uq_job_run_day"),
    )
    seeded_at = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        policy,
        [
            {"record_type": record_type, "days": days, "anchor": anchor, "updated_at": seeded_at}
            for record_type, days, anchor in _DEFAULTS
        ],
    )


def downgrade() -> None:
    op.drop_table("job_run")
    op.drop_table("retention_policy")
