"""The pair's conversation page: history rendered on the server, live updates by socket, and a
plain form that works without JavaScript."""

from __future__ import annotations

import uuid

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.chat import conversations
from server.chat.backend import ChatBackendService
from server.errors import NotFound
from server.models import Pairing, Role, User
from server.web.auth import requires, signed_in_user
from server.web.flash import redirect_with_notice
from server.web.forms import FormModel, read_form
from server.web.params import path_id
from server.web.templating import render
from sessions.contracts import ConversationAccess, Participant

RECENT = 200


class MessageForm(FormModel):
    text: str = Field(max_length=8000, title="Message")
    client_id: str = Field(min_length=1, max_length=64)


async def _open(request: Request, user: User) -> ConversationAccess:
    pairing_id = path_id(request, "pairing_id", "conversation")
    async with request.app.state.db.session() as session:
        pairing = await session.get(Pairing, pairing_id)
        if pairing is None or user.id not in (pairing.mentor_id, pairing.mentee_id):
            raise NotFound("No such conversation.")
        conversation = await conversations.conversation_for_pairing(
            session=session, pairing_id=pairing_id
        )
        access = await conversations.conversation_access(
            session=session, user=user, conversation_id=conversation.id or 0
        )
    return access


@requires(Role.MENTOR, Role.MENTEE)
async def conversation_page(request: Request) -> Response:
    user = signed_in_user(request)
    access = await _open(request, user)
    async with request.app.state.db.session() as session:
        latest = await conversations.latest_messages(
            session=session,
            conversation_id=access.conversation_id,
            viewer_id=user.id or 0,
            limit=RECENT,
        )
    context = {"access": access, "messages": latest, "client_id": str(uuid.uuid4())}
    return render(request, "messages.html", context)


@requires(Role.MENTOR, Role.MENTEE)
async def send_from_form(request: Request) -> Response:
    """The no-JavaScript path: the same rules as the socket, then back to the page."""
    user = signed_in_user(request)
    access = await _open(request, user)
    form = await read_form(request, MessageForm)
    backend: ChatBackendService = request.app.state.chat_backend
    page = f"/pairings/{access.pairing_id}/messages"
    outcome = await backend.submit(_participant(user), access, form.client_id, form.text)
    await request.app.state.chat.publish(outcome)
    if outcome.message.status == "held":
        return redirect_with_notice(
            page, "Your message is awaiting review by the safeguarding team."
        )
    return redirect_with_notice(page, "Message sent.")


def _participant(user: User) -> Participant:
    return Participant(
        user_id=user.id or 0, display_name=user.display_name, role=user.role, session_key=""
    )


routes = [
    Route("/pairings/{pairing_id:int}/messages", conversation_page, methods=["GET"]),
    Route("/pairings/{pairing_id:int}/messages", send_from_form, methods=["POST"]),
]
