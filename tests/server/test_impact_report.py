"""The impact report (/reports/impact and its CSV) against a fixture whose figures are worked out
by hand below, in the comments, not by calling the code under test.

"Fixture College": ten pairings A–J that started in one month and ended five months later.
Mentees A–H answered the start and the end survey; I and J only the start one (I skipped the
end survey, J never answered it), so they are left out of every paired figure. Their ten
mentors answered the end survey. Pair A had three meetings with measured attendance and two
check-ins. "Small School": four pairings W–Z with complete answers — fewer than 5, suppressed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import html
import io
import re
from collections.abc import AsyncIterator
from typing import Any

import factories
import httpx
from factories import PASSWORD
from livesite import LiveServer, log_in
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    Organisation,
    Pairing,
    PairingStatus,
    Role,
    SurveyAnswer,
    SurveyInvitation,
    SurveyKind,
)
from server.surveys import invitation_key

# "I feel positive about my future" (1–5) and the confidence item, at the start and the end.
FUTURE_START = dict(A=2, B=3, C=4, D=2, E=5, F=3, G=1, H=3, I=4, J=5)
FUTURE_END = dict(A=4, B=4, C=5, D=3, E=5, F=2, G=4, H=3)
CONFIDENCE_START = dict(A=2, B=3, C=3, D=2, E=4, F=3, G=1, H=3, I=5, J=1)
CONFIDENCE_END = dict(A=4, B=3, C=4, D=3, E=5, F=2, G=3, H=4)
# The 7 SWEMWBS items; raw total → metric score from the published conversion table.
SWEMWBS_START = {
    "A": [3, 2, 3, 2, 2, 3, 2],  # raw 17 → 16.88
    "B": [3, 3, 3, 3, 3, 3, 2],  # raw 20 → 18.59
    "C": [4, 4, 3, 3, 4, 3, 3],  # raw 24 → 21.54
    "D": [2, 2, 2, 2, 2, 2, 2],  # raw 14 → 15.32
    "E": [4, 4, 4, 4, 4, 4, 4],  # raw 28 → 25.03
    "F": [3, 3, 3, 3, 3, 3, 3],  # raw 21 → 19.25
    "G": [2, 2, 2, 2, 2, 1, 1],  # raw 12 → 14.08
    "H": [4, 3, 3, 3, 3, 4, 3],  # raw 23 → 20.73
    "I": [3, 3, 3, 3, 3, 3, 3],  # start only
    "J": [5, 5, 5, 5, 5, 5, 5],  # start only
}
SWEMWBS_END = {
    "A": [3, 3, 3, 3, 3, 3, 3],  # raw 21 → 19.25; change +2.37
    "B": [4, 3, 3, 3, 3, 3, 3],  # raw 22 → 19.98; change +1.39
    "C": [4, 4, 4, 4, 4, 3, 3],  # raw 26 → 23.21; change +1.67
    "D": [3, 2, 2, 2, 2, 2, 2],  # raw 15 → 15.84; change +0.52
    "E": [5, 4, 4, 4, 4, 4, 3],  # raw 28 → 25.03; change  0.00
    "F": [3, 3, 3, 3, 3, 2, 2],  # raw 19 → 17.98; change −1.27
    "G": [3, 3, 3, 3, 2, 2, 2],  # raw 18 → 17.43; change +3.35
    "H": [4, 4, 4, 3, 3, 4, 3],  # raw 25 → 22.35; change +1.62
}
MENTOR_FULFILMENT = dict(A=5, B=4, C=4, D=3, E=5, F=4, G=2, H=4, I=5, J=3)
SMALL_START = dict(W=2, X=3, Y=4, Z=1)
SMALL_END = dict(W=5, X=5, Y=4, Z=4)

# Worked out by hand, as the report rounds them (half up) and prints them:
EXPECTED = {
    # metric: (n, value, ci_low, ci_high, suppressed)
    "pairings_started": ("10", "10", "", "", "no"),
    "pairings_completed": ("9", "9", "", "", "no"),  # J was withdrawn
    # Pair A: meetings 1 and 3 held (both ≥ 1 min of media); in meeting 2 the mentee's media
    # flowed for 30 s only. Cancelled meeting 4 does not count. 2 / 3 = 66.67 % → 66.7.
    "meetings_due": ("3", "3", "", "", "no"),
    "meetings_held": ("2", "2", "", "", "no"),
    "attendance_rate": ("3", "66.7", "", "", "no"),
    # Shorter of the two: meeting 1 min(3000, 2400) = 2400 s; meeting 3 min(3600, 3600) = 3600 s.
    # 6000 s / 3600 = 1.667 h → 1.7.
    "mentoring_hours": ("2", "1.7", "", "", "no"),
    # Paired A–H, n = 8. Start agreeing (4–5): C, E → 2 / 8 = 25.0 %.
    # End agreeing: A, B, C, E, G → 5 / 8 = 62.5 %. +37.5 percentage points;
    # relative (0.625 − 0.25) / 0.25 × 100 = +150.0 %. (With I and J: 4 / 10 = 40 %, wrongly.)
    "future_positive_baseline": ("8", "25.0", "", "", "no"),
    "future_positive_end": ("8", "62.5", "", "", "no"),
    "future_positive_change_points": ("8", "+37.5", "", "", "no"),
    "future_positive_relative_change": ("8", "+150.0", "", "", "no"),
    # Start mean = 151.42 / 8 = 18.9275 → 18.93; end mean = 161.07 / 8 = 20.13375 → 20.13.
    # Σd = 9.65, mean change 1.20625 → +1.21; Σ(d − mean)² = 14.4277875; sd = √(14.4277875 / 7)
    # = 1.43566; se = 1.43566 / √8 = 0.50758; t(0.975, 7) = 2.36462; half-width 1.20024:
    # 95 % CI 0.00601 → +0.01 to 2.40649 → +2.41.
    "swemwbs_baseline_mean": ("8", "18.93", "", "", "no"),
    "swemwbs_end_mean": ("8", "20.13", "", "", "no"),
    "swemwbs_mean_change": ("8", "+1.21", "+0.01", "+2.41", "no"),
    # Confidence, A–H. Start agreeing: E → 1 / 8 = 12.5 %; end: A, C, E, H → 4 / 8 = 50.0 %;
    # +37.5 points; relative (0.5 − 0.125) / 0.125 = +300.0 %.
    "confidence_agree_baseline": ("8", "12.5", "", "", "no"),
    "confidence_agree_end": ("8", "50.0", "", "", "no"),
    "confidence_agree_change_points": ("8", "+37.5", "", "", "no"),
    "confidence_agree_relative_change": ("8", "+300.0", "", "", "no"),
    # Start mean 21 / 8 = 2.625 → 2.63 (half up); end 28 / 8 = 3.50. Differences +2, 0, +1,
    # +1, +1, −1, +2, +1: mean 0.875 → +0.88; Σ(d − mean)² = 13 − 8 × 0.875² = 6.875;
    # sd = √(6.875 / 7) = 0.99103; se = 0.35038; half-width 2.36462 × 0.35038 = 0.82852:
    # 0.04648 → +0.05 to 1.70352 → +1.70.
    "confidence_baseline_mean": ("8", "2.63", "", "", "no"),
    "confidence_end_mean": ("8", "3.50", "", "", "no"),
    "confidence_mean_change": ("8", "+0.88", "+0.05", "+1.70", "no"),
    # Mentors agreeing: A 5, B 4, C 4, E 5, F 4, H 4, I 5 → 7 of 10 = 70.0 % (the seed's 70 %).
    "mentor_fulfilment": ("10", "70.0", "", "", "no"),
    # Two check-ins only: fewer than 5, suppressed — not even the count is shown.
    "meetings_useful": ("", "", "", "", "yes"),
    # Response rates: start 10 of 10; no midpoint survey fell due; end 8 of 10 (I skipped,
    # J did not answer); mentors 10 of 10; check-ins 2 of 2.
    "response_rate_mentee_start": ("10", "100.0", "", "", "no"),
    "response_rate_mentee_mid": ("0", "", "", "", "no"),
    "response_rate_mentee_end": ("10", "80.0", "", "", "no"),
    "response_rate_mentor_end": ("10", "100.0", "", "", "no"),
    "response_rate_meeting_checkin": ("2", "100.0", "", "", "no"),
}


# The answers of each invitation made by `_invitation`, stored once the invitations have ids.
invitation_answers: list[tuple[SurveyInvitation, dict[str, int | None]]] = []


def _timeline() -> tuple[dt.datetime, dt.datetime]:
    """Start in a month about ten months ago, end five months later: in the past whatever day
    the suite runs, and too long ago for the worker to invite anyone now."""
    month = (utcnow() - dt.timedelta(days=300)).replace(day=10, hour=9, minute=0, second=0)
    return month.replace(microsecond=0), month.replace(microsecond=0) + dt.timedelta(days=150)


def _invitation(
    session: AsyncSession,
    kind: SurveyKind,
    pairing: Pairing,
    user_id: int,
    due: dt.datetime,
    answers: dict[str, int | None] | None,
    *,
    meeting_id: int | None = None,
    skipped: bool = False,
) -> None:
    invitation = SurveyInvitation(
        key=invitation_key(
            kind, pairing_id=pairing.id or 0, user_id=user_id, meeting_id=meeting_id
        ),
        kind=kind,
        pairing_id=pairing.id or 0,
        meeting_id=meeting_id,
        user_id=user_id,
        organisation_id=pairing.organisation_id,
        due_at=due,
        closes_at=due + dt.timedelta(days=42),
        answered_at=due + dt.timedelta(days=1) if answers else None,
        skipped_at=due + dt.timedelta(days=1) if skipped else None,
    )
    session.add(invitation)
    invitation_answers.append((invitation, answers or {}))


def _mentee_answers(
    person: str, future: dict[str, int], confidence: dict[str, int], swemwbs: dict[str, list[int]]
) -> dict[str, int | None] | None:
    if person not in future:
        return None
    answers: dict[str, int | None] = {
        "future": future[person],
        "confidence": confidence[person],
    }
    answers.update(
        {f"wellbeing_{i}": value for i, value in enumerate(swemwbs.get(person, []), start=1)}
    )
    return answers


async def _pairing(
    session: AsyncSession,
    organisation: Organisation,
    started: dt.datetime,
    ended: dt.datetime,
    status: PairingStatus,
) -> Pairing:
    mentor = await factories.user(session, Role.MENTOR, organisation)
    mentee = await factories.user(session, Role.MENTEE, organisation)
    pairing = Pairing(
        mentor_id=mentor.id or 0,
        mentee_id=mentee.id or 0,
        organisation_id=organisation.id or 0,
        status=status,
        started_at=started,
        ended_at=ended,
    )
    session.add(pairing)
    await session.flush()
    return pairing


async def make_fixture(session: AsyncSession) -> dict[str, Any]:
    invitation_answers.clear()
    started, ended = _timeline()
    college = await factories.organisation(session, "Fixture College")
    school = await factories.organisation(session, "Small School")
    people = {
        "coordinator": await factories.user(session, Role.COORDINATOR, college),
        "small_coordinator": await factories.user(session, Role.COORDINATOR, school),
        "admin": await factories.user(session, Role.ADMIN, None),
        "mentee": await factories.user(session, Role.MENTEE, college),
        "mentor": await factories.user(session, Role.MENTOR, college),
    }
    first: Pairing | None = None
    for person in "ABCDEFGHIJ":
        status = PairingStatus.WITHDRAWN if person == "J" else PairingStatus.COMPLETED
        pairing = await _pairing(session, college, started, ended, status)
        first = first or pairing
        start_answers = _mentee_answers(person, FUTURE_START, CONFIDENCE_START, SWEMWBS_START)
        end_answers = _mentee_answers(person, FUTURE_END, CONFIDENCE_END, SWEMWBS_END)
        _invitation(
            session, SurveyKind.MENTEE_START, pairing, pairing.mentee_id, started, start_answers
        )
        _invitation(
            session, SurveyKind.MENTEE_END, pairing, pairing.mentee_id, ended, end_answers,
            skipped=person == "I",
        )  # fmt: skip
        _invitation(
            session, SurveyKind.MENTOR_END, pairing, pairing.mentor_id, ended,
            {"fulfilment": MENTOR_FULFILMENT[person]},
        )  # fmt: skip
    for person in "WXYZ":
        pairing = await _pairing(session, school, started, ended, PairingStatus.COMPLETED)
        swemwbs = {person: [3] * 7}
        _invitation(
            session, SurveyKind.MENTEE_START, pairing, pairing.mentee_id, started,
            _mentee_answers(person, SMALL_START, SMALL_START, swemwbs),
        )  # fmt: skip
        _invitation(
            session, SurveyKind.MENTEE_END, pairing, pairing.mentee_id, ended,
            _mentee_answers(person, SMALL_END, SMALL_END, {person: [4] * 7}),
        )  # fmt: skip
    assert first is not None
    # Pair A's meetings, a month in: (mentor seconds, mentee seconds) of measured media.
    for week, media, meeting_status in (
        (1, (3000.0, 2400.0), MeetingStatus.SCHEDULED),
        (2, (3600.0, 30.0), MeetingStatus.SCHEDULED),
        (3, (3600.0, 3600.0), MeetingStatus.SCHEDULED),
        (4, (3600.0, 3600.0), MeetingStatus.CANCELLED),
    ):
        meeting = Meeting(
            pairing_id=first.id or 0,
            starts_at=started + dt.timedelta(weeks=4 + week),
            status=meeting_status,
        )
        session.add(meeting)
        await session.flush()
        for user_id, seconds in zip((first.mentor_id, first.mentee_id), media, strict=True):
            session.add(
                Attendance(
                    meeting_id=meeting.id or 0,
                    user_id=user_id,
                    first_media_at=meeting.starts_at,
                    media_seconds=seconds,
                )
            )
        if week == 1:
            for user_id, useful in ((first.mentor_id, 5), (first.mentee_id, 4)):
                _invitation(
                    session, SurveyKind.MEETING_CHECKIN, first, user_id, meeting.ends_at,
                    {"useful": useful, "feeling": 4}, meeting_id=meeting.id,
                )  # fmt: skip
    await session.flush()
    for invitation, answers in invitation_answers:
        session.add_all(
            SurveyAnswer(invitation_id=invitation.id or 0, item=item, value=value)
            for item, value in answers.items()
        )
    await session.commit()
    return {
        "emails": {role: person.email for role, person in people.items()},
        "college": college.id,
        "school": school.id,
        "cohort": started.strftime("%Y-%m"),
        "started": started.date(),
        "ended": ended.date(),
    }


@contextlib.asynccontextmanager
async def _client(live_server: LiveServer, email: str) -> AsyncIterator[httpx.AsyncClient]:
    async with live_server.client() as client:
        await log_in(client, email, PASSWORD)
        yield client


def _csv(response: httpx.Response) -> dict[str, dict[str, str]]:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    return {row["metric"]: row for row in rows}


def _page_rows(page: str) -> dict[str, str]:
    """Each figure's table row as text, by metric."""
    rows = {}
    for metric, body in re.findall(r'<tr data-metric="([\w]+)">(.*?)</tr>', page, re.S):
        text = html.unescape(re.sub(r"<[^>]+>", " ", body))
        rows[metric] = " ".join(text.split())
    return rows


