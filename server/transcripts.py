"""Transcripts for safeguarding leads: reading, searching and exporting conversations.

Every read needs a reason and is written to the audit log before anything is shown. A lead of a
partner organisation reaches only that organisation's pairs; a platform lead reaches all.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from dataclasses import dataclass

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import audit, authz
from server.directory import display_names
from server.errors import InvalidInput, NotFound
from server.models import Conversation, Message, MessageStatus, Organisation, Pairing, Role, User
from server.review import Line

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 200
SEARCH_LIMIT = 200
# Spreadsheet programs run cells starting with these as formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Purpose(enum.StrEnum):
    VIEW = "view"
    CSV = "export_csv"
    PRINT = "export_print"


@dataclass(frozen=True)
class ConversationSummary:
    conversation_id: int
    pairing: Pairing
    mentor_name: str
    mentee_name: str
    organisation_name: str
    messages: int
    last_message_at: dt.datetime | None


@dataclass(frozen=True)
class Transcript:
    conversation_id: int
    pairing: Pairing
    mentor_name: str
    mentee_name: str
    organisation_name: str
    lines: list[Line]


@dataclass(frozen=True)
class SearchHit:
    line: Line
    conversation_id: int
    mentor_name: str
    mentee_name: str


def _ensure_lead(viewer: User) -> None:
    if authz.role_of(viewer) is not Role.SAFEGUARDING:
        raise NotFound("No such conversation.", field="conversation_id")


async def _pairs(
    *, session: AsyncSession, viewer: User, conversation_id: int | None = None
) -> list[ConversationSummary]:
    """Conversations in the viewer's scope (one, with `conversation_id`), with who is in them."""
    query = (
        select(Conversation, Pairing, Organisation.name)
        .join(Pairing, col(Pairing.id) == col(Conversation.pairing_id))
        .join(Organisation, col(Organisation.id) == col(Pairing.organisation_id))
    )
    if not authz.is_platform_wide(viewer):
        query = query.where(Pairing.organisation_id == viewer.organisation_id)
    if conversation_id is not None:
        query = query.where(Conversation.id == conversation_id)
    rows = (await session.exec(query)).all()
    ids = [conversation.id or 0 for conversation, _, _ in rows]
    stats: dict[int, tuple[int, dt.datetime | None]] = {}
    if conversation_id is None and ids:
        counted = await session.exec(
            select(Message.conversation_id, func.count(), func.max(Message.created_at))
            .where(col(Message.conversation_id).in_(ids))
            .group_by(col(Message.conversation_id))
        )
        stats = {cid: (count, last_at) for cid, count, last_at in counted.all()}
    names = await display_names(
        session=session,
        user_ids={p.mentor_id for _, p, _ in rows} | {p.mentee_id for _, p, _ in rows},
    )
    return [
        ConversationSummary(
            conversation_id=conversation.id or 0,
            pairing=pairing,
            mentor_name=names.get(pairing.mentor_id, ""),
            mentee_name=names.get(pairing.mentee_id, ""),
            organisation_name=organisation_name,
            messages=stats.get(conversation.id or 0, (0, None))[0],
            last_message_at=stats.get(conversation.id or 0, (0, None))[1],
        )
        for conversation, pairing, organisation_name in rows
    ]


async def conversations_in_scope(
    *, session: AsyncSession, viewer: User
) -> list[ConversationSummary]:
    """Which conversations exist (names and counts, never content), most recent first."""
    _ensure_lead(viewer)
    found = await _pairs(session=session, viewer=viewer)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(
        found,
        key=lambda c: (c.last_message_at or epoch, c.conversation_id),
        reverse=True,
    )


async def find_conversation(
    *, session: AsyncSession, viewer: User, conversation_id: int
) -> ConversationSummary:
    """The conversation's pair, for the reason form (no content, so no audit entry yet)."""
    _ensure_lead(viewer)
    found = await _pairs(session=session, viewer=viewer, conversation_id=conversation_id)
    if not found:
        raise NotFound("No such conversation.", field="conversation_id")
    return found[0]


