"""Each person's private, revocable calendar feed of their mentoring meetings.

The address holds a secret derived from the feed record and the server's key, so the dashboard
can always show it while the database keeps only its hash; a new address revokes the old one.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.credentials import new_token, token_digest
from server.db import utcnow
from server.models import Meeting, MeetingStatus, Pairing, PersonalToken, User
from server.personal_tokens import Purpose, user_for_token
from server.scheduling.ics import feed
from server.scheduling.meetings import calendar_event, context_of

HISTORY = dt.timedelta(days=90)


def _secret(record: PersonalToken, key: str) -> str:
    message = f"calendar-feed:{record.id}:{record.user_id}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return f"{record.id}-{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"


async def feed_path(*, session: AsyncSession, user: User, key: str, renew: bool = False) -> str:
    """The feed's path for this person, made the first time (or anew, revoking the old one)."""
    query = select(PersonalToken).where(
        PersonalToken.user_id == user.id,
        PersonalToken.purpose == Purpose.CALENDAR,
        col(PersonalToken.revoked_at).is_(None),
    )
    record = (await session.exec(query)).first()
    if record is not None and renew:
        record.revoked_at = utcnow()
        session.add(record)
        record = None
    if record is None:
        # The secret needs the record's id: store a throwaway hash first, then the real one.
        record = PersonalToken(
            user_id=user.id or 0, purpose=Purpose.CALENDAR, token_hash=token_digest(new_token())
        )
        session.add(record)
        await session.flush()
        record.token_hash = token_digest(_secret(record, key))
        session.add(record)
        await session.commit()
    return f"/calendar/{_secret(record, key)}.ics"


async def feed_for(*, session: AsyncSession, secret: str, base_url: str) -> bytes | None:
    """The calendar behind a feed address, or None for an unknown or revoked one."""
    user = await user_for_token(session=session, secret=secret, purpose=Purpose.CALENDAR)
    if user is None:
        return None
    rows = await session.exec(
        select(Meeting, Pairing)
        .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
        .where(
            or_(Pairing.mentor_id == user.id, Pairing.mentee_id == user.id),
            col(Meeting.status).in_([MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED]),
            col(Meeting.starts_at) > utcnow() - HISTORY,
        )
        .order_by(col(Meeting.starts_at))
    )
    events, contexts = [], {}
    for meeting, pairing in rows.all():
        if pairing.id not in contexts:
            contexts[pairing.id] = await context_of(session, pairing)
        cancelled = meeting.status == MeetingStatus.CANCELLED
        events.append(calendar_event(meeting, contexts[pairing.id], base_url, cancelled=cancelled))
    return feed(events, name=f"Mentoring ({user.display_name})")
