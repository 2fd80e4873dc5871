"""Data rights: a person's subject access export, and erasure of what may go.

Both are for admins only and both are audited with the admin's reason. Safeguarding comes first:
concern records about a person are withheld from their export and kept on erasure, and so is
everything of a pairing under hold (server/retention.py `held_pairing_ids`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import audit, authz
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.models import (
    AccountToken,
    Attendance,
    AuthSession,
    Concern,
    Conversation,
    GuardianConsent,
    LoginFailure,
    Meeting,
    MentorVetting,
    Message,
    MessageStatus,
    Organisation,
    OutboxEmail,
    Pairing,
    PersonalToken,
    Profile,
    Role,
    RoomEvent,
    SurveyAnswer,
    SurveyInvitation,
    User,
)
from server.retention import held_pairing_ids

ARCHIVE_FORMAT = "mentormeet subject access export, version 1"
REMOVED_MESSAGE = "[removed at the person's request]"
REMOVED_TEXT = "[removed]"
ERASED_EMAIL_DOMAIN = "erased.invalid"

EXPORT_NOTES = (
    "Times are in UTC (ISO 8601).",
    "Messages: every message this person sent is included, and the other member's delivered "
    "messages in the pair's conversation are included as part of that conversation. Messages "
    "the other member sent that were held for safeguarding review and never delivered are not "
    "included.",
    "Safeguarding concerns this person raised are included in their own words. Records of "
    "concerns raised about this person by others, and safeguarding staff's notes on them, are "
    "withheld under the safeguarding exemption (Data Protection Act 2018, Schedule 3: "
    "disclosure likely to cause serious harm, and child abuse data); this note appears in "
    "every export, whether or not any such record exists.",
    "The audit log of staff access is not included: it records staff actions, is kept "
    "append-only for accountability, and can be described on request.",
)

KEEP_SAFEGUARDING = (
    "Kept for safeguarding: records of concerns, and everything of a pairing that a concern "
    "names, must be available to a later inquiry (Keeping Children Safe in Education; Working "
    "Together to Safeguard Children 2023). They are kept until the young person's date of "
    "birth + 25 years."
)
KEEP_AUDIT = (
    "Kept for accountability: the audit log is append-only and hash-chained, so who read or "
    "changed this person's data stays provable. It holds actions and reasons, not content."
)
KEEP_ATTENDANCE = (
    "Kept as counts for impact reporting: meetings and attendance stay linked only to the "
    "anonymised account, and go on the normal retention schedule."
)
KEEP_SURVEYS = (
    "Kept without a name for impact reporting: survey answers stay linked only to the "
    "anonymised account, and are only ever shown as totals of five people or more."
)
KEEP_MESSAGE_ROWS = (
    "Message rows stay with their text replaced, so each conversation's numbering stays "
    "gap-free for the other member; they go with the conversation on the retention schedule."
)
KEEP_VETTING = (
    "Kept for safeguarding: the record of checks shows this mentor was vetted while they met "
    "young people (dates and check type only, never the certificate)."
)
KEEP_BIRTH_DATE = (
    "Kept: concern records involving this person are kept until their date of birth + 25 "
    "years, so the date is needed to know when they may go."
)


def _iso(moment: dt.datetime | dt.date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


async def _target(session: AsyncSession, actor: User, user_id: int) -> User:
    if authz.role_of(actor) is not Role.ADMIN:
        raise Forbidden("Only an admin can export or erase a person's data.")
    target = await session.get(User, user_id)
    if target is None:
        raise NotFound("No such person.")
    authz.ensure_can_view_user(actor, target)
    return target


async def _pairings_of(session: AsyncSession, user_id: int) -> list[Pairing]:
    return list(
        (
            await session.exec(
                select(Pairing)
                .where((col(Pairing.mentor_id) == user_id) | (col(Pairing.mentee_id) == user_id))
                .order_by(col(Pairing.id))
            )
        ).all()
    )


async def _held_of(session: AsyncSession, pairing_ids: list[int]) -> set[int]:
    if not pairing_ids:
        return set()
    rows = await session.exec(
        select(Pairing.id).where(
            col(Pairing.id).in_(pairing_ids), col(Pairing.id).in_(held_pairing_ids())
        )
    )
    return {pairing_id for pairing_id in rows.all() if pairing_id is not None}


async def export_person(
    *, session: AsyncSession, actor: User, user_id: int, reason: str, now: dt.datetime
) -> dict[str, Any]:
    """The person's data as a JSON-ready archive; records the export (with `reason`); commits."""
    target = await _target(session, actor, user_id)
    person_id = target.id or 0
    organisation = (
        await session.get(Organisation, target.organisation_id) if target.organisation_id else None
    )
    profile = (await session.exec(select(Profile).where(Profile.user_id == person_id))).first()
    vetting = (
        await session.exec(select(MentorVetting).where(MentorVetting.mentor_id == person_id))
    ).first()
    consents = (
        await session.exec(
            select(GuardianConsent)
            .where(GuardianConsent.mentee_id == person_id)
            .order_by(col(GuardianConsent.id))
        )
    ).all()
    pairings = await _pairings_of(session, person_id)
    pairing_ids = [p.id or 0 for p in pairings]
    other_ids = {p.mentee_id if p.mentor_id == person_id else p.mentor_id for p in pairings}
    others = {
        u.id: u for u in (await session.exec(select(User).where(col(User.id).in_(other_ids)))).all()
    }
    meetings = (
        await session.exec(
            select(Meeting)
            .where(col(Meeting.pairing_id).in_(pairing_ids))
            .order_by(col(Meeting.starts_at))
        )
    ).all()
    attendance = (
        await session.exec(
            select(Attendance)
            .where(Attendance.user_id == person_id)
            .order_by(col(Attendance.meeting_id))
        )
    ).all()
    room_events = (
        await session.exec(
            select(RoomEvent).where(RoomEvent.user_id == person_id).order_by(col(RoomEvent.at))
        )
    ).all()
    invitations = (
        await session.exec(
            select(SurveyInvitation)
            .where(SurveyInvitation.user_id == person_id)
            .order_by(col(SurveyInvitation.due_at))
        )
    ).all()
    answers: dict[int, dict[str, int | None]] = {}
    for answer in (
        await session.exec(
            select(SurveyAnswer).where(
                col(SurveyAnswer.invitation_id).in_([i.id or 0 for i in invitations])
            )
        )
    ).all():
        answers.setdefault(answer.invitation_id, {})[answer.item] = answer.value
    messages = (
        await session.exec(
            select(Message, Conversation.pairing_id)
            .join(Conversation, col(Conversation.id) == Message.conversation_id)
            .where(
                col(Conversation.pairing_id).in_(pairing_ids),
                (col(Message.sender_id) == person_id)
                | (col(Message.status) == MessageStatus.DELIVERED.value),
            )
            .order_by(col(Conversation.pairing_id), col(Message.seq))
        )
    ).all()
    raised = (
        await session.exec(
            select(Concern).where(Concern.raised_by_id == person_id).order_by(col(Concern.id))
        )
    ).all()

    def sender(sender_id: int) -> str:
        if sender_id == person_id:
            return "this person"
        other = others.get(sender_id)
        return f"{other.display_name} ({other.role})" if other else "another person"

    archive: dict[str, Any] = {
        "format": ARCHIVE_FORMAT,
        "person_id": person_id,
        "exported_at": _iso(now),
        "notes": list(EXPORT_NOTES),
        "account": {
            "id": person_id,
            "email": target.email,
            "name": target.display_name,
            "role": target.role,
            "organisation": {"id": organisation.id, "name": organisation.name}
            if organisation
            else None,
            "timezone": target.timezone,
            "date_of_birth": _iso(target.date_of_birth),
            "active": target.is_active,
            "message_alerts": target.message_alerts,
            "created_at": _iso(target.created_at),
            "activated_at": _iso(target.activated_at),
        },
        "profile": None
        if profile is None
        else {
            "interests": _lines(profile.interests),
            "sectors": _lines(profile.sectors),
            "goals": profile.goals,
            "languages": _lines(profile.languages),
            "availability": _lines(profile.availability),
            "capacity": profile.capacity,
            "updated_at": _iso(profile.updated_at),
        },
        "vetting": None
        if vetting is None
        else {
            "check_type": vetting.check_type,
            "dbs_issue_date": _iso(vetting.dbs_issue_date),
            "update_service": vetting.update_service,
            "update_service_checked_on": _iso(vetting.update_service_checked_on),
            "references_checked": vetting.references_checked,
            "training_completed": vetting.training_completed,
            "updated_at": _iso(vetting.updated_at),
        },
        "guardian_consents": [
            {
                "guardian_name": c.guardian_name,
                "guardian_contact": c.guardian_contact,
                "consent_date": _iso(c.consent_date),
                "method": c.method,
                "recorded_at": _iso(c.created_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in consents
        ],
        "pairings": [
            {
                "id": p.id,
                "role_in_pairing": "mentor" if p.mentor_id == person_id else "mentee",
                "paired_with": sender(p.mentee_id if p.mentor_id == person_id else p.mentor_id),
                "status": p.status,
                "started_at": _iso(p.started_at),
                "ended_at": _iso(p.ended_at),
                "end_reason": p.end_reason,
            }
            for p in pairings
        ],
        "meetings": [
            {
                "id": m.id,
                "pairing_id": m.pairing_id,
                "starts_at": _iso(m.starts_at),
                "duration_minutes": m.duration_minutes,
                "status": m.status,
            }
            for m in meetings
        ],
        "attendance": [
            {
                "meeting_id": a.meeting_id,
                "first_media_at": _iso(a.first_media_at),
                "media_seconds": round(a.media_seconds, 1),
            }
            for a in attendance
        ],
        "surveys": [
            {
                "kind": i.kind,
                "pairing_id": i.pairing_id,
                "meeting_id": i.meeting_id,
                "due_at": _iso(i.due_at),
                "answered_at": _iso(i.answered_at),
                "skipped_at": _iso(i.skipped_at),
                "answers": answers.get(i.id or 0, {}),
            }
            for i in invitations
        ],
        "room_events": [
            {"meeting_id": e.meeting_id, "joined": e.joined, "at": _iso(e.at)} for e in room_events
        ],
        "messages": [
            {
                "pairing_id": pairing_id,
                "seq": m.seq,
                "from": sender(m.sender_id),
                "sent_at": _iso(m.created_at),
                "status": m.status,
                "text": m.body,
                # Their own words as written, when safeguarding delivered a redacted version.
                **(
                    {"text_before_redaction": m.original_body}
                    if m.original_body and m.sender_id == person_id
                    else {}
                ),
            }
            for m, pairing_id in messages
        ],
        "concerns_raised": [
            {
                "id": c.id,
                "raised_at": _iso(c.created_at),
                "pairing_id": c.pairing_id,
                "status": c.status,
                "description": c.description,
            }
            for c in raised
        ],
    }
    sections = {name: len(value) for name, value in archive.items() if isinstance(value, list)} | {
        "notes": len(EXPORT_NOTES)
    }
    await audit.record(
        session=session,
        actor=actor,
        action="subject_access.export",
        subject_type="user",
        subject_id=person_id,
        organisation_id=target.organisation_id,
        reason=reason,
        detail={"sections": sections},
    )
    await session.commit()
    return archive


@dataclass(frozen=True)
class ErasureReport:
    person_id: int
    removed: dict[str, str]  # category -> what was done
    kept: dict[str, str]  # category -> why it stays


async def erase_person(
    *,
    session: AsyncSession,
    actor: User,
    user_id: int,
    reason: str,
    confirmation: str,
    now: dt.datetime,
) -> ErasureReport:
    """Removes or anonymises what may go and says what stays and why; audited; commits.

    The caller disconnects the person's live sockets (the account is disabled here)."""
    target = await _target(session, actor, user_id)
    person_id = target.id or 0
    if confirmation.strip().casefold() != target.email:
        raise InvalidInput(
            "Type the person's e-mail address exactly to confirm the erasure.",
            field="confirmation",
        )
    if person_id == actor.id:
        raise Conflict("You cannot erase your own account.")
    if target.role == Role.ADMIN and target.is_active:
        other_admins = (
            await session.exec(
                select(func.count()).where(
                    col(User.role) == Role.ADMIN.value,
                    col(User.is_active).is_(True),
                    col(User.id) != person_id,
                )
            )
        ).one()
        if other_admins == 0:
            raise Conflict("This is the last active admin: make another admin first.")
    # A bad reason makes audit.record refuse below, before the commit: then nothing changes.
    pairings = await _pairings_of(session, person_id)
    held = await _held_of(session, [p.id or 0 for p in pairings])
    raised_any = (
        await session.exec(select(func.count()).where(Concern.raised_by_id == person_id))
    ).one() > 0
    person_held = bool(held) or raised_any
    connection = await session.connection()

    async def delete(model: Any, where: Any) -> int:
        return int((await connection.execute(sa.delete(model.__table__).where(where))).rowcount)

    counts = {
        "login sessions": await delete(AuthSession, col(AuthSession.user_id) == person_id),
        "invitation and password links": await delete(
            AccountToken, col(AccountToken.user_id) == person_id
        ),
        "API tokens and calendar feeds": await delete(
            PersonalToken, col(PersonalToken.user_id) == person_id
        ),
        "matching profile": await delete(Profile, col(Profile.user_id) == person_id),
        "failed log-in records": await delete(
            LoginFailure, col(LoginFailure.email) == target.email
        ),
        "e-mails to them": await delete(OutboxEmail, col(OutboxEmail.to_address) == target.email),
    }
    held_conversations = sa.select(col(Conversation.id)).where(
        col(Conversation.pairing_id).in_(held)
    )
    counts["messages they sent"] = int(
        (
            await connection.execute(
                sa.update(Message.__table__)  # type: ignore[attr-defined]
                .where(
                    col(Message.sender_id) == person_id,
                    col(Message.conversation_id).not_in(held_conversations),
                    col(Message.body) != REMOVED_MESSAGE,
                )
                .values(body=REMOVED_MESSAGE, reasons="", original_body=None)
            )
        ).rowcount
    )
    if not person_held:
        counts["guardian contact details"] = int(
            (
                await connection.execute(
                    sa.update(GuardianConsent.__table__)  # type: ignore[attr-defined]
                    .where(col(GuardianConsent.mentee_id) == person_id)
                    .values(guardian_name=REMOVED_TEXT, guardian_contact=REMOVED_TEXT)
                )
            ).rowcount
        )
    target.email = f"erased-{person_id}@{ERASED_EMAIL_DOMAIN}"
    target.display_name = f"Erased person {person_id}"
    target.password_hash = None
    target.is_active = False
    if not person_held:
        target.date_of_birth = None
    session.add(target)

    removed = {
        "Account": "E-mail, name and password removed; the account is disabled and signed out "
        "everywhere." + ("" if person_held else " Date of birth removed.")
    }
    for category, count in counts.items():
        label = category[:1].upper() + category[1:]
        if category == "messages they sent":
            removed[label] = f"{count} replaced with “{REMOVED_MESSAGE}”."
        elif category == "guardian contact details":
            removed[label] = f"Removed from {count} consent record(s)."
        else:
            removed[label] = f"{count} removed."
    kept: dict[str, str] = {}
    if raised_any or held:
        kept["Safeguarding concerns"] = KEEP_SAFEGUARDING
    if held:
        kept[f"Pairings under safeguarding hold ({len(held)})"] = (
            "Their messages, meetings and attendance are kept unchanged. " + KEEP_SAFEGUARDING
        )
    if person_held:
        kept["Date of birth"] = KEEP_BIRTH_DATE
        kept["Guardian consent"] = KEEP_SAFEGUARDING
    if target.role == Role.MENTOR:
        kept["Vetting record"] = KEEP_VETTING
    if pairings:
        kept["Pairings, meetings and attendance"] = KEEP_ATTENDANCE
        kept["Survey answers"] = KEEP_SURVEYS
        kept["Message rows"] = KEEP_MESSAGE_ROWS
    kept["Audit log"] = KEEP_AUDIT

    await audit.record(
        session=session,
        actor=actor,
        action="person.erase",
        subject_type="user",
        subject_id=person_id,
        organisation_id=target.organisation_id,
        reason=reason,
        detail={"removed": counts, "kept": kept, "held_pairings": sorted(held)},
    )
    await session.commit()
    return ErasureReport(person_id=person_id, removed=removed, kept=kept)


__all__ = [
    "ARCHIVE_FORMAT",
    "EXPORT_NOTES",
    "REMOVED_MESSAGE",
    "ErasureReport",
    "erase_person",
    "export_person",
]
