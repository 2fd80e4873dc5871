"""Programme tables: organisations, users, vetting, consent, pairings, meetings.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id")),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("date_of_birth", sa.Date()),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("activated_at", UTCDateTime()),
    )
    op.create_index("ix_user_organisation_role", "user", ["organisation_id", "role"])
    op.create_table(
        "mentorvetting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mentor_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False, unique=True),
        sa.Column("check_type", sa.String(20), nullable=False),
        sa.Column("dbs_issue_date", sa.Date()),
        sa.Column("update_service", sa.Boolean(), nullable=False),
        sa.Column("update_service_checked_on", sa.Date()),
        sa.Column("references_checked", sa.Boolean(), nullable=False),
        sa.Column("training_completed", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "guardianconsent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mentee_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("guardian_name", sa.String(100), nullable=False),
        sa.Column("guardian_contact", sa.String(254), nullable=False),
        sa.Column("consent_date", sa.Date(), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime()),
    )
    op.create_index("ix_guardianconsent_mentee_id", "guardianconsent", ["mentee_id"])
    op.create_table(
        "pairing",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mentor_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("mentee_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column(
            "organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime()),
        sa.Column("end_reason", sa.String(500)),
    )
    op.create_index("ix_pairing_mentor_id", "pairing", ["mentor_id"])
    op.create_index("ix_pairing_mentee_id", "pairing", ["mentee_id"])
    op.create_index("ix_pairing_organisation_id", "pairing", ["organisation_id"])
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pairing_id", sa.Integer(), sa.ForeignKey("pairing.id"), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_meeting_pairing_id", "meeting", ["pairing_id"])
    op.create_index("ix_meeting_starts_at", "meeting", ["starts_at"])


def downgrade() -> None:
    for table in ("meeting", "pairing", "guardianconsent", "mentorvetting", "user", "organisation"):
        op.drop_table(table)
