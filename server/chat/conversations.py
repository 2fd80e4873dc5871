"""Conversations: who may open one, sending a message, and what each member may read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.authz import role_of
from server.chat.batch import Draft, Stored
from server.chat.rules import RateLimiter, clean_message_text, is_under_18
from server.chat.writer import MessageWriter
from server.db import utcnow
from server.errors import Forbidden, NotFound
from server.models import (
    Conversation,
    ConversationRead,
    MentorVetting,
    Message,
    MessageStatus,
    Pairing,
    PairingStatus,
    Role,
    User,
)
from server.screening import Screener, Verdict, tells_of_harm_to_writer
from server.vetting import mentor_eligibility
from sessions.contracts import ConversationAccess


@dataclass(frozen=True)
class SentMessage:
    stored: Stored
    verdict: Verdict
    reasons: tuple[str, ...]


async def conversation_for_pairing(*, session: AsyncSession, pairing_id: int) -> Conversation:
    """The pairing's conversation, created the first time anyone opens it."""
    query = select(Conversation).where(Conversation.pairing_id == pairing_id)
    found = (await session.exec(query)).first()
    if found is not None:
        return found
    session.add(Conversation(pairing_id=pairing_id))
    try:
        await session.commit()
    except IntegrityError:  # opened at the same moment by the other member
        await session.rollback()
    return (await session.exec(query)).one()


async def conversation_access(
    *, session: AsyncSession, user: User, conversation_id: int, today: dt.date | None = None
) -> ConversationAccess:
    """Members of an active pairing may open its conversation; nobody else may."""
    mentor, mentee = aliased(User), aliased(User)
    row = (
        await session.exec(
            select(Conversation, Pairing, mentor, mentee)
            .join(Pairing, col(Pairing.id) == col(Conversation.pairing_id))
            .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
            .join(mentee, col(mentee.id) == col(Pairing.mentee_id))
            .where(Conversation.id == conversation_id)
        )
    ).first()
    if row is None or user.id not in (row[1].mentor_id, row[1].mentee_id):
        raise NotFound("No such conversation.", field="conversation_id")
    conversation, pairing, mentor_user, mentee_user = row
    if pairing.status != PairingStatus.ACTIVE:
        raise Forbidden("This pairing has ended, so its conversation is closed.")
    today = today or utcnow().date()
    vetting = (
        await session.exec(select(MentorVetting).where(MentorVetting.mentor_id == mentor_user.id))
    ).first()
    eligibility = mentor_eligibility(vetting, today)
    if not eligibility.eligible:
        raise Forbidden(
            "Messages are paused until the mentor's safeguarding checks are up to date: "
            + " ".join(eligibility.reasons)
        )
    partner = mentee_user if user.id == mentor_user.id else mentor_user
    return ConversationAccess(
        conversation_id=conversation.id or 0,
        pairing_id=pairing.id or 0,
        organisation_id=pairing.organisation_id,
        member_ids=frozenset({pairing.mentor_id, pairing.mentee_id}),
        mentee_under_18=is_under_18(mentee_user.date_of_birth, today),
        title=f"Conversation with {partner.display_name}",
    )


async def send_message(
    *,
    writer: MessageWriter,
    screener: Screener,
    limiter: RateLimiter,
    access: ConversationAccess,
    sender_id: int,
    client_id: str,
    text: str,
) -> SentMessage:
    """Validates, screens and durably stores a message; returns only once it is committed."""
    if sender_id not in access.member_ids:
        raise NotFound("No such conversation.", field="conversation_id")
    body = clean_message_text(text)
    limiter.check(sender_id)
    result = screener.screen(body, mentee_under_18=access.mentee_under_18)
    stored = await writer.write(
        Draft(
            conversation_id=access.conversation_id,
            sender_id=sender_id,
            client_id=client_id,
            body=body,
            status=(
                MessageStatus.HELD if result.verdict is Verdict.HOLD else MessageStatus.DELIVERED
            ).value,  # plain str: frames to the chat store carry plain values only
            verdict=result.verdict.value,
            reasons=result.reasons,
        )
    )
    # A resend returns what was decided the first time, whatever the text says now.
    return SentMessage(stored=stored, verdict=Verdict(stored.verdict), reasons=stored.reasons)


def offers_support(status: str, reasons: Iterable[str]) -> bool:
    """Whether its writer is shown where to find help: a message kept back for a risk to them.

    A young person telling of self-harm or abuse is not left with "awaiting review" (or "not
    delivered") alone. Only the writer sees a message not delivered, so nobody else learns why.
    """
    return status != MessageStatus.DELIVERED and tells_of_harm_to_writer(reasons)


