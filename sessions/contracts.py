"""What the live engine needs from the platform, as narrow interfaces (no SQL, no HTTP pages).

`server/` implements these; the engine only calls them. Refusals carry a message for people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol


class Refused(Exception):
    """The platform said no: shown to the person as it is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_wire(self) -> dict[str, Any]:
        return {"ok": False, "error": {"message": self.message, "field": self.field}}


@dataclass(frozen=True)
class Participant:
    """A connected person, as the platform authenticated them."""

    user_id: int
    display_name: str
    role: str
    session_key: str  # identifies the login session, so logging out can close its sockets
    rooms: tuple[str, ...] = ()  # extra rooms to join, e.g. safeguarding alert rooms


@dataclass(frozen=True)
class ConversationAccess:
    """What a member may do in a conversation, decided when they join it."""

    conversation_id: int
    pairing_id: int
    organisation_id: int
    member_ids: frozenset[int]
    mentee_under_18: bool
    title: str


@dataclass(frozen=True)
class ChatMessage:
    message_id: int
    conversation_id: int
    seq: int
    client_id: str
    sender_id: int
    sender_name: str
    text: str
    status: str  # "delivered" | "held" | "rejected"
    sent_at: dt.datetime
    review: str | None = None  # what safeguarding staff decided, e.g. "redacted"
    support: bool = False  # kept back for a risk to its writer: show them where to find help

    def to_wire(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "conversation_id": self.conversation_id,
            "seq": self.seq,
            "id": self.client_id,
            "sender_id": self.sender_id,
            "sender_name": self.sender_name,
            "text": self.text,
            "status": self.status,
            "sent_at": self.sent_at.isoformat(),
            "review": self.review,
            "support": self.support,
        }


@dataclass(frozen=True)
class SendOutcome:
    message: ChatMessage
    deliver: bool  # False: only the sender (and reviewers) may see it for now
    alert: dict[str, Any] | None = None  # for safeguarding staff
    alert_rooms: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RoomAccess:
    """Admission to one meeting's room, decided by the platform on every join."""

    meeting_id: int
    observer: bool  # receive-only, announced to everyone in the room
    closes_at: dt.datetime


class RoomBackend(Protocol):
    async def admit(self, who: Participant, meeting_id: int) -> RoomAccess: ...

    async def record_presence(self, who: Participant, access: RoomAccess, joined: bool) -> None: ...

    async def record_media(
        self, who: Participant, access: RoomAccess, started: dt.datetime, seconds: float
    ) -> None:
        """`seconds` of media flowed from this participant, in the interval from `started`."""
        ...


class ChatBackend(Protocol):
    async def open_conversation(
        self, who: Participant, conversation_id: int
    ) -> ConversationAccess: ...

    async def send(
        self, who: Participant, access: ConversationAccess, client_id: str, text: str
    ) -> SendOutcome: ...

    async def history(
        self, who: Participant, access: ConversationAccess, after_seq: int, limit: int
    ) -> list[ChatMessage]: ...

    async def mark_read(self, who: Participant, access: ConversationAccess, seq: int) -> None: ...