def _as_expected(rows: dict[str, dict[str, str]]) -> dict[str, tuple[str, ...]]:
    return {
        metric: (row["n"], row["value"], row["ci_low"], row["ci_high"], row["suppressed"])
        for metric, row in rows.items()
    }


def _page_matches_csv(page: str, rows: dict[str, dict[str, str]]) -> None:
    shown = _page_rows(page)
    assert set(shown) == set(rows)
    for metric, row in rows.items():
        text = shown[metric]
        assert text.startswith(row["label"]), (metric, text)
        if row["suppressed"] == "yes":
            assert "fewer than 5 respondents — not shown" in text, (metric, text)
            continue
        unit = row["unit"] if row["unit"] != "count" else ""
        value = f"{row['value']} {unit}".strip() if row["value"] else "—"
        expected = f"{row['label']} {row['n']} {value}"
        if row["ci_low"]:
            expected += f" {row['ci_low']} to {row['ci_high']}"
        assert text == expected, (metric, text, expected)


async def test_report_matches_the_hand_computed_figures(live_server: LiveServer) -> None:
    fixture = await live_server.in_session(make_fixture)
    async with _client(live_server, fixture["emails"]["coordinator"]) as client:
        page = await client.get("/reports/impact")
        assert page.status_code == 200
        assert "Impact report: Fixture College" in page.text
        rows = _csv(await client.get("/reports/impact.csv"))
        assert _as_expected(rows) == EXPECTED
        _page_matches_csv(page.text, rows)
        # The page says which kind of change it shows.
        assert "percentage points" in page.text and "relative change" in page.text
        # Charts: inline SVG with accessible names, nothing from elsewhere.
        for chart in ("chart-future", "chart-wellbeing", "chart-attendance", "chart-mentors"):
            assert f'<svg class="chart" id="{chart}" role="img"' in page.text
        assert "Mentees positive about their future: At the start 25.0 %; At the end 62.5 %" in (
            page.text
        )
        assert "mean change +1.21 points, 95 % confidence interval +0.01 to +2.41" in page.text
        assert "https://" not in page.text and "<script" not in page.text

        # The same figures with the filters that select exactly this cohort and period.
        query = {
            "date_from": fixture["started"].isoformat(),
            "date_to": fixture["ended"].isoformat(),
            "cohort": fixture["cohort"],
            "organisation_id": str(fixture["college"]),
        }
        filtered = _csv(await client.get("/reports/impact.csv", params=query))
        assert _as_expected(filtered) == EXPECTED
        filtered_page = await client.get("/reports/impact", params=query)
        _page_matches_csv(filtered_page.text, filtered)

        # A period after the pairings ended: nothing ended, so every survey group is empty.
        later = fixture["ended"] + dt.timedelta(days=1)
        empty = _csv(await client.get("/reports/impact.csv", params={"date_from": str(later)}))
        assert empty["pairings_started"]["value"] == "0"
        assert empty["future_positive_end"]["suppressed"] == "yes"
        assert empty["swemwbs_mean_change"]["value"] == ""
        # Another cohort: nobody.
        other = _csv(await client.get("/reports/impact.csv", params={"cohort": "2001-01"}))
        assert other["pairings_started"]["value"] == "0"
        assert other["mentor_fulfilment"]["suppressed"] == "yes"


