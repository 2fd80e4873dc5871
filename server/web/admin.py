"""Platform administration: partner organisations (staff are invited from the dashboard)."""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import accounts, concern_cases
from server.errors import DomainError
from server.models import OrganisationKind, Role
from server.web.auth import requires, signed_in_user
from server.web.dashboard import dashboard_context
from server.web.flash import redirect_with_notice
from server.web.forms import FormModel, field_errors, read_form, submitted_values
from server.web.params import path_id
from server.web.templating import render


class OrganisationForm(FormModel):
    name: str = Field(min_length=1, max_length=200, title="Organisation name")
    kind: OrganisationKind = Field(title="Kind")
    timezone: str = Field(default="Europe/London", max_length=64, title="Time zone")
    network_matching: bool = Field(default=False, title="Match across the network")


class NetworkForm(FormModel):
    network_matching: bool = Field(default=False, title="Match across the network")


class DeputyForm(FormModel):
    deputy_id: int | None = Field(default=None, ge=1, lt=2**31, title="Deputy safeguarding lead")


@requires(Role.ADMIN)
async def create_organisation(request: Request) -> Response:
    try:
        form = await read_form(request, OrganisationForm)
        async with request.app.state.db.session() as session:
            organisation = await accounts.create_organisation(
                session=session,
                name=form.name,
                kind=form.kind,
                timezone=form.timezone,
                network_matching=form.network_matching,
            )
    except DomainError as error:
        context = await dashboard_context(signed_in_user(request), request)
        errors = field_errors(error)
        context.update(
            organisation_errors=errors, organisation_values=await submitted_values(request)
        )
        return render(request, "dashboard_admin.html", context, status_code=error.status_code)
    return redirect_with_notice("/dashboard", f"Organisation {organisation.name} created.")


@requires(Role.ADMIN)
async def network_matching(request: Request) -> Response:
    organisation_id = path_id(request, "organisation_id", "organisation")
    form = await read_form(request, NetworkForm)
    async with request.app.state.db.session() as session:
        organisation = await accounts.set_network_matching(
            session=session, organisation_id=organisation_id, enabled=form.network_matching
        )
    state = "now" if organisation.network_matching else "no longer"
    return redirect_with_notice(
        f"/organisations/{organisation.id}",
        f"{organisation.name}'s mentees are {state} matched across the network.",
    )


@requires(Role.ADMIN)
async def deputy_safeguarding(request: Request) -> Response:
    organisation_id = path_id(request, "organisation_id", "organisation")
    form = await read_form(request, DeputyForm)
    async with request.app.state.db.session() as session:
        organisation = await concern_cases.set_deputy(
            session=session,
            actor=signed_in_user(request),
            organisation_id=organisation_id,
            deputy_id=form.deputy_id,
        )
    return redirect_with_notice(
        f"/organisations/{organisation.id}", "Deputy safeguarding lead saved."
    )


routes = [
    Route("/organisations", create_organisation, methods=["POST"]),
    Route("/organisations/{organisation_id:int}/network", network_matching, methods=["POST"]),
    Route("/organisations/{organisation_id:int}/deputy", deputy_safeguarding, methods=["POST"]),
]
