"""Meeting reminders, 24 hours and 1 hour before: sent once, following every change.

A reminder row is planned for each scheduled meeting and start time. Moving a meeting drops
the unsent rows and plans new ones; cancelling drops them. The worker claims a due row with a
conditional UPDATE and queues the e-mails in the same transaction, so two workers running at
once, or a worker restarted mid-way, still send each reminder exactly once.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import Database
from server.emails import compose
from server.models import Meeting, MeetingStatus, Pairing, Reminder, User
from server.outbox import enqueue_email

OFFSETS = {"24h": dt.timedelta(hours=24), "1h": dt.timedelta(hours=1)}


def plan_reminders(session: AsyncSession, meeting: Meeting, now: dt.datetime) -> None:
    """Adds the reminders still ahead (a meeting booked for tomorrow morning gets only 1 h)."""
    for kind, before in OFFSETS.items():
        due = meeting.starts_at - before
        if due > now:
            session.add(
                Reminder(
                    meeting_id=meeting.id or 0, kind=kind, starts_at=meeting.starts_at, due_at=due
                )
            )


async def drop_pending_reminders(session: AsyncSession, meeting_ids: Sequence[int]) -> None:
    await session.exec(
        delete(Reminder).where(
            col(Reminder.meeting_id).in_(meeting_ids), col(Reminder.sent_at).is_(None)
        )
    )


def _still_useful(reminder: Reminder, meeting: Meeting, now: dt.datetime) -> bool:
    """False for a moved or cancelled meeting's old reminder, one after the start, and a
    "tomorrow" reminder so late (a worker was down) that the 1-hour one is due anyway."""
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at != reminder.starts_at:
        return False
    left = meeting.starts_at - now
    return left > dt.timedelta(0) and (reminder.kind == "1h" or left > OFFSETS["1h"])


async def send_due_reminders(db: Database, *, now: dt.datetime, base_url: str) -> int:
    """Queues every due reminder's e-mails; returns how many reminders this call sent."""
    async with db.session() as session:
        due = (
            await session.exec(
                select(Reminder.id)
                .where(col(Reminder.sent_at).is_(None), col(Reminder.due_at) <= now)
                .order_by(col(Reminder.due_at))
            )
        ).all()
    sent = 0
    for reminder_id in due:
        async with db.session() as session:
            if await _send_one(session, reminder_id or 0, now=now, base_url=base_url):
                sent += 1
    return sent


async def _send_one(
    session: AsyncSession, reminder_id: int, *, now: dt.datetime, base_url: str
) -> bool:
    claimed = await session.exec(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.sent_at).is_(None))
        .values(sent_at=now)
    )
    if claimed.rowcount != 1:
        await session.rollback()
        return False  # another worker took it
    reminder = await session.get(Reminder, reminder_id)
    assert reminder is not None
    meeting = await session.get(Meeting, reminder.meeting_id)
    if meeting is None or not _still_useful(reminder, meeting, now):
        await session.commit()
        return False
    pairing = await session.get(Pairing, meeting.pairing_id)
    assert pairing is not None
    people = [
        await session.get(User, pairing.mentor_id),
        await session.get(User, pairing.mentee_id),
    ]
    for person, partner in (people, people[::-1]):
        assert person is not None and partner is not None
        local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(person.timezone))
        subject, body = compose(
            "meeting_reminder",
            name=person.display_name,
            partner=partner.display_name,
            when="tomorrow" if reminder.kind == "24h" else "in an hour",
            time=local.strftime("%A %d %B, %H:%M"),
            timezone=person.timezone,
            link=f"{base_url.rstrip('/')}/dashboard",
        )
        enqueue_email(session=session, to=person.email, subject=subject, body=body)
    await session.commit()
    return True
