"""The meeting room page (media and chat run in the browser) and reporting a concern."""

from __future__ import annotations

import json
import uuid

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.chat import conversations
from server.concerns import raise_concern
from server.errors import DomainError
from server.models import Role
from server.rooms.admission import RoomRole, admit
from server.web.auth import requires, signed_in_user
from server.web.flash import redirect_with_notice
from server.web.forms import FormModel, read_form
from server.web.params import path_id
from server.web.templating import render

RECENT = 100


class ConcernForm(FormModel):
    description: str = Field(min_length=1, max_length=5000, title="What happened")
    meeting_id: int | None = Field(default=None, ge=1, lt=2**31)
    pairing_id: int | None = Field(default=None, ge=1, lt=2**31)
    subject_id: int | None = Field(default=None, ge=1, lt=2**31, title="Person")


@requires(Role.MENTOR, Role.MENTEE, Role.SAFEGUARDING)
async def room_page(request: Request) -> Response:
    user = signed_in_user(request)
    meeting_id = path_id(request, "meeting_id", "meeting")
    try:
        async with request.app.state.db.session() as session:
            admission = await admit(session=session, user=user, meeting_id=meeting_id)
            chat_context: dict[str, object] = {}
            if admission.role is RoomRole.PARTICIPANT:
                conversation = await conversations.conversation_for_pairing(
                    session=session, pairing_id=admission.pairing.id or 0
                )
                access = await conversations.conversation_access(
                    session=session, user=user, conversation_id=conversation.id or 0
                )
                chat_context = {
                    "access": access,
                    "messages": await conversations.latest_messages(
                        session=session,
                        conversation_id=access.conversation_id,
                        viewer_id=user.id or 0,
                        limit=RECENT,
                    ),
                    "client_id": str(uuid.uuid4()),
                    "hide_chat_heading": False,
                }
    except DomainError as error:
        if error.status_code == 404:
            raise
        return render(
            request,
            "room_unavailable.html",
            {"reason": error.message},
            status_code=error.status_code,
        )
    others = [name for uid, name in admission.names.items() if uid != user.id]
    context: dict[str, object] = {
        "admission": admission,
        "observer": admission.role is RoomRole.OBSERVER,
        "others": others,
        "auto_join": request.query_params.get("join") == "now",
        "ice_servers": json.dumps(request.app.state.settings.ice_server_list),
        **chat_context,
    }
    return render(request, "room.html", context)


@requires(Role.MENTOR, Role.MENTEE, Role.COORDINATOR, Role.SAFEGUARDING)
async def report_concern(request: Request) -> Response:
    user = signed_in_user(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        form = await read_form(request, ConcernForm)
        async with request.app.state.db.session() as session:
            concern = await raise_concern(
                session=session,
                raised_by=user,
                description=form.description,
                meeting_id=form.meeting_id,
                pairing_id=form.pairing_id,
                subject_id=form.subject_id,
                base_url=request.app.state.settings.base_url,
            )
    except DomainError as error:
        if not wants_json:
            raise
        body = {"ok": False, "error": {"message": error.message, "field": error.field}}
        return JSONResponse(body, status_code=error.status_code)
    request.app.state.wake_outbox()
    await request.app.state.alert_safeguarding(
        concern.organisation_id,
        {"type": "concern", "concern_id": concern.id, "raised_by": user.display_name},
    )
    # The person who raised it sees a confirmation, never the case (unless they work on cases).
    message = "Thank you. The safeguarding team has been told and will follow it up."
    if wants_json:
        return JSONResponse({"ok": True, "concern_id": concern.id, "message": message})
    if user.role == Role.SAFEGUARDING:
        return redirect_with_notice(f"/safeguarding/concerns/{concern.id}", "Case opened.")
    if user.role == Role.COORDINATOR and form.pairing_id is not None:
        return redirect_with_notice(f"/pairings/{form.pairing_id}", message)
    return redirect_with_notice("/dashboard", message)


routes = [
    Route("/meetings/{meeting_id:int}/room", room_page, methods=["GET"]),
    Route("/concerns", report_concern, methods=["POST"]),
]
