"""The impact report: the programme's figures gathered from the database, for one organisation
(coordinators: their own) or all (admins), filtered by date range and cohort.

One ``ImpactReport`` holds every figure as a ``Figure`` row, rounded once (half up) and
formatted: the page's tables, its charts and the CSV are all rendered from those rows, so they
always agree. The statistics themselves are in ``server.impact``.

What the filters select (dates are whole UTC days, both ends included):

- **Cohort** (``YYYY-MM``): pairings that started in that month. **Organisation**: its pairings.
- **Activity**: pairings *started* and *completed* in the range; meetings booked to start in
  the range that have ended. A meeting was *held* when both people's media reached the room
  (attendance, at least a minute each). Attendance rate = held / those meetings. Mentoring
  hours = for each held meeting, the shorter of the two people's measured media time (the time
  they can have been together), summed.
- **Outcomes** come from pairings that *ended* in the range: the mentee's start (baseline) and
  end surveys, paired per pairing (only pairings with both answers count), and the mentor's end
  survey. A SWEMWBS score needs all 7 items answered; one skipped item leaves it out.
- **Meeting check-ins** and **response rates**: surveys that fell due in the range.
- Groups of fewer than 5 respondents are suppressed: no figure, and no count either. Where one
  person can answer several times (a mentor of several pairs, check-ins), it takes 5 different
  people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from server import authz
from server.errors import Forbidden, InvalidInput, NotFound
from server.impact import (
    MIN_GROUP,
    Agreement,
    MeanChange,
    PairedAgreement,
    agreement,
    paired_agreement,
    paired_item_change,
    response_rate,
    round_half_up,
    swemwbs_change,
)
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
    User,
)
from server.rooms.attendance import ATTENDED_MINIMUM
from server.surveys import SWEMWBS_CODES

COHORT = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
EARLIEST = dt.date(2000, 1, 1)  # nothing in mentormeet is older; guards absurd ranges

CSV_COLUMNS = ("metric", "label", "group", "n", "value", "unit", "ci_low", "ci_high", "suppressed")


@dataclass(frozen=True)
class ReportFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    organisation_id: int | None = None  # None: every organisation the reader may see
    cohort: str | None = None  # "YYYY-MM": pairings that started in that month


@dataclass(frozen=True)
class Figure:
    """One figure of the report, formatted once for the page and the CSV alike."""

    section: str
    metric: str
    label: str
    group: str
    n: int | None
    value: str
    unit: str
    ci_low: str = ""
    ci_high: str = ""
    suppressed: bool = False

    @property
    def number(self) -> float | None:
        """The shown value as a number (for drawing it), None when there is none."""
        return float(self.value) if self.value else None

    def csv_row(self) -> list[str]:
        return [
            self.metric,
            self.label,
            self.group,
            "" if self.n is None else str(self.n),
            self.value,
            self.unit,
            self.ci_low,
            self.ci_high,
            "yes" if self.suppressed else "no",
        ]


@dataclass(frozen=True)
class Activity:
    pairings_started: int
    pairings_completed: int
    meetings_due: int
    meetings_held: int
    attendance_rate: float | None  # 0–1
    mentoring_hours: float


@dataclass(frozen=True)
class ResponseRate:
    kind: SurveyKind
    invited: int
    answered: int
    rate: float | None  # 0–1


@dataclass(frozen=True)
class ImpactReport:
    filters: ReportFilters
    organisation: Organisation | None  # None: all organisations
    activity: Activity
    # Full precision; everything shown is in `figures`, rounded once.
    future: PairedAgreement
    confidence_agreement: PairedAgreement
    swemwbs: MeanChange
    confidence: MeanChange
    fulfilment: Agreement
    useful: Agreement
    responses: tuple[ResponseRate, ...]
    figures: tuple[Figure, ...] = field(default=())

    def section(self, name: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.section == name]

    def figure(self, metric: str) -> Figure:
        return next(figure for figure in self.figures if figure.metric == metric)


# --- filters ---------------------------------------------------------------------------------


def check_filters(filters: ReportFilters, *, today: dt.date) -> None:
    """Dates in a sensible order and range, a real cohort month; else InvalidInput (422)."""
    for name, day in (("date_from", filters.date_from), ("date_to", filters.date_to)):
        if day is not None and not EARLIEST <= day <= today + dt.timedelta(days=366):
            raise InvalidInput(
                f"Choose a date between {EARLIEST:%d %B %Y} and a year from now.", field=name
            )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput("The end date is before the start date.", field="date_to")
    if filters.cohort is not None and not COHORT.fullmatch(filters.cohort):
        raise InvalidInput("Give the cohort as a month, like 2026-09.", field="cohort")


async def report_organisation(
    *, session: AsyncSession, actor: User, organisation_id: int | None
) -> Organisation | None:
    """The organisation the report covers: a coordinator's own, any for admins (None: all)."""
    role = authz.role_of(actor)
    if role is Role.COORDINATOR:
        if organisation_id is not None and organisation_id != actor.organisation_id:
            raise NotFound("No such organisation.", field="organisation_id")
        organisation_id = actor.organisation_id
        if organisation_id is None:
            raise NotFound("You do not belong to an organisation.", field="organisation_id")
    elif role is not Role.ADMIN:
        raise Forbidden("Only coordinators and admins see the impact report.")
    if organisation_id is None:
        return None
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.", field="organisation_id")
    return organisation


