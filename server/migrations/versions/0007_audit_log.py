"""Audit log: every staff read of personal data, append-only and hash-chained.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The database itself refuses to change or remove an entry, whatever code asks it to.
_POSTGRESQL_UPGRADE = (
    """
    CREATE FUNCTION auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit log is append-only';
    END
    $$
    """,
    """
    CREATE TRIGGER auditentry_append_only BEFORE UPDATE OR DELETE ON auditentry
    FOR EACH ROW EXECUTE FUNCTION auditentry_append_only()
    """,
    """
    CREATE TRIGGER auditentry_no_truncate BEFORE TRUNCATE ON auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION auditentry_append_only()
    """,
)
_POSTGRESQL_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS auditentry_no_truncate ON auditentry",
    "DROP TRIGGER IF EXISTS auditentry_append_only ON auditentry",
    "DROP FUNCTION IF EXISTS auditentry_append_only()",
)
_SQLITE_UPGRADE = (
    """
    CREATE TRIGGER auditentry_no_update BEFORE UPDATE ON auditentry
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END
    """,
    """
    CREATE TRIGGER auditentry_no_delete BEFORE DELETE ON auditentry
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END
    """,
)
_SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS auditentry_no_update",
    "DROP TRIGGER IF EXISTS auditentry_no_delete",
)


def upgrade() -> None:
    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject_type", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_auditentry_organisation_id", "auditentry", ["organisation_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in _POSTGRESQL_UPGRADE:
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in _SQLITE_UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in _POSTGRESQL_DOWNGRADE:
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in _SQLITE_DOWNGRADE:
            op.execute(statement)
    op.drop_index("ix_auditentry_organisation_id", table_name="auditentry")
    op.drop_table("auditentry")
