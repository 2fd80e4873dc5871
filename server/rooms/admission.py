"""Admission to a meeting room: checked on every join, by the page and by the socket alike.

In the room: the pair's two members, or safeguarding staff in scope joining as an announced
observer; only while the mentor's vetting is valid, guardian consent is recorded for an
under-18 mentee, the meeting is not cancelled, and now lies between start − 10 min and
end + 30 min.
"""

from __future__ import annotations

import datetime as dt
import enum
import zoneinfo
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import authz
from server.chat.rules import is_under_18
from server.db import utcnow
from server.errors import Forbidden, NotFound
from server.models import (
    GuardianConsent,
    Meeting,
    MeetingStatus,
    MentorVetting,
    Pairing,
    PairingStatus,
    Role,
    User,
)
from server.vetting import has_guardian_consent, mentor_eligibility

OPENS_BEFORE = dt.timedelta(minutes=10)
CLOSES_AFTER = dt.timedelta(minutes=30)


class RoomRole(enum.StrEnum):
    PARTICIPANT = "participant"
    OBSERVER = "observer"  # safeguarding staff: receive-only, announced to everyone


@dataclass(frozen=True)
class Admission:
    meeting: Meeting
    pairing: Pairing
    user: User
    role: RoomRole
    opens_at: dt.datetime
    closes_at: dt.datetime
    names: dict[int, str]  # user id -> display name, for labelling videos


def join_window(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    return meeting.starts_at - OPENS_BEFORE, meeting.ends_at + CLOSES_AFTER


def is_joinable(meeting: Meeting, now: dt.datetime) -> bool:
    opens, closes = join_window(meeting)
    return (
        meeting.status == MeetingStatus.SCHEDULED
        and meeting.ended_early_at is None
        and opens <= now <= closes
    )


async def admit(
    *, session: AsyncSession, user: User, meeting_id: int, now: dt.datetime | None = None
) -> Admission:
    """Admits the user to the meeting's room now, or raises with the reason in plain words."""
    now = now or utcnow()
    meeting = await session.get(Meeting, meeting_id)
    pairing = await session.get(Pairing, meeting.pairing_id) if meeting else None
    if meeting is None or pairing is None:
        raise NotFound("No such meeting.", field="meeting_id")
    if user.id in (pairing.mentor_id, pairing.mentee_id):
        role = RoomRole.PARTICIPANT
    elif authz.role_of(user) is Role.SAFEGUARDING and authz.in_scope(user, pairing.organisation_id):
        role = RoomRole.OBSERVER
    else:
        raise NotFound("No such meeting.", field="meeting_id")
    if meeting.status == MeetingStatus.CANCELLED:
        raise Forbidden("This meeting was cancelled.")
    if meeting.ended_early_at is not None:
        raise Forbidden("The safeguarding team ended this meeting. Its room is closed.")
    if pairing.status != PairingStatus.ACTIVE:
        raise Forbidden("This pairing has ended, so its meetings are closed.")
    opens, closes = join_window(meeting)
    if now < opens:
        local = opens.astimezone(zoneinfo.ZoneInfo(user.timezone))
        raise Forbidden(
            f"The room opens 10 minutes before the meeting: at {local:%H:%M} on "
            f"{local:%A %d %B} ({user.timezone})."
        )
    if now > closes:
        raise Forbidden("This meeting has finished, and its room is closed.")
    mentor = await session.get(User, pairing.mentor_id)
    mentee = await session.get(User, pairing.mentee_id)
    assert mentor is not None and mentee is not None
    vetting = (
        await session.exec(select(MentorVetting).where(MentorVetting.mentor_id == mentor.id))
    ).first()
    eligibility = mentor_eligibility(vetting, now.date())
    if not eligibility.eligible:
        raise Forbidden(
            "Meetings are paused until the mentor's safeguarding checks are up to date: "
            + " ".join(eligibility.reasons)
        )
    if is_under_18(mentee.date_of_birth, now.date()):
        consents = (
            await session.exec(
                select(GuardianConsent).where(GuardianConsent.mentee_id == mentee.id)
            )
        ).all()
        if not has_guardian_consent(list(consents)):
            raise Forbidden("Meetings are paused until a parent or guardian's consent is recorded.")
    return Admission(
        meeting=meeting,
        pairing=pairing,
        user=user,
        role=role,
        opens_at=opens,
        closes_at=closes,
        names={mentor.id or 0: mentor.display_name, mentee.id or 0: mentee.display_name},
    )
