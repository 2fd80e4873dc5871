"""Surveys: invitations to the mentee, mentor and meeting surveys, and their answers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "surveyinvitation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(80), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("pairing_id", sa.Integer(), sa.ForeignKey("pairing.id"), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False
        ),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("skipped_at", UTCDateTime(), nullable=True),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_surveyinvitation_pairing_id", "surveyinvitation", ["pairing_id"])
    op.create_index("ix_surveyinvitation_user_due", "surveyinvitation", ["user_id", "due_at"])
    op.create_index("ix_surveyinvitation_reminder", "surveyinvitation", ["reminded_at", "due_at"])
    op.create_index("ix_surveyinvitation_report", "surveyinvitation", ["organisation_id", "kind"])
    op.create_table(
        "surveyanswer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "invitation_id", sa.Integer(), sa.ForeignKey("surveyinvitation.id"), nullable=False
        ),
        sa.Column("item", sa.String(20), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.UniqueConstraint("invitation_id", "item", name="uq_surveyanswer_item"),
    )


def downgrade() -> None:
    op.drop_table("surveyanswer")
    op.drop_index("ix_surveyinvitation_report", table_name="surveyinvitation")
    op.drop_index("ix_surveyinvitation_reminder", table_name="surveyinvitation")
    op.drop_index("ix_surveyinvitation_user_due", table_name="surveyinvitation")
    op.drop_index("ix_surveyinvitation_pairing_id", table_name="surveyinvitation")
    op.drop_table("surveyinvitation")
