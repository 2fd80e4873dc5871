"""Safeguarding review of held and flagged messages: the queue, decisions, redaction.

A held message waits, unseen by the recipient, until a safeguarding lead in scope approves it
(delivered as written, in its place in the conversation), redacts it (delivered with contact
details removed, the original kept for the record) or rejects it (never delivered; the sender
is told). A flagged message was delivered already; the lead acknowledges it. Every view of the
queue and every decision is written to the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import audit, authz
from server.chat.rules import clean_message_text, is_under_18
from server.db import utcnow
from server.directory import display_names
from server.errors import Conflict, InvalidInput, NotFound
from server.models import Conversation, Message, MessageStatus, Pairing, Review, Role, User
from server.screening import (
    REASON_ADDRESS,
    REASON_EMAIL,
    REASON_PHONE,
    REASON_URL,
    Screener,
)

# What a reviewer asks for, by the verb on the button (pages and API alike).
DECISIONS = {
    "approve": Review.APPROVED,
    "reject": Review.REJECTED,
    "redact": Review.REDACTED,
    "acknowledge": Review.ACKNOWLEDGED,
}
QUEUE_LIMIT = 50
CONTEXT_BEFORE = 3
CONTEXT_AFTER = 2
REMOVED = "[removed]"

# Suggestions only: the lead edits the text, and the result is screened again before delivery.
_REDACTIONS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(  # spelled out: "jo dot smith at gmail dot com"
        r"\b[\w.+-]+(?:\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*[\w-]+)*\s*(?:\(at\)|\[at\]|\sat\s)\s*"
        r"[\w-]+(?:\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*[a-z]{2,})+",
        re.I,
    ),
    re.compile(r"\b(?:https?://|www\.)[^\s,;!?]+", re.I),
    re.compile(r"\b[\w-]+\.(?:com|co\.uk|uk|org|net|io|me|gg|ly|app|info)(?:/\S*)?\b", re.I),
    re.compile(r"(?<!\w)@[A-Za-z0-9_.]{2,}"),  # handles
    re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{7,}\d(?!\w)"),  # phone numbers
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I),  # UK postcodes
)
# A redaction must leave none of these. Invitations ("text me") are the lead's judgement.
_DETAILS = (REASON_PHONE, REASON_EMAIL, REASON_URL, REASON_ADDRESS)


def suggest_redaction(text: str) -> str:
    """The text with anything that looks like a contact detail replaced by "[removed]"."""
    for pattern in _REDACTIONS:
        text = pattern.sub(REMOVED, text)
    return text


@dataclass(frozen=True)
class Line:
    """One message as a reviewer sees it."""

    message: Message
    sender_name: str


@dataclass(frozen=True)
class QueueItem:
    line: Line
    pairing: Pairing
    mentor_name: str
    mentee_name: str
    context: list[Line]  # the conversation around the message, oldest first
    suggestion: str | None  # a redaction to start from, for held messages


@dataclass(frozen=True)
class Decided:
    """A decision, with what the live engine needs to show it to the pair."""

    message: Message
    sender_name: str
    pairing_id: int
    organisation_id: int


def _waiting() -> sa.ColumnElement[bool]:
    return or_(
        col(Message.status) == MessageStatus.HELD,
        and_(col(Message.verdict) == "FLAG", col(Message.review).is_(None)),
    )


async def _contexts(*, session: AsyncSession, messages: list[Message]) -> dict[int, list[Line]]:
    """For each message (by id), the conversation around it, oldest first: one query for all."""
    if not messages:
        return {}
    windows = [
        and_(
            col(Message.conversation_id) == message.conversation_id,
            col(Message.seq).between(message.seq - CONTEXT_BEFORE, message.seq + CONTEXT_AFTER),
        )
        for message in messages
    ]
    rows = await session.exec(
        select(Message, User.display_name)
        .join(User, col(User.id) == col(Message.sender_id))
        .where(or_(*windows))
        .order_by(col(Message.conversation_id), col(Message.seq))
    )
    nearby = [Line(m, name) for m, name in rows.all()]
    return {
        message.id or 0: [
            line
            for line in nearby
            if line.message.conversation_id == message.conversation_id
            and message.seq - CONTEXT_BEFORE <= line.message.seq <= message.seq + CONTEXT_AFTER
        ]
        for message in messages
    }


_Query = TypeVar("_Query", bound=sa.Select[Any])


def _in_queue(query: _Query, viewer: User) -> _Query:
    """The query over the messages waiting in the viewer's scope, newest first."""
    query = (
        query.join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .join(Pairing, col(Pairing.id) == col(Conversation.pairing_id))
        .where(_waiting())
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
        .limit(QUEUE_LIMIT)
    )
    if not authz.is_platform_wide(viewer):
        query = query.where(col(Pairing.organisation_id) == viewer.organisation_id)
    return query


async def waiting_message_ids(*, session: AsyncSession, viewer: User) -> list[int]:
    """The ids the viewer's review queue holds now, newest first: no text, so not audited.

    A console reconnecting after a reload or a dropped connection asks for these to catch up on
    what it missed while it was not listening.
    """
    query = _in_queue(sa.select(col(Message.id)), viewer)
    return list((await session.execute(query)).scalars())