async def open_transcript(
    *,
    session: AsyncSession,
    viewer: User,
    conversation_id: int,
    reason: str,
    purpose: Purpose = Purpose.VIEW,
) -> Transcript:
    """Every message of the conversation, whatever its state, once the access is audited."""
    found = await find_conversation(session=session, viewer=viewer, conversation_id=conversation_id)
    await audit.record(
        session=session,
        actor=viewer,
        action=f"transcript.{purpose.value}",
        subject_type="conversation",
        subject_id=conversation_id,
        organisation_id=found.pairing.organisation_id,
        reason=reason,
        detail={"pairing_id": found.pairing.id},
    )
    await session.commit()
    rows = await session.exec(
        select(Message, User.display_name)
        .join(User, col(User.id) == col(Message.sender_id))
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.seq))
    )
    return Transcript(
        conversation_id=conversation_id,
        pairing=found.pairing,
        mentor_name=found.mentor_name,
        mentee_name=found.mentee_name,
        organisation_name=found.organisation_name,
        lines=[Line(message, name) for message, name in rows.all()],
    )


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.casefold()}%"


async def search_messages(
    *, session: AsyncSession, viewer: User, query: str, reason: str
) -> list[SearchHit]:
    """Messages containing `query` (any case) in the viewer's scope, newest first; audited."""
    _ensure_lead(viewer)
    query = " ".join(query.split())
    if not SEARCH_MIN_LENGTH <= len(query) <= SEARCH_MAX_LENGTH:
        raise InvalidInput(
            f"Search for {SEARCH_MIN_LENGTH} to {SEARCH_MAX_LENGTH} characters.", field="query"
        )
    await audit.record(
        session=session,
        actor=viewer,
        action="transcript.search",
        subject_type="conversation",
        subject_id=None,
        organisation_id=viewer.organisation_id,
        reason=reason,
        detail={"query": query},
    )
    await session.commit()
    statement = (
        select(Message, Pairing)
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .join(Pairing, col(Pairing.id) == col(Conversation.pairing_id))
        .where(func.lower(col(Message.body)).like(_like_pattern(query), escape="\\"))
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
        .limit(SEARCH_LIMIT)
    )
    if not authz.is_platform_wide(viewer):
        statement = statement.where(Pairing.organisation_id == viewer.organisation_id)
    rows = (await session.exec(statement)).all()
    names = await display_names(
        session=session,
        user_ids={m.sender_id for m, _ in rows}
        | {p.mentor_id for _, p in rows}
        | {p.mentee_id for _, p in rows},
    )
    return [
        SearchHit(
            line=Line(message, names.get(message.sender_id, "")),
            conversation_id=message.conversation_id,
            mentor_name=names.get(pairing.mentor_id, ""),
            mentee_name=names.get(pairing.mentee_id, ""),
        )
        for message, pairing in rows
    ]


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def transcript_csv(transcript: Transcript) -> str:
    """One row per message; times in UTC (ISO 8601); redacted messages keep their original."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "seq",
            "sent_at_utc",
            "sender",
            "status",
            "screening",
            "reasons",
            "review",
            "text",
            "original_text",
        ]
    )
    for line in transcript.lines:
        message = line.message
        writer.writerow(
            [
                str(message.seq),
                message.created_at.astimezone(dt.UTC).isoformat(),
                _cell(line.sender_name),
                message.status,
                message.verdict,
                "; ".join(message.reasons.splitlines()),
                message.review or "",
                _cell(message.body),
                _cell(message.original_body or ""),
            ]
        )
    return out.getvalue()


def describe_status(message: Message) -> str:
    """How a message stands, in words for the transcript."""
    if message.status == MessageStatus.HELD:
        return "Held, awaiting review"
    if message.review is not None:
        return f"{message.verdict.capitalize()}, {message.review}"
    return "Flagged, delivered" if message.verdict == "FLAG" else "Delivered"
