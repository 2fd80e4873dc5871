"""Running the programme: vetting and consent records, profiles, matching, pairings, meetings,
and each person's calendar feed. Handlers parse input, call one domain function, then render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import Field
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from server import authz, concern_cases, directory, pairing, profiles
from server.db import utcnow
from server.errors import DomainError, NotFound
from server.models import (
    ConsentMethod,
    DBSCheckType,
    GuardianConsent,
    Meeting,
    MeetingStatus,
    MentorVetting,
    Organisation,
    PairingStatus,
    Role,
    User,
)
from server.rooms.admission import is_joinable
from server.scheduling import feed, meetings
from server.scheduling.recurrence import Frequency, Recurrence
from server.vetting import mentor_eligibility
from server.web.auth import requires, signed_in_user
from server.web.flash import redirect_with_notice
from server.web.forms import FormErrors, FormModel, field_errors, read_form, submitted_values
from server.web.params import path_id
from server.web.templating import render

Page = Callable[[Request, dict[str, Any], int], Awaitable[Response]]


async def _or_page(
    request: Request, job: Callable[[], Awaitable[Response]], page: Page
) -> Response:
    """Runs a form's action; on bad input shows the page again with the errors and a 4xx."""
    try:
        return await job()
    except DomainError as error:
        if error.status_code == 404 and not isinstance(error, FormErrors):
            raise
        errors = field_errors(error)
        values = await submitted_values(request)
        return await page(request, {"errors": errors, "values": values}, error.status_code)


# People: vetting, consent, profile ------------------------------------------------------------


class VettingForm(FormModel):
    check_type: DBSCheckType = Field(title="Type of check")
    dbs_issue_date: dt.date | None = Field(default=None, title="Certificate issue date")
    update_service: bool = Field(default=False, title="On the Update Service")
    update_service_checked_on: dt.date | None = Field(
        default=None, title="Update Service last checked"
    )
    references_checked: bool = Field(default=False, title="References checked")
    training_completed: bool = Field(default=False, title="Induction training completed")


class ConsentForm(FormModel):
    guardian_name: str = Field(min_length=1, max_length=100, title="Parent or guardian's name")
    guardian_contact: str = Field(min_length=1, max_length=254, title="Their phone or e-mail")
    consent_date: dt.date = Field(title="Date consent was given")
    method: ConsentMethod = Field(title="How it was given")


class ProfileForm(FormModel):
    interests: str = Field(default="", max_length=1000, title="Interests")
    sectors: str = Field(default="", max_length=1000, title="Career sectors")
    goals: str = Field(default="", max_length=1000, title="Goals")
    languages: str = Field(default="english", max_length=1000, title="Languages")
    availability: str = Field(default="", max_length=1000, title="Weekly availability")
    capacity: int | None = Field(default=None, title="Maximum mentees")


class MessageAlertsForm(FormModel):
    message_alerts: bool = Field(default=False, title="E-mail alerts of unread messages")


