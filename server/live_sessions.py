"""Meetings happening now, as safeguarding leads see them, and ending one for safety."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import audit, authz
from server.db import utcnow
from server.directory import display_names
from server.errors import Conflict, InvalidInput, NotFound
from server.models import Meeting, MeetingStatus, Organisation, Pairing, Role, RoomEvent, User
from server.rooms.admission import CLOSES_AFTER, OPENS_BEFORE, is_joinable

END_REASON_MAX_LENGTH = 500
LONGEST_MEETING = dt.timedelta(hours=4)  # bounds the query; booking allows at most 3 hours


@dataclass(frozen=True)
class LiveMeeting:
    meeting: Meeting
    mentor_name: str
    mentee_name: str
    organisation_name: str
    present: list[str]  # who is in the room now, by name
    observed: bool  # a safeguarding lead is in the room


def _ensure_lead(user: User) -> None:
    if authz.role_of(user) is not Role.SAFEGUARDING:
        raise NotFound("No such meeting.", field="meeting_id")


async def meetings_in_progress(
    *, session: AsyncSession, viewer: User, now: dt.datetime | None = None
) -> list[LiveMeeting]:
    """Meetings whose room is open now in the viewer's scope; those with people in them first."""
    _ensure_lead(viewer)
    now = now or utcnow()
    query = (
        select(Meeting, Pairing, Organisation.name)
        .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
        .join(Organisation, col(Organisation.id) == col(Pairing.organisation_id))
        .where(
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.ended_early_at).is_(None),
            col(Meeting.starts_at) <= now + OPENS_BEFORE,
            col(Meeting.starts_at) >= now - LONGEST_MEETING - CLOSES_AFTER,
        )
        .order_by(col(Meeting.starts_at))
    )
    if not authz.is_platform_wide(viewer):
        query = query.where(Pairing.organisation_id == viewer.organisation_id)
    rows = [row for row in (await session.exec(query)).all() if is_joinable(row[0], now)]
    presence = await _presence(session=session, meeting_ids=[row[0].id or 0 for row in rows])
    names = await display_names(
        session=session,
        user_ids={p.mentor_id for _, p, _ in rows} | {p.mentee_id for _, p, _ in rows},
    )
    live = [
        LiveMeeting(
            meeting=meeting,
            mentor_name=names.get(pairing.mentor_id, ""),
            mentee_name=names.get(pairing.mentee_id, ""),
            organisation_name=organisation_name,
            present=[name for name, _ in presence.get(meeting.id or 0, [])],
            observed=any(observer for _, observer in presence.get(meeting.id or 0, [])),
        )
        for meeting, pairing, organisation_name in rows
    ]
    return sorted(live, key=lambda item: not item.present)


async def _presence(
    *, session: AsyncSession, meeting_ids: list[int]
) -> dict[int, list[tuple[str, bool]]]:
    """Per meeting, who is in the room: each person's latest join or leave says."""
    if not meeting_ids:
        return {}
    rows = await session.exec(
        select(RoomEvent, User.display_name)
        .join(User, col(User.id) == col(RoomEvent.user_id))
        .where(col(RoomEvent.meeting_id).in_(meeting_ids))
        .order_by(col(RoomEvent.id))
    )
    latest: dict[tuple[int, int], tuple[RoomEvent, str]] = {}
    for event, name in rows.all():
        latest[(event.meeting_id, event.user_id)] = (event, name)
    present: dict[int, list[tuple[str, bool]]] = {}
    for (meeting_id, _), (event, name) in sorted(latest.items()):
        if event.joined:
            present.setdefault(meeting_id, []).append((name, event.observer))
    return present


async def end_meeting(
    *, session: AsyncSession, staff: User, meeting_id: int, reason: str
) -> Meeting:
    """Ends the meeting for safety: the room closes and never opens again. Audited."""
    _ensure_lead(staff)
    meeting = await session.get(Meeting, meeting_id)
    pairing = await session.get(Pairing, meeting.pairing_id) if meeting else None
    if meeting is None or pairing is None or not authz.in_scope(staff, pairing.organisation_id):
        raise NotFound("No such meeting.", field="meeting_id")
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Say why the meeting is being ended.", field="reason")
    if len(reason) > END_REASON_MAX_LENGTH:
        raise InvalidInput(
            f"The reason must be at most {END_REASON_MAX_LENGTH} characters.", field="reason"
        )
    if meeting.ended_early_at is not None:
        raise Conflict("This meeting was ended already.")
    if not is_joinable(meeting, utcnow()):
        raise Conflict("This meeting is not in progress.")
    meeting.ended_early_at = utcnow()
    meeting.ended_by_id = staff.id
    meeting.end_reason = reason
    session.add(meeting)
    await audit.record(
        session=session,
        actor=staff,
        action="meeting.end",
        subject_type="meeting",
        subject_id=meeting_id,
        organisation_id=pairing.organisation_id,
        reason=reason,
        detail={"pairing_id": pairing.id},
    )
    await session.commit()
    return meeting
