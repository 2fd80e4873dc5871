"""Chat: conversations, messages, read positions, and the safeguarding phrase list.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime, utcnow
from server.screening import FIRST_RISK_TERMS

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "pairing_id", sa.Integer(), sa.ForeignKey("pairing.id"), nullable=False, unique=True
        ),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversation.id"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_message_conversation_seq"),
        sa.UniqueConstraint("sender_id", "client_id", name="uq_message_sender_client"),
    )
    op.create_index("ix_message_status_created", "message", ["status", "created_at"])
    op.create_table(
        "conversationread",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversation.id"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("last_read_seq", sa.Integer(), nullable=False),
        sa.UniqueConstraint("conversation_id", "user_id", name="uq_read_member"),
    )
    riskterm = op.create_table(
        "riskterm",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phrase", sa.String(200), nullable=False, unique=True),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    now = utcnow()
    op.bulk_insert(
        riskterm,
        [
            {
                "phrase": t.phrase,
                "severity": t.severity.value,
                "category": t.category,
                "updated_at": now,
            }
            for t in FIRST_RISK_TERMS
        ],
    )


def downgrade() -> None:
    for table in ("riskterm", "conversationread", "message", "conversation"):
        op.drop_table(table)
