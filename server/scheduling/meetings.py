"""Booking, proposing, moving and cancelling meetings, with calendar invitations for both.

Coordinators book for a pair; a mentor may propose a time, which the mentee accepts or
declines. Times are entered as wall-clock times in the organisation's zone and stored in UTC.
Every change e-mails both people an iCalendar invitation (stable UID, SEQUENCE bumped) so their
calendars update the one event, and re-plans the reminders.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import authz
from server.db import utcnow
from server.emails import compose
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.models import Meeting, MeetingStatus, Organisation, Pairing, PairingStatus, Role, User
from server.outbox import enqueue_email
from server.pairing import consent_missing, eligibility_of
from server.scheduling.ics import CalendarEvent, invitation
from server.scheduling.recurrence import Frequency, Recurrence, occurrences
from server.scheduling.reminders import drop_pending_reminders, plan_reminders

MIN_DURATION, MAX_DURATION = 15, 180
LIVE_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.PROPOSED)


class Scope(enum.StrEnum):
    ONE = "one"
    FUTURE = "future"  # this occurrence and every later one in its series


@dataclass(frozen=True)
class PairContext:
    pairing: Pairing
    organisation: Organisation
    mentor: User
    mentee: User


async def pair_context(*, session: AsyncSession, actor: User, pairing_id: int) -> PairContext:
    pairing = await session.get(Pairing, pairing_id)
    if pairing is None:
        raise NotFound("No such pairing.", field="pairing_id")
    authz.ensure_can_view_pairing(actor, pairing)
    return await context_of(session, pairing)


async def context_of(session: AsyncSession, pairing: Pairing) -> PairContext:
    organisation = await session.get(Organisation, pairing.organisation_id)
    mentor = await session.get(User, pairing.mentor_id)
    mentee = await session.get(User, pairing.mentee_id)
    assert organisation is not None and mentor is not None and mentee is not None
    return PairContext(pairing, organisation, mentor, mentee)


def may_change(actor: User) -> bool:
    """Coordinators and admins book, move and cancel meetings."""
    return authz.role_of(actor) in (Role.COORDINATOR, Role.ADMIN)


def may_book(actor: User, context: PairContext) -> bool:
    """Besides them, the pair's mentor may propose a time."""
    return may_change(actor) or actor.id == context.mentor.id


def _may_book(actor: User, context: PairContext) -> MeetingStatus:
    if may_change(actor):
        return MeetingStatus.SCHEDULED
    if may_book(actor, context):
        return MeetingStatus.PROPOSED
    raise Forbidden("Only a coordinator can book meetings; your mentor can propose one.")


async def _check_gates(session: AsyncSession, context: PairContext, today: dt.date) -> None:
    if context.pairing.status != PairingStatus.ACTIVE:
        raise Forbidden("This pairing has ended; it cannot have new meetings.")
    eligibility = await eligibility_of(
        session=session, mentor_id=context.mentor.id or 0, today=today
    )
    if not eligibility.eligible:
        raise Forbidden(
            "Meetings are paused until the mentor's checks are up to date: "
            + " ".join(eligibility.reasons)
        )
    if await consent_missing(session=session, mentee=context.mentee, today=today):
        raise Forbidden("Record a parent or guardian's consent before booking meetings.")


def _check_duration(minutes: int) -> None:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise InvalidInput(
            f"Meetings last between {MIN_DURATION} and {MAX_DURATION} minutes.",
            field="duration_minutes",
        )


async def _check_conflicts(
    session: AsyncSession,
    context: PairContext,
    slots: Sequence[tuple[dt.datetime, dt.datetime]],
    ignore: set[int],
) -> None:
    """Refuses a slot that overlaps another meeting of either person, naming the clash."""
    people = (context.mentor.id, context.mentee.id)
    first, last = min(s for s, _ in slots), max(e for _, e in slots)
    rows = await session.exec(
        select(Meeting, Pairing)
        .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
        .where(
            or_(col(Pairing.mentor_id).in_(people), col(Pairing.mentee_id).in_(people)),
            col(Meeting.status).in_(LIVE_STATUSES),
            col(Meeting.starts_at) < last,
            col(Meeting.starts_at) > first - dt.timedelta(minutes=MAX_DURATION),
        )
    )
    zone = zoneinfo.ZoneInfo(context.organisation.timezone)
    for meeting, pairing in rows.all():
        if meeting.id in ignore:
            continue
        for start, end in slots:
            if meeting.starts_at < end and start < meeting.ends_at:
                names = await _names(session, pairing)
                when = meeting.starts_at.astimezone(zone)
                raise Conflict(
                    f"That clashes with {names}'s meeting on {when:%a %d %b %Y at %H:%M} "
                    f"({context.organisation.timezone}).",
                    field="starts_at",
                )


async def _names(session: AsyncSession, pairing: Pairing) -> str:
    mentor = await session.get(User, pairing.mentor_id)
    mentee = await session.get(User, pairing.mentee_id)
    return f"{mentor.display_name if mentor else '?'} and {mentee.display_name if mentee else '?'}"