def visible_to(viewer_id: int):  # type: ignore[no-untyped-def]
    """Members see delivered messages, and their own messages whatever their state."""
    return or_(Message.status == MessageStatus.DELIVERED, Message.sender_id == viewer_id)


async def messages_after(
    *, session: AsyncSession, conversation_id: int, viewer_id: int, after_seq: int, limit: int
) -> list[tuple[Message, str]]:
    """Messages after `after_seq` that the viewer may see, oldest first, with sender names."""
    rows = await session.exec(
        select(Message, User.display_name)
        .join(User, col(User.id) == col(Message.sender_id))
        .where(
            Message.conversation_id == conversation_id,
            col(Message.seq) > after_seq,
            visible_to(viewer_id),
        )
        .order_by(col(Message.seq))
        .limit(limit)
    )
    return [(message, name) for message, name in rows.all()]


async def latest_messages(
    *, session: AsyncSession, conversation_id: int, viewer_id: int, limit: int
) -> list[tuple[Message, str]]:
    """The newest `limit` messages the viewer may see, oldest first, with sender names."""
    rows = await session.exec(
        select(Message, User.display_name)
        .join(User, col(User.id) == col(Message.sender_id))
        .where(Message.conversation_id == conversation_id, visible_to(viewer_id))
        .order_by(col(Message.seq).desc())
        .limit(limit)
    )
    return [(message, name) for message, name in reversed(rows.all())]


async def mark_read(*, session: AsyncSession, conversation_id: int, user_id: int, seq: int) -> None:
    query = select(ConversationRead).where(
        ConversationRead.conversation_id == conversation_id, ConversationRead.user_id == user_id
    )
    read = (await session.exec(query)).first()
    if read is None:
        read = ConversationRead(conversation_id=conversation_id, user_id=user_id)
    if seq <= read.last_read_seq:
        return
    last_seq = (
        await session.exec(select(Conversation.last_seq).where(Conversation.id == conversation_id))
    ).one()
    read.last_read_seq = min(seq, last_seq)
    session.add(read)
    try:
        await session.commit()
    except IntegrityError:  # two tabs marked at once; the other one's mark is as good
        await session.rollback()


async def unread_counts(*, session: AsyncSession, user_id: int) -> dict[int, int]:
    """Per pairing: messages from the partner the user has not read yet."""
    read_seq = func.coalesce(ConversationRead.last_read_seq, 0)
    rows = await session.exec(
        select(Conversation.pairing_id, func.count(col(Message.id)))
        .join(Message, col(Message.conversation_id) == col(Conversation.id))
        .join(
            ConversationRead,
            (col(ConversationRead.conversation_id) == col(Conversation.id))
            & (col(ConversationRead.user_id) == user_id),
            isouter=True,
        )
        .join(Pairing, col(Pairing.id) == col(Conversation.pairing_id))
        .where(
            or_(Pairing.mentor_id == user_id, Pairing.mentee_id == user_id),
            Message.sender_id != user_id,
            Message.status == MessageStatus.DELIVERED,
            col(Message.seq) > read_seq,
        )
        .group_by(col(Conversation.pairing_id))
    )
    return {pairing_id: count for pairing_id, count in rows.all()}


def alert_rooms(organisation_id: int | None) -> tuple[str, ...]:
    if organisation_id is None:
        return ("safeguarding:all",)
    return (f"safeguarding:org:{organisation_id}", "safeguarding:all")


def rooms_for(user: User) -> tuple[str, ...]:
    """Safeguarding staff listen for alerts from the organisations they look after."""
    if role_of(user) is not Role.SAFEGUARDING:
        return ()
    if user.organisation_id is None:
        return ("safeguarding:all",)
    return (f"safeguarding:org:{user.organisation_id}",)


async def review_counts(*, session: AsyncSession, organisation_id: int | None) -> dict[str, int]:
    """How many held and flagged messages there are in scope (all organisations when None)."""
    query = (
        select(Message.status, func.count())
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .join(Pairing, col(Pairing.id) == col(Conversation.pairing_id))
        .where(or_(Message.status == MessageStatus.HELD, Message.verdict == "FLAG"))
        .group_by(col(Message.status))
    )
    if organisation_id is not None:
        query = query.where(Pairing.organisation_id == organisation_id)
    counts = dict((await session.exec(query)).all())
    return {
        "held": counts.get(MessageStatus.HELD, 0),
        "flagged": counts.get(MessageStatus.DELIVERED, 0),
    }
