"""Retention: how long each type of record is kept, and the nightly purge of what is due.

Each record type has a period in days counted from an anchor that is fixed for the type (the
admin changes the period, never the anchor). Safeguarding holds win over periods:

- a pairing with ANY concern row (whatever its status) is under hold: none of its messages,
  conversation reads, meetings, room events, attendance or reminders are purged;
- a concern is purged only once it is closed and its own (long) period has passed;
- the audit log is never purged: the database refuses to change or remove its rows.

The purge deletes children before parents, reports counts (never content) to the log and to
the audit log, and runs at most once a day however many workers there are (a `job_run` row).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import audit
from server.db import Database, utcnow
from server.errors import InvalidInput
from server.models import (
    AccountToken,
    Attendance,
    AuditEntry,
    AuthSession,
    Concern,
    ConcernStatus,
    Conversation,
    ConversationRead,
    JobRun,
    LoginFailure,
    Meeting,
    Message,
    OutboxEmail,
    OutboxStatus,
    Pairing,
    Reminder,
    RetentionPolicy,
    Role,
    RoomEvent,
    SurveyAnswer,
    SurveyInvitation,
    User,
)

log = logging.getLogger("mentormeet.retention")

PURGE_JOB = "retention.purge"
# 25 years in days, leap days included: the IRMS toolkit for schools keeps child protection
# records until the child's date of birth + 25 years.
CONCERN_FLOOR_DAYS = 9131


class RecordType(enum.StrEnum):
    CHAT_MESSAGES = "chat_messages"
    MEETINGS = "meetings"
    CONCERNS = "concerns"
    OUTBOX_EMAILS = "outbox_emails"
    LOGIN_FAILURES = "login_failures"
    SESSIONS_AND_TOKENS = "sessions_and_tokens"


@dataclass(frozen=True)
class RecordKind:
    record_type: RecordType
    label: str
    anchor: str
    anchor_text: str  # the anchor in plain words, for the admin page
    default_days: int
    min_days: int
    max_days: int
    minimum_reason: str


KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        RecordType.CHAT_MESSAGES,
        "Chat messages",
        "pairing_end",
        "Counted from the day the pairing ended. Messages of an active pairing are kept, and so "
        "is the whole conversation of a pairing with any safeguarding concern.",
        730,
        90,
        3650,
        "Safeguarding leads need time after a pairing ends to look back at what was said.",
    ),
    RecordKind(
        RecordType.MEETINGS,
        "Meetings and attendance",
        "pairing_end",
        "Counted from the day the pairing ended: its meetings, reminders, room entries and "
        "attendance go together. Kept while a pairing has any safeguarding concern.",
        730,
        90,
        3650,
        "Attendance feeds the impact report for the programme year after a pairing ends.",
    ),
    RecordKind(
        RecordType.CONCERNS,
        "Safeguarding concerns",
        "subject_date_of_birth",
        "Counted from the date of birth of the young person the concern is about (the person "
        "it names, else the mentee of the pairing, else the mentee who raised it). Where no date "
        "of birth is known, counted from the day the case was closed. Only closed concerns are "
        "ever removed.",
        CONCERN_FLOOR_DAYS,
        CONCERN_FLOOR_DAYS,
        36525,
        "Child protection records are kept until the young person's date of birth + 25 years "
        "(IRMS toolkit for schools; Keeping Children Safe in Education): a shorter period "
        "could destroy records a later inquiry needs.",
    ),
    RecordKind(
        RecordType.OUTBOX_EMAILS,
        "Sent e-mails",
        "sent",
        "Copies of e-mails the platform sent, counted from the moment they were sent (failed "
        "ones from when they were queued). E-mails still waiting to go are never removed.",
        90,
        7,
        3650,
        "A week lets staff answer 'did the invitation go out?'.",
    ),
    RecordKind(
        RecordType.LOGIN_FAILURES,
        "Failed log-in attempts",
        "attempt",
        "Counted from the failed attempt. Recent attempts are what slows down password guessing.",
        30,
        1,
        365,
        "Throttling needs at least the last day of attempts.",
    ),
    RecordKind(
        RecordType.SESSIONS_AND_TOKENS,
        "Ended log-in sessions and used links",
        "expiry_or_use",
        "Log-in sessions counted from when they expired or were ended; invitation and "
        "password-reset links from when they were used or expired.",
        30,
        1,
        365,
        "A day keeps enough to investigate a suspicious log-in reported the same day.",
    ),
)
KIND_BY_VALUE = {kind.record_type.value: kind for kind in KINDS}
AUDIT_LOG_RETENTION = (
    "Kept forever (append-only). The database refuses to change or remove audit entries, and "
    "each entry covers the one before it, so the record of who read or changed personal data "
    "cannot be purged or edited."
)


@dataclass(frozen=True)
class PolicyView:
    kind: RecordKind
    days: int
    updated_at: dt.datetime | None
    updated_by_id: int | None


class PolicyErrors(InvalidInput):
    """Every period out of range at once, keyed by record type."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()), field=next(iter(errors), None))
        self.errors = errors


