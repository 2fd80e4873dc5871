"""Concern cases: the safeguarding lead's workflow around a raised concern.

A case moves new → triaged → action taken → closed, one step at a time and never back. It
gathers append-only notes, links to the pair's messages and meetings, and the NSPCC-style record
(what was seen or said, by whom, when, the action taken, and the referral or the reason for not
referring). Safeguarding leads of the case's organisation and platform-wide staff work on it;
every read and change is written to the audit log. Untriaged cases escalate (see `escalate_overdue`)
and any concern holds its pair's records against the retention purge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import audit, authz
from server.db import Database, utcnow
from server.emails import compose
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.models import (
    Concern,
    ConcernLink,
    ConcernNote,
    ConcernStatus,
    Conversation,
    Meeting,
    Message,
    Organisation,
    Pairing,
    Role,
    User,
)
from server.outbox import enqueue_email
from server.validation import check_text

MAX_NOTE_LENGTH = 5000
MAX_RECORD_LENGTH = 5000
MAX_OBSERVED_BY_LENGTH = 200
MAX_REFERRED_TO_LENGTH = 300
LIST_LIMIT = 200
CASE_WORK = "case work"
CASE_ROLES = frozenset({Role.SAFEGUARDING, Role.ADMIN})
OPEN_STATUSES = (ConcernStatus.NEW, ConcernStatus.TRIAGED, ConcernStatus.ACTION_TAKEN)

# The one step each state may take.
NEXT_STATUS = {
    ConcernStatus.NEW: ConcernStatus.TRIAGED,
    ConcernStatus.TRIAGED: ConcernStatus.ACTION_TAKEN,
    ConcernStatus.ACTION_TAKEN: ConcernStatus.CLOSED,
}
STATUS_LABELS = {
    ConcernStatus.NEW: "new",
    ConcernStatus.TRIAGED: "triaged",
    ConcernStatus.ACTION_TAKEN: "action taken",
    ConcernStatus.CLOSED: "closed",
}
_AUDIT_ACTIONS = {
    ConcernStatus.TRIAGED: "concern.triage",
    ConcernStatus.ACTION_TAKEN: "concern.action",
    ConcernStatus.CLOSED: "concern.close",
}


@dataclass(frozen=True)
class CaseRecord:
    """Changes to the NSPCC-style record; None leaves a field as it is."""

    observed_by: str | None = None
    occurred_at: dt.datetime | None = None
    action_taken: str | None = None
    referred: bool | None = None
    referred_to: str | None = None
    no_referral_reason: str | None = None


@dataclass(frozen=True)
class CaseSummary:
    concern: Concern
    raised_by: str
    assignee: str | None
    overdue: bool  # still new after the escalation time


@dataclass(frozen=True)
class CaseList:
    cases: list[CaseSummary]
    counts: dict[str, int]  # status -> number in the viewer's scope


@dataclass(frozen=True)
class NoteView:
    note: ConcernNote
    author: str


@dataclass(frozen=True)
class LinkedMessage:
    link: ConcernLink
    message: Message
    sender: str


@dataclass(frozen=True)
class LinkedMeeting:
    link: ConcernLink
    meeting: Meeting


@dataclass(frozen=True)
class CaseView:
    concern: Concern
    organisation: Organisation | None
    raised_by: User
    subject: User | None
    assignee: User | None
    pairing: Pairing | None
    mentor: User | None
    mentee: User | None
    meeting: Meeting | None
    notes: list[NoteView]
    messages: list[LinkedMessage]
    meetings: list[LinkedMeeting]
    pairing_meetings: list[Meeting]  # what may be linked
    assignees: list[User]  # who may be assigned
    next_status: ConcernStatus | None
    missing_for_close: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- scope


def _ensure_case_worker(actor: User) -> None:
    if authz.role_of(actor) not in CASE_ROLES:
        raise Forbidden("Only safeguarding leads work on concern cases.")


def _scope_filter(viewer: User) -> ColumnElement[bool] | None:
    """The concerns a viewer may see: their organisation's, or all for platform-wide staff."""
    if authz.is_platform_wide(viewer):
        return None
    return col(Concern.organisation_id) == (viewer.organisation_id or 0)


