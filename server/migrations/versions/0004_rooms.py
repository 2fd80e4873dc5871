"""Rooms: presence events, attendance (media time), concerns raised by participants.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roomevent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("joined", sa.Boolean(), nullable=False),
        sa.Column("observer", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_roomevent_meeting", "roomevent", ["meeting_id", "at"])
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("first_media_at", UTCDateTime()),
        sa.Column("media_seconds", sa.Float(), nullable=False),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_attendance_member"),
    )
    op.create_index("ix_attendance_meeting_id", "attendance", ["meeting_id"])
    op.create_table(
        "concern",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id")),
        sa.Column("raised_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("pairing_id", sa.Integer(), sa.ForeignKey("pairing.id")),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id")),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_concern_organisation_id", "concern", ["organisation_id"])


def downgrade() -> None:
    for table in ("concern", "attendance", "roomevent"):
        op.drop_table(table)