async def test_small_groups_are_suppressed(live_server: LiveServer) -> None:
    fixture = await live_server.in_session(make_fixture)
    async with _client(live_server, fixture["emails"]["small_coordinator"]) as client:
        page = await client.get("/reports/impact")
        assert "Impact report: Small School" in page.text
        rows = _csv(await client.get("/reports/impact.csv"))
        # Four paired mentees: every survey figure suppressed, counts withheld.
        for metric in ("future_positive_baseline", "swemwbs_mean_change", "confidence_mean_change"):
            assert (rows[metric]["n"], rows[metric]["value"], rows[metric]["suppressed"]) == (
                "",
                "",
                "yes",
            )
        assert rows["pairings_started"]["value"] == "4"
        _page_matches_csv(page.text, rows)
        assert page.text.count("fewer than 5 respondents — not shown") >= 12
        assert "Chart not shown: fewer than 5 respondents." in page.text


async def test_admin_sees_every_organisation_and_can_choose_one(live_server: LiveServer) -> None:
    fixture = await live_server.in_session(make_fixture)
    async with _client(live_server, fixture["emails"]["admin"]) as client:
        everything = _csv(await client.get("/reports/impact.csv"))
        # Both organisations: 8 + 4 = 12 paired mentees. Start agreeing: C, E and Y → 3 / 12 =
        # 25.0 %; end: A, B, C, E, G and W, X, Y, Z → 9 / 12 = 75.0 %: +50.0 points, +200.0 %.
        assert [everything["future_positive_" + part]["value"] for part in (
            "baseline", "end", "change_points", "relative_change"
        )] == ["25.0", "75.0", "+50.0", "+200.0"]  # fmt: skip
        assert everything["future_positive_end"]["n"] == "12"
        assert everything["pairings_started"]["value"] == "14"
        one = _csv(
            await client.get("/reports/impact.csv", params={"organisation_id": fixture["college"]})
        )
        assert _as_expected(one) == EXPECTED
        page = await client.get("/reports/impact")
        assert "Impact report: all organisations" in page.text
        assert 'name="organisation_id"' in page.text and "Small School" in page.text
        missing = await client.get("/reports/impact", params={"organisation_id": "999999"})
        assert missing.status_code == 404


