"""The seeded phrase list, widened: phrases with choices and gaps, added where not there yet.

Phrases a safeguarding lead already has are left as they are; so is everything they removed
from the first list.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from server.phrase_seeding import add_missing_phrases, remove_unedited_phrases
from server.screening import WIDER_RISK_TERMS

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_missing_phrases(WIDER_RISK_TERMS)


def downgrade() -> None:
    remove_unedited_phrases(WIDER_RISK_TERMS)