def _bounds(filters: ReportFilters) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = dt.datetime.combine(filters.date_from, dt.time(), dt.UTC) if filters.date_from else None
    end = (
        dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        if filters.date_to
        else None
    )
    return start, end


def _within(moment: dt.datetime | None, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    if moment is None:
        return False
    return (start is None or moment >= start) and (end is None or moment < end)


def _cohort_bounds(cohort: str) -> tuple[dt.datetime, dt.datetime]:
    year, month = (int(part) for part in cohort.split("-"))
    first = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    following = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=dt.UTC)
    return first, following


# --- gathering -------------------------------------------------------------------------------


PairingIds = SelectOfScalar[int] | SelectOfScalar[None]  # select(Pairing.id).where(…)


def _scope(organisation: Organisation | None, filters: ReportFilters) -> list[ColumnElement[bool]]:
    """The conditions that pick the report's pairings (used as a subquery: no id lists)."""
    conditions: list[ColumnElement[bool]] = []
    if organisation is not None:
        conditions.append(col(Pairing.organisation_id) == organisation.id)
    if filters.cohort is not None:
        first, following = _cohort_bounds(filters.cohort)
        conditions += [col(Pairing.started_at) >= first, col(Pairing.started_at) < following]
    return conditions


async def _activity(
    session: AsyncSession,
    pairings: Sequence[Pairing],
    in_scope: PairingIds,
    start: dt.datetime | None,
    end: dt.datetime | None,
    now: dt.datetime,
) -> Activity:
    members = {p.id: (p.mentor_id, p.mentee_id) for p in pairings}
    conditions = [
        col(Meeting.pairing_id).in_(in_scope),
        col(Meeting.status) == MeetingStatus.SCHEDULED,
        col(Meeting.starts_at) <= now,
    ]
    if start is not None:
        conditions.append(col(Meeting.starts_at) >= start)
    if end is not None:
        conditions.append(col(Meeting.starts_at) < end)
    meetings = [
        m
        for m in (await session.exec(select(Meeting).where(*conditions))).all()
        if m.ends_at <= now
    ]
    rows = await session.exec(
        select(Attendance)
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .where(*conditions)
    )
    seconds = {(row.meeting_id, row.user_id): row.media_seconds for row in rows.all()}
    held, together = 0, 0.0
    for meeting in meetings:
        mentor_id, mentee_id = members[meeting.pairing_id]
        times = [seconds.get((meeting.id or 0, person), 0.0) for person in (mentor_id, mentee_id)]
        if min(times) >= ATTENDED_MINIMUM.total_seconds():
            held += 1
            together += min(times)
    return Activity(
        pairings_started=sum(1 for p in pairings if _within(p.started_at, start, end)),
        pairings_completed=sum(
            1
            for p in pairings
            if p.status == PairingStatus.COMPLETED and _within(p.ended_at, start, end)
        ),
        meetings_due=len(meetings),
        meetings_held=held,
        attendance_rate=response_rate(held, len(meetings)),
        mentoring_hours=together / 3600,
    )


Answers = dict[str, int | None]


async def _answers(session: AsyncSession, in_scope: PairingIds) -> dict[int, Answers]:
    """Answers per answered invitation id, of the report's pairings."""
    rows = await session.exec(
        select(SurveyAnswer)
        .join(SurveyInvitation, col(SurveyInvitation.id) == col(SurveyAnswer.invitation_id))
        .where(col(SurveyInvitation.pairing_id).in_(in_scope))
    )
    result: dict[int, Answers] = defaultdict(dict)
    for row in rows.all():
        result[row.invitation_id][row.item] = row.value
    return result