async def _case(session: AsyncSession, viewer: User, concern_id: int) -> Concern:
    _ensure_case_worker(viewer)
    concern = await session.get(Concern, concern_id) if 0 < concern_id < 2**31 else None
    if concern is None or not authz.in_scope(viewer, concern.organisation_id):
        raise NotFound("No such concern case.")
    return concern


async def _open_case(session: AsyncSession, viewer: User, concern_id: int) -> Concern:
    concern = await _case(session, viewer, concern_id)
    if concern.status == ConcernStatus.CLOSED:
        raise Conflict("This case is closed: it can no longer change (add a note instead).")
    return concern


async def _audit(
    session: AsyncSession,
    actor: User | None,
    action: str,
    concern: Concern,
    detail: dict[str, object] | None = None,
    reason: str = CASE_WORK,
) -> None:
    await audit.record(
        session=session,
        actor=actor,
        action=action,
        subject_type="concern",
        subject_id=concern.id,
        organisation_id=concern.organisation_id,
        reason=reason,
        detail=detail,
    )


# ---------------------------------------------------------------- reading


def is_overdue(concern: Concern, *, now: dt.datetime, escalate_after: dt.timedelta) -> bool:
    return concern.status == ConcernStatus.NEW and concern.created_at <= now - escalate_after


async def open_case_count(*, session: AsyncSession, viewer: User) -> int:
    """How many cases in the viewer's scope are not closed (a number, not personal data)."""
    _ensure_case_worker(viewer)
    query = select(func.count()).where(col(Concern.status).in_(OPEN_STATUSES))
    scope = _scope_filter(viewer)
    if scope is not None:
        query = query.where(scope)
    return int((await session.exec(query)).one())


async def list_cases(
    *,
    session: AsyncSession,
    viewer: User,
    status: ConcernStatus | None,
    escalate_after: dt.timedelta,
    limit: int = LIST_LIMIT,
) -> CaseList:
    """The viewer's cases, newest first, with counts by status; the read is audited."""
    _ensure_case_worker(viewer)
    scope = _scope_filter(viewer)
    count_query = select(Concern.status, func.count()).group_by(col(Concern.status))
    raiser = User.__table__.alias("raiser")  # type: ignore[attr-defined]
    assignee = User.__table__.alias("assignee")  # type: ignore[attr-defined]
    query = (
        select(Concern, raiser.c.display_name, assignee.c.display_name)
        .join(raiser, raiser.c.id == col(Concern.raised_by_id))
        .outerjoin(assignee, assignee.c.id == col(Concern.assignee_id))
        .order_by(col(Concern.created_at).desc(), col(Concern.id).desc())
        .limit(limit)
    )
    if scope is not None:
        query = query.where(scope)
        count_query = count_query.where(scope)
    if status is not None:
        query = query.where(col(Concern.status) == status)
    counts = {str(s): 0 for s in ConcernStatus}
    counts.update({str(s): n for s, n in (await session.exec(count_query)).all()})
    now = utcnow()
    cases = [
        CaseSummary(
            concern=concern,
            raised_by=raised_by,
            assignee=assigned,
            overdue=is_overdue(concern, now=now, escalate_after=escalate_after),
        )
        for concern, raised_by, assigned in (await session.exec(query)).all()
    ]
    # The list names the people who raised concerns: a staff read of personal data.
    await audit.record(
        session=session,
        actor=viewer,
        action="concern.list",
        subject_type="concern",
        subject_id=None,
        organisation_id=None if authz.is_platform_wide(viewer) else viewer.organisation_id,
        reason=CASE_WORK,
        detail={"status": str(status) if status else None, "shown": len(cases)},
    )
    await session.commit()
    return CaseList(cases=cases, counts=counts)


