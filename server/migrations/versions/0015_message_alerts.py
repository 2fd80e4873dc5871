"""E-mail alerts of unread chat messages: how far each member was alerted, and who wants them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversationread") as batch:
        batch.add_column(sa.Column("alerted_seq", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("message_alerts", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("message_alerts")
    with op.batch_alter_table("conversationread") as batch:
        batch.drop_column("alerted_seq")