async def policies(*, session: AsyncSession) -> list[PolicyView]:
    """Every record type's period (the default where none is stored), in KINDS order."""
    stored = {row.record_type: row for row in (await session.exec(select(RetentionPolicy))).all()}
    views = []
    for kind in KINDS:
        row = stored.get(kind.record_type)
        views.append(
            PolicyView(
                kind=kind,
                days=row.days if row else kind.default_days,
                updated_at=row.updated_at if row else None,
                updated_by_id=row.updated_by_id if row else None,
            )
        )
    return views


async def update_policies(
    *, session: AsyncSession, actor: User, days: dict[str, int]
) -> list[PolicyView]:
    """Sets the periods given (whole days within each type's bounds); audited; commits."""
    errors: dict[str, str] = {}
    for record_type, value in days.items():
        kind = KIND_BY_VALUE.get(record_type)
        if kind is None:
            errors[record_type] = f"Unknown record type {record_type[:40]!r}."
        elif not kind.min_days <= value <= kind.max_days:
            errors[record_type] = (
                f"{kind.label}: keep for between {kind.min_days} and {kind.max_days} days."
                + (f" {kind.minimum_reason}" if value < kind.min_days else "")
            )
    if errors:
        raise PolicyErrors(errors)
    now = utcnow()
    changes: dict[str, dict[str, int]] = {}
    current = {view.kind.record_type.value: view.days for view in await policies(session=session)}
    for record_type, value in days.items():
        if current[record_type] == value:
            continue
        changes[record_type] = {"from": current[record_type], "to": value}
        row = await session.get(RetentionPolicy, record_type)
        if row is None:
            row = RetentionPolicy(
                record_type=record_type,
                days=value,
                anchor=KIND_BY_VALUE[record_type].anchor,
            )
        row.days, row.updated_by_id, row.updated_at = value, actor.id, now
        session.add(row)
    if changes:
        await audit.record(
            session=session,
            actor=actor,
            action="retention.update",
            subject_type="retention_policy",
            subject_id=None,
            organisation_id=None,
            reason="Retention periods changed on the retention page",
            detail={"changes": changes},
        )
    await session.commit()
    return await policies(session=session)


@dataclass
class PurgeReport:
    """Rows removed (or, in a dry run, due) per record type and table. Counts only."""

    dry_run: bool = False
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def total(self, record_type: RecordType | None = None) -> int:
        types = [record_type.value] if record_type else list(self.counts)
        return sum(sum(self.counts.get(name, {}).values()) for name in types)

    def as_json(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "counts": self.counts, "total": self.total()}


def held_pairing_ids() -> sa.Select[tuple[int | None]]:
    """Pairings under safeguarding hold: any concern row names them, whatever its status."""
    return sa.select(col(Concern.pairing_id)).where(col(Concern.pairing_id).is_not(None))