async def _people(session: AsyncSession, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    rows = (await session.exec(select(User).where(col(User.id).in_(ids)))).all()
    return {user.id or 0: user for user in rows}


async def eligible_assignees(*, session: AsyncSession, concern: Concern) -> list[User]:
    """Active safeguarding leads whose scope covers the case: its organisation's, or platform."""
    scope: ColumnElement[bool] = col(User.organisation_id).is_(None)
    if concern.organisation_id is not None:
        scope = or_(scope, col(User.organisation_id) == concern.organisation_id)
    rows = await session.exec(
        select(User)
        .where(User.role == Role.SAFEGUARDING, col(User.is_active).is_(True), scope)
        .order_by(col(User.display_name), col(User.id))
    )
    return list(rows.all())


def missing_for_close(concern: Concern) -> list[str]:
    """What the record still needs before the case may close, as field names."""
    missing = []
    if not concern.description.strip():
        missing.append("description")
    if concern.occurred_at is None:
        missing.append("occurred_at")
    if concern.referred is None:
        missing.append("referred")
    elif concern.referred and not concern.referred_to:
        missing.append("referred_to")
    elif not concern.referred and not concern.no_referral_reason:
        missing.append("no_referral_reason")
    return missing


async def get_case(
    *, session: AsyncSession, viewer: User, concern_id: int, reason: str = CASE_WORK
) -> CaseView:
    """Everything about one case, for working on it; the read is audited with `reason`."""
    concern = await _case(session, viewer, concern_id)
    pairing = await session.get(Pairing, concern.pairing_id) if concern.pairing_id else None
    notes = (
        await session.exec(
            select(ConcernNote)
            .where(ConcernNote.concern_id == concern.id)
            .order_by(col(ConcernNote.created_at), col(ConcernNote.id))
        )
    ).all()
    links = (
        await session.exec(
            select(ConcernLink)
            .where(ConcernLink.concern_id == concern.id)
            .order_by(col(ConcernLink.id))
        )
    ).all()
    message_ids = [link.message_id for link in links if link.message_id is not None]
    messages = {
        m.id: m
        for m in (await session.exec(select(Message).where(col(Message.id).in_(message_ids)))).all()
    }
    pairing_meetings = (
        list(
            (
                await session.exec(
                    select(Meeting)
                    .where(Meeting.pairing_id == pairing.id)
                    .order_by(col(Meeting.starts_at).desc())
                    .limit(100)
                )
            ).all()
        )
        if pairing is not None
        else []
    )
    meetings_by_id: dict[int | None, Meeting | None] = {m.id: m for m in pairing_meetings}
    for link in links:
        if link.meeting_id is not None and link.meeting_id not in meetings_by_id:
            meetings_by_id[link.meeting_id] = await session.get(Meeting, link.meeting_id)
    people = await _people(
        session,
        {
            concern.raised_by_id,
            *(i for i in (concern.subject_id, concern.assignee_id) if i is not None),
            *((pairing.mentor_id, pairing.mentee_id) if pairing else ()),
            *(n.author_id for n in notes if n.author_id is not None),
            *(m.sender_id for m in messages.values()),
        },
    )

    def name(user_id: int | None) -> str:
        person = people.get(user_id or 0)
        return person.display_name if person else "(account removed)"

    raised_by = people.get(concern.raised_by_id)
    assert raised_by is not None
    view = CaseView(
        concern=concern,
        organisation=(
            await session.get(Organisation, concern.organisation_id)
            if concern.organisation_id
            else None
        ),
        raised_by=raised_by,
        subject=people.get(concern.subject_id or 0),
        assignee=people.get(concern.assignee_id or 0),
        pairing=pairing,
        mentor=people.get(pairing.mentor_id) if pairing else None,
        mentee=people.get(pairing.mentee_id) if pairing else None,
        meeting=await session.get(Meeting, concern.meeting_id) if concern.meeting_id else None,
        notes=[NoteView(note, name(note.author_id)) for note in notes],
        messages=[
            LinkedMessage(
                link, messages[link.message_id], name(messages[link.message_id].sender_id)
            )
            for link in links
            if link.message_id in messages
        ],
        meetings=[
            LinkedMeeting(link, meeting)
            for link in links
            if link.meeting_id is not None
            and (meeting := meetings_by_id.get(link.meeting_id)) is not None
        ],
        pairing_meetings=pairing_meetings,
        assignees=await eligible_assignees(session=session, concern=concern),
        next_status=NEXT_STATUS.get(ConcernStatus(concern.status)),
        missing_for_close=missing_for_close(concern),
    )
    await _audit(session, viewer, "concern.view", concern, reason=reason)
    await session.commit()
    return view


# ---------------------------------------------------------------- changing


async def _check_assignee(session: AsyncSession, concern: Concern, assignee_id: int) -> User:
    assignee = await session.get(User, assignee_id) if 0 < assignee_id < 2**31 else None
    if (
        assignee is None
        or authz.role_of(assignee) is not Role.SAFEGUARDING
        or not assignee.is_active
        or assignee.organisation_id not in (None, concern.organisation_id)
    ):
        raise NotFound(
            "Choose an active safeguarding lead of this case's organisation (or a platform-wide "
            "one).",
            field="assignee_id",
        )
    return assignee


async def assign(
    *, session: AsyncSession, actor: User, concern_id: int, assignee_id: int
) -> Concern:
    concern = await _open_case(session, actor, concern_id)
    assignee = await _check_assignee(session, concern, assignee_id)
    concern.assignee_id = assignee.id
    session.add(concern)
    await _audit(session, actor, "concern.assign", concern, {"assignee_id": assignee.id})
    await session.commit()
    return concern


async def add_note(
    *, session: AsyncSession, actor: User, concern_id: int, body: str
) -> ConcernNote:
    """Appends a note (closed cases too: notes never change what was decided)."""
    concern = await _case(session, actor, concern_id)
    body = check_text(body, field="body", label="Note", max_length=MAX_NOTE_LENGTH)
    note = ConcernNote(concern_id=concern.id or 0, author_id=actor.id, body=body)
    session.add(note)
    await session.flush()
    # The note's words stay in the case, not in the audit log.
    await _audit(session, actor, "concern.note", concern, {"note_id": note.id})
    await session.commit()
    return note


async def _pairing_of_case(session: AsyncSession, concern: Concern) -> Pairing:
    if concern.pairing_id is None:
        raise InvalidInput(
            "This case is not about a pairing, so there are no messages or meetings to link."
        )
    pairing = await session.get(Pairing, concern.pairing_id)
    assert pairing is not None
    return pairing


async def _add_link(session: AsyncSession, link: ConcernLink, field_name: str) -> None:
    session.add(link)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict("That is already linked to this case.", field=field_name) from None


async def link_message(
    *, session: AsyncSession, actor: User, concern_id: int, seq: int
) -> ConcernLink:
    """Links the pair's message number `seq` (as shown in the conversation) to the case."""
    concern = await _open_case(session, actor, concern_id)
    pairing = await _pairing_of_case(session, concern)
    message = (
        await session.exec(
            select(Message)
            .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
            .where(Conversation.pairing_id == pairing.id, Message.seq == seq)
        )
    ).first()
    if message is None:
        raise NotFound(f"The pair's conversation has no message number {seq}.", field="seq")
    link = ConcernLink(concern_id=concern.id or 0, message_id=message.id, linked_by_id=actor.id)
    await _add_link(session, link, "seq")
    await _audit(
        session, actor, "concern.link", concern, {"message_id": message.id, "seq": message.seq}
    )
    await session.commit()
    return link


async def link_meeting(
    *, session: AsyncSession, actor: User, concern_id: int, meeting_id: int
) -> ConcernLink:
    concern = await _open_case(session, actor, concern_id)
    pairing = await _pairing_of_case(session, concern)
    meeting = await session.get(Meeting, meeting_id) if 0 < meeting_id < 2**31 else None
    if meeting is None or meeting.pairing_id != pairing.id:
        raise NotFound("The pair has no such meeting.", field="meeting_id")
    link = ConcernLink(concern_id=concern.id or 0, meeting_id=meeting.id, linked_by_id=actor.id)
    await _add_link(session, link, "meeting_id")
    await _audit(session, actor, "concern.link", concern, {"meeting_id": meeting.id})
    await session.commit()
    return link


def _apply_record(concern: Concern, record: CaseRecord, now: dt.datetime) -> list[str]:
    """Validates and applies the given fields; returns the names of those that changed."""
    limits = {
        "observed_by": ("Seen or heard by", MAX_OBSERVED_BY_LENGTH),
        "action_taken": ("Action taken", MAX_RECORD_LENGTH),
        "referred_to": ("Referred to", MAX_REFERRED_TO_LENGTH),
        "no_referral_reason": ("Reason for not referring", MAX_RECORD_LENGTH),
    }
    changed = []
    for item in fields(record):
        value = getattr(record, item.name)
        if value is None:
            continue
        if item.name in limits:
            label, limit = limits[item.name]
            value = check_text(value, field=item.name, label=label, max_length=limit)
        if item.name == "occurred_at":
            if value.tzinfo is None:
                raise InvalidInput("Give the time with its time zone.", field="occurred_at")
            if value > now + dt.timedelta(minutes=5):
                raise InvalidInput("When it happened cannot be in the future.", field="occurred_at")
        if getattr(concern, item.name) != value:
            setattr(concern, item.name, value)
            changed.append(item.name)
    return changed


async def update_record(
    *, session: AsyncSession, actor: User, concern_id: int, record: CaseRecord
) -> Concern:
    concern = await _open_case(session, actor, concern_id)
    changed = _apply_record(concern, record, utcnow())
    if changed:
        session.add(concern)
        await _audit(session, actor, "concern.record", concern, {"changed": changed})
        await session.commit()
    return concern


async def transition(
    *,
    session: AsyncSession,
    actor: User,
    concern_id: int,
    to: ConcernStatus,
    assignee_id: int | None = None,
    record: CaseRecord | None = None,
) -> Concern:
    """Moves the case one step on, applying the assignee and record changes given with it.

    new → triaged needs an assignee; triaged → action taken needs the action taken; action taken
    → closed needs the record complete (see `missing_for_close`). Anything else is a 409.
    """
    concern = await _open_case(session, actor, concern_id)
    current = ConcernStatus(concern.status)
    if NEXT_STATUS.get(current) != to:
        raise Conflict(
            f"A case that is {STATUS_LABELS[current]} can only move to "
            f"{STATUS_LABELS[NEXT_STATUS[current]]}, not to {STATUS_LABELS[to]}.",
            field="to",
        )
    now = utcnow()
    changed = _apply_record(concern, record or CaseRecord(), now)
    if assignee_id is not None:
        assignee = await _check_assignee(session, concern, assignee_id)
        if concern.assignee_id != assignee.id:
            concern.assignee_id = assignee.id
            changed.append("assignee_id")
    if to is ConcernStatus.TRIAGED:
        if concern.assignee_id is None:
            raise InvalidInput(
                "Assign the case to a safeguarding lead to triage it.", field="assignee_id"
            )
        concern.triaged_at = now
    elif to is ConcernStatus.ACTION_TAKEN:
        if not concern.action_taken:
            raise InvalidInput("Describe the action taken.", field="action_taken")
    else:
        missing = missing_for_close(concern)
        if missing:
            raise InvalidInput(_CLOSE_NEEDS[missing[0]], field=missing[0])
        concern.closed_at = now
    concern.status = to
    session.add(concern)
    await _audit(
        session,
        actor,
        _AUDIT_ACTIONS[to],
        concern,
        {"from": str(current), "to": str(to), "changed": changed},
    )
    await session.commit()
    return concern


_CLOSE_NEEDS = {
    "description": "Record what was seen or said before closing the case.",
    "occurred_at": "Record when it happened before closing the case.",
    "referred": "Record whether the case was referred before closing it.",
    "referred_to": "Record who the case was referred to before closing it.",
    "no_referral_reason": "Record why the case was not referred before closing it.",
}


# ---------------------------------------------------------------- escalation


async def _escalation_recipients(session: AsyncSession, concern: Concern) -> list[User]:
    """The organisation's deputy lead (platform leads when it has none), and every admin."""
    active = col(User.is_active).is_(True)
    deputy = None
    if concern.organisation_id is not None:
        organisation = await session.get(Organisation, concern.organisation_id)
        if organisation is not None and organisation.deputy_safeguarding_id is not None:
            deputy = await session.get(User, organisation.deputy_safeguarding_id)
    if deputy is not None and deputy.is_active:
        leads: Sequence[User] = [deputy]
    else:
        leads = (
            await session.exec(
                select(User).where(
                    User.role == Role.SAFEGUARDING, col(User.organisation_id).is_(None), active
                )
            )
        ).all()
    admins = (await session.exec(select(User).where(User.role == Role.ADMIN, active))).all()
    unique = {person.email: person for person in [*leads, *admins]}
    return list(unique.values())


async def escalate_overdue(
    db: Database, *, now: dt.datetime, escalate_after: dt.timedelta, base_url: str
) -> int:
    """E-mails the deputy lead and the admins about each case still new after `escalate_after`,
    once per case (a conditional UPDATE claims it, so two workers never both send); returns how
    many cases were escalated."""
    async with db.session() as session:
        due = (
            await session.exec(
                select(Concern.id).where(
                    Concern.status == ConcernStatus.NEW,
                    col(Concern.escalated_at).is_(None),
                    col(Concern.created_at) <= now - escalate_after,
                )
            )
        ).all()
    escalated = 0
    hours = f"{escalate_after.total_seconds() / 3600:g}"
    for concern_id in due:
        async with db.session() as session:
            claimed = await session.exec(
                update(Concern)
                .where(col(Concern.id) == concern_id, col(Concern.escalated_at).is_(None))
                .values(escalated_at=now)
            )
            if claimed.rowcount != 1:
                continue
            concern = await session.get(Concern, concern_id)
            assert concern is not None
            recipients = await _escalation_recipients(session, concern)
            for person in recipients:
                # A case is waiting, and where: no details leave the platform.
                subject, body = compose(
                    "concern_escalated",
                    name=person.display_name,
                    hours=hours,
                    link=f"{base_url.rstrip('/')}/safeguarding/concerns/{concern_id}",
                )
                enqueue_email(session=session, to=person.email, subject=subject, body=body)
            await _audit(
                session,
                None,
                "concern.escalate",
                concern,
                {"notified": sorted(p.id or 0 for p in recipients)},
                reason=f"not triaged within {hours} hours",
            )
            await session.commit()
            escalated += 1
    return escalated


# ---------------------------------------------------------------- holds


async def pairings_under_hold(*, session: AsyncSession) -> set[int]:
    """Pairings with any concern, in any state: retention must keep their records."""
    rows = await session.exec(
        select(Concern.pairing_id).where(col(Concern.pairing_id).is_not(None)).distinct()
    )
    return {pairing_id for pairing_id in rows.all() if pairing_id is not None}


async def people_under_hold(*, session: AsyncSession) -> set[int]:
    """People a concern is about, who raised one, or are in a held pairing."""
    held: set[int] = set()
    rows = await session.exec(select(Concern.subject_id, Concern.raised_by_id))
    for subject_id, raised_by_id in rows.all():
        held.add(raised_by_id)
        if subject_id is not None:
            held.add(subject_id)
    members = await session.exec(
        select(Pairing.mentor_id, Pairing.mentee_id).where(
            col(Pairing.id).in_(
                select(Concern.pairing_id).where(col(Concern.pairing_id).is_not(None))
            )
        )
    )
    for mentor_id, mentee_id in members.all():
        held |= {mentor_id, mentee_id}
    return held


async def pairing_is_held(*, session: AsyncSession, pairing_id: int) -> bool:
    found = await session.exec(select(Concern.id).where(Concern.pairing_id == pairing_id).limit(1))
    return found.first() is not None


async def set_deputy(
    *, session: AsyncSession, actor: User, organisation_id: int, deputy_id: int | None
) -> Organisation:
    """Names (or, with None, clears) the organisation's deputy lead, one of its active DSLs."""
    if authz.role_of(actor) is not Role.ADMIN:
        raise Forbidden("Only an admin names the deputy safeguarding lead.")
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.", field="organisation_id")
    if deputy_id is not None:
        deputy = await session.get(User, deputy_id) if 0 < deputy_id < 2**31 else None
        if (
            deputy is None
            or authz.role_of(deputy) is not Role.SAFEGUARDING
            or not deputy.is_active
            or deputy.organisation_id != organisation_id
        ):
            raise NotFound(
                "Choose an active safeguarding lead of this organisation.", field="deputy_id"
            )
    organisation.deputy_safeguarding_id = deputy_id
    session.add(organisation)
    await session.commit()
    return organisation


async def organisation_leads(*, session: AsyncSession, organisation_id: int) -> list[User]:
    """The organisation's active safeguarding leads: who may be its deputy."""
    rows = await session.exec(
        select(User)
        .where(
            User.role == Role.SAFEGUARDING,
            User.organisation_id == organisation_id,
            col(User.is_active).is_(True),
        )
        .order_by(col(User.display_name), col(User.id))
    )
    return list(rows.all())
