"""Tables. Every datetime is timezone-aware UTC; roles and statuses are stored as short strings."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow


class Role(enum.StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"
    SAFEGUARDING = "safeguarding"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return "Safeguarding lead" if self is Role.SAFEGUARDING else self.value.capitalize()


class OrganisationKind(enum.StrEnum):
    SCHOOL = "school"
    COLLEGE = "college"
    YOUTH_ORGANISATION = "youth_organisation"
    OTHER = "other"


class DBSCheckType(enum.StrEnum):
    ENHANCED_DBS = "enhanced_dbs"  # England and Wales
    PVG = "pvg"  # Scotland
    ACCESSNI = "accessni"  # Northern Ireland


class ConsentMethod(enum.StrEnum):
    WRITTEN = "written"
    EMAIL = "email"
    ONLINE_FORM = "online_form"
    VERBAL = "verbal"


class PairingStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class MeetingStatus(enum.StrEnum):
    PROPOSED = "proposed"  # by the mentor, waiting for the mentee
    SCHEDULED = "scheduled"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def _utc_column(*, nullable: bool = False, index: bool = False) -> Column[dt.datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def _user_column() -> Column[int]:
    """An optional reference to a person that outlives their account (erasure clears it)."""
    return Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True)


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    kind: str = Field(default=OrganisationKind.COLLEGE, sa_type=String(30))
    timezone: str = Field(default="Europe/London", sa_type=String(64))
    # Lets coordinators match this organisation's mentees with mentors of other organisations.
    network_matching: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    # The deputy safeguarding lead: untriaged concerns escalate to them (and to the admins).
    deputy_safeguarding_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            # use_alter: organisation and user point at each other.
            ForeignKey(
                "user.id",
                name="fk_organisation_deputy_safeguarding",
                ondelete="SET NULL",
                use_alter=True,
            ),
            nullable=True,
        ),
    )


class User(SQLModel, table=True):
    __table_args__ = (Index("ix_user_organisation_role", "organisation_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    # Stored case-folded, so the unique constraint is case-insensitive on every database.
    email: str = Field(sa_column=Column(String(254), nullable=False, unique=True))
    display_name: str = Field(sa_type=String(100))
    role: str = Field(sa_type=String(20))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    timezone: str = Field(default="Europe/London", sa_type=String(64))
    date_of_birth: dt.date | None = None
    password_hash: str | None = Field(default=None, sa_type=String(200))
    is_active: bool = True
    message_alerts: bool = True  # e-mailed when a partner's messages wait unread
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    activated_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class MentorVetting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="user.id", unique=True)
    check_type: str = Field(default=DBSCheckType.ENHANCED_DBS, sa_type=String(20))
    dbs_issue_date: dt.date | None = None
    update_service: bool = False
    update_service_checked_on: dt.date | None = None
    references_checked: bool = False
    training_completed: bool = False
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class GuardianConsent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    mentee_id: int = Field(foreign_key="user.id", index=True)
    guardian_name: str = Field(sa_type=String(100))
    guardian_contact: str = Field(sa_type=String(254))
    consent_date: dt.date
    method: str = Field(sa_type=String(20))
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    withdrawn_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class Pairing(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="user.id", index=True)
    mentee_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    status: str = Field(default=PairingStatus.ACTIVE, sa_type=String(20))
    started_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    ended_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    end_reason: str | None = Field(default=None, sa_type=String(500))


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True)
    starts_at: dt.datetime = Field(sa_column=_utc_column(index=True))
    duration_minutes: int = 60
    status: str = Field(default=MeetingStatus.SCHEDULED, sa_type=String(20))
    # Occurrences booked together share a series; "all future" changes act on it.
    series_id: str | None = Field(default=None, sa_type=String(36), index=True)
    # Calendar SEQUENCE: bumped on every change so calendars update the same event.
    sequence: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    # Set when safeguarding staff end a meeting for safety: its room never opens again.
    ended_early_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    ended_by_id: int | None = Field(default=None, foreign_key="user.id")
    end_reason: str | None = Field(default=None, sa_type=String(500))

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class AuthSession(SQLModel, table=True):
    """A server-side login session; the cookie holds a random token whose hash is stored here."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    expires_at: dt.datetime = Field(sa_column=_utc_column())
    revoked_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    ip_address: str | None = Field(default=None, sa_type=String(64))
    user_agent: str | None = Field(default=None, sa_type=String(300))


