"""Inviting people, looking at a person, enabling and disabling accounts."""

from __future__ import annotations

import datetime as dt

from pydantic import Field
from sqlmodel import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import accounts, authz, concern_cases, directory
from server.errors import DomainError, NotFound
from server.models import Organisation, Role, User
from server.web.auth import requires, signed_in_user
from server.web.dashboard import TEMPLATES, dashboard_context
from server.web.flash import redirect_with_notice
from server.web.forms import FormModel, field_errors, read_form, submitted_values
from server.web.params import path_id
from server.web.templating import render


class InviteForm(FormModel):
    display_name: str = Field(min_length=1, max_length=100, title="Name")
    email: str = Field(min_length=3, max_length=254, title="Email")
    role: Role = Field(title="Role")
    organisation_id: int | None = Field(default=None, title="Organisation")
    date_of_birth: dt.date | None = Field(default=None, title="Date of birth")


class EmptyForm(FormModel):
    pass


@requires(Role.COORDINATOR, Role.ADMIN)
async def invite(request: Request) -> Response:
    user = signed_in_user(request)
    try:
        form = await read_form(request, InviteForm)
        async with request.app.state.db.session() as session:
            invitee = await accounts.invite_user(
                session=session,
                inviter=user,
                email=form.email,
                display_name=form.display_name,
                role=form.role,
                organisation_id=form.organisation_id,
                date_of_birth=form.date_of_birth,
                base_url=request.app.state.settings.base_url,
                policy=request.app.state.account_policy,
            )
    except DomainError as error:
        if error.status_code == 403 and error.field != "role":
            raise
        context = await dashboard_context(user, request)
        context.update(
            invite_errors=field_errors(error), invite_values=await submitted_values(request)
        )
        return render(
            request, TEMPLATES[authz.role_of(user)], context, status_code=error.status_code
        )
    request.app.state.wake_outbox()
    return redirect_with_notice(
        "/dashboard", f"Invitation sent to {invitee.display_name} ({invitee.email})."
    )


async def _visible_person(request: Request) -> tuple[User, User]:
    actor = signed_in_user(request)
    async with request.app.state.db.session() as session:
        target = await session.get(User, path_id(request, "user_id"))
    if target is None:
        raise NotFound("No such person.")
    authz.ensure_can_view_user(actor, target)
    return actor, target


@requires(Role.COORDINATOR, Role.ADMIN)
async def set_active(request: Request) -> Response:
    actor, target = await _visible_person(request)
    await read_form(request, EmptyForm)
    active = request.url.path.endswith("/enable")
    async with request.app.state.db.session() as session:
        target = await accounts.set_active(
            session=session, actor=actor, target=target, active=active
        )
    if not active:
        await request.app.state.on_user_disabled(target.id)
    state = "enabled" if active else "disabled"
    return redirect_with_notice(
        f"/people/{target.id}", f"{target.display_name}'s account is {state}."
    )


@requires(Role.COORDINATOR, Role.SAFEGUARDING, Role.ADMIN)
async def organisation_page(request: Request) -> Response:
    actor = signed_in_user(request)
    organisation_id = path_id(request, "organisation_id")
    if not authz.in_scope(actor, organisation_id):
        raise NotFound("No such organisation.")
    async with request.app.state.db.session() as session:
        organisation = (
            await session.exec(select(Organisation).where(Organisation.id == organisation_id))
        ).first()
        if organisation is None:
            raise NotFound("No such organisation.")
        people = await directory.people_in(session=session, organisation_id=organisation_id)
        pairings = await directory.pairings(session=session, organisation_id=organisation_id)
        leads = await concern_cases.organisation_leads(
            session=session, organisation_id=organisation_id
        )
    context = {"organisation": organisation, "people": people, "pairings": pairings, "leads": leads}
    return render(request, "organisation.html", context)


routes = [
    Route("/invitations", invite, methods=["POST"]),
    Route("/people/{user_id:int}/disable", set_active, methods=["POST"]),
    Route("/people/{user_id:int}/enable", set_active, methods=["POST"]),
    Route("/organisations/{organisation_id:int}", organisation_page, methods=["GET"]),
]
