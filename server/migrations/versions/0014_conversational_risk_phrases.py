"""The seeded phrase list, widened again: concerns as they come up in everyday chat.

Added where not there yet; phrases a safeguarding lead already has are left as they are, and so
is everything they removed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from server.phrase_seeding import add_missing_phrases, remove_unedited_phrases
from server.screening import CONVERSATIONAL_RISK_TERMS

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_missing_phrases(CONVERSATIONAL_RISK_TERMS)


def downgrade() -> None:
    remove_unedited_phrases(CONVERSATIONAL_RISK_TERMS)