def _ended_before(cutoff: dt.datetime) -> sa.Select[tuple[int | None]]:
    """Pairings that ended on or before `cutoff` and are not under hold."""
    return sa.select(col(Pairing.id)).where(
        col(Pairing.ended_at).is_not(None),
        col(Pairing.ended_at) <= cutoff,
        col(Pairing.id).not_in(held_pairing_ids()),
    )


def _due_concerns(cutoff: dt.datetime) -> sa.Select[tuple[int | None]]:
    """Closed concerns whose subject's date of birth (else the day closed) is before `cutoff`."""
    subject = aliased(User)
    mentee = aliased(User)
    raiser = aliased(User)
    subject_birth = sa.case(
        (col(Concern.subject_id).is_not(None), subject.date_of_birth),
        (col(Concern.pairing_id).is_not(None), mentee.date_of_birth),
        (col(raiser.role) == Role.MENTEE.value, raiser.date_of_birth),
        else_=None,
    )
    closed = sa.func.coalesce(col(Concern.closed_at), col(Concern.created_at))
    return (
        sa.select(col(Concern.id))
        .join(raiser, col(raiser.id) == Concern.raised_by_id)
        .outerjoin(subject, col(subject.id) == Concern.subject_id)
        .outerjoin(Pairing, col(Pairing.id) == Concern.pairing_id)
        .outerjoin(mentee, col(mentee.id) == Pairing.mentee_id)
        .where(
            col(Concern.status) == ConcernStatus.CLOSED.value,
            sa.or_(
                sa.and_(subject_birth.is_not(None), subject_birth <= cutoff.date()),
                sa.and_(subject_birth.is_(None), closed <= cutoff),
            ),
        )
    )


def _steps(days: dict[str, int], now: dt.datetime) -> list[tuple[RecordType, Any, Any]]:
    """(record type, table, WHERE clause) in deletion order: children before their parents.
    Concerns go after the pairings' records so tonight's hold is decided before any goes."""

    def cutoff(record_type: RecordType) -> dt.datetime:
        return now - dt.timedelta(days=days[record_type.value])

    chat_pairings = _ended_before(cutoff(RecordType.CHAT_MESSAGES))
    conversations = sa.select(col(Conversation.id)).where(
        col(Conversation.pairing_id).in_(chat_pairings)
    )
    meetings = sa.select(col(Meeting.id)).where(
        col(Meeting.pairing_id).in_(_ended_before(cutoff(RecordType.MEETINGS))),
        col(Meeting.id).not_in(
            sa.select(col(Concern.meeting_id)).where(col(Concern.meeting_id).is_not(None))
        ),
    )
    # After-meeting check-ins go with their meeting (pairing surveys stay with the pairing).
    checkins = sa.select(col(SurveyInvitation.id)).where(
        col(SurveyInvitation.meeting_id).in_(meetings)
    )
    emails_cutoff = cutoff(RecordType.OUTBOX_EMAILS)
    logins_cutoff = cutoff(RecordType.SESSIONS_AND_TOKENS)
    chat, meeting = RecordType.CHAT_MESSAGES, RecordType.MEETINGS
    return [
        (chat, Message, col(Message.conversation_id).in_(conversations)),
        (chat, ConversationRead, col(ConversationRead.conversation_id).in_(conversations)),
        (chat, Conversation, col(Conversation.id).in_(conversations)),
        (meeting, Reminder, col(Reminder.meeting_id).in_(meetings)),
        (meeting, RoomEvent, col(RoomEvent.meeting_id).in_(meetings)),
        (meeting, Attendance, col(Attendance.meeting_id).in_(meetings)),
        (meeting, SurveyAnswer, col(SurveyAnswer.invitation_id).in_(checkins)),
        (meeting, SurveyInvitation, col(SurveyInvitation.id).in_(checkins)),
        (meeting, Meeting, col(Meeting.id).in_(meetings)),
        (
            RecordType.CONCERNS,
            Concern,
            col(Concern.id).in_(_due_concerns(cutoff(RecordType.CONCERNS))),
        ),
        (
            RecordType.OUTBOX_EMAILS,
            OutboxEmail,
            sa.or_(
                sa.and_(
                    col(OutboxEmail.status) == OutboxStatus.SENT.value,
                    col(OutboxEmail.sent_at) <= emails_cutoff,
                ),
                sa.and_(
                    col(OutboxEmail.status) == OutboxStatus.FAILED.value,
                    col(OutboxEmail.created_at) <= emails_cutoff,
                ),
            ),
        ),
        (
            RecordType.LOGIN_FAILURES,
            LoginFailure,
            col(LoginFailure.at) <= cutoff(RecordType.LOGIN_FAILURES),
        ),
        (
            RecordType.SESSIONS_AND_TOKENS,
            AuthSession,
            sa.or_(
                col(AuthSession.expires_at) <= logins_cutoff,
                col(AuthSession.revoked_at) <= logins_cutoff,
            ),
        ),
        (
            RecordType.SESSIONS_AND_TOKENS,
            AccountToken,
            sa.or_(
                col(AccountToken.expires_at) <= logins_cutoff,
                col(AccountToken.used_at) <= logins_cutoff,
            ),
        ),
    ]