def _agreement_of_people(
    invitations: Sequence[SurveyInvitation], answers: dict[int, Answers], code: str
) -> Agreement:
    """Agreement over answers, suppressed unless at least 5 different people gave them (a
    mentor of several pairs, or a mentee's many check-ins, count as one person)."""
    given = [
        (i.user_id, answers[i.id or 0].get(code))
        for i in invitations
        if answers.get(i.id or 0, {}).get(code) is not None
    ]
    result = agreement(value for _, value in given)
    if len({person for person, _ in given}) < MIN_GROUP:
        return Agreement(n=result.n, suppressed=True, agreeing=None, share=None)
    return result


def _swemwbs_items(answers: Answers | None) -> list[int] | None:
    if answers is None:
        return None
    items = [answers.get(code) for code in SWEMWBS_CODES]
    return None if any(item is None for item in items) else [int(i) for i in items if i]


async def impact_report(
    *,
    session: AsyncSession,
    actor: User,
    filters: ReportFilters,
    now: dt.datetime,
) -> ImpactReport:
    """Every figure of the report for what the actor may see, filtered."""
    check_filters(filters, today=now.date())
    organisation = await report_organisation(
        session=session, actor=actor, organisation_id=filters.organisation_id
    )
    start, end = _bounds(filters)
    conditions = _scope(organisation, filters)
    in_scope = select(Pairing.id).where(*conditions)
    pairings = list((await session.exec(select(Pairing).where(*conditions))).all())
    activity = await _activity(session, pairings, in_scope, start, end, now)
    invitations = (
        await session.exec(
            select(SurveyInvitation).where(col(SurveyInvitation.pairing_id).in_(in_scope))
        )
    ).all()
    answers = await _answers(session, in_scope)
    ended = {p.id for p in pairings if p.ended_at is not None and _within(p.ended_at, start, end)}
    # The mentee's answers at the start and the end, per pairing (None: not answered).
    baseline: dict[int, Answers | None] = {}
    final: dict[int, Answers | None] = {}
    for invitation in invitations:
        if invitation.pairing_id in ended:
            if invitation.kind == SurveyKind.MENTEE_START:
                baseline[invitation.pairing_id] = answers.get(invitation.id or 0)
            elif invitation.kind == SurveyKind.MENTEE_END:
                final[invitation.pairing_id] = answers.get(invitation.id or 0)

    def item(survey: dict[int, Answers | None], code: str) -> dict[int, int | None]:
        return {key: (found or {}).get(code) for key, found in survey.items()}

    due = [i for i in invitations if _within(i.due_at, start, end)]
    checkins = [i for i in due if i.kind == SurveyKind.MEETING_CHECKIN]
    mentors_at_end = [
        i for i in invitations if i.pairing_id in ended and i.kind == SurveyKind.MENTOR_END
    ]
    responses = []
    for kind in SurveyKind:
        invited = [i for i in due if i.kind == kind]
        answered = sum(1 for i in invited if i.answered_at is not None)
        responses.append(
            ResponseRate(kind, len(invited), answered, response_rate(answered, len(invited)))
        )
    report = ImpactReport(
        filters=filters,
        organisation=organisation,
        activity=activity,
        future=paired_agreement(item(baseline, "future"), item(final, "future")),
        confidence_agreement=paired_agreement(
            item(baseline, "confidence"), item(final, "confidence")
        ),
        swemwbs=swemwbs_change(
            {k: _swemwbs_items(v) for k, v in baseline.items()},
            {k: _swemwbs_items(v) for k, v in final.items()},
        ),
        confidence=paired_item_change(item(baseline, "confidence"), item(final, "confidence")),
        fulfilment=_agreement_of_people(mentors_at_end, answers, "fulfilment"),
        useful=_agreement_of_people(checkins, answers, "useful"),
        responses=tuple(responses),
    )
    return _with_figures(report)


# --- figures ---------------------------------------------------------------------------------


def _percent(share: float | None) -> str:
    return "" if share is None else f"{round_half_up(share * 100, 1):.1f}"


