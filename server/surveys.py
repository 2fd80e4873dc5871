"""Surveys: which are due for whom, answering or skipping them, and the reminder e-mail.

When each survey is due (times are the pairing's and meetings' own, in UTC):

- **mentee_start** (baseline): when the pairing starts; open until the midpoint survey is due.
- **mentee_mid**: at the midpoint, ``MIDPOINT_AFTER`` (13 weeks) after the start, if the pairing
  is still running then. Pairings have no planned end date; the model programme ran for about
  six months, so 13 weeks is its midpoint. Open for ``MID_OPEN_FOR``.
- **mentee_end** and **mentor_end**: when the pairing ends (completed or withdrawn — how it went
  for those who left early matters too); open for ``END_OPEN_FOR``.
- **meeting_checkin**: for each person whose media really reached the meeting (attendance, at
  least a minute), when the meeting ends; open for ``CHECKIN_OPEN_FOR``.

An invitation row is made when a survey becomes due (by the worker, and by the person's own
dashboard so it shows at once); its unique ``key`` makes that idempotent. Answers can be
skipped, never forced: a single question left blank is stored as NULL, a whole survey can be
skipped, and a survey answered with every question blank counts as skipped. Each invitation is
answered or skipped once: a second submission is a Conflict (409). The worker e-mails one
reminder per invitation when it becomes due (``reminded_at`` marks it sent).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import Database
from server.emails import compose
from server.errors import Conflict, InvalidInput, NotFound
from server.impact import ITEM_MAX, ITEM_MIN, SWEMWBS_ITEMS
from server.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    Pairing,
    PairingStatus,
    SurveyAnswer,
    SurveyInvitation,
    SurveyKind,
    User,
)
from server.outbox import enqueue_email
from server.rooms.attendance import ATTENDED_MINIMUM

MIDPOINT_AFTER = dt.timedelta(weeks=13)
MID_OPEN_FOR = dt.timedelta(weeks=6)
END_OPEN_FOR = dt.timedelta(weeks=6)
CHECKIN_OPEN_FOR = dt.timedelta(days=7)
LONGEST_MEETING = dt.timedelta(hours=4)  # meetings are booked for at most this long
ROWS_PER_INSERT = 200  # well inside every driver's bound-parameter limit
KEYS_PER_QUERY = 1000  # well below the databases' limits on bound parameters


@dataclass(frozen=True)
class Question:
    code: str  # the form field and the stored item name
    text: str
    scale: tuple[str, str, str, str, str]  # labels of 1 … 5


FREQUENCY = ("None of the time", "Rarely", "Some of the time", "Often", "All of the time")
AGREEMENT = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)
USEFULNESS = ("Not at all useful", "Not very useful", "Somewhat useful", "Useful", "Very useful")
FEELING = ("Very low", "Low", "OK", "Good", "Very good")

# The Short Warwick-Edinburgh Mental Wellbeing Scale, over the last two weeks.
SWEMWBS_QUESTIONS = tuple(
    Question(f"wellbeing_{number}", text, FREQUENCY)
    for number, text in enumerate(
        (
            "I've been feeling optimistic about the future",
            "I've been feeling useful",
            "I've been feeling relaxed",
            "I've been dealing with problems well",
            "I've been thinking clearly",
            "I've been feeling close to other people",
            "I've been able to make up my own mind about things",
        ),
        start=1,
    )
)
assert len(SWEMWBS_QUESTIONS) == SWEMWBS_ITEMS
SWEMWBS_CODES = tuple(question.code for question in SWEMWBS_QUESTIONS)
FUTURE = Question("future", "I feel positive about my future", AGREEMENT)
CONFIDENCE = Question(
    "confidence", "I feel confident about my next steps in education or work", AGREEMENT
)
FULFILMENT = Question(
    "fulfilment", "Mentoring gave me a sense of personal fulfilment and growth", AGREEMENT
)
USEFUL = Question("useful", "How useful was this meeting?", USEFULNESS)
FEELING_NOW = Question("feeling", "How do you feel after this meeting?", FEELING)

_MENTEE = (*SWEMWBS_QUESTIONS, FUTURE, CONFIDENCE)
QUESTIONS: Mapping[SurveyKind, tuple[Question, ...]] = {
    SurveyKind.MENTEE_START: _MENTEE,
    SurveyKind.MENTEE_MID: _MENTEE,
    SurveyKind.MENTEE_END: _MENTEE,
    SurveyKind.MENTOR_END: (FULFILMENT, *SWEMWBS_QUESTIONS),
    SurveyKind.MEETING_CHECKIN: (USEFUL, FEELING_NOW),
}
TITLES: Mapping[SurveyKind, str] = {
    SurveyKind.MENTEE_START: "Starting out",
    SurveyKind.MENTEE_MID: "Halfway",
    SurveyKind.MENTEE_END: "Looking back",
    SurveyKind.MENTOR_END: "Your mentoring",
    SurveyKind.MEETING_CHECKIN: "After your meeting",
}


def invitation_key(
    kind: SurveyKind, *, pairing_id: int, user_id: int, meeting_id: int | None = None
) -> str:
    """Names the occasion: one invitation per kind, pairing (or meeting) and person."""
    where = f"m{meeting_id}" if meeting_id is not None else f"p{pairing_id}"
    return f"{kind.value}:{where}:u{user_id}"


def _invitation(
    kind: SurveyKind,
    pairing: Pairing,
    user_id: int,
    due_at: dt.datetime,
    open_for: dt.timedelta,
    meeting_id: int | None = None,
) -> SurveyInvitation:
    return SurveyInvitation(
        key=invitation_key(
            kind, pairing_id=pairing.id or 0, user_id=user_id, meeting_id=meeting_id
        ),
        kind=kind,
        pairing_id=pairing.id or 0,
        meeting_id=meeting_id,
        user_id=user_id,
        organisation_id=pairing.organisation_id,
        due_at=due_at,
        closes_at=due_at + open_for,
    )


def _not_invited(*kinds: SurveyKind) -> ColumnElement[bool]:
    """The pairing has no invitation of one of these kinds yet (an anti-join: once everyone
    due has been invited, the worker's look finds nothing and costs little)."""
    return or_(
        *(
            ~exists().where(
                col(SurveyInvitation.pairing_id) == col(Pairing.id),
                col(SurveyInvitation.kind) == kind,
            )
            for kind in kinds
        )
    )


async def _due_now(
    session: AsyncSession, now: dt.datetime, user_id: int | None
) -> list[SurveyInvitation]:
    """Invitations that are due now, still open and not yet made (a few may exist already)."""
    pairings = select(Pairing)
    if user_id is not None:
        pairings = pairings.where(
            or_(col(Pairing.mentor_id) == user_id, col(Pairing.mentee_id) == user_id)
        )
    wanted: list[SurveyInvitation] = []
    active = pairings.where(col(Pairing.status) == PairingStatus.ACTIVE)
    starting = active.where(
        col(Pairing.started_at) <= now,
        col(Pairing.started_at) > now - MIDPOINT_AFTER,
        _not_invited(SurveyKind.MENTEE_START),
    )
    for pairing in (await session.exec(starting)).all():
        wanted.append(
            _invitation(
                SurveyKind.MENTEE_START,
                pairing,
                pairing.mentee_id,
                pairing.started_at,
                MIDPOINT_AFTER,
            )
        )
    halfway = active.where(
        col(Pairing.started_at) <= now - MIDPOINT_AFTER,
        col(Pairing.started_at) > now - MIDPOINT_AFTER - MID_OPEN_FOR,
        _not_invited(SurveyKind.MENTEE_MID),
    )
    for pairing in (await session.exec(halfway)).all():
        midpoint = pairing.started_at + MIDPOINT_AFTER
        wanted.append(
            _invitation(SurveyKind.MENTEE_MID, pairing, pairing.mentee_id, midpoint, MID_OPEN_FOR)
        )
    ended = pairings.where(
        col(Pairing.status) != PairingStatus.ACTIVE,
        col(Pairing.ended_at).is_not(None),
        col(Pairing.ended_at) <= now,
        col(Pairing.ended_at) > now - END_OPEN_FOR,
        _not_invited(SurveyKind.MENTEE_END, SurveyKind.MENTOR_END),
    )
    for pairing in (await session.exec(ended)).all():
        assert pairing.ended_at is not None
        for kind, person in (
            (SurveyKind.MENTEE_END, pairing.mentee_id),
            (SurveyKind.MENTOR_END, pairing.mentor_id),
        ):
            wanted.append(_invitation(kind, pairing, person, pairing.ended_at, END_OPEN_FOR))
    attended = (
        select(Meeting, Pairing, Attendance)
        .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
        .join(Attendance, col(Attendance.meeting_id) == col(Meeting.id))
        .where(
            col(Meeting.status) == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) <= now,
            col(Meeting.starts_at) > now - CHECKIN_OPEN_FOR - LONGEST_MEETING,
            col(Attendance.media_seconds) >= ATTENDED_MINIMUM.total_seconds(),
            or_(
                col(Attendance.user_id) == col(Pairing.mentor_id),
                col(Attendance.user_id) == col(Pairing.mentee_id),
            ),
            ~exists().where(
                col(SurveyInvitation.meeting_id) == col(Meeting.id),
                col(SurveyInvitation.user_id) == col(Attendance.user_id),
            ),
        )
    )
    if user_id is not None:
        attended = attended.where(col(Attendance.user_id) == user_id)
    for meeting, pairing, row in (await session.exec(attended)).all():
        if meeting.ends_at <= now < meeting.ends_at + CHECKIN_OPEN_FOR:
            wanted.append(
                _invitation(
                    SurveyKind.MEETING_CHECKIN,
                    pairing,
                    row.user_id,
                    meeting.ends_at,
                    CHECKIN_OPEN_FOR,
                    meeting_id=meeting.id,
                )
            )
    return wanted