def calendar_event(
    meeting: Meeting, context: PairContext, base_url: str, *, cancelled: bool
) -> CalendarEvent:
    host = urlsplit(base_url).hostname or "mentormeet.invalid"
    return CalendarEvent(
        uid=f"meeting-{meeting.id}@{host}",
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=f"Mentoring: {context.mentor.display_name} and {context.mentee.display_name}",
        description=(
            "Your mentoring meeting on mentormeet. Join from your dashboard up to 10 minutes "
            "before the start. Please keep all contact on mentormeet."
        ),
        url=f"{base_url.rstrip('/')}/meetings/{meeting.id}/room",
        organizer=("mentormeet", f"no-reply@{host}"),
        attendees=(
            (context.mentor.display_name, context.mentor.email),
            (context.mentee.display_name, context.mentee.email),
        ),
        updated_at=meeting.updated_at,
        cancelled=cancelled,
    )


def _notify(
    session: AsyncSession,
    context: PairContext,
    meetings: Sequence[Meeting],
    *,
    change: str,
    base_url: str,
) -> None:
    """E-mails both people, each with times in their own zone and the calendar attachment."""
    cancelled = change == "cancelled"
    calendar = invitation(
        [calendar_event(m, context, base_url, cancelled=cancelled) for m in meetings],
        method="CANCEL" if cancelled else "REQUEST",
    )
    for person, partner in ((context.mentor, context.mentee), (context.mentee, context.mentor)):
        zone = zoneinfo.ZoneInfo(person.timezone)
        times = [m.starts_at.astimezone(zone).strftime("%A %d %B %Y, %H:%M") for m in meetings]
        subject, body = compose(
            "meeting_change",
            name=person.display_name,
            partner=partner.display_name,
            change=change,
            times=times,
            timezone=person.timezone,
            duration=meetings[0].duration_minutes,
            link=f"{base_url.rstrip('/')}/dashboard",
        )
        enqueue_email(
            session=session,
            to=person.email,
            subject=subject,
            body=body,
            calendar=calendar,
            calendar_method="CANCEL" if cancelled else "REQUEST",
        )


async def schedule_meeting(
    *,
    session: AsyncSession,
    actor: User,
    pairing_id: int,
    local_start: dt.datetime,
    duration_minutes: int,
    recurrence: Recurrence,
    base_url: str,
    now: dt.datetime | None = None,
) -> list[Meeting]:
    """Books (or, for the mentor, proposes) one meeting or a series for a pair."""
    now = now or utcnow()
    context = await pair_context(session=session, actor=actor, pairing_id=pairing_id)
    status = _may_book(actor, context)
    _check_duration(duration_minutes)
    starts = occurrences(local_start, context.organisation.timezone, recurrence)
    if starts[0] <= now:
        raise InvalidInput("Choose a time in the future.", field="starts_at")
    await _check_gates(session, context, now.date())
    length = dt.timedelta(minutes=duration_minutes)
    await _check_conflicts(session, context, [(s, s + length) for s in starts], ignore=set())
    series = str(uuid.uuid4()) if len(starts) > 1 else None
    meetings = [
        Meeting(
            pairing_id=pairing_id,
            starts_at=start,
            duration_minutes=duration_minutes,
            status=status,
            series_id=series,
            created_by_id=actor.id,
        )
        for start in starts
    ]
    session.add_all(meetings)
    await session.flush()
    if status is MeetingStatus.SCHEDULED:
        for meeting in meetings:
            plan_reminders(session, meeting, now)
        _notify(session, context, meetings, change="booked", base_url=base_url)
    else:
        _notify_proposal(session, context, meetings, base_url=base_url)
    await session.commit()
    return meetings


def _notify_proposal(
    session: AsyncSession, context: PairContext, meetings: Sequence[Meeting], *, base_url: str
) -> None:
    zone = zoneinfo.ZoneInfo(context.mentee.timezone)
    times = [m.starts_at.astimezone(zone).strftime("%A %d %B %Y, %H:%M") for m in meetings]
    subject, body = compose(
        "meeting_proposed",
        name=context.mentee.display_name,
        partner=context.mentor.display_name,
        times=times,
        timezone=context.mentee.timezone,
        link=f"{base_url.rstrip('/')}/dashboard",
    )
    enqueue_email(session=session, to=context.mentee.email, subject=subject, body=body)


async def _affected(session: AsyncSession, meeting: Meeting, scope: Scope) -> list[Meeting]:
    if scope is Scope.ONE or meeting.series_id is None:
        return [meeting]
    rows = await session.exec(
        select(Meeting)
        .where(
            Meeting.series_id == meeting.series_id,
            col(Meeting.starts_at) >= meeting.starts_at,
            col(Meeting.status).in_(LIVE_STATUSES),
        )
        .order_by(col(Meeting.starts_at))
    )
    return list(rows.all())


