"""Booking, moving and cancelling meetings; gates; reminders with a controllable clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo
from collections.abc import AsyncIterator
from email.message import EmailMessage

import factories
import icalendar
import pytest
from mailcatcher import MailCatcher
from sqlmodel import col, select

from server.accounts import set_network_matching
from server.db import Database, utcnow
from server.errors import Conflict, Forbidden, InvalidInput
from server.models import Meeting, MeetingStatus, MentorVetting, Organisation, Pairing, Role, User
from server.outbox import deliver_due
from server.pairing import create_pairing, pairings_quiet_since
from server.profiles import suggestions_for
from server.scheduling.meetings import (
    Scope,
    cancel_meeting,
    reschedule_meeting,
    respond_to_proposal,
    schedule_meeting,
)
from server.scheduling.recurrence import Frequency, Recurrence
from server.scheduling.reminders import send_due_reminders
from server.smtp import smtp_transport
from server.vetting_warnings import send_lapse_warnings

LONDON = zoneinfo.ZoneInfo("Europe/London")
BASE = "http://mentormeet.test"
# A Monday a week before British Summer Time starts (29 March 2026), and "now" before it.
FIRST = dt.datetime(2026, 3, 16, 17, 0)
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _setup(db: Database) -> tuple[factories.Pair, User]:
    async with db.session() as session:
        org = await factories.organisation(session)
        pair = await factories.pair(session, org, under_18=True)
        coordinator = await factories.user(session, Role.COORDINATOR, org)
        # The factory's meeting would clash with nothing here; clear it to keep counts simple.
        meeting = await session.get(Meeting, pair.meeting.id)
        assert meeting is not None
        await session.delete(meeting)
        await session.commit()
    return pair, coordinator


async def _book(db: Database, actor: User, pair: factories.Pair, **kwargs: object) -> list[Meeting]:
    values: dict[str, object] = {
        "local_start": FIRST,
        "duration_minutes": 60,
        "recurrence": Recurrence(Frequency.WEEKLY, count=6),
        "base_url": BASE,
        "now": NOW,
    }
    values.update(kwargs)
    async with db.session() as session:
        return await schedule_meeting(
            session=session,
            actor=actor,
            pairing_id=pair.pairing.id or 0,
            **values,  # type: ignore[arg-type]
        )


def _calendar(message: EmailMessage) -> icalendar.Calendar:
    part = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return icalendar.Calendar.from_ical(payload)


async def _deliver(db: Database, smtp: MailCatcher) -> None:
    await deliver_due(
        db, smtp_transport(smtp.url), sender="mm <x@mentormeet.test>", message_domain="t"
    )


async def test_a_weekly_series_keeps_17_00_local_across_the_clocks_change(
    db: Database, smtp_server: MailCatcher
) -> None:
    pair, coordinator = await _setup(db)
    meetings = await _book(db, coordinator, pair)
    assert [m.starts_at.astimezone(LONDON).strftime("%d %b %H:%M") for m in meetings] == [
        "16 Mar 17:00",
        "23 Mar 17:00",
        "30 Mar 17:00",
        "06 Apr 17:00",
        "13 Apr 17:00",
        "20 Apr 17:00",
    ]
    assert [m.starts_at.hour for m in meetings] == [17, 17, 16, 16, 16, 16]  # UTC
    await _deliver(db, smtp_server)
    for person in (pair.mentor, pair.mentee):
        [message] = smtp_server.wait_for(person.email)
        assert "Booked" in str(message["Subject"])
        calendar = _calendar(message)
        assert calendar["METHOD"] == "REQUEST"
        starts = [e.decoded("DTSTART").astimezone(LONDON) for e in calendar.walk("VEVENT")]
        assert {s.strftime("%H:%M") for s in starts} == {"17:00"} and len(starts) == 6


async def test_moving_and_cancelling_update_the_same_calendar_events(
    db: Database, smtp_server: MailCatcher
) -> None:
    pair, coordinator = await _setup(db)
    meetings = await _book(db, coordinator, pair)
    async with db.session() as session:
        moved = await reschedule_meeting(
            session=session,
            actor=coordinator,
            meeting_id=meetings[2].id or 0,
            local_start=dt.datetime(2026, 3, 31, 18, 30),  # Monday 17:00 → Tuesday 18:30
            duration_minutes=45,
            scope=Scope.FUTURE,
            base_url=BASE,
            now=NOW,
        )
    assert [m.starts_at.astimezone(LONDON).strftime("%a %d %b %H:%M") for m in moved] == [
        "Tue 31 Mar 18:30",
        "Tue 07 Apr 18:30",
        "Tue 14 Apr 18:30",
        "Tue 21 Apr 18:30",
    ]
    assert all(m.sequence == 1 for m in moved)
    async with db.session() as session:
        cancelled = await cancel_meeting(
            session=session,
            actor=coordinator,
            meeting_id=meetings[0].id or 0,
            scope=Scope.ONE,
            base_url=BASE,
            now=NOW,
        )
        untouched = await session.get(Meeting, meetings[1].id)
    assert [m.status for m in cancelled] == [MeetingStatus.CANCELLED]
    assert untouched is not None and untouched.status == MeetingStatus.SCHEDULED
    await _deliver(db, smtp_server)
    messages = smtp_server.wait_for(pair.mentee.email, count=3)
    calendars = [_calendar(m) for m in messages]
    booked, moved_cal, cancel_cal = calendars
    uid = f"meeting-{meetings[2].id}@mentormeet.test"
    assert [e["SEQUENCE"] for e in moved_cal.walk("VEVENT") if e["UID"] == uid] == [1]
    assert any(e["UID"] == uid for e in booked.walk("VEVENT"))
    assert cancel_cal["METHOD"] == "CANCEL"
    [event] = cancel_cal.walk("VEVENT")
    assert (
        event["STATUS"] == "CANCELLED"
        and event["UID"] == f"meeting-{meetings[0].id}@mentormeet.test"
    )


async def test_clashes_past_times_and_bad_durations_are_refused(db: Database) -> None:
    pair, coordinator = await _setup(db)
    await _book(db, coordinator, pair, recurrence=Recurrence(Frequency.ONCE))
    async with db.session() as session:
        org = await session.get(Organisation, pair.organisation.id)
        assert org is not None
        other_mentee = await factories.user(
            session, Role.MENTEE, org, date_of_birth=dt.date(2000, 1, 1)
        )
        pairing = await create_pairing(
            session=session,
            actor=coordinator,
            mentor_id=pair.mentor.id or 0,
            mentee_id=other_mentee.id or 0,
        )
    other = factories.Pair(pair.organisation, pair.mentor, other_mentee, pairing, pair.meeting)
    with pytest.raises(Conflict, match=r"clashes with .* meeting on Mon 16 Mar 2026 at 17:00"):
        await _book(
            db,
            coordinator,
            other,
            local_start=FIRST + dt.timedelta(minutes=30),
            recurrence=Recurrence(Frequency.ONCE),
        )
    with pytest.raises(InvalidInput, match="future"):
        await _book(
            db,
            coordinator,
            other,
            local_start=dt.datetime(2026, 2, 1, 17, 0),
            recurrence=Recurrence(Frequency.ONCE),
        )
    with pytest.raises(InvalidInput, match="between 15 and 180 minutes"):
        await _book(
            db, coordinator, other, duration_minutes=500, recurrence=Recurrence(Frequency.ONCE)
        )
    with pytest.raises(InvalidInput):
        await _book(db, coordinator, other, recurrence=Recurrence(Frequency.WEEKLY, count=0))


async def test_vetting_gates_pairing_and_a_lapse_pauses_the_pair(db: Database) -> None:
    pair, coordinator = await _setup(db)
    async with db.session() as session:
        org = await session.get(Organisation, pair.organisation.id)
        assert org is not None
        unvetted = await factories.user(session, Role.MENTOR, org)
        mentee = await factories.user(session, Role.MENTEE, org, date_of_birth=dt.date(2000, 1, 1))
        with pytest.raises(Forbidden, match="No vetting has been recorded"):
            await create_pairing(
                session=session,
                actor=coordinator,
                mentor_id=unvetted.id or 0,
                mentee_id=mentee.id or 0,
            )
        young = await factories.user(session, Role.MENTEE, org, date_of_birth=dt.date(2011, 1, 1))
        mentor = await factories.user(session, Role.MENTOR, org)
        factories.vet(session, mentor)
        await session.commit()
        with pytest.raises(Forbidden, match="record a parent or guardian's consent"):
            await create_pairing(
                session=session,
                actor=coordinator,
                mentor_id=mentor.id or 0,
                mentee_id=young.id or 0,
            )
        vetting = (
            await session.exec(
                select(MentorVetting).where(MentorVetting.mentor_id == pair.mentor.id)
            )
        ).one()
        vetting.dbs_issue_date = dt.date(2020, 1, 1)
        session.add(vetting)
        await session.commit()
    with pytest.raises(Forbidden, match="paused until the mentor's checks are up to date"):
        await _book(db, coordinator, pair)


async def test_reminders_are_sent_once_follow_moves_and_skip_cancellations(
    db: Database, database_url: str, smtp_server: MailCatcher
) -> None:
    pair, coordinator = await _setup(db)
    [meeting] = await _book(db, coordinator, pair, recurrence=Recurrence(Frequency.ONCE))
    [cancelled] = await _book(
        db,
        coordinator,
        pair,
        local_start=FIRST + dt.timedelta(days=2),
        recurrence=Recurrence(Frequency.ONCE),
    )
    async with db.session() as session:
        await cancel_meeting(
            session=session,
            actor=coordinator,
            meeting_id=cancelled.id or 0,
            scope=Scope.ONE,
            base_url=BASE,
            now=NOW,
        )
    await _deliver(db, smtp_server)
    smtp_server.messages.clear()
    start = meeting.starts_at
    assert await send_due_reminders(db, now=start - dt.timedelta(hours=25), base_url=BASE) == 0
    # Two workers at the moment the 24-hour reminder falls due: it is sent once.
    second = Database(database_url)
    try:
        sent = await asyncio.gather(
            send_due_reminders(db, now=start - dt.timedelta(hours=23), base_url=BASE),
            send_due_reminders(second, now=start - dt.timedelta(hours=23), base_url=BASE),
        )
    finally:
        await second.dispose()
    assert sorted(sent) == [0, 1]
    # A restarted worker finds nothing more to send for that reminder.
    assert await send_due_reminders(db, now=start - dt.timedelta(hours=23), base_url=BASE) == 0
    await _deliver(db, smtp_server)
    assert [str(m["Subject"]) for m in smtp_server.wait_for(pair.mentee.email)] == [
        f"Reminder: mentoring with {pair.mentor.display_name} tomorrow"
    ]
    # Moved two days later: the old 1-hour reminder is gone, new ones follow the new time.
    async with db.session() as session:
        await reschedule_meeting(
            session=session,
            actor=coordinator,
            meeting_id=meeting.id or 0,
            local_start=FIRST + dt.timedelta(days=3),
            duration_minutes=60,
            scope=Scope.ONE,
            base_url=BASE,
            now=start - dt.timedelta(hours=22),
        )
    assert await send_due_reminders(db, now=start - dt.timedelta(minutes=30), base_url=BASE) == 0
    new_start = start + dt.timedelta(days=3)
    # The worker was away for the new 24-hour reminder: only the 1-hour one goes now.
    assert (
        await send_due_reminders(db, now=new_start - dt.timedelta(minutes=50), base_url=BASE) == 1
    )
    await _deliver(db, smtp_server)
    subjects = [str(m["Subject"]) for m in smtp_server.to(pair.mentor.email)]
    assert subjects.count(f"Reminder: mentoring with {pair.mentee.display_name} in an hour") == 1
    assert not any("Reminder" in s and "tomorrow" in s for s in subjects[2:])


async def test_a_mentor_proposes_and_the_mentee_accepts(
    db: Database, smtp_server: MailCatcher
) -> None:
    pair, _ = await _setup(db)
    proposed = await _book(db, pair.mentor, pair, recurrence=Recurrence(Frequency.ONCE))
    assert proposed[0].status == MeetingStatus.PROPOSED
    with pytest.raises(Forbidden, match="Only a coordinator can book"):
        await _book(db, pair.mentee, pair, recurrence=Recurrence(Frequency.ONCE))
    async with db.session() as session:
        with pytest.raises(Forbidden, match="Only the mentee"):
            await respond_to_proposal(
                session=session,
                actor=pair.mentor,
                meeting_id=proposed[0].id or 0,
                accept=True,
                base_url=BASE,
                now=NOW,
            )
        [accepted] = await respond_to_proposal(
            session=session,
            actor=pair.mentee,
            meeting_id=proposed[0].id or 0,
            accept=True,
            base_url=BASE,
            now=NOW,
        )
    assert accepted.status == MeetingStatus.SCHEDULED
    await _deliver(db, smtp_server)
    assert "suggested a mentoring meeting" in str(
        smtp_server.wait_for(pair.mentee.email, count=2)[0]["Subject"]
    )
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Meeting).where(col(Meeting.status) == MeetingStatus.SCHEDULED)
            )
        ).all()
    assert len(rows) == 1


async def test_mentor_and_coordinators_are_warned_once_before_a_check_lapses(
    db: Database, database_url: str, smtp_server: MailCatcher
) -> None:
    pair, coordinator = await _setup(db)
    today = dt.date(2026, 11, 25)
    async with db.session() as session:
        vetting = (
            await session.exec(
                select(MentorVetting).where(MentorVetting.mentor_id == pair.mentor.id)
            )
        ).one()
        vetting.dbs_issue_date = today - dt.timedelta(days=3 * 365 - 30)  # lapses in 30 days
        session.add(vetting)
        await session.commit()
    far = await send_lapse_warnings(db, today=today - dt.timedelta(days=40), base_url=BASE)
    assert far == 0  # 70 days ahead: too early to warn
    second = Database(database_url)
    try:
        warned = await asyncio.gather(
            send_lapse_warnings(db, today=today, base_url=BASE),
            send_lapse_warnings(second, today=today, base_url=BASE),
        )
    finally:
        await second.dispose()
    assert sorted(warned) == [0, 1]
    assert await send_lapse_warnings(db, today=today + dt.timedelta(days=1), base_url=BASE) == 0
    await _deliver(db, smtp_server)
    [to_mentor] = smtp_server.wait_for(pair.mentor.email)
    [to_coordinator] = smtp_server.wait_for(coordinator.email)
    assert "Your safeguarding check lapses on 25 December 2026" in str(to_mentor["Subject"])
    assert f"{pair.mentor.display_name}'s safeguarding check" in str(to_coordinator["Subject"])


async def test_network_matching_lets_a_mentee_pair_with_another_organisations_mentor(
    db: Database,
) -> None:
    async with db.session() as session:
        home, away = await factories.organisation(session), await factories.organisation(session)
        admin = await factories.user(session, Role.ADMIN, None)
        mentee = await factories.user(session, Role.MENTEE, home, date_of_birth=dt.date(2001, 1, 1))
        mentor = await factories.user(session, Role.MENTOR, away)
        factories.vet(session, mentor)
        await session.commit()
        with pytest.raises(Forbidden, match="does not match across the network"):
            await create_pairing(
                session=session, actor=admin, mentor_id=mentor.id or 0, mentee_id=mentee.id or 0
            )
        assert [
            s.mentor.user_id
            for s in await suggestions_for(session=session, actor=admin, mentee_id=mentee.id or 0)
        ] == []
        await set_network_matching(session=session, organisation_id=home.id or 0, enabled=True)
        suggested = await suggestions_for(session=session, actor=admin, mentee_id=mentee.id or 0)
        assert [s.mentor.user_id for s in suggested] == [mentor.id]
        assert "From another organisation in the network" in suggested[0].reasons
        pairing = await create_pairing(
            session=session, actor=admin, mentor_id=mentor.id or 0, mentee_id=mentee.id or 0
        )
    assert pairing.organisation_id == home.id


async def test_pairs_without_a_meeting_for_21_days_are_listed_as_quiet(db: Database) -> None:
    pair, _ = await _setup(db)
    async with db.session() as session:
        pairing = await session.get(Pairing, pair.pairing.id)
        assert pairing is not None
        pairing.started_at = utcnow() - dt.timedelta(days=40)
        session.add(pairing)
        session.add(Meeting(pairing_id=pairing.id or 0, starts_at=utcnow() - dt.timedelta(days=25)))
        await session.commit()
        org_id = pair.organisation.id or 0
        assert [
            p.id for p in await pairings_quiet_since(session=session, organisation_id=org_id)
        ] == [pairing.id]
        session.add(Meeting(pairing_id=pairing.id or 0, starts_at=utcnow() + dt.timedelta(days=3)))
        await session.commit()
        assert await pairings_quiet_since(session=session, organisation_id=org_id) == []
