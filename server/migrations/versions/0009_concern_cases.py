"""Concern cases: the workflow and NSPCC-style record on concern, append-only case notes, links to
messages and meetings, and each organisation's deputy safeguarding lead.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person(name: str, constraint: str) -> sa.Column[int]:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey("user.id", name=constraint, ondelete="SET NULL")
    )


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(_person("deputy_safeguarding_id", "fk_organisation_deputy_safeguarding"))
    with op.batch_alter_table("concern") as batch:
        batch.add_column(_person("subject_id", "fk_concern_subject"))
        batch.add_column(_person("assignee_id", "fk_concern_assignee"))
        batch.add_column(sa.Column("triaged_at", UTCDateTime()))
        batch.add_column(sa.Column("closed_at", UTCDateTime()))
        batch.add_column(sa.Column("escalated_at", UTCDateTime()))
        batch.add_column(sa.Column("observed_by", sa.String(200)))
        batch.add_column(sa.Column("occurred_at", UTCDateTime()))
        batch.add_column(sa.Column("action_taken", sa.Text()))
        batch.add_column(sa.Column("referred", sa.Boolean()))
        batch.add_column(sa.Column("referred_to", sa.String(300)))
        batch.add_column(sa.Column("no_referral_reason", sa.Text()))
        batch.create_index("ix_concern_status_created", ["status", "created_at"])
    op.create_table(
        "concern_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "concern_id",
            sa.Integer(),
            sa.ForeignKey("concern.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _person("author_id", "fk_concern_note_author"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_concern_note_concern_id", "concern_note", ["concern_id"])
    op.create_table(
        "concern_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "concern_id",
            sa.Integer(),
            sa.ForeignKey("concern.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("message.id", ondelete="CASCADE")),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id", ondelete="CASCADE")),
        _person("linked_by_id", "fk_concern_link_linked_by"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("concern_id", "message_id", name="uq_concern_link_message"),
        sa.UniqueConstraint("concern_id", "meeting_id", name="uq_concern_link_meeting"),
    )
    op.create_index("ix_concern_link_concern_id", "concern_link", ["concern_id"])


def downgrade() -> None:
    op.drop_table("concern_link")
    op.drop_table("concern_note")
    with op.batch_alter_table("concern") as batch:
        batch.drop_index("ix_concern_status_created")
        for column in (
            "no_referral_reason",
            "referred_to",
            "referred",
            "action_taken",
            "occurred_at",
            "observed_by",
            "escalated_at",
            "closed_at",
            "triaged_at",
        ):
            batch.drop_column(column)
        batch.drop_constraint("fk_concern_assignee", type_="foreignkey")
        batch.drop_column("assignee_id")
        batch.drop_constraint("fk_concern_subject", type_="foreignkey")
        batch.drop_column("subject_id")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_constraint("fk_organisation_deputy_safeguarding", type_="foreignkey")
        batch.drop_column("deputy_safeguarding_id")