async def test_coordinators_see_only_their_organisation(live_server: LiveServer) -> None:
    fixture = await live_server.in_session(make_fixture)
    async with _client(live_server, fixture["emails"]["coordinator"]) as client:
        for path in ("/reports/impact", "/reports/impact.csv"):
            foreign = await client.get(path, params={"organisation_id": fixture["school"]})
            assert foreign.status_code == 404
            assert "Small School" not in foreign.text
        own = await client.get("/reports/impact")
        assert "Small School" not in own.text and 'name="organisation_id"' not in own.text
        dashboard = await client.get("/dashboard")
        assert '<a href="/reports/impact">Impact report</a>' in dashboard.text
    for role in ("mentee", "mentor"):
        async with _client(live_server, fixture["emails"][role]) as client:
            for path in ("/reports/impact", "/reports/impact.csv"):
                assert (await client.get(path)).status_code == 403
    async with live_server.client() as anonymous:
        response = await anonymous.get("/reports/impact.csv")
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_bad_filters_are_a_clear_422(live_server: LiveServer) -> None:
    fixture = await live_server.in_session(make_fixture)
    async with _client(live_server, fixture["emails"]["coordinator"]) as client:
        for params, field, message in (
            ({"date_from": "2026-13-01"}, "date_from", "From: input should be a valid date"),
            ({"date_to": "yesterday"}, "date_to", "To: input should be a valid date"),
            ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to", "before the start"),
            ({"date_from": "1900-01-01"}, "date_from", "Choose a date between"),
            ({"cohort": "2026-13"}, "cohort", "like 2026-09"),
            ({"organisation_id": "abc"}, "organisation_id", "Organisation: input should be"),
            ({"colour": "blue"}, "colour", "Unexpected field"),
        ):
            page = await client.get("/reports/impact", params=params)
            assert page.status_code == 422, (params, page.status_code)
            assert message in html.unescape(page.text), (params, page.text[:2000])
            # Shown beside the field; a coordinator has no organisation field (nor "colour").
            if field not in ("organisation_id", "colour"):
                assert f'id="{field}-error"' in page.text
            assert (await client.get("/reports/impact.csv", params=params)).status_code == 422


