"""Concern case pages for safeguarding leads: the case list and one case's record, notes, links
and workflow. Handlers parse the form, call one domain function in server.concern_cases, then
redirect back to the case (or show it again with the problem and a 4xx)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import concern_cases
from server.concern_cases import CaseRecord
from server.errors import DomainError, InvalidInput
from server.models import ConcernStatus, Role, User
from server.web.auth import requires, signed_in_user
from server.web.flash import redirect_with_notice
from server.web.forms import FormErrors, FormModel, field_errors, read_form, submitted_values
from server.web.params import MAX_ID, path_id
from server.web.templating import render

CASE_WORKERS = (Role.SAFEGUARDING, Role.ADMIN)


class AssignForm(FormModel):
    assignee_id: int = Field(ge=1, le=MAX_ID, title="Assigned to")


class NoteForm(FormModel):
    body: str = Field(min_length=1, max_length=concern_cases.MAX_NOTE_LENGTH, title="Note")


class LinkForm(FormModel):
    seq: int | None = Field(default=None, ge=1, le=MAX_ID, title="Message number")
    meeting_id: int | None = Field(default=None, ge=1, le=MAX_ID, title="Meeting")


class RecordForm(FormModel):
    observed_by: str | None = Field(default=None, max_length=200, title="Seen or heard by")
    occurred_at: dt.datetime | None = Field(default=None, title="When it happened")
    action_taken: str | None = Field(default=None, max_length=5000, title="Action taken")
    referred: Literal["yes", "no"] | None = Field(default=None, title="Referred")
    referred_to: str | None = Field(default=None, max_length=300, title="Referred to")
    no_referral_reason: str | None = Field(
        default=None, max_length=5000, title="Reason for not referring"
    )

    def record(self, viewer: User) -> CaseRecord:
        """The record change, reading `occurred_at` as wall-clock time in the viewer's zone."""
        occurred_at = self.occurred_at
        if occurred_at is not None and occurred_at.tzinfo is None:
            occurred_at = occurred_at.replace(tzinfo=zoneinfo.ZoneInfo(viewer.timezone))
        return CaseRecord(
            observed_by=self.observed_by,
            occurred_at=occurred_at.astimezone(dt.UTC) if occurred_at else None,
            action_taken=self.action_taken,
            referred=None if self.referred is None else self.referred == "yes",
            referred_to=self.referred_to,
            no_referral_reason=self.no_referral_reason,
        )


class TransitionForm(RecordForm):
    to: ConcernStatus = Field(title="Next step")
    assignee_id: int | None = Field(default=None, ge=1, le=MAX_ID, title="Assigned to")


@requires(*CASE_WORKERS)
async def case_list(request: Request) -> Response:
    viewer = signed_in_user(request)
    unknown = set(request.query_params) - {"status"}
    if unknown:
        raise InvalidInput(f"Unexpected query parameter {sorted(unknown)[0]!r}.")
    wanted = request.query_params.get("status") or None
    if wanted is not None and wanted not in set(ConcernStatus):
        raise InvalidInput(f"Unknown status {wanted[:20]!r}.", field="status")
    escalate_after = dt.timedelta(hours=request.app.state.settings.concern_escalation_hours)
    async with request.app.state.db.session() as session:
        listing = await concern_cases.list_cases(
            session=session,
            viewer=viewer,
            status=ConcernStatus(wanted) if wanted else None,
            escalate_after=escalate_after,
        )
    context = {
        "listing": listing,
        "status": wanted,
        "statuses": list(ConcernStatus),
        "labels": concern_cases.STATUS_LABELS,
        "escalation_hours": f"{escalate_after.total_seconds() / 3600:g}",
    }
    return render(request, "concern_cases.html", context)