class AccountToken(SQLModel, table=True):
    """Single-use, expiring links: invitations and password resets."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    purpose: str = Field(sa_type=String(20))
    user_id: int = Field(foreign_key="user.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    expires_at: dt.datetime = Field(sa_column=_utc_column())
    used_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class LoginFailure(SQLModel, table=True):
    __table_args__ = (
        Index("ix_loginfailure_email_at", "email", "at"),
        Index("ix_loginfailure_ip_at", "ip_address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(254))
    ip_address: str = Field(sa_type=String(64))
    at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class OutboxEmail(SQLModel, table=True):
    __table_args__ = (Index("ix_outboxemail_status_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(sa_type=String(254))
    subject: str = Field(sa_type=String(300))
    body_text: str = Field(sa_type=Text)
    # An iCalendar invitation attached to the message (METHOD REQUEST or CANCEL), if any.
    calendar: str | None = Field(default=None, sa_type=Text)
    calendar_method: str | None = Field(default=None, sa_type=String(10))
    status: str = Field(default=OutboxStatus.PENDING, sa_type=String(20))
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    claimed_until: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    last_error: str | None = Field(default=None, sa_type=String(500))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    sent_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class MessageStatus(enum.StrEnum):
    DELIVERED = "delivered"  # visible to both members (a FLAG verdict is delivered too)
    HELD = "held"  # awaiting safeguarding review; only the sender sees it
    REJECTED = "rejected"  # a reviewer declined it; never delivered


class Review(enum.StrEnum):
    """What safeguarding staff decided about a held or flagged message."""

    APPROVED = "approved"  # held, then delivered as written
    REDACTED = "redacted"  # held, then delivered with contact details removed
    REJECTED = "rejected"  # held, never delivered; the sender is told
    ACKNOWLEDGED = "acknowledged"  # flagged (already delivered) and looked at


class Conversation(SQLModel, table=True):
    """The one conversation of a pairing; `last_seq` hands out gap-free message positions."""

    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", unique=True)
    last_seq: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class Message(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_message_conversation_seq"),
        UniqueConstraint("sender_id", "client_id", name="uq_message_sender_client"),
        Index("ix_message_status_created", "status", "created_at"),
        # The review queue's other half: flagged messages nobody has looked at yet.
        Index("ix_message_verdict_review", "verdict", "review"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    seq: int
    sender_id: int = Field(foreign_key="user.id")
    client_id: str = Field(sa_type=String(64))
    body: str = Field(sa_type=Text)
    status: str = Field(sa_type=String(20))
    verdict: str = Field(sa_type=String(10))
    reasons: str = Field(default="", sa_type=Text)  # screening reasons, one per line
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    review: str | None = Field(default=None, sa_type=String(20))  # a Review, once decided
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    original_body: str | None = Field(default=None, sa_type=Text)  # kept when redacted


class ConversationRead(SQLModel, table=True):
    """How far each member has read, for unread counts."""

    __table_args__ = (UniqueConstraint("conversation_id", "user_id", name="uq_read_member"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    user_id: int = Field(foreign_key="user.id")
    last_read_seq: int = 0
    alerted_seq: int = 0  # the partner's messages up to here were announced by e-mail


class RiskTermRow(SQLModel, table=True):
    """A safeguarding phrase the screening looks for; safeguarding leads maintain the list."""

    __tablename__ = "riskterm"

    id: int | None = Field(default=None, primary_key=True)
    phrase: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    severity: str = Field(sa_type=String(10))
    category: str = Field(sa_type=String(40))
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class RoomEvent(SQLModel, table=True):
    """Append-only: each time someone entered or left a meeting's room."""

    __table_args__ = (Index("ix_roomevent_meeting", "meeting_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    user_id: int = Field(foreign_key="user.id")
    joined: bool
    observer: bool = False
    at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class Attendance(SQLModel, table=True):
    """Per meeting and participant: when their media first arrived and for how long it flowed."""

    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_attendance_member"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    first_media_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    media_seconds: float = 0.0


class ConcernStatus(enum.StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ACTION_TAKEN = "action_taken"
    CLOSED = "closed"


class Concern(SQLModel, table=True):
    """A safeguarding concern; the case workflow around it belongs to the safeguarding console."""

    __table_args__ = (Index("ix_concern_status_created", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    raised_by_id: int = Field(foreign_key="user.id")
    pairing_id: int | None = Field(default=None, foreign_key="pairing.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    description: str = Field(sa_type=Text)  # the reporter's words: what was seen or said
    status: str = Field(default=ConcernStatus.NEW, sa_type=String(20))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    # The case workflow (see server/concern_cases.py) and the NSPCC-style record.
    subject_id: int | None = Field(default=None, sa_column=_user_column())  # who it is about
    assignee_id: int | None = Field(default=None, sa_column=_user_column())
    triaged_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    closed_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    escalated_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    observed_by: str | None = Field(default=None, sa_type=String(200))
    occurred_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    action_taken: str | None = Field(default=None, sa_type=Text)
    referred: bool | None = None
    referred_to: str | None = Field(default=None, sa_type=String(300))
    no_referral_reason: str | None = Field(default=None, sa_type=Text)


class Profile(SQLModel, table=True):
    """What matching looks at. Tags are stored one per line, lower-case."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    interests: str = Field(default="", sa_type=Text)
    sectors: str = Field(default="", sa_type=Text)
    goals: str = Field(default="", sa_type=Text)  # mentees: goals; mentors: what they help with
    languages: str = Field(default="english", sa_type=Text)
    # Weekly availability in the person's zone: "weekday start end" per line (0 = Monday).
    availability: str = Field(default="", sa_type=Text)
    capacity: int = 2  # mentors: maximum active mentees
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class Reminder(SQLModel, table=True):
    """One reminder e-mail for one meeting at one start time; sent at most once."""

    __table_args__ = (
        UniqueConstraint("meeting_id", "kind", "starts_at", name="uq_reminder_once"),
        Index("ix_reminder_due", "sent_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    kind: str = Field(sa_type=String(10))  # "24h" | "1h"
    starts_at: dt.datetime = Field(sa_column=_utc_column())  # the start it reminds of
    due_at: dt.datetime = Field(sa_column=_utc_column())
    sent_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class PersonalToken(SQLModel, table=True):
    """Secrets people hold: API tokens and private calendar feed addresses (stored hashed)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    purpose: str = Field(sa_type=String(20))  # "api" | "calendar"
    name: str = Field(default="", sa_type=String(100))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    last_used_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class VettingWarning(SQLModel, table=True):
    """That the mentor and coordinators were warned of a check lapsing on a date (once each)."""

    __table_args__ = (UniqueConstraint("mentor_id", "lapses_on", name="uq_vetting_warning"),)

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="user.id")
    lapses_on: dt.date
    sent_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class AuditEntry(SQLModel, table=True):
    """One staff read or action on personal data: append-only, each entry covering the last."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    actor_id: int | None = Field(default=None, foreign_key="user.id")  # None: the system
    action: str = Field(sa_type=String(40))  # e.g. "transcript.view"
    subject_type: str = Field(sa_type=String(40))
    subject_id: int | None = None
    organisation_id: int | None = Field(default=None, index=True)  # no foreign key: kept forever
    reason: str = Field(sa_type=Text)
    detail: str | None = Field(default=None, sa_type=Text)  # canonical JSON
    # Unique: two entries claiming the same predecessor would fork the chain.
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))


# Retention and data rights -------------------------------------------------------------------


class RetentionPolicy(SQLModel, table=True):
    """How long one type of record is kept, counted from its anchor (see server/retention.py)."""

    __tablename__ = "retention_policy"

    record_type: str = Field(sa_type=String(40), primary_key=True)
    days: int
    anchor: str = Field(sa_type=String(40))  # what the period counts from, fixed per type
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class JobRun(SQLModel, table=True):
    """That a daily job ran on a day: the unique row stops a second worker running it again."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("name", "ran_on", name="uq_job_run_day"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(40))
    ran_on: dt.date
    started_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


# Concern cases ----------------------------------------------------------------------------
# Children of a concern go with it (ON DELETE CASCADE), so the retention purge deletes a
# concern row alone.


class ConcernNote(SQLModel, table=True):
    """Append-only case notes: never edited."""

    __tablename__ = "concern_note"

    id: int | None = Field(default=None, primary_key=True)
    concern_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("concern.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    author_id: int | None = Field(default=None, sa_column=_user_column())
    body: str = Field(sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class ConcernLink(SQLModel, table=True):
    """A chat message or a meeting of the case's pairing, linked to the case as evidence."""

    __tablename__ = "concern_link"
    __table_args__ = (
        UniqueConstraint("concern_id", "message_id", name="uq_concern_link_message"),
        UniqueConstraint("concern_id", "meeting_id", name="uq_concern_link_meeting"),
    )

    id: int | None = Field(default=None, primary_key=True)
    concern_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("concern.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    message_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("message.id", ondelete="CASCADE"), nullable=True),
    )
    meeting_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("meeting.id", ondelete="CASCADE"), nullable=True),
    )
    linked_by_id: int | None = Field(default=None, sa_column=_user_column())
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


# --- Surveys (the impact report's source) ---------------------------------------------------


class SurveyKind(enum.StrEnum):
    MENTEE_START = "mentee_start"
    MENTEE_MID = "mentee_mid"
    MENTEE_END = "mentee_end"
    MENTOR_END = "mentor_end"
    MEETING_CHECKIN = "meeting_checkin"


class SurveyInvitation(SQLModel, table=True):
    """One survey one person is asked to answer; answered or skipped at most once.

    `key` names the occasion (kind, pairing or meeting, person): its uniqueness keeps a second
    worker, or a dashboard and a worker at once, from inviting anyone twice.
    """

    __table_args__ = (
        Index("ix_surveyinvitation_user_due", "user_id", "due_at"),
        Index("ix_surveyinvitation_reminder", "reminded_at", "due_at"),
        Index("ix_surveyinvitation_report", "organisation_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    kind: str = Field(sa_type=String(20))
    pairing_id: int = Field(foreign_key="pairing.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    user_id: int = Field(foreign_key="user.id")
    organisation_id: int = Field(foreign_key="organisation.id")
    due_at: dt.datetime = Field(sa_column=_utc_column())
    closes_at: dt.datetime = Field(sa_column=_utc_column())
    answered_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    skipped_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    reminded_at: dt.datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class SurveyAnswer(SQLModel, table=True):
    """One item of a submitted survey: 1–5, or None when that question was skipped."""

    __table_args__ = (UniqueConstraint("invitation_id", "item", name="uq_surveyanswer_item"),)

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="surveyinvitation.id")
    item: str = Field(sa_type=String(20))
    value: int | None = None


__all__ = [
    "AccountToken",
    "Attendance",
    "AuditEntry",
    "AuthSession",
    "Concern",
    "ConcernLink",
    "ConcernNote",
    "ConcernStatus",
    "ConsentMethod",
    "Conversation",
    "ConversationRead",
    "DBSCheckType",
    "GuardianConsent",
    "JobRun",
    "LoginFailure",
    "Meeting",
    "MeetingStatus",
    "MentorVetting",
    "Message",
    "MessageStatus",
    "Organisation",
    "OrganisationKind",
    "OutboxEmail",
    "OutboxStatus",
    "Pairing",
    "PairingStatus",
    "PersonalToken",
    "Profile",
    "Reminder",
    "RetentionPolicy",
    "RiskTermRow",
    "Role",
    "RoomEvent",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyKind",
    "TokenPurpose",
    "User",
    "VettingWarning",
]
