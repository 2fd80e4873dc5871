"""Retention: the nightly purge removes what is due and keeps what is held; the policy page."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import factories
import pytest
from factories import PASSWORD
from livesite import LiveServer, log_in, submit
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import audit, retention
from server.db import Database, utcnow
from server.models import (
    AccountToken,
    Attendance,
    AuditEntry,
    AuthSession,
    Concern,
    ConcernStatus,
    Conversation,
    ConversationRead,
    JobRun,
    LoginFailure,
    Meeting,
    Message,
    OutboxEmail,
    OutboxStatus,
    Pairing,
    PairingStatus,
    Reminder,
    RetentionPolicy,
    Role,
    RoomEvent,
    SurveyAnswer,
    SurveyInvitation,
    SurveyKind,
    User,
)
from server.settings import Settings
from server.worker import Worker

NOW = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
LONG_AGO = NOW - dt.timedelta(days=800)  # past the 730-day default for chat and meetings
RECENTLY = NOW - dt.timedelta(days=100)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@dataclass
class Seeded:
    pairing_id: int
    conversation_id: int
    meeting_id: int


async def _ended_pairing_with_history(session: AsyncSession, *, ended_at: dt.datetime) -> Seeded:
    """A pairing that ended at `ended_at` with a conversation, a meeting and its records."""
    organisation = await factories.organisation(session)
    pair = await factories.pair(session, organisation)
    pairing = pair.pairing
    pairing.status, pairing.ended_at = PairingStatus.COMPLETED, ended_at
    session.add(pairing)
    conversation = Conversation(pairing_id=pairing.id or 0, last_seq=2)
    session.add(conversation)
    await session.flush()
    for seq, sender in ((1, pair.mentor), (2, pair.mentee)):
        session.add(
            Message(
                conversation_id=conversation.id or 0,
                seq=seq,
                sender_id=sender.id or 0,
                client_id=f"c{pairing.id}-{seq}",
                body=f"Message {seq}",
                status="delivered",
                verdict="DELIVER",
                created_at=ended_at - dt.timedelta(days=10),
            )
        )
    session.add(ConversationRead(conversation_id=conversation.id or 0, user_id=pair.mentee.id or 0))
    meeting_id = pair.meeting.id or 0
    session.add(RoomEvent(meeting_id=meeting_id, user_id=pair.mentor.id or 0, joined=True))
    session.add(Attendance(meeting_id=meeting_id, user_id=pair.mentor.id or 0, media_seconds=60))
    session.add(Reminder(meeting_id=meeting_id, kind="1h", starts_at=ended_at, due_at=ended_at))
    checkin = SurveyInvitation(
        key=f"checkin:{meeting_id}",
        kind=SurveyKind.MEETING_CHECKIN,
        pairing_id=pairing.id or 0,
        meeting_id=meeting_id,
        user_id=pair.mentee.id or 0,
        organisation_id=organisation.id or 0,
        due_at=ended_at,
        closes_at=ended_at,
        answered_at=ended_at,
    )
    session.add(checkin)
    await session.flush()
    session.add(SurveyAnswer(invitation_id=checkin.id or 0, item="useful", value=4))
    await session.commit()
    return Seeded(pairing.id or 0, conversation.id or 0, meeting_id)


async def _count(session: AsyncSession, model: type, *where: object) -> int:
    query = select(func.count()).select_from(model)
    for clause in where:
        query = query.where(clause)  # type: ignore[arg-type]
    return int((await session.exec(query)).one())


async def _history_counts(session: AsyncSession, seeded: Seeded) -> dict[str, int]:
    return {
        "message": await _count(
            session, Message, col(Message.conversation_id) == seeded.conversation_id
        ),
        "conversationread": await _count(
            session,
            ConversationRead,
            col(ConversationRead.conversation_id) == seeded.conversation_id,
        ),
        "conversation": await _count(
            session, Conversation, col(Conversation.id) == seeded.conversation_id
        ),
        "meeting": await _count(session, Meeting, col(Meeting.id) == seeded.meeting_id),
        "roomevent": await _count(
            session, RoomEvent, col(RoomEvent.meeting_id) == seeded.meeting_id
        ),
        "attendance": await _count(
            session, Attendance, col(Attendance.meeting_id) == seeded.meeting_id
        ),
        "reminder": await _count(session, Reminder, col(Reminder.meeting_id) == seeded.meeting_id),
        "checkin": await _count(
            session, SurveyInvitation, col(SurveyInvitation.meeting_id) == seeded.meeting_id
        ),
        "pairing": await _count(session, Pairing, col(Pairing.id) == seeded.pairing_id),
    }


KEPT = {
    "message": 2,
    "conversationread": 1,
    "conversation": 1,
    "meeting": 1,
    "roomevent": 1,
    "attendance": 1,
    "reminder": 1,
    "checkin": 1,
    "pairing": 1,
}
GONE = {name: 0 for name in KEPT} | {"pairing": 1}  # the pairing row itself stays


async def _concern(
    session: AsyncSession, *, pairing_id: int | None, raised_by: User, status: str, at: dt.datetime
) -> int:
    concern = Concern(
        organisation_id=raised_by.organisation_id,
        raised_by_id=raised_by.id or 0,
        pairing_id=pairing_id,
        description="Worried about something said",
        status=status,
        created_at=at,
    )
    session.add(concern)
    await session.commit()
    return concern.id or 0


async def test_purge_removes_due_records_and_keeps_held_ones(db: Database) -> None:
    async with db.session() as session:
        due = await _ended_pairing_with_history(session, ended_at=LONG_AGO)
        held = await _ended_pairing_with_history(session, ended_at=LONG_AGO)
        recent = await _ended_pairing_with_history(session, ended_at=RECENTLY)
        held_pairing = await session.get(Pairing, held.pairing_id)
        assert held_pairing is not None
        mentee = await session.get(User, held_pairing.mentee_id)
        assert mentee is not None
        # A closed concern (any status holds the pairing), kept until its mentee is 25.
        mentee.date_of_birth = dt.date(2008, 1, 1)
        session.add(mentee)
        await session.commit()
        await _concern(
            session,
            pairing_id=held.pairing_id,
            raised_by=mentee,
            status=ConcernStatus.CLOSED,
            at=LONG_AGO,
        )
        # Concerns without a pairing: raised by a mentee born long ago (due once closed).
        organisation = await factories.organisation(session)
        old_mentee = await factories.user(
            session, Role.MENTEE, organisation, date_of_birth=dt.date(1995, 1, 1)
        )
        old_closed = await _concern(
            session, pairing_id=None, raised_by=old_mentee, status="closed", at=LONG_AGO
        )
        old_open = await _concern(
            session, pairing_id=None, raised_by=old_mentee, status="new", at=LONG_AGO
        )
        young = await factories.user(
            session, Role.MENTEE, organisation, date_of_birth=dt.date(2008, 1, 1)
        )
        young_closed = await _concern(
            session, pairing_id=None, raised_by=young, status="closed", at=LONG_AGO
        )
        for status, sent_at, created_at in (
            (OutboxStatus.SENT, NOW - dt.timedelta(days=91), NOW - dt.timedelta(days=91)),
            (OutboxStatus.SENT, NOW - dt.timedelta(days=10), NOW - dt.timedelta(days=10)),
            (OutboxStatus.FAILED, None, NOW - dt.timedelta(days=200)),
            (OutboxStatus.PENDING, None, NOW - dt.timedelta(days=200)),
        ):
            session.add(
                OutboxEmail(
                    to_address="someone@example.org",
                    subject="Hello",
                    body_text="Body",
                    status=status,
                    sent_at=sent_at,
                    created_at=created_at,
                )
            )
        for days in (31, 2):
            session.add(
                LoginFailure(
                    email="x@example.org", ip_address="1", at=NOW - dt.timedelta(days=days)
                )
            )
        for number, expires_in, revoked_days_ago in (
            (1, -40, None),  # expired 40 days ago: due
            (2, 1, 35),  # revoked 35 days ago: due
            (3, 1, None),  # live
            (4, -2, None),  # expired two days ago: not yet
        ):
            session.add(
                AuthSession(
                    token_hash=f"{number:064d}",
                    user_id=young.id or 0,
                    expires_at=NOW + dt.timedelta(days=expires_in),
                    revoked_at=None
                    if revoked_days_ago is None
                    else NOW - dt.timedelta(days=revoked_days_ago),
                )
            )
        for number, used_days_ago in ((5, 40), (6, None)):
            session.add(
                AccountToken(
                    token_hash=f"{number:064d}",
                    purpose="invitation",
                    user_id=young.id or 0,
                    expires_at=NOW + dt.timedelta(days=3),
                    used_at=None
                    if used_days_ago is None
                    else NOW - dt.timedelta(days=used_days_ago),
                )
            )
        await session.commit()

    async with db.session() as session:
        dry = await retention.purge_due(session=session, now=NOW, dry_run=True)
        await session.commit()
    async with db.session() as session:
        report = await retention.purge_due(session=session, now=NOW)
        await session.commit()

    expected = {
        "chat_messages": {"message": 2, "conversationread": 1, "conversation": 1},
        "meetings": {
            "reminder": 1,
            "roomevent": 1,
            "attendance": 1,
            "surveyanswer": 1,
            "surveyinvitation": 1,
            "meeting": 1,
        },
        "concerns": {"concern": 1},
        "outbox_emails": {"outboxemail": 2},
        "login_failures": {"loginfailure": 1},
        "sessions_and_tokens": {"authsession": 2, "accounttoken": 1},
    }
    assert report.counts == expected
    assert dry.counts == expected and dry.dry_run
    assert report.total() == 17

    async with db.session() as session:
        assert await _history_counts(session, due) == GONE
        assert await _history_counts(session, held) == KEPT  # identical, but under hold
        assert await _history_counts(session, recent) == KEPT  # not yet due
        remaining = set((await session.exec(select(Concern.id))).all())
        assert old_closed not in remaining
        assert {old_open, young_closed} <= remaining and len(remaining) == 3
        statuses = (await session.exec(select(OutboxEmail.status))).all()
        assert sorted(statuses) == ["pending", "sent"]
        assert await _count(session, LoginFailure) == 1
        assert await _count(session, AuthSession) == 2
        assert await _count(session, AccountToken) == 1
        entries = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "retention.purge"))
        ).all()
        assert len(entries) == 1 and entries[0].actor_id is None
        detail = json.loads(entries[0].detail or "{}")
        assert detail["counts"] == expected
        assert "Message 1" not in (entries[0].detail or "")  # counts, never content
        assert (await audit.verify(session=session)).ok

    async with db.session() as session:  # a second run finds nothing and records nothing new
        again = await retention.purge_due(session=session, now=NOW)
        await session.commit()
        assert again.total() == 0
        assert await _count(session, AuditEntry) == 1


async def test_a_shorter_period_makes_more_due(db: Database) -> None:
    async with db.session() as session:
        seeded = await _ended_pairing_with_history(session, ended_at=RECENTLY)
        admin = await factories.user(session, Role.ADMIN, None)
        await retention.update_policies(
            session=session, actor=admin, days={"chat_messages": 90, "meetings": 730}
        )
    async with db.session() as session:
        report = await retention.purge_due(session=session, now=NOW)
        await session.commit()
        assert report.total(retention.RecordType.CHAT_MESSAGES) == 4
        assert report.total(retention.RecordType.MEETINGS) == 0
        counts = await _history_counts(session, seeded)
        assert counts["message"] == 0 and counts["meeting"] == 1
        changes = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "retention.update"))
        ).one()
        assert changes.actor_id == admin.id
        assert json.loads(changes.detail or "{}") == {
            "changes": {"chat_messages": {"from": 730, "to": 90}}
        }
        stored = await session.get(RetentionPolicy, "chat_messages")
        assert stored is not None and stored.days == 90 and stored.anchor == "pairing_end"


@pytest.mark.parametrize(
    ("days", "field"),
    [
        ({"concerns": 9000}, "concerns"),  # below the 25-year floor
        ({"chat_messages": 0}, "chat_messages"),
        ({"login_failures": 366}, "login_failures"),
        ({"surveys": 30}, "surveys"),
    ],
)
async def test_periods_out_of_bounds_are_refused(
    db: Database, days: dict[str, int], field: str
) -> None:
    async with db.session() as session:
        admin = await factories.user(session, Role.ADMIN, None)
        with pytest.raises(retention.PolicyErrors) as error:
            await retention.update_policies(session=session, actor=admin, days=days)
    assert error.value.status_code == 422 and field in error.value.errors
    if field == "concerns":
        assert "25" in error.value.errors[field]


async def test_the_nightly_purge_runs_once_a_night(db: Database, database_url: str) -> None:
    async with db.session() as session:
        seeded = await _ended_pairing_with_history(session, ended_at=LONG_AGO)
    night = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    assert await retention.run_nightly_purge(db, now=night.replace(hour=1), hour_utc=2) is None
    second = Database(database_url)  # another worker process
    try:
        first_run, second_run = await asyncio.gather(
            retention.run_nightly_purge(db, now=night.replace(hour=2, minute=5), hour_utc=2),
            retention.run_nightly_purge(second, now=night.replace(hour=2, minute=5), hour_utc=2),
        )
    finally:
        await second.dispose()
    runs = [report for report in (first_run, second_run) if report is not None]
    assert len(runs) == 1 and runs[0].total() == 10
    assert await retention.run_nightly_purge(db, now=night.replace(hour=23), hour_utc=2) is None
    next_night = await retention.run_nightly_purge(
        db, now=night.replace(hour=3) + dt.timedelta(days=1), hour_utc=2
    )
    assert next_night is not None and next_night.total() == 0
    async with db.session() as session:
        assert (await _history_counts(session, seeded)) == GONE
        job_runs = (await session.exec(select(JobRun).order_by(col(JobRun.ran_on)))).all()
        assert [run.ran_on for run in job_runs] == [
            night.date(),
            night.date() + dt.timedelta(days=1),
        ]


async def test_workers_purge_once_per_day(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    async with db.session() as session:
        await _ended_pairing_with_history(session, ended_at=utcnow() - dt.timedelta(days=800))
    settings = settings_for("http://127.0.0.1:9", retention_purge_hour_utc=0, smtp_url=None)
    workers = [Worker(db, settings), Worker(db, settings)]
    for _ in range(2):
        for worker in workers:
            await worker.run_once()
    async with db.session() as session:
        purges = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "retention.purge"))
        ).all()
        assert len(purges) == 1
        assert await _count(session, JobRun) == 1
        assert await _count(session, Message) == 0


def test_purge_command_dry_run_counts_and_deletes_nothing(database_url: str) -> None:
    async def seed() -> None:
        database = Database(database_url)
        try:
            async with database.session() as session:
                await _ended_pairing_with_history(
                    session, ended_at=utcnow() - dt.timedelta(days=800)
                )
        finally:
            await database.dispose()

    async def messages() -> int:
        database = Database(database_url)
        try:
            async with database.session() as session:
                return await _count(session, Message)
        finally:
            await database.dispose()

    asyncio.run(seed())
    environment = {**os.environ, "DATABASE_URL": database_url}

    def purge(*args: str) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-m", "server.cli", "retention", "purge", *args],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    dry = purge("--dry-run")
    assert dry["dry_run"] is True and dry["total"] == 10
    assert dry["counts"]["chat_messages"] == {  # type: ignore[index]
        "message": 2,
        "conversationread": 1,
        "conversation": 1,
    }
    assert asyncio.run(messages()) == 2
    done = purge()
    assert done["dry_run"] is False and done["total"] == 10
    assert asyncio.run(messages()) == 0


async def test_retention_page_edits_and_refuses_bad_input(live_server: LiveServer) -> None:
    async def make(session: AsyncSession) -> User:
        return await factories.user(session, Role.ADMIN, None)

    admin = await live_server.in_session(make)
    defaults = {kind.record_type.value: str(kind.default_days) for kind in retention.KINDS}
    async with live_server.client() as client:
        await log_in(client, admin.email, PASSWORD)
        page = await client.get("/admin/retention")
        assert page.status_code == 200
        assert "Kept forever (append-only)" in page.text
        assert "Cannot be set below 9131 days" in page.text
        for bad, field in (
            ({"concerns": "365"}, "Safeguarding concerns: keep for between 9131"),
            ({"chat_messages": "1.5"}, "Chat messages: input should be a valid integer"),
            ({"outbox_emails": "lots"}, "Sent e-mails: input should be a valid integer"),
            ({"login_failures": "-1"}, "Failed log-in attempts: keep for between 1 and 365"),
        ):
            refused = await submit(client, "/admin/retention", "/admin/retention", defaults | bad)
            assert refused.status_code == 422, refused.text[:300]
            assert field in refused.text
            name, typed = next(iter(bad.items()))
            assert f'id="{name}-error"' in refused.text  # beside the field too
            assert f'value="{typed}"' in refused.text  # what was typed is shown again
        missing = {k: v for k, v in defaults.items() if k != "meetings"}
        refused = await submit(client, "/admin/retention", "/admin/retention", missing)
        assert refused.status_code == 422 and "Meetings and attendance is required" in refused.text
        saved = await submit(
            client, "/admin/retention", "/admin/retention", defaults | {"outbox_emails": "30"}
        )
        assert saved.status_code == 303
        page = await client.get("/admin/retention")
        assert 'name="outbox_emails" type="number"' in page.text and 'value="30"' in page.text

    async def stored(session: AsyncSession) -> tuple[int, int]:
        policy = await session.get(RetentionPolicy, "outbox_emails")
        updates = await _count(session, AuditEntry, col(AuditEntry.action) == "retention.update")
        return (policy.days if policy else 0), updates

    assert await live_server.in_session(stored) == (30, 1)
