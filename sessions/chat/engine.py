"""Socket.IO handlers for chat. State lives on the engine instance, one per app."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from sessions.contracts import ChatBackend, ConversationAccess, Participant, Refused, SendOutcome
from sessions.payloads import fields, integer, text

log = logging.getLogger("mentormeet.chat")

MAX_CLIENT_ID = 64
MAX_TEXT = 8000  # the platform's own limit is lower; this only bounds what is parsed
HISTORY_PAGE = 500

Handler = Callable[[str, Any], Awaitable[dict[str, Any]]]


def conversation_room(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def session_room(session_key: str) -> str:
    return f"session:{session_key}"


class ChatEngine:
    def __init__(self, sio: socketio.AsyncServer, backend: ChatBackend) -> None:
        self._sio = sio
        self._backend = backend
        self._people: dict[str, Participant] = {}
        self._joined: dict[str, dict[int, ConversationAccess]] = {}
        sio.on("connect", self._connect)
        sio.on("disconnect", self._disconnect)
        for event, handler in {
            "join": self._join,
            "send": self._send,
            "sync": self._sync,
            "typing": self._typing,
            "read": self._read,
        }.items():
            sio.on(event, self._guarded(handler))
        sio.on("*", self._unknown_event)

    # Connections -------------------------------------------------------------------------

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        who = await self._backend.authenticate(environ.get("HTTP_COOKIE"))
        if who is None:
            raise socketio.exceptions.ConnectionRefusedError("Log in to use chat.")
        self._people[sid] = who
        self._joined[sid] = {}
        for room in (user_room(who.user_id), session_room(who.session_key), *who.rooms):
            await self._sio.enter_room(sid, room)

    async def _disconnect(self, sid: str, reason: Any = None) -> None:
        self._people.pop(sid, None)
        self._joined.pop(sid, None)

    def participant(self, sid: str) -> Participant | None:
        return self._people.get(sid)

    def connected_users(self) -> set[int]:
        return {who.user_id for who in self._people.values()}

    async def disconnect_user(self, user_id: int) -> None:
        for sid in [sid for sid, who in self._people.items() if who.user_id == user_id]:
            await self._sio.disconnect(sid)

    async def disconnect_session(self, session_key: str) -> None:
        for sid in [sid for sid, who in self._people.items() if who.session_key == session_key]:
            await self._sio.disconnect(sid)

    # Events -------------------------------------------------------------------------------

    def _guarded(self, handler: Handler) -> Callable[[str, Any], Awaitable[dict[str, Any]]]:
        async def run(sid: str, data: Any = None) -> dict[str, Any]:
            try:
                return await handler(sid, data)
            except Refused as refusal:
                return refusal.to_wire()
            except Exception:  # a bug must not take the connection or the process down
                log.exception("chat handler failed")
                return Refused("Something went wrong; please try again.").to_wire()

        return run

    def _who(self, sid: str) -> Participant:
        who = self._people.get(sid)
        if who is None:
            raise Refused("Not connected.")
        return who

    def _access(self, sid: str, data: dict[str, Any]) -> ConversationAccess:
        conversation_id = integer(data, "conversation_id", minimum=1)
        access = self._joined.get(sid, {}).get(conversation_id)
        if access is None:
            raise Refused("Join the conversation first.", field="conversation_id")
        return access

    async def _unknown_event(self, event: str, sid: str, data: Any = None) -> dict[str, Any]:
        return Refused(f"Unknown event {str(event)[:40]!r}.").to_wire()

    async def _join(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._who(sid)
        payload = fields(data, required={"conversation_id"}, optional={"after_seq"})
        conversation_id = integer(payload, "conversation_id", minimum=1)
        after_seq = integer(payload, "after_seq", default=0)
        access = await self._backend.open_conversation(who, conversation_id)
        self._joined[sid][conversation_id] = access
        await self._sio.enter_room(sid, conversation_room(conversation_id))
        messages = await self._backend.history(who, access, after_seq, HISTORY_PAGE)
        return {
            "ok": True,
            "conversation_id": conversation_id,
            "title": access.title,
            "messages": [message.to_wire() for message in messages],
        }

    async def _send(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._who(sid)
        payload = fields(data, required={"conversation_id", "id", "text"})
        access = self._access(sid, payload)
        client_id = text(payload, "id", max_length=MAX_CLIENT_ID).strip()
        if not client_id:
            raise Refused("'id' must not be empty.", field="id")
        body = text(payload, "text", max_length=MAX_TEXT)
        outcome = await self._backend.send(who, access, client_id, body)
        await self.publish(outcome, skip_sid=sid)  # the sender's socket learns it from the ack
        message = outcome.message
        return {
            "ok": True,
            "id": message.client_id,
            "message_id": message.message_id,
            "seq": message.seq,
            "status": message.status,
        }

    async def publish(self, outcome: SendOutcome, skip_sid: str | None = None) -> None:
        """Shows a stored message to whoever may see it, and alerts safeguarding staff."""
        wire = outcome.message.to_wire()
        if outcome.deliver:
            room = conversation_room(outcome.message.conversation_id)
        else:
            room = user_room(outcome.message.sender_id)  # held: the sender's devices only
        await self._sio.emit("message", wire, room=room, skip_sid=skip_sid)
        if outcome.alert is not None:
            for alert_room in outcome.alert_rooms:
                await self._sio.emit("safeguarding_alert", outcome.alert, room=alert_room)

    async def _sync(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._who(sid)
        payload = fields(data, required={"conversation_id", "after_seq"})
        access = self._access(sid, payload)
        after_seq = integer(payload, "after_seq")
        messages = await self._backend.history(who, access, after_seq, HISTORY_PAGE)
        return {"ok": True, "messages": [message.to_wire() for message in messages]}

    async def _typing(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._who(sid)
        access = self._access(sid, fields(data, required={"conversation_id"}))
        await self._sio.emit(
            "typing",
            {
                "conversation_id": access.conversation_id,
                "user_id": who.user_id,
                "name": who.display_name,
            },
            room=conversation_room(access.conversation_id),
            skip_sid=sid,
        )
        return {"ok": True}

    async def _read(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._who(sid)
        payload = fields(data, required={"conversation_id", "seq"})
        access = self._access(sid, payload)
        await self._backend.mark_read(who, access, integer(payload, "seq"))
        return {"ok": True}