async def _meeting_for_change(
    session: AsyncSession, actor: User, meeting_id: int, now: dt.datetime
) -> tuple[Meeting, PairContext]:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("No such meeting.", field="meeting_id")
    context = await pair_context(session=session, actor=actor, pairing_id=meeting.pairing_id)
    if not may_change(actor):
        raise Forbidden("Only a coordinator can move or cancel meetings.")
    if meeting.status not in LIVE_STATUSES:
        raise Conflict("This meeting was already cancelled or declined.")
    if meeting.ends_at <= now:
        raise Conflict("This meeting is in the past.")
    return meeting, context


async def _changed(session: AsyncSession, meetings: Sequence[Meeting], now: dt.datetime) -> None:
    """A change calendars must apply to the same events: a higher SEQUENCE, a new stamp."""
    for item in meetings:
        item.sequence += 1
        item.updated_at = now
        session.add(item)
    await session.flush()


async def reschedule_meeting(
    *,
    session: AsyncSession,
    actor: User,
    meeting_id: int,
    local_start: dt.datetime,
    duration_minutes: int,
    scope: Scope,
    base_url: str,
    now: dt.datetime | None = None,
) -> list[Meeting]:
    """Moves one occurrence, or it and all later ones by the same wall-clock shift."""
    now = now or utcnow()
    meeting, context = await _meeting_for_change(session, actor, meeting_id, now)
    _check_duration(duration_minutes)
    zone = zoneinfo.ZoneInfo(context.organisation.timezone)
    [new_first] = occurrences(
        local_start, context.organisation.timezone, Recurrence(Frequency.ONCE)
    )
    if new_first <= now:
        raise InvalidInput("Choose a time in the future.", field="starts_at")
    await _check_gates(session, context, now.date())
    affected = await _affected(session, meeting, scope)
    # Shift in local wall-clock terms, so 17:00 stays 17:00 whatever the clocks do.
    shift = local_start - meeting.starts_at.astimezone(zone).replace(tzinfo=None)
    moves = []
    for item in affected:
        local = item.starts_at.astimezone(zone).replace(tzinfo=None) + shift
        [start] = occurrences(local, context.organisation.timezone, Recurrence(Frequency.ONCE))
        moves.append((item, start))
    length = dt.timedelta(minutes=duration_minutes)
    await _check_conflicts(
        session,
        context,
        [(start, start + length) for _, start in moves],
        ignore={item.id or 0 for item in affected},
    )
    await drop_pending_reminders(session, [item.id or 0 for item in affected])
    for item, start in moves:
        item.starts_at = start
        item.duration_minutes = duration_minutes
    await _changed(session, affected, now)
    for item in affected:
        if item.status == MeetingStatus.SCHEDULED:
            plan_reminders(session, item, now)
    _notify(session, context, affected, change="moved", base_url=base_url)
    await session.commit()
    return affected


async def cancel_meeting(
    *,
    session: AsyncSession,
    actor: User,
    meeting_id: int,
    scope: Scope,
    base_url: str,
    now: dt.datetime | None = None,
) -> list[Meeting]:
    now = now or utcnow()
    meeting, context = await _meeting_for_change(session, actor, meeting_id, now)
    affected = await _affected(session, meeting, scope)
    await drop_pending_reminders(session, [item.id or 0 for item in affected])
    for item in affected:
        item.status = MeetingStatus.CANCELLED
    await _changed(session, affected, now)
    _notify(session, context, affected, change="cancelled", base_url=base_url)
    await session.commit()
    return affected


async def respond_to_proposal(
    *,
    session: AsyncSession,
    actor: User,
    meeting_id: int,
    accept: bool,
    base_url: str,
    now: dt.datetime | None = None,
) -> list[Meeting]:
    """The mentee accepts or declines the mentor's proposed time (the whole proposed series)."""
    now = now or utcnow()
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("No such meeting.", field="meeting_id")
    context = await pair_context(session=session, actor=actor, pairing_id=meeting.pairing_id)
    if actor.id != context.mentee.id:
        raise Forbidden("Only the mentee can answer a proposed meeting.")
    if meeting.status != MeetingStatus.PROPOSED:
        raise Conflict("This meeting is not waiting for an answer.")
    affected = [
        m
        for m in await _affected(session, meeting, Scope.FUTURE)
        if m.status == MeetingStatus.PROPOSED
    ]
    if accept:
        if affected[0].starts_at <= now:
            raise Conflict("This proposed time has passed; ask your mentor for another.")
        await _check_gates(session, context, now.date())
    for item in affected:
        item.status = MeetingStatus.SCHEDULED if accept else MeetingStatus.DECLINED
        item.updated_at = now
        session.add(item)
    await session.flush()
    if accept:
        for item in affected:
            plan_reminders(session, item, now)
        _notify(session, context, affected, change="booked", base_url=base_url)
    else:
        subject, body = compose(
            "meeting_declined",
            name=context.mentor.display_name,
            partner=context.mentee.display_name,
            link=f"{base_url.rstrip('/')}/dashboard",
        )
        enqueue_email(session=session, to=context.mentor.email, subject=subject, body=body)
    await session.commit()
    return affected