async def person_page(
    request: Request, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    actor = signed_in_user(request)
    async with request.app.state.db.session() as session:
        target = await session.get(User, path_id(request, "user_id"))
        if target is None:
            raise NotFound("No such person.")
        authz.ensure_can_view_user(actor, target)
        organisation = (
            await session.get(Organisation, target.organisation_id)
            if target.organisation_id
            else None
        )
        vetting = (
            await session.exec(select(MentorVetting).where(MentorVetting.mentor_id == target.id))
        ).first()
        consents = (
            await session.exec(
                select(GuardianConsent).where(GuardianConsent.mentee_id == target.id)
            )
        ).all()
        profile = await profiles.profile_of(session=session, user_id=target.id or 0)
        context: dict[str, Any] = {
            "person": target,
            "organisation": organisation,
            "pairings": await directory.pairings(session=session, member_id=target.id),
            "vetting": vetting,
            "eligibility": mentor_eligibility(vetting, utcnow().date()),
            "consents": consents,
            "consent_needed": await pairing.consent_missing(
                session=session, mentee=target, today=utcnow().date()
            ),
            "profile": profile,
            "availability_text": profiles.describe_slots(profile),
            "can_manage": authz.role_of(actor) in (Role.COORDINATOR, Role.ADMIN)
            and authz.role_of(target) in authz.PARTICIPANT_ROLES,
            **(extra or {}),
        }
    return render(request, "person.html", context, status_code=status)


@requires(Role.COORDINATOR, Role.SAFEGUARDING, Role.ADMIN)
async def person(request: Request) -> Response:
    return await person_page(request)


@requires(Role.COORDINATOR, Role.ADMIN)
async def record_vetting(request: Request) -> Response:
    async def job() -> Response:
        form = await read_form(request, VettingForm)
        async with request.app.state.db.session() as session:
            await pairing.record_vetting(
                session=session,
                actor=signed_in_user(request),
                mentor_id=path_id(request, "user_id"),
                **form.model_dump(),
            )
        return redirect_with_notice(
            f"/people/{path_id(request, 'user_id')}", "Vetting record saved."
        )

    return await _or_page(request, job, person_page)


@requires(Role.COORDINATOR, Role.ADMIN)
async def record_consent(request: Request) -> Response:
    async def job() -> Response:
        form = await read_form(request, ConsentForm)
        async with request.app.state.db.session() as session:
            await pairing.record_consent(
                session=session,
                actor=signed_in_user(request),
                mentee_id=path_id(request, "user_id"),
                **form.model_dump(),
            )
        return redirect_with_notice(
            f"/people/{path_id(request, 'user_id')}", "Guardian consent recorded."
        )

    return await _or_page(request, job, person_page)


@requires(Role.COORDINATOR, Role.ADMIN)
async def update_profile(request: Request) -> Response:
    async def job() -> Response:
        form = await read_form(request, ProfileForm)
        async with request.app.state.db.session() as session:
            await profiles.update_profile(
                session=session,
                actor=signed_in_user(request),
                user_id=path_id(request, "user_id"),
                **form.model_dump(),
            )
        return redirect_with_notice(f"/people/{path_id(request, 'user_id')}", "Profile saved.")

    return await _or_page(request, job, person_page)


async def own_profile_page(
    request: Request, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    user = signed_in_user(request)
    async with request.app.state.db.session() as session:
        profile = await profiles.profile_of(session=session, user_id=user.id or 0)
    context = {
        "profile": profile,
        "availability_text": profiles.describe_slots(profile),
        **(extra or {}),
    }
    return render(request, "profile.html", context, status_code=status)


@requires(Role.MENTOR, Role.MENTEE)
async def own_profile(request: Request) -> Response:
    return await own_profile_page(request)


@requires(Role.MENTOR, Role.MENTEE)
async def save_own_profile(request: Request) -> Response:
    async def job() -> Response:
        user = signed_in_user(request)
        form = await read_form(request, ProfileForm)
        async with request.app.state.db.session() as session:
            await profiles.update_profile(
                session=session, actor=user, user_id=user.id or 0, **form.model_dump()
            )
        return redirect_with_notice("/profile", "Your profile is saved.")

    return await _or_page(request, job, own_profile_page)


@requires(Role.MENTOR, Role.MENTEE)
async def save_message_alerts(request: Request) -> Response:
    async def job() -> Response:
        form = await read_form(request, MessageAlertsForm)
        async with request.app.state.db.session() as session:
            await profiles.set_message_alerts(
                session=session,
                user_id=signed_in_user(request).id or 0,
                enabled=form.message_alerts,
            )
        notice = "E-mail alerts are on." if form.message_alerts else "E-mail alerts are off."
        return redirect_with_notice("/profile", notice)

    return await _or_page(request, job, own_profile_page)


# Matching and pairings ---------------------------------------------------------------------


async def matches_page(
    request: Request, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    actor = signed_in_user(request)
    mentee_id = path_id(request, "user_id")
    async with request.app.state.db.session() as session:
        suggestions = await profiles.suggestions_for(
            session=session, actor=actor, mentee_id=mentee_id
        )
        mentee = await session.get(User, mentee_id)
    context = {"mentee": mentee, "suggestions": suggestions, **(extra or {})}
    return render(request, "matches.html", context, status_code=status)


@requires(Role.COORDINATOR, Role.ADMIN)
async def matches(request: Request) -> Response:
    return await matches_page(request)


class PairForm(FormModel):
    mentor_id: int = Field(ge=1, lt=2**31, title="Mentor")
    mentee_id: int = Field(ge=1, lt=2**31, title="Mentee")


@requires(Role.COORDINATOR, Role.ADMIN)
async def create_pairing(request: Request) -> Response:
    form = await read_form(request, PairForm)
    async with request.app.state.db.session() as session:
        made = await pairing.create_pairing(
            session=session,
            actor=signed_in_user(request),
            mentor_id=form.mentor_id,
            mentee_id=form.mentee_id,
        )
    return redirect_with_notice(f"/pairings/{made.id}", "Paired. Now book their first meeting.")


class BookingForm(FormModel):
    date: dt.date = Field(title="Date")
    time: dt.time = Field(title="Start time")
    duration_minutes: int = Field(default=60, title="Length (minutes)")
    repeat: Frequency = Field(default=Frequency.ONCE, title="Repeat")
    count: int | None = Field(default=None, title="Number of meetings")
    until: dt.date | None = Field(default=None, title="Until")


class ChangeForm(FormModel):
    date: dt.date = Field(title="Date")
    time: dt.time = Field(title="Start time")
    duration_minutes: int = Field(default=60, title="Length (minutes)")
    scope: meetings.Scope = Field(default=meetings.Scope.ONE, title="Which meetings")


class CancelForm(FormModel):
    scope: meetings.Scope = Field(default=meetings.Scope.ONE, title="Which meetings")


class AnswerForm(FormModel):
    answer: str = Field(pattern="^(accept|decline)$", title="Answer")


class EndForm(FormModel):
    outcome: PairingStatus = Field(title="Outcome")
    reason: str = Field(min_length=1, max_length=500, title="Reason")


async def pairing_page(
    request: Request, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    actor = signed_in_user(request)
    pairing_id = path_id(request, "pairing_id")
    async with request.app.state.db.session() as session:
        context_pair = await meetings.pair_context(
            session=session, actor=actor, pairing_id=pairing_id
        )
        rows = (
            await session.exec(
                select(Meeting)
                .where(Meeting.pairing_id == pairing_id)
                .order_by(col(Meeting.starts_at))
            )
        ).all()
        shared = await profiles.shared_times(
            session=session,
            mentor=context_pair.mentor,
            mentee=context_pair.mentee,
            display_timezone=context_pair.organisation.timezone,
            today=utcnow().date(),
        )
        is_staff = authz.role_of(actor) in authz.STAFF_ROLES
        on_hold = is_staff and await concern_cases.pairing_is_held(
            session=session, pairing_id=pairing_id
        )
    now = utcnow()
    context = {
        "pair": context_pair,
        "on_hold": on_hold,
        "upcoming": [m for m in rows if m.ends_at > now and m.status != MeetingStatus.CANCELLED],
        "past": [m for m in rows if m.ends_at <= now][-20:],
        "joinable": {m.id for m in rows if is_joinable(m, now)},
        "may_book": meetings.may_book(actor, context_pair),
        "may_change": meetings.may_change(actor),
        "is_mentee": actor.id == context_pair.mentee.id,
        "timezone": context_pair.organisation.timezone,
        "shared_times": shared,
        **(extra or {}),
    }
    return render(request, "pairing.html", context, status_code=status)


@requires(*Role)
async def pairing_view(request: Request) -> Response:
    return await pairing_page(request)


@requires(Role.COORDINATOR, Role.ADMIN, Role.MENTOR)
async def book(request: Request) -> Response:
    async def job() -> Response:
        form = await read_form(request, BookingForm)
        async with request.app.state.db.session() as session:
            made = await meetings.schedule_meeting(
                session=session,
                actor=signed_in_user(request),
                pairing_id=path_id(request, "pairing_id"),
                local_start=dt.datetime.combine(form.date, form.time),
                duration_minutes=form.duration_minutes,
                recurrence=Recurrence(form.repeat, count=form.count, until=form.until),
                base_url=request.app.state.settings.base_url,
            )
        request.app.state.wake_outbox()
        what = "Proposed" if made[0].status == MeetingStatus.PROPOSED else "Booked"
        return redirect_with_notice(
            f"/pairings/{path_id(request, 'pairing_id')}",
            f"{what} {len(made)} meeting{'s' if len(made) > 1 else ''}; both have been e-mailed.",
        )

    return await _or_page(request, job, pairing_page)


async def _meeting_page(
    request: Request, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """Errors about one meeting are shown on its pairing's page."""
    async with request.app.state.db.session() as session:
        meeting = await session.get(Meeting, path_id(request, "meeting_id"))
    if meeting is None:
        raise NotFound("No such meeting.")
    request.path_params["pairing_id"] = meeting.pairing_id
    return await pairing_page(request, extra, status)


@requires(Role.COORDINATOR, Role.ADMIN)
async def reschedule(request: Request) -> Response:
    async def job() -> Response:
        form = await read_form(request, ChangeForm)
        async with request.app.state.db.session() as session:
            moved = await meetings.reschedule_meeting(
                session=session,
                actor=signed_in_user(request),
                meeting_id=path_id(request, "meeting_id"),
                local_start=dt.datetime.combine(form.date, form.time),
                duration_minutes=form.duration_minutes,
                scope=form.scope,
                base_url=request.app.state.settings.base_url,
            )
        request.app.state.wake_outbox()
        return redirect_with_notice(
            f"/pairings/{moved[0].pairing_id}", f"Moved {len(moved)} meeting(s)."
        )

    return await _or_page(request, job, _meeting_page)


@requires(Role.COORDINATOR, Role.ADMIN)
async def cancel(request: Request) -> Response:
    async def job() -> Response:
        form = await read_form(request, CancelForm)
        async with request.app.state.db.session() as session:
            gone = await meetings.cancel_meeting(
                session=session,
                actor=signed_in_user(request),
                meeting_id=path_id(request, "meeting_id"),
                scope=form.scope,
                base_url=request.app.state.settings.base_url,
            )
        request.app.state.wake_outbox()
        return redirect_with_notice(
            f"/pairings/{gone[0].pairing_id}", f"Cancelled {len(gone)} meeting(s)."
        )

    return await _or_page(request, job, _meeting_page)


@requires(Role.MENTEE)
async def answer(request: Request) -> Response:
    async def job() -> Response:
        form = await read_form(request, AnswerForm)
        async with request.app.state.db.session() as session:
            answered = await meetings.respond_to_proposal(
                session=session,
                actor=signed_in_user(request),
                meeting_id=path_id(request, "meeting_id"),
                accept=form.answer == "accept",
                base_url=request.app.state.settings.base_url,
            )
        request.app.state.wake_outbox()
        verb = "accepted" if form.answer == "accept" else "declined"
        return redirect_with_notice(
            f"/pairings/{answered[0].pairing_id}", f"You {verb} the proposed time."
        )

    return await _or_page(request, job, _meeting_page)


@requires(Role.COORDINATOR, Role.ADMIN)
async def end(request: Request) -> Response:
    async def job() -> Response:
        form = await read_form(request, EndForm)
        async with request.app.state.db.session() as session:
            ended = await pairing.end_pairing(
                session=session,
                actor=signed_in_user(request),
                pairing_id=path_id(request, "pairing_id"),
                outcome=form.outcome,
                reason=form.reason,
            )
        return redirect_with_notice(f"/pairings/{ended.id}", f"The pairing is now {ended.status}.")

    return await _or_page(request, job, pairing_page)


# Calendar feed ----------------------------------------------------------------------------


async def calendar_feed(request: Request) -> Response:
    """No log-in: calendar apps fetch it. The secret address is the credential."""
    secret = request.path_params["secret"]
    async with request.app.state.db.session() as session:
        body = await feed.feed_for(
            session=session, secret=secret, base_url=request.app.state.settings.base_url
        )
    if body is None:
        return PlainTextResponse(
            "This calendar address is not valid (it may have been replaced).", 404
        )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


@requires(*Role)
async def renew_calendar(request: Request) -> Response:
    await read_form(request, FormModel)
    async with request.app.state.db.session() as session:
        await feed.feed_path(
            session=session,
            user=signed_in_user(request),
            key=request.app.state.settings.secret_key,
            renew=True,
        )
    return redirect_with_notice(
        "/dashboard", "Your calendar feed has a new address; the old one no longer works."
    )


routes = [
    Route("/people/{user_id:int}", person, methods=["GET"]),
    Route("/people/{user_id:int}/vetting", record_vetting, methods=["POST"]),
    Route("/people/{user_id:int}/consent", record_consent, methods=["POST"]),
    Route("/people/{user_id:int}/profile", update_profile, methods=["POST"]),
    Route("/people/{user_id:int}/matches", matches, methods=["GET"]),
    Route("/profile", own_profile, methods=["GET"]),
    Route("/profile", save_own_profile, methods=["POST"]),
    Route("/profile/alerts", save_message_alerts, methods=["POST"]),
    Route("/pairings", create_pairing, methods=["POST"]),
    Route("/pairings/{pairing_id:int}", pairing_view, methods=["GET"]),
    Route("/pairings/{pairing_id:int}/meetings", book, methods=["POST"]),
    Route("/pairings/{pairing_id:int}/end", end, methods=["POST"]),
    Route("/meetings/{meeting_id:int}/reschedule", reschedule, methods=["POST"]),
    Route("/meetings/{meeting_id:int}/cancel", cancel, methods=["POST"]),
    Route("/meetings/{meeting_id:int}/answer", answer, methods=["POST"]),
    Route("/calendar/{secret:str}.ics", calendar_feed, methods=["GET"]),
    Route("/calendar/renew", renew_calendar, methods=["POST"]),
]