async def review_queue(
    *, session: AsyncSession, viewer: User, message_id: int | None = None
) -> list[QueueItem]:
    """Held and flagged messages waiting in the viewer's scope, newest first, with context.

    With `message_id`, just that message (if it is waiting and in scope). Audited: the queue
    shows what young people wrote.
    """
    query = _in_queue(select(Message, Pairing), viewer)
    if message_id is not None:
        query = query.where(Message.id == message_id)
    rows = (await session.exec(query)).all()
    names = await display_names(
        session=session,
        user_ids={p.mentor_id for _, p in rows} | {p.mentee_id for _, p in rows},
    )
    contexts = await _contexts(session=session, messages=[message for message, _ in rows])
    items = [
        QueueItem(
            line=Line(message, names.get(message.sender_id, "")),
            pairing=pairing,
            mentor_name=names.get(pairing.mentor_id, ""),
            mentee_name=names.get(pairing.mentee_id, ""),
            context=contexts[message.id or 0],
            suggestion=suggest_redaction(message.body)
            if message.status == MessageStatus.HELD
            else None,
        )
        for message, pairing in rows
    ]
    if items:
        await audit.record(
            session=session,
            actor=viewer,
            action="review.view",
            subject_type="message",
            subject_id=items[0].line.message.id if message_id is not None else None,
            organisation_id=viewer.organisation_id,
            reason="Reviewing held and flagged messages",
            detail={"message_ids": [item.line.message.id for item in items]},
        )
        await session.commit()
    return items


async def decide(
    *,
    session: AsyncSession,
    reviewer: User,
    message_id: int,
    decision: Review,
    screener: Screener,
    redacted_text: str | None = None,
) -> Decided:
    """Records the decision once (a second reviewer gets a conflict) and audits it."""
    row = (
        await session.exec(
            select(Message, Pairing, User)
            .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
            .join(Pairing, col(Pairing.id) == col(Conversation.pairing_id))
            .join(User, col(User.id) == col(Message.sender_id))
            .where(Message.id == message_id)
        )
    ).first()
    if (
        row is None
        or authz.role_of(reviewer) is not Role.SAFEGUARDING
        or not authz.in_scope(reviewer, row[1].organisation_id)
    ):
        raise NotFound("No such message.", field="message_id")
    message, pairing, sender = row
    held = message.status == MessageStatus.HELD
    if message.review is not None:
        raise Conflict(f"This message was already {message.review}.")
    if decision is Review.ACKNOWLEDGED and (held or message.verdict != "FLAG"):
        raise Conflict("Only a flagged message can be acknowledged; decide on held ones.")
    if decision is not Review.ACKNOWLEDGED and not held:
        raise Conflict("This message is not held: it was delivered already.")

    values: dict[str, object] = {
        "review": decision.value,
        "reviewed_by_id": reviewer.id,
        "reviewed_at": utcnow(),
    }
    if decision is Review.REJECTED:
        values["status"] = MessageStatus.REJECTED
    elif decision in (Review.APPROVED, Review.REDACTED):
        values["status"] = MessageStatus.DELIVERED
    if decision is Review.REDACTED:
        values["body"] = await _checked_redaction(
            session=session,
            pairing=pairing,
            original=message.body,
            redacted=redacted_text,
            screener=screener,
        )
        values["original_body"] = message.body
    elif redacted_text is not None:
        raise InvalidInput("Only a redaction takes new text.", field="text")

    # Conditional: of two leads deciding at once, exactly one wins.
    updated = await session.exec(
        sa.update(Message)
        .where(col(Message.id) == message_id, col(Message.review).is_(None))
        .values(**values)
    )
    if updated.rowcount != 1:
        await session.rollback()
        raise Conflict("Someone else decided on this message a moment ago.")
    await audit.record(
        session=session,
        actor=reviewer,
        action=f"review.{decision.value}",
        subject_type="message",
        subject_id=message_id,
        organisation_id=pairing.organisation_id,
        reason="Safeguarding review of a " + ("held" if held else "flagged") + " message",
        detail={"pairing_id": pairing.id, "reasons": message.reasons.splitlines()},
    )
    await session.commit()
    await session.refresh(message)
    return Decided(
        message=message,
        sender_name=sender.display_name,
        pairing_id=pairing.id or 0,
        organisation_id=pairing.organisation_id,
    )


async def _checked_redaction(
    *,
    session: AsyncSession,
    pairing: Pairing,
    original: str,
    redacted: str | None,
    screener: Screener,
) -> str:
    """The redacted text, if it is a real redaction and no contact detail survived it."""
    if redacted is None:
        raise InvalidInput("Give the text to deliver, with the details removed.", field="text")
    text = clean_message_text(redacted)
    if text == original:
        raise InvalidInput("Nothing was removed: change the text or approve it.", field="text")
    mentee = await session.get(User, pairing.mentee_id)
    under_18 = is_under_18(mentee.date_of_birth if mentee else None, utcnow().date())
    left = [
        reason
        for reason in screener.screen(text, mentee_under_18=under_18).reasons
        if reason in _DETAILS
    ]
    if left:
        kinds = ", ".join(reason.removeprefix("contact:") for reason in left)
        raise InvalidInput(f"The text still contains contact details ({kinds}).", field="text")
    return text
