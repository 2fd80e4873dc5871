"""Attendance from what really happened in the room: presence events and minutes of media."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.models import Attendance, Meeting, RoomEvent

LATE_AFTER = dt.timedelta(minutes=5)
ATTENDED_MINIMUM = dt.timedelta(minutes=1)


class AttendanceStatus(enum.StrEnum):
    ATTENDED = "attended"
    LATE = "late"
    NO_SHOW = "no-show"
    NOT_JOINED_YET = "not joined yet"  # the meeting is under way
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class MemberAttendance:
    user_id: int
    status: AttendanceStatus
    media_minutes: int
    first_media_at: dt.datetime | None


async def record_presence(
    *, session: AsyncSession, meeting_id: int, user_id: int, joined: bool, observer: bool
) -> None:
    session.add(RoomEvent(meeting_id=meeting_id, user_id=user_id, joined=joined, observer=observer))
    await session.commit()


async def record_media(
    *, session: AsyncSession, meeting_id: int, user_id: int, started: dt.datetime, seconds: float
) -> None:
    query = select(Attendance).where(
        Attendance.meeting_id == meeting_id, Attendance.user_id == user_id
    )
    row = (await session.exec(query)).first()
    if row is None:
        row = Attendance(meeting_id=meeting_id, user_id=user_id)
    row.media_seconds += max(0.0, seconds)
    if row.first_media_at is None or started < row.first_media_at:
        row.first_media_at = started
    session.add(row)
    try:
        await session.commit()
    except IntegrityError:  # first sample raced with another process: add to its row instead
        await session.rollback()
        await record_media(
            session=session,
            meeting_id=meeting_id,
            user_id=user_id,
            started=started,
            seconds=seconds,
        )


def status_of(meeting: Meeting, row: Attendance | None, now: dt.datetime) -> AttendanceStatus:
    attended = row is not None and row.media_seconds >= ATTENDED_MINIMUM.total_seconds()
    if not attended:
        if now < meeting.starts_at:
            return AttendanceStatus.UPCOMING
        return (
            AttendanceStatus.NOT_JOINED_YET if now < meeting.ends_at else AttendanceStatus.NO_SHOW
        )
    assert row is not None and row.first_media_at is not None
    if row.first_media_at > meeting.starts_at + LATE_AFTER:
        return AttendanceStatus.LATE
    return AttendanceStatus.ATTENDED


async def attendance_for(
    *, session: AsyncSession, meetings: list[Meeting], member_ids: dict[int, tuple[int, int]]
) -> dict[int, list[MemberAttendance]]:
    """Per meeting id: each member's attendance. `member_ids`: meeting id -> (mentor, mentee)."""
    ids = [m.id for m in meetings]
    rows = (await session.exec(select(Attendance).where(col(Attendance.meeting_id).in_(ids)))).all()
    by_key = {(row.meeting_id, row.user_id): row for row in rows}
    now = utcnow()
    result: dict[int, list[MemberAttendance]] = {}
    for meeting in meetings:
        members = []
        for user_id in member_ids[meeting.id or 0]:
            row = by_key.get((meeting.id or 0, user_id))
            members.append(
                MemberAttendance(
                    user_id=user_id,
                    status=status_of(meeting, row, now),
                    media_minutes=int((row.media_seconds if row else 0) // 60),
                    first_media_at=row.first_media_at if row else None,
                )
            )
        result[meeting.id or 0] = members
    return result
