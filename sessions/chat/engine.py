"""Socket.IO handlers for chat. State lives on the engine instance, one per app."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import socketio

from sessions.connections import Connections, guarded, user_room
from sessions.contracts import ChatBackend, ConversationAccess, Refused, SendOutcome
from sessions.payloads import fields, integer, text

MAX_CLIENT_ID = 64
MAX_TEXT = 8000  # the platform's own limit is lower; this only bounds what is parsed
HISTORY_PAGE = 500

log = logging.getLogger("mentormeet.sessions.chat")


def conversation_room(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


class ChatEngine:
    def __init__(
        self, sio: socketio.AsyncServer, connections: Connections, backend: ChatBackend
    ) -> None:
        self._sio = sio
        self._connections = connections
        self._backend = backend
        self._joined: dict[str, dict[int, ConversationAccess]] = {}
        self._publishing: set[asyncio.Task[None]] = set()
        connections.on_departure(self._forget)
        for event, handler in {
            "join": self._join,
            "send": self._send,
            "sync": self._sync,
            "typing": self._typing,
            "read": self._read,
        }.items():
            sio.on(event, guarded(handler))

    async def _forget(self, sid: str) -> None:
        self._joined.pop(sid, None)

    def _access(self, sid: str, data: dict[str, Any]) -> ConversationAccess:
        conversation_id = integer(data, "conversation_id", minimum=1)
        access = self._joined.get(sid, {}).get(conversation_id)
        if access is None:
            raise Refused("Join the conversation first.", field="conversation_id")
        return access

    async def _join(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._connections.participant(sid)
        payload = fields(data, required={"conversation_id"}, optional={"after_seq"})
        conversation_id = integer(payload, "conversation_id", minimum=1)
        after_seq = integer(payload, "after_seq", default=0)
        access = await self._backend.open_conversation(who, conversation_id)
        self._joined.setdefault(sid, {})[conversation_id] = access
        await self._sio.enter_room(sid, conversation_room(conversation_id))
        messages = await self._backend.history(who, access, after_seq, HISTORY_PAGE)
        return {
            "ok": True,
            "conversation_id": conversation_id,
            "title": access.title,
            "messages": [message.to_wire() for message in messages],
        }

    async def _send(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._connections.participant(sid)
        payload = fields(data, required={"conversation_id", "id", "text"})
        access = self._access(sid, payload)
        client_id = text(payload, "id", max_length=MAX_CLIENT_ID).strip()
        if not client_id:
            raise Refused("'id' must not be empty.", field="id")
        body = text(payload, "text", max_length=MAX_TEXT)
        outcome = await self._backend.send(who, access, client_id, body)
        # The sender's socket learns of the message from the ack, which need not wait for the
        # broadcast to be handed to the other sockets (two turns of the event loop).
        self._publish_soon(outcome, skip_sid=sid)
        message = outcome.message
        return {
            "ok": True,
            "id": message.client_id,
            "message_id": message.message_id,
            "seq": message.seq,
            "status": message.status,
            "support": message.support,
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

    def _publish_soon(self, outcome: SendOutcome, skip_sid: str) -> None:
        # Tasks start in the order they are created: messages go out in the order they were stored.
        task = asyncio.create_task(self.publish(outcome, skip_sid=skip_sid), name="chat-publish")
        self._publishing.add(task)
        task.add_done_callback(self._published)

    def _published(self, task: asyncio.Task[None]) -> None:
        self._publishing.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("could not broadcast a stored message", exc_info=error)

    async def close(self) -> None:
        """Waits for the broadcasts under way (at shutdown, before the sockets close)."""
        while self._publishing:
            await asyncio.gather(*self._publishing, return_exceptions=True)

    async def _sync(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._connections.participant(sid)
        payload = fields(data, required={"conversation_id", "after_seq"})
        access = self._access(sid, payload)
        after_seq = integer(payload, "after_seq")
        messages = await self._backend.history(who, access, after_seq, HISTORY_PAGE)
        return {"ok": True, "messages": [message.to_wire() for message in messages]}

    async def _typing(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._connections.participant(sid)
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
        who = self._connections.participant(sid)
        payload = fields(data, required={"conversation_id", "seq"})
        access = self._access(sid, payload)
        await self._backend.mark_read(who, access, integer(payload, "seq"))
        return {"ok": True}