async def open_due_surveys(
    *, session: AsyncSession, now: dt.datetime, user_id: int | None = None
) -> int:
    """Makes the invitations that have become due (only `user_id`'s, if given); returns how
    many were new. Safe to run from several places at once: a clash leaves it to the next run."""
    wanted = await _due_now(session, now, user_id)
    if not wanted:
        return 0
    keys = [invitation.key for invitation in wanted]
    existing: set[str] = set()
    for chunk in range(0, len(keys), KEYS_PER_QUERY):
        found = await session.exec(
            select(SurveyInvitation.key).where(
                col(SurveyInvitation.key).in_(keys[chunk : chunk + KEYS_PER_QUERY])
            )
        )
        existing.update(found.all())
    new = [invitation for invitation in wanted if invitation.key not in existing]
    if not new:
        return 0
    # ON CONFLICT DO NOTHING: another process inviting the same person a moment ago is no
    # error, and nothing the caller has loaded in this session is expired by a rollback.
    connection = await session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    rows = [invitation.model_dump(exclude={"id"}) for invitation in new]
    added = 0
    for chunk in range(0, len(rows), ROWS_PER_INSERT):
        statement = (
            insert(SurveyInvitation)
            .values(rows[chunk : chunk + ROWS_PER_INSERT])
            .on_conflict_do_nothing(index_elements=["key"])
        )
        added += max(0, (await connection.execute(statement)).rowcount)
    await session.commit()
    return added


