"""Meeting rooms on this process: signalling over the socket, one MediaRoom per meeting.

Admission is asked of the platform on every join. A room closes when its last member leaves or
its window ends; every peer connection is closed with it. Media flow is sampled so attendance
counts the minutes in which a participant's media really arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import socketio
from aiortc import RTCIceServer

from sessions.connections import Connections, guarded
from sessions.contracts import Participant, Refused, RoomAccess, RoomBackend
from sessions.media import MediaError, MediaRoom
from sessions.payloads import fields, integer, text

log = logging.getLogger("mentormeet.rooms")

MAX_SDP = 20_000
SAMPLE_SECONDS = 10.0


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


@dataclass
class _Member:
    sid: str
    who: Participant
    access: RoomAccess
    packets_seen: int = 0
    sampled_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass
class _LiveRoom:
    meeting_id: int
    media: MediaRoom
    members: dict[int, _Member] = field(default_factory=dict)  # by user id: one peer each
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class RoomEngine:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        connections: Connections,
        backend: RoomBackend,
        *,
        ice_servers: Sequence[RTCIceServer] = (),
        sample_seconds: float = SAMPLE_SECONDS,
    ) -> None:
        self._sio = sio
        self._connections = connections
        self._backend = backend
        self._ice_servers = list(ice_servers)
        self._sample_seconds = sample_seconds
        self._rooms: dict[int, _LiveRoom] = {}
        self._lock = asyncio.Lock()
        connections.on_departure(self._departed)
        sio.on("room:join", guarded(self._join))
        sio.on("room:leave", guarded(self._leave))

    @property
    def peer_count(self) -> int:
        return sum(room.media.peer_count for room in self._rooms.values())

    @property
    def live_meetings(self) -> list[int]:
        return sorted(self._rooms)

    # Joining and leaving -------------------------------------------------------------------

    async def _join(self, sid: str, data: Any) -> dict[str, Any]:
        who = self._connections.participant(sid)
        payload = fields(data, required={"meeting_id", "sdp"})
        meeting_id = integer(payload, "meeting_id", minimum=1)
        offer = text(payload, "sdp", max_length=MAX_SDP)
        access = await self._backend.admit(who, meeting_id)
        async with self._lock:
            room = self._rooms.get(meeting_id) or self._open(meeting_id, access.closes_at)
        try:
            answer = await room.media.join(str(who.user_id), offer, receive_only=access.observer)
        except MediaError as error:
            await self._close_if_empty(room)
            raise Refused(f"Your browser's media offer was refused: {error}", field="sdp") from None
        replaced = room.members.get(who.user_id)
        room.members[who.user_id] = _Member(sid, who, access)
        await self._sio.enter_room(sid, meeting_room(meeting_id))
        if replaced is None or replaced.sid != sid:
            await self._backend.record_presence(who, access, joined=True)
        await self._announce(room)
        return {
            "ok": True,
            "type": "answer",
            "sdp": answer,
            "observer": access.observer,
            "tracks": self._tracks(room, who.user_id),
        }

    async def _leave(self, sid: str, data: Any) -> dict[str, Any]:
        payload = fields(data, required={"meeting_id"})
        meeting_id = integer(payload, "meeting_id", minimum=1)
        who = self._connections.participant(sid)
        room = self._rooms.get(meeting_id)
        member = room.members.get(who.user_id) if room else None
        if room is None or member is None or member.sid != sid:
            raise Refused("You are not in this meeting's room.", field="meeting_id")
        await self._remove(room, member)
        return {"ok": True}

    async def _departed(self, sid: str) -> None:
        for room in list(self._rooms.values()):
            for member in list(room.members.values()):
                if member.sid == sid:  # not a newer connection of the same person
                    await self._remove(room, member)

    async def _remove(self, room: _LiveRoom, member: _Member) -> None:
        room.members.pop(member.who.user_id, None)
        await self._sample(room, member)
        await room.media.leave(str(member.who.user_id))
        await self._sio.leave_room(member.sid, meeting_room(room.meeting_id))
        await self._backend.record_presence(member.who, member.access, joined=False)
        await self._announce(room)
        await self._close_if_empty(room)

    # Room life cycle -----------------------------------------------------------------------

    def _open(self, meeting_id: int, closes_at: dt.datetime) -> _LiveRoom:
        def tracks_changed(participant_id: str, _: dict[str, str]) -> None:
            self._spawn(room, self._send_tracks(room, int(participant_id)))

        room = _LiveRoom(
            meeting_id, MediaRoom(ice_servers=self._ice_servers, on_assignments=tracks_changed)
        )
        room.tasks.append(asyncio.create_task(self._close_at(room, closes_at)))
        room.tasks.append(asyncio.create_task(self._sample_forever(room)))
        self._rooms[meeting_id] = room
        return room

    def _spawn(self, room: _LiveRoom, job: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(job)
        room.tasks.append(task)
        task.add_done_callback(lambda done: room.tasks.remove(done) if done in room.tasks else None)

    async def _close_if_empty(self, room: _LiveRoom) -> None:
        if not room.members and room.media.peer_count == 0:
            await self.close_room(room.meeting_id, reason=None)

    async def close_room(self, meeting_id: int, *, reason: str | None) -> None:
        """Ends the meeting's room on this process; everyone in it is told why."""
        room = self._rooms.pop(meeting_id, None)
        if room is None:
            return
        if reason is not None:
            await self._sio.emit(
                "room:closed",
                {"meeting_id": meeting_id, "reason": reason},
                room=meeting_room(meeting_id),
            )
        for member in list(room.members.values()):
            await self._sample(room, member)
            await self._backend.record_presence(member.who, member.access, joined=False)
        room.members.clear()
        await room.media.close()
        current = asyncio.current_task()
        for task in room.tasks:
            if task is not current:
                task.cancel()
        for task in room.tasks:
            if task is not current:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def close_all(self) -> None:
        for meeting_id in list(self._rooms):
            await self.close_room(meeting_id, reason="The server is restarting. Please rejoin.")

    async def _close_at(self, room: _LiveRoom, closes_at: dt.datetime) -> None:
        await asyncio.sleep(max(0.0, (closes_at - dt.datetime.now(dt.UTC)).total_seconds()))
        await self.close_room(room.meeting_id, reason="The meeting's time is over.")

    # Telling people who is here ------------------------------------------------------------

    def _tracks(self, room: _LiveRoom, user_id: int) -> dict[str, dict[str, Any]]:
        names = {uid: member.who.display_name for uid, member in room.members.items()}
        return {
            mid: {"user_id": int(owner), "name": names.get(int(owner), "Participant")}
            for mid, owner in room.media.assignments(str(user_id)).items()
        }

    async def _send_tracks(self, room: _LiveRoom, user_id: int) -> None:
        member = room.members.get(user_id)
        if member is not None:
            await self._sio.emit(
                "room:tracks",
                {"meeting_id": room.meeting_id, "tracks": self._tracks(room, user_id)},
                to=member.sid,
            )

    async def _announce(self, room: _LiveRoom) -> None:
        people = [
            {"user_id": uid, "name": m.who.display_name, "observer": m.access.observer}
            for uid, m in room.members.items()
        ]
        await self._sio.emit(
            "room:presence",
            {
                "meeting_id": room.meeting_id,
                "people": people,
                "observer_present": any(p["observer"] for p in people),
            },
            room=meeting_room(room.meeting_id),
        )

    # Attendance ----------------------------------------------------------------------------

    async def _sample_forever(self, room: _LiveRoom) -> None:
        while True:
            await asyncio.sleep(self._sample_seconds)
            for member in list(room.members.values()):
                await self._sample(room, member)

    async def _sample(self, room: _LiveRoom, member: _Member) -> None:
        """Counts the last interval as attended when the participant's media arrived in it."""
        if member.access.observer:
            return
        packets = room.media.inbound_packets(str(member.who.user_id))
        started, now = member.sampled_at, dt.datetime.now(dt.UTC)
        member.sampled_at = now
        if packets > member.packets_seen:
            member.packets_seen = packets
            await self._backend.record_media(
                member.who, member.access, started, (now - started).total_seconds()
            )
