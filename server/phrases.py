"""The risk phrase list safeguarding leads keep: one list for the platform, every change audited.

The live screener is rebuilt from the database after each change (see chat/screening_rules.py).
"""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import audit, authz
from server.db import utcnow
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.models import RiskTermRow, Role, User
from server.screening import Screener, ScreeningResult, Severity, phrase_words

PHRASE_MAX_LENGTH = 200
CATEGORY_MAX_LENGTH = 40
TEST_MAX_LENGTH = 2000
_CATEGORY = re.compile(r"[a-z][a-z -]*")


def _ensure_lead(user: User) -> None:
    if authz.role_of(user) is not Role.SAFEGUARDING:
        raise Forbidden("Only safeguarding leads keep the phrase list.")


def _checked(phrase: str, severity: str, category: str) -> tuple[str, Severity, str]:
    phrase = " ".join(phrase.split())
    if not phrase:
        raise InvalidInput("Write the phrase to look for.", field="phrase")
    if len(phrase) > PHRASE_MAX_LENGTH:
        raise InvalidInput(
            f"A phrase can be at most {PHRASE_MAX_LENGTH} characters.", field="phrase"
        )
    if not phrase_words(phrase):
        raise InvalidInput("The phrase needs at least one word or number.", field="phrase")
    try:
        level = Severity(severity)
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise InvalidInput(f"Choose a severity: {choices}.", field="severity") from None
    category = " ".join(category.casefold().split())
    if not category or len(category) > CATEGORY_MAX_LENGTH or not _CATEGORY.fullmatch(category):
        raise InvalidInput(
            f"A category is a word or two in letters (at most {CATEGORY_MAX_LENGTH}), "
            "e.g. secrecy or self-harm.",
            field="category",
        )
    return phrase, level, category


async def list_terms(*, session: AsyncSession) -> list[RiskTermRow]:
    return list(
        (
            await session.exec(
                select(RiskTermRow).order_by(col(RiskTermRow.category), col(RiskTermRow.phrase))
            )
        ).all()
    )


async def _ensure_new(session: AsyncSession, phrase: str, *, other_than: int | None = None) -> None:
    query = select(RiskTermRow.id).where(func.lower(RiskTermRow.phrase) == phrase.lower())
    if other_than is not None:
        query = query.where(RiskTermRow.id != other_than)
    if (await session.exec(query)).first() is not None:
        raise Conflict(f"“{phrase}” is on the list already.", field="phrase")


async def _save(session: AsyncSession, row: RiskTermRow) -> None:
    """Flushes the row; the same phrase saved at the same moment elsewhere is a conflict."""
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"“{row.phrase}” is on the list already.", field="phrase") from None


async def add_term(
    *, session: AsyncSession, editor: User, phrase: str, severity: str, category: str
) -> RiskTermRow:
    _ensure_lead(editor)
    phrase, level, category = _checked(phrase, severity, category)
    await _ensure_new(session, phrase)
    row = RiskTermRow(phrase=phrase, severity=level, category=category, updated_by_id=editor.id)
    await _save(session, row)
    await audit.record(
        session=session,
        actor=editor,
        action="phrases.add",
        subject_type="risk_term",
        subject_id=row.id,
        organisation_id=editor.organisation_id,
        reason="Keeping the screening phrase list",
        detail={"phrase": phrase, "severity": level.value, "category": category},
    )
    await session.commit()
    return row


async def update_term(
    *,
    session: AsyncSession,
    editor: User,
    term_id: int,
    phrase: str,
    severity: str,
    category: str,
) -> RiskTermRow:
    _ensure_lead(editor)
    row = await session.get(RiskTermRow, term_id)
    if row is None:
        raise NotFound("No such phrase.", field="term_id")
    phrase, level, category = _checked(phrase, severity, category)
    await _ensure_new(session, phrase, other_than=term_id)
    before = {"phrase": row.phrase, "severity": row.severity, "category": row.category}
    row.phrase, row.severity, row.category = phrase, level, category
    row.updated_by_id, row.updated_at = editor.id, utcnow()
    await _save(session, row)
    await audit.record(
        session=session,
        actor=editor,
        action="phrases.edit",
        subject_type="risk_term",
        subject_id=term_id,
        organisation_id=editor.organisation_id,
        reason="Keeping the screening phrase list",
        detail={
            "before": before,
            "after": {"phrase": phrase, "severity": level.value, "category": category},
        },
    )
    await session.commit()
    return row


async def remove_term(*, session: AsyncSession, editor: User, term_id: int) -> str:
    """Removes the phrase; returns it, for the confirmation."""
    _ensure_lead(editor)
    row = await session.get(RiskTermRow, term_id)
    if row is None:
        raise NotFound("No such phrase.", field="term_id")
    phrase = row.phrase
    await audit.record(
        session=session,
        actor=editor,
        action="phrases.remove",
        subject_type="risk_term",
        subject_id=term_id,
        organisation_id=editor.organisation_id,
        reason="Keeping the screening phrase list",
        detail={"phrase": phrase, "severity": row.severity, "category": row.category},
    )
    await session.delete(row)
    await session.commit()
    return phrase


def try_text(screener: Screener, text: str, *, mentee_under_18: bool) -> ScreeningResult:
    """The test box: what the chat would decide for this text (nothing is stored)."""
    if not text.strip():
        raise InvalidInput("Write some text to test.", field="text")
    if len(text) > TEST_MAX_LENGTH:
        raise InvalidInput(f"Test at most {TEST_MAX_LENGTH:,} characters.", field="text")
    return screener.screen(text, mentee_under_18=mentee_under_18)
