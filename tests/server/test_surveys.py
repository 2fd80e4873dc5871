"""Surveys: when each falls due, answering and skipping (never forced), one answer only, and
the reminder e-mail sent once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator

import factories
import pytest
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in, submit
from mailcatcher import MailCatcher, body_of
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import Database
from server.errors import Conflict, InvalidInput, NotFound
from server.models import (
    Attendance,
    Meeting,
    Pairing,
    PairingStatus,
    SurveyAnswer,
    SurveyInvitation,
    SurveyKind,
)
from server.outbox import deliver_due
from server.smtp import smtp_transport
from server.surveys import (
    due_surveys,
    open_due_surveys,
    send_survey_reminders,
    skip_survey,
    submit_survey,
)

START = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)
BASE = "http://mentormeet.test"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _pair(db: Database) -> factories.Pair:
    async with db.session() as session:
        pair = await factories.pair(session, await factories.organisation(session))
        pairing = await session.get(Pairing, pair.pairing.id)
        meeting = await session.get(Meeting, pair.meeting.id)
        assert pairing is not None and meeting is not None
        pairing.started_at = START
        meeting.starts_at = START + dt.timedelta(days=2)  # 60 minutes
        session.add_all([pairing, meeting])
        await session.commit()
        return pair


async def _kinds(
    session: AsyncSession, pair: factories.Pair, now: dt.datetime
) -> dict[str, list[SurveyKind]]:
    return {
        role: [view.kind for view in await due_surveys(session=session, user=person, now=now)]
        for role, person in (("mentor", pair.mentor), ("mentee", pair.mentee))
    }


async def test_what_is_due_when(db: Database) -> None:
    pair = await _pair(db)
    async with db.session() as session:
        # Before the start nothing; from the start the mentee's baseline survey.
        before = await _kinds(session, pair, START - dt.timedelta(hours=1))
        assert before == {"mentor": [], "mentee": []}
        assert await _kinds(session, pair, START + dt.timedelta(hours=1)) == {
            "mentor": [],
            "mentee": [SurveyKind.MENTEE_START],
        }
        # Idempotent: asking again invites nobody twice.
        assert await open_due_surveys(session=session, now=START + dt.timedelta(hours=2)) == 0

        # The meeting on day 2 (09:00–10:00): the mentee's media flowed for 30 minutes, the
        # mentor's for 30 seconds (below the one-minute minimum): only the mentee checks in,
        # and only once the meeting has ended.
        session.add_all(
            [
                Attendance(meeting_id=pair.meeting.id or 0, user_id=pair.mentee.id or 0,
                           first_media_at=START, media_seconds=1800),
                Attendance(meeting_id=pair.meeting.id or 0, user_id=pair.mentor.id or 0,
                           first_media_at=START, media_seconds=30),
            ]
        )  # fmt: skip
        await session.commit()
        during = START + dt.timedelta(days=2, minutes=30)
        assert await _kinds(session, pair, during) == {
            "mentor": [],
            "mentee": [SurveyKind.MENTEE_START],
        }
        after = START + dt.timedelta(days=2, hours=1, minutes=5)
        assert await _kinds(session, pair, after) == {
            "mentor": [],
            "mentee": [SurveyKind.MENTEE_START, SurveyKind.MEETING_CHECKIN],
        }
        # A week after the meeting the check-in has closed.
        week_later = START + dt.timedelta(days=9, hours=2)
        assert (await _kinds(session, pair, week_later))["mentee"] == [SurveyKind.MENTEE_START]

        # The midpoint, 13 weeks in: the baseline has closed, the midpoint survey is open.
        midpoint = START + dt.timedelta(weeks=13, hours=1)
        assert (await _kinds(session, pair, midpoint))["mentee"] == [SurveyKind.MENTEE_MID]

        # The pairing ends: both are asked at the end.
        pairing = await session.get(Pairing, pair.pairing.id)
        assert pairing is not None
        ended = START + dt.timedelta(weeks=20)
        pairing.status, pairing.ended_at = PairingStatus.COMPLETED, ended
        session.add(pairing)
        await session.commit()
        assert await _kinds(session, pair, ended + dt.timedelta(hours=1)) == {
            "mentor": [SurveyKind.MENTOR_END],
            "mentee": [SurveyKind.MENTEE_END],
        }
        # Six weeks later the end surveys have closed.
        assert await _kinds(session, pair, ended + dt.timedelta(weeks=6, hours=1)) == {
            "mentor": [],
            "mentee": [],
        }


async def _invitation(db: Database, pair: factories.Pair, now: dt.datetime) -> int:
    async with db.session() as session:
        [view] = await due_surveys(session=session, user=pair.mentee, now=now)
        return view.invitation.id or 0


async def test_submit_skip_and_refusals(db: Database) -> None:
    pair = await _pair(db)
    now = START + dt.timedelta(days=1)
    survey_id = await _invitation(db, pair, now)
    async with db.session() as session:
        # Out of range, unknown questions, another person's survey.
        for answers, field in (
            ({"future": 6}, "future"),
            ({"wellbeing_3": 0}, "wellbeing_3"),
            ({"fulfilment": 4}, "fulfilment"),  # a mentor's question
            ({"confidence": "4"}, "confidence"),
        ):
            with pytest.raises(InvalidInput) as refused:
                await submit_survey(
                    session=session, actor=pair.mentee, invitation_id=survey_id,
                    answers=answers, now=now,
                )  # fmt: skip
            assert refused.value.field == field
            assert refused.value.status_code == 422
        with pytest.raises(NotFound):
            await submit_survey(
                session=session, actor=pair.mentor, invitation_id=survey_id,
                answers={"future": 4}, now=now,
            )  # fmt: skip
        # Some questions answered, the rest skipped (stored as NULL).
        await submit_survey(
            session=session, actor=pair.mentee, invitation_id=survey_id,
            answers={"future": 4, "wellbeing_1": 2}, now=now,
        )  # fmt: skip
        stored = {
            row.item: row.value
            for row in (
                await session.exec(
                    select(SurveyAnswer).where(SurveyAnswer.invitation_id == survey_id)
                )
            ).all()
        }
        assert len(stored) == 9 and stored["future"] == 4 and stored["wellbeing_1"] == 2
        assert stored["confidence"] is None and stored["wellbeing_7"] is None
        # Double submission, or skipping afterwards: a clash, not a second answer.
        with pytest.raises(Conflict):
            await submit_survey(
                session=session, actor=pair.mentee, invitation_id=survey_id,
                answers={"future": 5}, now=now,
            )  # fmt: skip
        with pytest.raises(Conflict):
            await skip_survey(session=session, actor=pair.mentee, invitation_id=survey_id, now=now)
        assert await due_surveys(session=session, user=pair.mentee, now=now) == []
        count = await session.exec(
            select(SurveyAnswer.id).where(col(SurveyAnswer.invitation_id) == survey_id)
        )
        assert len(count.all()) == 9


async def test_skipping_and_empty_answers(db: Database) -> None:
    pair = await _pair(db)
    now = START + dt.timedelta(days=1)
    survey_id = await _invitation(db, pair, now)
    async with db.session() as session:
        # Nothing answered counts as skipped: no empty answer rows.
        await submit_survey(
            session=session, actor=pair.mentee, invitation_id=survey_id, answers={}, now=now
        )
        invitation = await session.get(SurveyInvitation, survey_id)
        assert invitation is not None
        await session.refresh(invitation)
        assert invitation.skipped_at is not None and invitation.answered_at is None
        with pytest.raises(Conflict, match="skipped"):
            await skip_survey(session=session, actor=pair.mentee, invitation_id=survey_id, now=now)
        # Nor can anyone else skip it.
        with pytest.raises(NotFound):
            await skip_survey(session=session, actor=pair.mentor, invitation_id=survey_id, now=now)


async def test_reminder_is_emailed_once(db: Database, smtp_server: MailCatcher) -> None:
    pair = await _pair(db)
    now = START + dt.timedelta(hours=2)
    assert await send_survey_reminders(db, now=now, base_url=BASE) == 1
    assert await send_survey_reminders(db, now=now + dt.timedelta(minutes=5), base_url=BASE) == 0
    await deliver_due(
        db, smtp_transport(smtp_server.url), sender="mm <x@t.test>", message_domain="t"
    )
    [message] = smtp_server.wait_for(pair.mentee.email)
    assert message["Subject"] == "A short survey for you: Starting out"
    body = body_of(message)
    async with db.session() as session:
        [invitation] = (await session.exec(select(SurveyInvitation))).all()
    assert f"{BASE}/surveys/{invitation.id}" in body
    assert "can be skipped" in body
    assert invitation.reminded_at == now
    assert smtp_server.to(pair.mentor.email) == []


# --- through the pages -----------------------------------------------------------------------


async def test_mentee_answers_on_the_page(live_server: LiveServer) -> None:
    async def make(session: AsyncSession) -> tuple[factories.Pair, factories.Pair]:
        organisation = await factories.organisation(session)
        return await factories.pair(session, organisation), await factories.pair(
            session, await factories.organisation(session)
        )

    pair, other = await live_server.in_session(make)
    async with live_server.client() as client, live_server.client() as stranger:
        await log_in(client, pair.mentee.email, PASSWORD)
        dashboard = await client.get("/dashboard")
        assert "Surveys due" in dashboard.text
        found = re.search(r'href="/surveys/(\d+)">Starting out', dashboard.text)
        assert found, dashboard.text
        page = f"/surveys/{found.group(1)}"
        form = await client.get(page)
        assert form.status_code == 200
        assert "<legend>I feel positive about my future</legend>" in form.text
        assert form.text.count('type="radio" name="wellbeing_') == 35

        # Out of range: 422 naming the question, the other answers kept.
        bad = await client.post(
            page, data={"csrf_token": csrf_from(form.text), "future": "7", "confidence": "4"}
        )
        assert bad.status_code == 422
        assert 'id="future-error"' in bad.text and "not 7" in bad.text
        assert 'name="confidence" value="4" checked' in bad.text
        garbled = await client.post(page, data={"csrf_token": csrf_from(form.text), "future": "x"})
        assert garbled.status_code == 422 and 'id="future-error"' in garbled.text

        # The other person's survey does not exist for them, nor for a stranger's eyes.
        await log_in(stranger, other.mentee.email, PASSWORD)
        assert (await stranger.get(page)).status_code == 404
        refused = await stranger.post(
            page, data={"csrf_token": stranger.cookies.get("mm_csrf") or "", "future": "4"}
        )
        assert refused.status_code == 404

        answered = await submit(client, page, page, {"future": "4", "wellbeing_2": "3"})
        assert answered.status_code == 303 and answered.headers["location"] == "/dashboard"
        again = await client.post(page, data={"csrf_token": csrf_from(form.text), "future": "5"})
        assert again.status_code == 409 and "already answered" in again.text
        assert "Surveys due" not in (await client.get("/dashboard")).text

        # The stranger skips theirs.
        theirs = re.search(r'href="/surveys/(\d+)"', (await stranger.get("/dashboard")).text)
        assert theirs
        skipped = await submit(
            stranger, f"/surveys/{theirs.group(1)}", f"/surveys/{theirs.group(1)}/skip", {}
        )
        assert skipped.status_code == 303
        assert (await stranger.get(f"/surveys/{theirs.group(1)}")).status_code == 409


async def test_the_running_worker_sends_the_reminder(
    live_server: LiveServer, smtp_server: MailCatcher
) -> None:
    async def make(session: AsyncSession) -> factories.Pair:
        return await factories.pair(session, await factories.organisation(session))

    pair = await live_server.in_session(make)
    [message] = smtp_server.wait_for(pair.mentee.email, timeout=15)
    assert message["Subject"] == "A short survey for you: Starting out"
    assert f"{live_server.url}/surveys/" in body_of(message)
