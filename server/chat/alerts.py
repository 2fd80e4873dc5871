"""E-mail alerts of unread messages, so that nobody needs another channel to hear of them.

A member is e-mailed when messages their partner sent have waited unread for the alert delay:
long enough that someone chatting live has read them already. One alert covers everything sent
until they next read the conversation; only then can a later message bring another. The alert
names the partner and the count, never the text: the conversation stays on the platform. Held
messages are not announced (the recipient cannot see them); a held message that a reviewer
releases is, counting its wait from its release. Members who turned alerts off, members no
longer active and pairings that have ended get none.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import Database
from server.emails import compose
from server.models import (
    Conversation,
    ConversationRead,
    Message,
    MessageStatus,
    Pairing,
    PairingStatus,
    Review,
    User,
)
from server.outbox import enqueue_email
from server.screening import Verdict

#: Messages delivered longer ago are never announced (say, unread ones from before an upgrade).
LOOKBACK = dt.timedelta(days=7)


async def _read_row(
    session: AsyncSession, *, conversation_id: int, user_id: int
) -> ConversationRead:
    """The member's read mark, made (at nothing read) if they never opened the conversation."""
    connection = await session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    # ON CONFLICT DO NOTHING: the member opening the conversation at this moment is no error.
    await connection.execute(
        insert(ConversationRead)
        .values(conversation_id=conversation_id, user_id=user_id, last_read_seq=0, alerted_seq=0)
        .on_conflict_do_nothing(index_elements=["conversation_id", "user_id"])
    )
    query = select(ConversationRead).where(
        ConversationRead.conversation_id == conversation_id, ConversationRead.user_id == user_id
    )
    return (await session.exec(query)).one()


async def _alert_one(
    *,
    session: AsyncSession,
    conversation_id: int,
    pairing_id: int,
    sender_id: int,
    recipient_id: int,
    up_to_seq: int,
    base_url: str,
) -> bool:
    recipient, sender = await session.get(User, recipient_id), await session.get(User, sender_id)
    if recipient is None or sender is None or not recipient.is_active:
        return False
    if not recipient.message_alerts:
        return False
    read = await _read_row(session, conversation_id=conversation_id, user_id=recipient_id)
    if up_to_seq <= read.last_read_seq or read.alerted_seq > read.last_read_seq:
        return False  # read already, or announced and not looked at since
    claimed = await session.exec(
        update(ConversationRead)
        .where(
            col(ConversationRead.id) == read.id,
            col(ConversationRead.alerted_seq) == read.alerted_seq,
            col(ConversationRead.last_read_seq) == read.last_read_seq,
        )
        .values(alerted_seq=up_to_seq)
    )
    if claimed.rowcount != 1:
        return False  # another worker announced it, or the member read meanwhile
    unread = (
        await session.exec(
            select(func.count())
            .select_from(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.sender_id == sender_id,
                Message.status == MessageStatus.DELIVERED,
                col(Message.seq) > read.last_read_seq,
                col(Message.seq) <= up_to_seq,
            )
        )
    ).one()
    root = base_url.rstrip("/")
    subject, body = compose(
        "new_messages",
        name=recipient.display_name,
        partner=sender.display_name,
        count=unread,
        link=f"{root}/pairings/{pairing_id}/messages",
        profile_link=f"{root}/profile",
    )
    enqueue_email(session=session, to=recipient.email, subject=subject, body=body)
    return True


def _delivered_between(start: dt.datetime, end: dt.datetime) -> sa.ColumnElement[bool]:
    """Delivered after `start` and by `end`: a held message is delivered when it is released,
    so its wait starts then (its partner may be reading live) however long the review took.
    Two index searches, (status, created_at) and (verdict, review), not a scan of every message.
    """
    as_sent = sa.select(col(Message.id)).where(
        col(Message.status) == MessageStatus.DELIVERED,
        col(Message.created_at) > start,
        col(Message.created_at) <= end,
        col(Message.verdict) != Verdict.HOLD.value,
    )
    released = sa.select(col(Message.id)).where(  # approved or redacted: delivered
        col(Message.verdict) == Verdict.HOLD.value,
        col(Message.review).in_([Review.APPROVED, Review.REDACTED]),
        col(Message.reviewed_at) > start,
        col(Message.reviewed_at) <= end,
    )
    return col(Message.id).in_(sa.union_all(as_sent, released))


def _waiting(start: dt.datetime, end: dt.datetime) -> sa.Select[tuple[int, int, int, int, int]]:
    """(conversation, pairing, sender, recipient, last seq) of what waits unread and unannounced,
    delivered between `start` and `end`: one query, so a poll costs little when nothing does."""
    recipient_id = case(
        (col(Message.sender_id) == col(Pairing.mentor_id), col(Pairing.mentee_id)),
        else_=col(Pairing.mentor_id),
    )
    read_seq = func.coalesce(ConversationRead.last_read_seq, 0)
    return (
        sa.select(
            col(Message.conversation_id),
            col(Pairing.id),
            col(Message.sender_id),
            recipient_id,
            func.max(Message.seq),
        )
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .join(Pairing, col(Pairing.id) == col(Conversation.pairing_id))
        .join(
            ConversationRead,
            (col(ConversationRead.conversation_id) == col(Message.conversation_id))
            & (col(ConversationRead.user_id) == recipient_id),
            isouter=True,
        )
        .where(
            _delivered_between(start, end),
            col(Pairing.status) == PairingStatus.ACTIVE,
            or_(
                col(Message.sender_id) == col(Pairing.mentor_id),
                col(Message.sender_id) == col(Pairing.mentee_id),
            ),
            col(Message.seq) > read_seq,
            func.coalesce(ConversationRead.alerted_seq, 0) <= read_seq,
        )
        .group_by(
            col(Message.conversation_id),
            col(Pairing.id),
            col(Message.sender_id),
            recipient_id,
        )
    )


async def send_message_alerts(
    db: Database, *, now: dt.datetime, base_url: str, delay: dt.timedelta
) -> int:
    """E-mails each member whose partner's messages have waited unread for `delay`; returns
    how many alerts this call queued. Claimed with a conditional UPDATE, so two workers never
    send the same alert."""
    waiting = _waiting(now - LOOKBACK, now - delay)
    async with db.session() as session:
        connection = await session.connection()
        candidates = (await connection.execute(waiting)).tuples().all()
    sent = 0
    for conversation_id, pairing_id, sender_id, recipient, up_to_seq in candidates:
        async with db.session() as session:
            if await _alert_one(
                session=session,
                conversation_id=conversation_id,
                pairing_id=pairing_id or 0,
                sender_id=sender_id,
                recipient_id=recipient,
                up_to_seq=up_to_seq,
                base_url=base_url,
            ):
                await session.commit()
                sent += 1
            else:
                await session.rollback()
    return sent