async def case_page(
    request: Request, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    viewer = signed_in_user(request)
    async with request.app.state.db.session() as session:
        case = await concern_cases.get_case(
            session=session,
            viewer=viewer,
            concern_id=path_id(request, "concern_id", "concern case"),
        )
    context = {
        "case": case,
        "labels": concern_cases.STATUS_LABELS,
        "timezone": viewer.timezone,
        **(extra or {}),
    }
    return render(request, "concern_case.html", context, status_code=status)


@requires(*CASE_WORKERS)
async def case_view(request: Request) -> Response:
    return await case_page(request)


Action = Callable[[User, int], Awaitable[str]]


async def _act(request: Request, action: Action) -> Response:
    """Runs a change on the case; bad input shows the case again with the problem."""
    viewer = signed_in_user(request)
    concern_id = path_id(request, "concern_id", "concern case")
    try:
        notice = await action(viewer, concern_id)
    except DomainError as error:
        if error.status_code == 404 and error.field is None:
            raise
        errors = field_errors(error)
        values = await submitted_values(request)
        return await case_page(request, {"errors": errors, "values": values}, error.status_code)
    return redirect_with_notice(f"/safeguarding/concerns/{concern_id}", notice)


@requires(*CASE_WORKERS)
async def assign(request: Request) -> Response:
    async def action(viewer: User, concern_id: int) -> str:
        form = await read_form(request, AssignForm)
        async with request.app.state.db.session() as session:
            await concern_cases.assign(
                session=session, actor=viewer, concern_id=concern_id, assignee_id=form.assignee_id
            )
        return "Case assigned."

    return await _act(request, action)


@requires(*CASE_WORKERS)
async def add_note(request: Request) -> Response:
    async def action(viewer: User, concern_id: int) -> str:
        form = await read_form(request, NoteForm)
        async with request.app.state.db.session() as session:
            await concern_cases.add_note(
                session=session, actor=viewer, concern_id=concern_id, body=form.body
            )
        return "Note added."

    return await _act(request, action)


@requires(*CASE_WORKERS)
async def add_link(request: Request) -> Response:
    async def action(viewer: User, concern_id: int) -> str:
        form = await read_form(request, LinkForm)
        if (form.seq is None) == (form.meeting_id is None):
            raise FormErrors({"seq": "Give either a message number or a meeting to link."})
        async with request.app.state.db.session() as session:
            if form.seq is not None:
                await concern_cases.link_message(
                    session=session, actor=viewer, concern_id=concern_id, seq=form.seq
                )
                return f"Message {form.seq} linked."
            assert form.meeting_id is not None
            await concern_cases.link_meeting(
                session=session, actor=viewer, concern_id=concern_id, meeting_id=form.meeting_id
            )
        return "Meeting linked."

    return await _act(request, action)


@requires(*CASE_WORKERS)
async def update_record(request: Request) -> Response:
    async def action(viewer: User, concern_id: int) -> str:
        form = await read_form(request, RecordForm)
        async with request.app.state.db.session() as session:
            await concern_cases.update_record(
                session=session, actor=viewer, concern_id=concern_id, record=form.record(viewer)
            )
        return "Record saved."

    return await _act(request, action)


@requires(*CASE_WORKERS)
async def transition(request: Request) -> Response:
    async def action(viewer: User, concern_id: int) -> str:
        form = await read_form(request, TransitionForm)
        async with request.app.state.db.session() as session:
            concern = await concern_cases.transition(
                session=session,
                actor=viewer,
                concern_id=concern_id,
                to=form.to,
                assignee_id=form.assignee_id,
                record=form.record(viewer),
            )
        return f"The case is now {concern_cases.STATUS_LABELS[ConcernStatus(concern.status)]}."

    return await _act(request, action)


routes = [
    Route("/safeguarding/concerns", case_list, methods=["GET"]),
    Route("/safeguarding/concerns/{concern_id:int}", case_view, methods=["GET"]),
    Route("/safeguarding/concerns/{concern_id:int}/assign", assign, methods=["POST"]),
    Route("/safeguarding/concerns/{concern_id:int}/notes", add_note, methods=["POST"]),
    Route("/safeguarding/concerns/{concern_id:int}/links", add_link, methods=["POST"]),
    Route("/safeguarding/concerns/{concern_id:int}/record", update_record, methods=["POST"]),
    Route("/safeguarding/concerns/{concern_id:int}/transition", transition, methods=["POST"]),
]
