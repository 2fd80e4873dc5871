"""Socket connections: authenticated once when they connect, known by sid until they go."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from sessions.contracts import Participant, Refused

log = logging.getLogger("mentormeet.sessions")

Authenticate = Callable[[str | None], Awaitable[Participant | None]]
Handler = Callable[[str, Any], Awaitable[dict[str, Any]]]


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def session_room(session_key: str) -> str:
    return f"session:{session_key}"


def guarded(handler: Handler) -> Handler:
    """Refusals become error acknowledgements; a bug never takes the connection down."""

    async def run(sid: str, data: Any = None) -> dict[str, Any]:
        try:
            return await handler(sid, data)
        except Refused as refusal:
            return refusal.to_wire()
        except Exception:
            log.exception("socket handler failed")
            return Refused("Something went wrong; please try again.").to_wire()

    return run


class Connections:
    def __init__(self, sio: socketio.AsyncServer, authenticate: Authenticate) -> None:
        self._sio = sio
        self._authenticate = authenticate
        self._people: dict[str, Participant] = {}
        self._departure_listeners: list[Callable[[str], Awaitable[None]]] = []
        sio.on("connect", self._connect)
        sio.on("disconnect", self._disconnect)
        sio.on("*", self._unknown_event)

    def on_departure(self, listener: Callable[[str], Awaitable[None]]) -> None:
        self._departure_listeners.append(listener)

    def participant(self, sid: str) -> Participant:
        who = self._people.get(sid)
        if who is None:
            raise Refused("Not connected.")
        return who

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        who = await self._authenticate(environ.get("HTTP_COOKIE"))
        if who is None:
            raise socketio.exceptions.ConnectionRefusedError("Log in to continue.")
        self._people[sid] = who
        for room in (user_room(who.user_id), session_room(who.session_key), *who.rooms):
            await self._sio.enter_room(sid, room)

    async def _disconnect(self, sid: str, reason: Any = None) -> None:
        for listener in self._departure_listeners:
            try:
                await listener(sid)
            except Exception:  # one listener failing must not stop the others cleaning up
                log.exception("departure listener failed")
        self._people.pop(sid, None)

    async def _unknown_event(self, event: str, sid: str, data: Any = None) -> dict[str, Any]:
        return Refused(f"Unknown event {str(event)[:40]!r}.").to_wire()

    async def disconnect_user(self, user_id: int) -> None:
        for sid in [sid for sid, who in self._people.items() if who.user_id == user_id]:
            await self._sio.disconnect(sid)

    async def disconnect_session(self, session_key: str) -> None:
        for sid in [sid for sid, who in self._people.items() if who.session_key == session_key]:
            await self._sio.disconnect(sid)
