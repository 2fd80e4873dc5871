"""The seeded phrase list, widened: phrases with choices and gaps, added where not there yet.

Phrases a safeguarding lead already has are left as they are; so is everything they removed
from the first list.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime, utcnow
from server.screening import WIDER_RISK_TERMS

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

riskterm = sa.table(
    "riskterm",
    sa.column("phrase", sa.String(200)),
    sa.column("severity", sa.String(10)),
    sa.column("category", sa.String(40)),
    sa.column("updated_by_id", sa.Integer()),
    sa.column("updated_at", UTCDateTime()),
)


def upgrade() -> None:
    connection = op.get_bind()
    present = {
        phrase.lower() for (phrase,) in connection.execute(sa.select(riskterm.c.phrase)).all()
    }
    now = utcnow()
    missing = [
        {
            "phrase": t.phrase,
            "severity": t.severity.value,
            "category": t.category,
            "updated_at": now,
        }
        for t in WIDER_RISK_TERMS
        if t.phrase.lower() not in present
    ]
    if missing:
        op.bulk_insert(riskterm, missing)


def downgrade() -> None:
    # Only the rows this revision could have added and nobody has edited since.
    op.execute(
        riskterm.delete().where(
            riskterm.c.phrase.in_([t.phrase for t in WIDER_RISK_TERMS]),
            riskterm.c.updated_by_id.is_(None),
        )
    )
