"""Seeding the safeguarding phrase list in migrations, around what a lead has changed.

A migration that widens the seeded list adds only the phrases not there yet (whatever their
severity now), and takes back only the rows it could have added that nobody has edited since.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime, utcnow
from server.screening import RiskTerm

_riskterm = sa.table(
    "riskterm",
    sa.column("phrase", sa.String(200)),
    sa.column("severity", sa.String(10)),
    sa.column("category", sa.String(40)),
    sa.column("updated_by_id", sa.Integer()),
    sa.column("updated_at", UTCDateTime()),
)


def add_missing_phrases(terms: Iterable[RiskTerm]) -> None:
    connection = op.get_bind()
    present = {
        phrase.lower() for (phrase,) in connection.execute(sa.select(_riskterm.c.phrase)).all()
    }
    now = utcnow()
    missing = [
        {
            "phrase": t.phrase,
            "severity": t.severity.value,
            "category": t.category,
            "updated_at": now,
        }
        for t in terms
        if t.phrase.lower() not in present
    ]
    if missing:
        op.bulk_insert(_riskterm, missing)


def remove_unedited_phrases(terms: Iterable[RiskTerm]) -> None:
    op.execute(
        _riskterm.delete().where(
            _riskterm.c.phrase.in_([t.phrase for t in terms]),
            _riskterm.c.updated_by_id.is_(None),
        )
    )
