"""Read-side queries for dashboards: people, organisations, pairings and their next meetings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.authz import STAFF_ROLES
from server.db import utcnow
from server.models import (
    Meeting,
    MeetingStatus,
    MentorVetting,
    Organisation,
    Pairing,
    PairingStatus,
    Role,
    User,
)
from server.vetting import WARN_BEFORE, Eligibility, mentor_eligibility


@dataclass(frozen=True)
class PairingView:
    pairing: Pairing
    mentor: User
    mentee: User
    next_meeting: Meeting | None


async def organisations(*, session: AsyncSession) -> list[Organisation]:
    return list((await session.exec(select(Organisation).order_by(Organisation.name))).all())


async def people_in(*, session: AsyncSession, organisation_id: int) -> list[User]:
    query = (
        select(User)
        .where(User.organisation_id == organisation_id)
        .order_by(User.role, User.display_name)
    )
    return list((await session.exec(query)).all())


async def staff(*, session: AsyncSession) -> list[User]:
    query = (
        select(User)
        .where(col(User.role).in_([str(role) for role in STAFF_ROLES]))
        .order_by(User.role, User.display_name)
    )
    return list((await session.exec(query)).all())


async def _next_meetings(
    *, session: AsyncSession, pairing_ids: list[int], now: dt.datetime
) -> dict[int, Meeting]:
    # Meetings still running count as "next" until they end; the window rule lives with rooms.
    query = (
        select(Meeting)
        .where(
            col(Meeting.pairing_id).in_(pairing_ids),
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) > now - dt.timedelta(hours=4),
        )
        .order_by(col(Meeting.starts_at))
    )
    upcoming: dict[int, Meeting] = {}
    for meeting in (await session.exec(query)).all():
        if meeting.ends_at > now:
            upcoming.setdefault(meeting.pairing_id, meeting)
    return upcoming


async def pairings(
    *,
    session: AsyncSession,
    organisation_id: int | None = None,
    member_id: int | None = None,
    active_only: bool = False,
) -> list[PairingView]:
    mentor, mentee = aliased(User), aliased(User)
    query = (
        select(Pairing, mentor, mentee)
        .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
        .join(mentee, col(mentee.id) == col(Pairing.mentee_id))
        .order_by(col(Pairing.started_at).desc())
    )
    if organisation_id is not None:
        query = query.where(Pairing.organisation_id == organisation_id)
    if member_id is not None:
        query = query.where(or_(Pairing.mentor_id == member_id, Pairing.mentee_id == member_id))
    if active_only:
        query = query.where(Pairing.status == PairingStatus.ACTIVE)
    rows = (await session.exec(query)).all()
    upcoming = await _next_meetings(
        session=session, pairing_ids=[row[0].id or 0 for row in rows], now=utcnow()
    )
    return [
        PairingView(pairing=p, mentor=m, mentee=e, next_meeting=upcoming.get(p.id or 0))
        for p, m, e in rows
    ]


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    mentor: User
    mentee: User


async def recent_meetings(
    *, session: AsyncSession, organisation_id: int, days: int = 14
) -> list[MeetingView]:
    """Meetings of the organisation's pairs that started in the last `days` days, newest first."""
    now = utcnow()
    mentor, mentee = aliased(User), aliased(User)
    rows = await session.exec(
        select(Meeting, mentor, mentee)
        .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
        .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
        .join(mentee, col(mentee.id) == col(Pairing.mentee_id))
        .where(
            Pairing.organisation_id == organisation_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) <= now,
            col(Meeting.starts_at) > now - dt.timedelta(days=days),
        )
        .order_by(col(Meeting.starts_at).desc())
    )
    return [MeetingView(m, a, b) for m, a, b in rows.all()]


async def lapsing_mentors(
    *, session: AsyncSession, organisation_id: int, today: dt.date
) -> list[tuple[User, Eligibility]]:
    """Mentors whose checks lapse within the warning period, or already have."""
    rows = await session.exec(
        select(User, MentorVetting)
        .join(MentorVetting, col(MentorVetting.mentor_id) == col(User.id), isouter=True)
        .where(User.organisation_id == organisation_id, User.role == Role.MENTOR)
        .order_by(User.display_name)
    )
    result = []
    for mentor, vetting in rows.all():
        eligibility = mentor_eligibility(vetting, today)
        lapsing = eligibility.lapses_on is not None and eligibility.lapses_on <= today + WARN_BEFORE
        if lapsing or not eligibility.eligible:
            result.append((mentor, eligibility))
    return result


async def display_names(*, session: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    """Display names by user id, in one query."""
    if not user_ids:
        return {}
    rows = await session.exec(
        select(User.id, User.display_name).where(col(User.id).in_(sorted(user_ids)))
    )
    return {user_id or 0: name for user_id, name in rows.all()}