async def test_five_answers_from_one_person_are_still_suppressed(live_server: LiveServer) -> None:
    async def make(session: AsyncSession) -> str:
        started, ended = _timeline()
        school = await factories.organisation(session, "Repeat School")
        coordinator = await factories.user(session, Role.COORDINATOR, school)
        mentor = await factories.user(session, Role.MENTOR, school)
        invitation_answers.clear()
        for _ in range(5):  # one mentor, five pairs, five answers: still one person
            mentee = await factories.user(session, Role.MENTEE, school)
            pairing = Pairing(
                mentor_id=mentor.id or 0, mentee_id=mentee.id or 0,
                organisation_id=school.id or 0, status=PairingStatus.COMPLETED,
                started_at=started, ended_at=ended,
            )  # fmt: skip
            session.add(pairing)
            await session.flush()
            _invitation(
                session, SurveyKind.MENTOR_END, pairing, mentor.id or 0, ended, {"fulfilment": 5}
            )
        await session.flush()
        for invitation, answers in invitation_answers:
            session.add_all(
                SurveyAnswer(invitation_id=invitation.id or 0, item=item, value=value)
                for item, value in answers.items()
            )
        await session.commit()
        return coordinator.email

    email = await live_server.in_session(make)
    async with _client(live_server, email) as client:
        rows = _csv(await client.get("/reports/impact.csv"))
    assert rows["response_rate_mentor_end"]["value"] == "100.0"
    assert (rows["mentor_fulfilment"]["value"], rows["mentor_fulfilment"]["suppressed"]) == (
        "",
        "yes",
    )