@dataclass(frozen=True)
class SurveyView:
    """A survey as its respondent sees it."""

    invitation: SurveyInvitation
    kind: SurveyKind
    title: str
    questions: tuple[Question, ...]
    partner: User | None
    meeting: Meeting | None

    @property
    def includes_swemwbs(self) -> bool:
        return SWEMWBS_CODES[0] in {question.code for question in self.questions}


async def _view(session: AsyncSession, invitation: SurveyInvitation, user: User) -> SurveyView:
    kind = SurveyKind(invitation.kind)
    pairing = await session.get(Pairing, invitation.pairing_id)
    assert pairing is not None
    partner_id = pairing.mentee_id if user.id == pairing.mentor_id else pairing.mentor_id
    meeting = await session.get(Meeting, invitation.meeting_id) if invitation.meeting_id else None
    return SurveyView(
        invitation=invitation,
        kind=kind,
        title=TITLES[kind],
        questions=QUESTIONS[kind],
        partner=await session.get(User, partner_id),
        meeting=meeting,
    )


async def due_surveys(*, session: AsyncSession, user: User, now: dt.datetime) -> list[SurveyView]:
    """The person's open surveys, oldest first (made due first, so none is missed)."""
    await open_due_surveys(session=session, now=now, user_id=user.id)
    rows = (
        await session.exec(
            select(SurveyInvitation)
            .where(
                col(SurveyInvitation.user_id) == user.id,
                col(SurveyInvitation.answered_at).is_(None),
                col(SurveyInvitation.skipped_at).is_(None),
                col(SurveyInvitation.due_at) <= now,
                col(SurveyInvitation.closes_at) > now,
            )
            .order_by(col(SurveyInvitation.due_at))
        )
    ).all()
    return [await _view(session, row, user) for row in rows]


async def _own_invitation(
    session: AsyncSession, actor: User, invitation_id: int
) -> SurveyInvitation:
    invitation = await session.get(SurveyInvitation, invitation_id)
    if invitation is None or invitation.user_id != actor.id:
        raise NotFound("No such survey.")
    return invitation


def _ensure_open(invitation: SurveyInvitation, now: dt.datetime) -> None:
    if invitation.answered_at is not None:
        raise Conflict("You have already answered this survey. Thank you!")
    if invitation.skipped_at is not None:
        raise Conflict("You skipped this survey; it cannot be answered now.")
    if now < invitation.due_at:
        raise Conflict("This survey is not open yet.")
    if now >= invitation.closes_at:
        raise Conflict("This survey has closed.")


async def survey_for(
    *, session: AsyncSession, actor: User, invitation_id: int, now: dt.datetime
) -> SurveyView:
    """The survey form for its respondent; anyone else is told there is no such survey."""
    invitation = await _own_invitation(session, actor, invitation_id)
    _ensure_open(invitation, now)
    return await _view(session, invitation, actor)


