"""Demo data for the impact report: a finished round of mentoring in "Demo College".

Twelve pairs met fortnightly for about five months and ended eight weeks ago, each with measured
attendance, after-meeting check-ins and the mentees' start, midpoint and end surveys and the
mentors' end survey — enough answers (more than 5 paired respondents in every group) for a
meaningful report. The answers are drawn from a fixed seed, so every demo shows the same
figures. These people have no password: they are history, not logins. Added once: a pair whose
mentee already exists is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.models import (
    Attendance,
    Meeting,
    MentorVetting,
    Organisation,
    Pairing,
    PairingStatus,
    Role,
    SurveyAnswer,
    SurveyInvitation,
    SurveyKind,
    User,
)
from server.surveys import (
    CHECKIN_OPEN_FOR,
    END_OPEN_FOR,
    MID_OPEN_FOR,
    MIDPOINT_AFTER,
    SWEMWBS_CODES,
    invitation_key,
)

MENTORS = ("Priya Shah", "Tom Okafor", "Helen Brooks", "Dan Walsh", "Grace Liu", "Omar Haddad")
MENTEES = (
    "Alex Carter", "Bea Nowak", "Callum Reid", "Dina Haddad", "Ethan Moss", "Fatima Ali",
    "Gabe Turner", "Hana Sato", "Isaac Bell", "Jade Murphy", "Kofi Mensah", "Lily Evans",
)  # fmt: skip
MEETINGS_PER_PAIR = 10
STARTED_WEEKS_AGO = 30
LASTED = dt.timedelta(weeks=22)


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + ".past@demo.test"


def _clip(value: float) -> int:
    return max(1, min(5, round(value)))


def _mentee_answers(rng: random.Random, level: float) -> dict[str, int | None]:
    """A plausible questionnaire around `level` (1–5): wellbeing, future, confidence."""
    answers: dict[str, int | None] = {code: _clip(rng.gauss(level, 0.7)) for code in SWEMWBS_CODES}
    answers["future"] = _clip(rng.gauss(level + 0.2, 0.8))
    answers["confidence"] = _clip(rng.gauss(level, 0.8))
    return answers


async def _person(
    session: AsyncSession, organisation: Organisation, name: str, role: Role, at: dt.datetime
) -> User:
    person = User(
        email=_email(name),
        display_name=name,
        role=role,
        organisation_id=organisation.id,
        activated_at=at,
        created_at=at,
        date_of_birth=dt.date(at.year - 18, 3, 1) if role is Role.MENTEE else None,
    )
    session.add(person)
    await session.flush()
    return person


async def add_past_round(session: AsyncSession, organisation: Organisation) -> None:
    """Adds the finished round of mentoring (once)."""
    done = await session.exec(select(User.id).where(User.email == _email(MENTEES[0])))
    if done.first() is not None:
        return
    rng = random.Random(2020)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    first_start = now - dt.timedelta(weeks=STARTED_WEEKS_AGO)
    mentors = []
    for name in MENTORS:
        mentor = await _person(session, organisation, name, Role.MENTOR, first_start)
        session.add(
            MentorVetting(
                mentor_id=mentor.id or 0,
                dbs_issue_date=(now - dt.timedelta(days=200)).date(),
                references_checked=True,
                training_completed=True,
            )
        )
        mentors.append(mentor)
    pending: list[tuple[SurveyInvitation, dict[str, int | None]]] = []

    for number, name in enumerate(MENTEES):
        started = first_start + dt.timedelta(days=number)
        mentee = await _person(session, organisation, name, Role.MENTEE, started)
        mentor = mentors[number % len(mentors)]
        withdrawn = number == 11  # one young person left early
        pairing = Pairing(
            mentor_id=mentor.id or 0,
            mentee_id=mentee.id or 0,
            organisation_id=organisation.id or 0,
            status=PairingStatus.WITHDRAWN if withdrawn else PairingStatus.COMPLETED,
            started_at=started,
            ended_at=started + LASTED,
            end_reason="Moved away" if withdrawn else "Programme completed",
        )
        session.add(pairing)
        await session.flush()
        ended = started + LASTED
        for index in range(MEETINGS_PER_PAIR):
            starts_at = started + dt.timedelta(days=3 + 14 * index, hours=17 - started.hour)
            meeting = Meeting(pairing_id=pairing.id or 0, starts_at=starts_at, created_at=started)
            session.add(meeting)
            await session.flush()
            if rng.random() < 0.12:  # missed
                continue
            for person in (mentor, mentee):
                seconds = rng.uniform(40, 60) * 60
                session.add(
                    Attendance(
                        meeting_id=meeting.id or 0,
                        user_id=person.id or 0,
                        first_media_at=starts_at + dt.timedelta(minutes=rng.uniform(0, 6)),
                        media_seconds=seconds,
                    )
                )
                answered = rng.random() < 0.7
                checkin: dict[str, int | None] | None = (
                    {"useful": _clip(rng.gauss(4.1, 0.8)), "feeling": _clip(rng.gauss(3.9, 0.8))}
                    if answered
                    else None
                )
                pending.append((_checkin(session, pairing, person, meeting), checkin or {}))
        level = rng.uniform(2.2, 3.4)
        growth = rng.uniform(0.4, 1.2)
        pending.append(
            (
                _survey(
                    session, SurveyKind.MENTEE_START, pairing, mentee.id, started, MIDPOINT_AFTER
                ),
                _mentee_answers(rng, level),
            )
        )
        if not withdrawn:
            pending.append(
                (
                    _survey(
                        session,
                        SurveyKind.MENTEE_MID,
                        pairing,
                        mentee.id,
                        started + MIDPOINT_AFTER,
                        MID_OPEN_FOR,
                    ),
                    _mentee_answers(rng, level + growth / 2),
                )
            )
        end_answers = _mentee_answers(rng, level + growth)
        skipped_end = number in (4, 11)  # two mentees did not answer at the end
        pending.append(
            (
                _survey(
                    session,
                    SurveyKind.MENTEE_END,
                    pairing,
                    mentee.id,
                    ended,
                    END_OPEN_FOR,
                    skipped=skipped_end,
                ),
                {} if skipped_end else end_answers,
            )
        )
        fulfilment = 5 if number % 10 in (0, 3, 6) else (4 if number % 10 in (1, 4, 7, 9) else 3)
        mentor_answers: dict[str, int | None] = {
            "fulfilment": fulfilment,
            **{code: _clip(rng.gauss(3.8, 0.6)) for code in SWEMWBS_CODES},
        }
        pending.append(
            (
                _survey(session, SurveyKind.MENTOR_END, pairing, mentor.id, ended, END_OPEN_FOR),
                {} if number == 2 else mentor_answers,
            )
        )
    await session.flush()
    for invitation, answers in pending:
        if answers:
            invitation.answered_at = invitation.due_at + dt.timedelta(days=1)
            session.add(invitation)
            session.add_all(
                SurveyAnswer(invitation_id=invitation.id or 0, item=item, value=value)
                for item, value in answers.items()
            )


def _survey(
    session: AsyncSession,
    kind: SurveyKind,
    pairing: Pairing,
    user_id: int | None,
    due: dt.datetime,
    open_for: dt.timedelta,
    *,
    skipped: bool = False,
) -> SurveyInvitation:
    invitation = SurveyInvitation(
        key=invitation_key(kind, pairing_id=pairing.id or 0, user_id=user_id or 0),
        kind=kind,
        pairing_id=pairing.id or 0,
        user_id=user_id or 0,
        organisation_id=pairing.organisation_id,
        due_at=due,
        closes_at=due + open_for,
        skipped_at=due + dt.timedelta(days=3) if skipped else None,
        reminded_at=due,
        created_at=due,
    )
    session.add(invitation)
    return invitation


def _checkin(
    session: AsyncSession,
    pairing: Pairing,
    person: User,
    meeting: Meeting,
) -> SurveyInvitation:
    due = meeting.ends_at
    invitation = SurveyInvitation(
        key=invitation_key(
            SurveyKind.MEETING_CHECKIN,
            pairing_id=pairing.id or 0,
            user_id=person.id or 0,
            meeting_id=meeting.id,
        ),
        kind=SurveyKind.MEETING_CHECKIN,
        pairing_id=pairing.id or 0,
        meeting_id=meeting.id,
        user_id=person.id or 0,
        organisation_id=pairing.organisation_id,
        due_at=due,
        closes_at=due + CHECKIN_OPEN_FOR,
        reminded_at=due,
        created_at=due,
    )
    session.add(invitation)
    return invitation