def _number(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{round_half_up(value, digits):.{digits}f}"


def _signed(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{round_half_up(value, digits):+.{digits}f}"


def _n(result: PairedAgreement | MeanChange | Agreement) -> int | None:
    """Suppressed groups do not even show how many they are."""
    return None if result.suppressed else result.n


def _agreement_figures(section: str, name: str, what: str, result: PairedAgreement) -> list[Figure]:
    def figure(suffix: str, label: str, value: str, unit: str) -> Figure:
        return Figure(
            section, f"{name}_{suffix}", f"{what}: {label}", "mentees", _n(result), value, unit,
            suppressed=result.suppressed,
        )  # fmt: skip

    return [
        figure("baseline", "at the start", _percent(result.baseline_share), "percent"),
        figure("end", "at the end", _percent(result.end_share), "percent"),
        figure(
            "change_points",
            "change (end − start)",
            _signed(result.change_points),
            "percentage points",
        ),
        figure(
            "relative_change",
            "relative change ((end − start) / start)",
            _signed(result.relative_change_percent),
            "percent (relative)",
        ),
    ]


def _change_figures(
    section: str, name: str, what: str, unit: str, result: MeanChange
) -> list[Figure]:
    def figure(suffix: str, label: str, value: str, low: str = "", high: str = "") -> Figure:
        return Figure(
            section, f"{name}_{suffix}", f"{what}: {label}", "mentees", _n(result), value, unit,
            ci_low=low, ci_high=high, suppressed=result.suppressed,
        )  # fmt: skip

    return [
        figure("baseline_mean", "mean at the start", _number(result.baseline_mean)),
        figure("end_mean", "mean at the end", _number(result.end_mean)),
        figure(
            "mean_change",
            "mean change (end − start), 95 % confidence interval",
            _signed(result.mean_change, 2),
            _signed(result.ci_low, 2),
            _signed(result.ci_high, 2),
        ),
    ]


RESPONSE_LABELS = {
    SurveyKind.MENTEE_START: "Mentees' start survey",
    SurveyKind.MENTEE_MID: "Mentees' midpoint survey",
    SurveyKind.MENTEE_END: "Mentees' end survey",
    SurveyKind.MENTOR_END: "Mentors' end survey",
    SurveyKind.MEETING_CHECKIN: "After-meeting check-ins",
}


def _with_figures(report: ImpactReport) -> ImpactReport:
    a = report.activity
    figures = [
        Figure("activity", "pairings_started", "Pairings started", "pairings",
               a.pairings_started, str(a.pairings_started), "count"),
        Figure("activity", "pairings_completed", "Pairings completed", "pairings",
               a.pairings_completed, str(a.pairings_completed), "count"),
        Figure("activity", "meetings_due", "Meetings booked that have taken place", "meetings",
               a.meetings_due, str(a.meetings_due), "count"),
        Figure("activity", "meetings_held", "Meetings held (both attended)", "meetings",
               a.meetings_held, str(a.meetings_held), "count"),
        Figure("activity", "attendance_rate", "Attendance rate (held / booked)", "meetings",
               a.meetings_due, _percent(a.attendance_rate), "percent"),
        Figure("activity", "mentoring_hours", "Mentoring hours (measured)", "meetings",
               a.meetings_held, _number(a.mentoring_hours, 1), "hours"),
    ]  # fmt: skip
    figures += _agreement_figures(
        "future", "future_positive", "Mentees who feel positive about their future", report.future
    )
    figures += _change_figures(
        "wellbeing", "swemwbs", "Wellbeing (SWEMWBS metric score, 7–35)", "score", report.swemwbs
    )
    figures += _agreement_figures(
        "confidence",
        "confidence_agree",
        "Mentees confident about their next steps",
        report.confidence_agreement,
    )
    figures += _change_figures(
        "confidence",
        "confidence",
        "Confidence about next steps (1–5)",
        "points on a 1–5 scale",
        report.confidence,
    )
    figures.append(
        Figure(
            "mentors",
            "mentor_fulfilment",
            "Mentors who felt personal fulfilment and growth",
            "mentors",
            _n(report.fulfilment),
            _percent(report.fulfilment.share),
            "percent",
            suppressed=report.fulfilment.suppressed,
        )
    )
    figures.append(
        Figure(
            "meetings",
            "meetings_useful",
            "Check-ins rating the meeting useful (4–5)",
            "check-ins",
            _n(report.useful),
            _percent(report.useful.share),
            "percent",
            suppressed=report.useful.suppressed,
        )
    )
    for rate in report.responses:
        figures.append(
            Figure(
                "responses",
                f"response_rate_{rate.kind.value}",
                f"Response rate: {RESPONSE_LABELS[rate.kind]} ({rate.answered} of {rate.invited})",
                "invited",
                rate.invited,
                _percent(rate.rate),
                "percent",
            )
        )
    return dataclasses.replace(report, figures=tuple(figures))


assert MIN_GROUP == 5  # the page says "fewer than 5 respondents"