async def purge_due(
    *,
    session: AsyncSession,
    now: dt.datetime,
    dry_run: bool = False,
    reason: str = "Nightly purge of records past their retention period",
) -> PurgeReport:
    """Deletes what is due (a dry run only counts it) and, when anything went, records the
    counts in the audit log.

    Runs in the caller's transaction: the caller commits (or rolls back)."""
    days = {view.kind.record_type.value: view.days for view in await policies(session=session)}
    report = PurgeReport(dry_run=dry_run, counts={kind.record_type.value: {} for kind in KINDS})
    connection = await session.connection()
    for record_type, model, where in _steps(days, now):
        table = model.__table__
        if dry_run:
            statement = sa.select(sa.func.count()).select_from(table).where(where)
            removed = int((await connection.execute(statement)).scalar_one())
        else:
            removed = (await connection.execute(sa.delete(table).where(where))).rowcount
        report.counts[record_type.value][table.name] = removed
    if dry_run:
        return report
    log.info("retention purge removed %s", json.dumps(report.counts, sort_keys=True))
    if report.total() == 0:  # the day's job_run row already says that it ran
        return report
    await audit.record(
        session=session,
        actor=None,
        action="retention.purge",
        subject_type="retention_policy",
        subject_id=None,
        organisation_id=None,
        reason=reason,
        detail={"counts": report.counts, "periods_days": days},
    )
    return report


async def run_nightly_purge(db: Database, *, now: dt.datetime, hour_utc: int) -> PurgeReport | None:
    """Purges once per UTC day, from `hour_utc` on; None when it is too early or already done
    (by this worker or another: the day's `job_run` row is taken in the purge's transaction)."""
    if now.hour < hour_utc:
        return None
    async with db.session() as session:
        session.add(JobRun(name=PURGE_JOB, ran_on=now.date(), started_at=now))
        try:
            await session.flush()
        except IntegrityError:
            await session.rollback()
            return None
        report = await purge_due(session=session, now=now)
        await session.commit()
    return report


async def last_purge(*, session: AsyncSession) -> tuple[dt.datetime, dict[str, Any]] | None:
    """When the last purge ran and what it removed, from the audit log."""
    entry = (
        await session.exec(
            select(AuditEntry)
            .where(AuditEntry.action == "retention.purge")
            .order_by(col(AuditEntry.id).desc())
            .limit(1)
        )
    ).first()
    if entry is None:
        return None
    detail: dict[str, Any] = json.loads(entry.detail or "{}")
    return entry.at, detail


__all__ = [
    "AUDIT_LOG_RETENTION",
    "CONCERN_FLOOR_DAYS",
    "KINDS",
    "PURGE_JOB",
    "PolicyErrors",
    "PolicyView",
    "PurgeReport",
    "RecordKind",
    "RecordType",
    "held_pairing_ids",
    "last_purge",
    "policies",
    "purge_due",
    "run_nightly_purge",
    "update_policies",
]