def check_answers(kind: SurveyKind, answers: Mapping[str, object]) -> dict[str, int | None]:
    """Every question of the survey with its answer (1–5) or None when skipped; anything else
    is InvalidInput naming the field."""
    codes = [question.code for question in QUESTIONS[kind]]
    for field in answers:
        if field not in codes:
            raise InvalidInput(f"This survey has no question {field!r}.", field=field)
    checked: dict[str, int | None] = {}
    for question in QUESTIONS[kind]:
        value = answers.get(question.code)
        if value is None:
            checked[question.code] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(
                f"“{question.text}”: choose one of the answers from {ITEM_MIN} to {ITEM_MAX}.",
                field=question.code,
            )
        if not ITEM_MIN <= value <= ITEM_MAX:
            raise InvalidInput(
                f"“{question.text}”: the answer must be from {ITEM_MIN} to {ITEM_MAX}, "
                f"not {value}.",
                field=question.code,
            )
        checked[question.code] = value
    return checked


async def _close(
    session: AsyncSession, invitation: SurveyInvitation, now: dt.datetime, *, answered: bool
) -> None:
    """Marks the invitation answered or skipped, once: a concurrent second submission loses."""
    values = {"answered_at": now} if answered else {"skipped_at": now}
    claimed = await session.exec(
        update(SurveyInvitation)
        .where(
            col(SurveyInvitation.id) == invitation.id,
            col(SurveyInvitation.answered_at).is_(None),
            col(SurveyInvitation.skipped_at).is_(None),
        )
        .values(**values)
    )
    if claimed.rowcount != 1:
        await session.rollback()
        raise Conflict("This survey has already been answered or skipped.")


async def submit_survey(
    *,
    session: AsyncSession,
    actor: User,
    invitation_id: int,
    answers: Mapping[str, object],
    now: dt.datetime,
) -> SurveyInvitation:
    """Stores one answered survey. Blank questions are stored as skipped (NULL)."""
    invitation = await _own_invitation(session, actor, invitation_id)
    _ensure_open(invitation, now)
    checked = check_answers(SurveyKind(invitation.kind), answers)
    if all(value is None for value in checked.values()):
        await _close(session, invitation, now, answered=False)
        await session.commit()
        return invitation
    await _close(session, invitation, now, answered=True)
    session.add_all(
        SurveyAnswer(invitation_id=invitation.id or 0, item=item, value=value)
        for item, value in checked.items()
    )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict("This survey has already been answered.") from None
    return invitation


async def skip_survey(
    *, session: AsyncSession, actor: User, invitation_id: int, now: dt.datetime
) -> SurveyInvitation:
    invitation = await _own_invitation(session, actor, invitation_id)
    _ensure_open(invitation, now)
    await _close(session, invitation, now, answered=False)
    await session.commit()
    return invitation


async def send_survey_reminders(db: Database, *, now: dt.datetime, base_url: str) -> int:
    """Makes what became due, then e-mails each open survey's respondent once; returns how
    many reminders this call queued. Claimed with a conditional UPDATE, as meeting reminders."""
    async with db.session() as session:
        await open_due_surveys(session=session, now=now)
        due = (
            await session.exec(
                select(SurveyInvitation.id)
                .where(
                    col(SurveyInvitation.reminded_at).is_(None),
                    col(SurveyInvitation.answered_at).is_(None),
                    col(SurveyInvitation.skipped_at).is_(None),
                    col(SurveyInvitation.due_at) <= now,
                    col(SurveyInvitation.closes_at) > now,
                )
                .order_by(col(SurveyInvitation.due_at))
            )
        ).all()
    sent = 0
    for invitation_id in due:
        async with db.session() as session:
            claimed = await session.exec(
                update(SurveyInvitation)
                .where(
                    col(SurveyInvitation.id) == invitation_id,
                    col(SurveyInvitation.reminded_at).is_(None),
                )
                .values(reminded_at=now)
            )
            if claimed.rowcount != 1:
                await session.rollback()
                continue  # another worker took it
            invitation = await session.get(SurveyInvitation, invitation_id)
            assert invitation is not None
            person = await session.get(User, invitation.user_id)
            if person is None or not person.is_active:
                await session.commit()
                continue
            view = await _view(session, invitation, person)
            closes = invitation.closes_at.astimezone(zoneinfo.ZoneInfo(person.timezone))
            subject, body = compose(
                "survey_due",
                name=person.display_name,
                title=view.title,
                partner=view.partner.display_name if view.partner else "your mentoring partner",
                kind=view.kind.value,
                count=len(view.questions),
                closes=closes.strftime("%A %d %B"),
                link=f"{base_url.rstrip('/')}/surveys/{invitation_id}",
            )
            enqueue_email(session=session, to=person.email, subject=subject, body=body)
            await session.commit()
            sent += 1
    return sent
