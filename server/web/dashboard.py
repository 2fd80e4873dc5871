"""Each role's home page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server import authz, concern_cases, directory, pairing, surveys
from server.chat import conversations
from server.db import utcnow
from server.directory import lapsing_mentors
from server.models import Role, User
from server.rooms import attendance
from server.rooms.admission import is_joinable
from server.scheduling import feed
from server.web.auth import current_user, requires, signed_in_user
from server.web.templating import render

TEMPLATES = {
    Role.MENTEE: "dashboard_participant.html",
    Role.MENTOR: "dashboard_participant.html",
    Role.COORDINATOR: "dashboard_coordinator.html",
    Role.SAFEGUARDING: "dashboard_safeguarding.html",
    Role.ADMIN: "dashboard_admin.html",
}


async def home(request: Request) -> Response:
    target = "/dashboard" if await current_user(request) else "/login"
    return RedirectResponse(target, status_code=303)


async def dashboard_context(user: User, request: Request) -> dict[str, Any]:
    role = authz.role_of(user)
    context: dict[str, Any] = {}
    async with request.app.state.db.session() as session:
        if role in authz.PARTICIPANT_ROLES:
            context["pairings"] = await directory.pairings(
                session=session, member_id=user.id, active_only=True
            )
            context["unread"] = await conversations.unread_counts(
                session=session, user_id=user.id or 0
            )
            now = utcnow()
            context["joinable"] = {
                view.next_meeting.id
                for view in context["pairings"]
                if view.next_meeting is not None and is_joinable(view.next_meeting, now)
            }
            context["surveys_due"] = await surveys.due_surveys(session=session, user=user, now=now)
        elif role is Role.COORDINATOR and user.organisation_id is not None:
            context["people"] = await directory.people_in(
                session=session, organisation_id=user.organisation_id
            )
            context["pairings"] = await directory.pairings(
                session=session, organisation_id=user.organisation_id
            )
            recent = await directory.recent_meetings(
                session=session, organisation_id=user.organisation_id
            )
            context["recent_meetings"] = recent
            context["quiet"] = {
                p.id
                for p in await pairing.pairings_quiet_since(
                    session=session, organisation_id=user.organisation_id
                )
            }
            context["lapsing"] = await lapsing_mentors(
                session=session, organisation_id=user.organisation_id, today=utcnow().date()
            )
            context["attendance"] = await attendance.attendance_for(
                session=session,
                meetings=[view.meeting for view in recent],
                member_ids={
                    view.meeting.id or 0: (view.mentor.id or 0, view.mentee.id or 0)
                    for view in recent
                },
            )
        elif role is Role.SAFEGUARDING:
            context["review"] = await conversations.review_counts(
                session=session, organisation_id=user.organisation_id
            )
            context["open_concerns"] = await concern_cases.open_case_count(
                session=session, viewer=user
            )
        elif role is Role.ADMIN:
            context["organisations"] = await directory.organisations(session=session)
            context["staff"] = await directory.staff(session=session)
        context["calendar_path"] = await feed.feed_path(
            session=session, user=user, key=request.app.state.settings.secret_key
        )
    context["invitable_roles"] = sorted(authz.invitable_roles(user))
    return context


@requires(*Role)
async def dashboard(request: Request) -> Response:
    user = signed_in_user(request)
    context = await dashboard_context(user, request)
    return render(request, TEMPLATES[authz.role_of(user)], context)


routes = [
    Route("/", home, methods=["GET"]),
    Route("/dashboard", dashboard, methods=["GET"]),
]
