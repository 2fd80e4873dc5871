"""Request and response bodies of the JSON API, as pydantic models (they also make the OpenAPI).

Requests are strict: unknown fields are refused, numbers must be JSON numbers and true/false
must be JSON booleans, so a typo never silently means something else.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

from server.scheduling.meetings import MAX_DURATION, MIN_DURATION, Scope
from server.scheduling.recurrence import MAX_OCCURRENCES, Frequency

MAX_ID = 2**31 - 1  # ids are 32-bit integers in every database we run on
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


def parse_local_datetime(value: object) -> dt.datetime:
    """A wall-clock date and time, read in the organisation's zone; an offset is refused."""
    if not isinstance(value, str) or not _LOCAL.fullmatch(value):
        raise ValueError(
            "give a local date and time like 2026-03-16T17:00, without a time zone "
            "(it is read in the organisation's time zone)"
        )
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a real date and time") from None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise ValueError(f"choose a date between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return parsed


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
LocalDateTime = Annotated[
    dt.datetime,
    PlainValidator(parse_local_datetime),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{_LOCAL.pattern}$",
            "description": "Wall-clock time in the organisation's time zone, without an offset.",
            "examples": ["2026-03-16T17:00"],
        }
    ),
]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Duration = Annotated[int, Field(ge=MIN_DURATION, le=MAX_DURATION)]


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class PairingCreate(RequestBody):
    """Pair a vetted mentor with a mentee (coordinators and admins)."""

    mentor_id: Id
    mentee_id: Id


class PairingEnd(RequestBody):
    """End a pairing as completed (even early) or withdrawn, with the reason."""

    outcome: Literal["completed", "withdrawn"]
    reason: str = Field(min_length=1, max_length=500)


class MeetingCreate(RequestBody):
    """Book one meeting or a series; a mentor's booking is a proposal for the mentee to answer."""

    pairing_id: Id
    starts_at_local: LocalDateTime
    duration_minutes: Duration
    repeat: Frequency = Frequency.ONCE
    count: int | None = Field(default=None, ge=1, le=MAX_OCCURRENCES)
    until: dt.date | None = Field(
        default=None, description="Date of the last meeting (local, inclusive)."
    )


class MeetingReschedule(RequestBody):
    """Move one meeting, or it and every later one in its series by the same wall-clock shift.

    Give `starts_at_local`, `duration_minutes` or both; what is left out stays as it is.
    """

    starts_at_local: LocalDateTime | None = None
    duration_minutes: Duration | None = None
    scope: Scope = Scope.ONE


class MeetingCancel(RequestBody):
    scope: Scope = Scope.ONE


class ProposalAnswer(RequestBody):
    """The mentee's answer to the meeting (or series) their mentor proposed."""

    accept: bool


class TokenCreate(RequestBody):
    name: str = Field(min_length=1, max_length=100)


class Person(BaseModel):
    id: int
    name: str


class PairingOut(BaseModel):
    id: int
    mentor: Person
    mentee: Person
    organisation_id: int
    status: Literal["active", "completed", "withdrawn"]
    started_at: Timestamp
    ended_at: Timestamp | None
    end_reason: str | None


class PairingList(BaseModel):
    pairings: list[PairingOut]


class MeetingOut(BaseModel):
    id: int
    pairing_id: int
    starts_at: Timestamp = Field(description="UTC, e.g. 2026-03-16T17:00:00Z.")
    ends_at: Timestamp
    starts_at_local: Timestamp = Field(description="In the organisation's zone, with its offset.")
    timezone: str
    duration_minutes: int
    status: Literal["proposed", "scheduled", "declined", "cancelled"]
    series_id: str | None
    sequence: int


class MeetingList(BaseModel):
    meetings: list[MeetingOut]


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: Timestamp
    last_used_at: Timestamp | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret: shown this once, only its hash is kept.")


class TokenList(BaseModel):
    tokens: list[TokenOut]


class ReviewDecision(RequestBody):
    decision: Literal["approve", "reject", "redact", "acknowledge"]
    text: str | None = Field(
        default=None, max_length=4000, description="For redact: the text to deliver instead."
    )


class ReviewItemOut(BaseModel):
    message_id: int
    conversation_id: int
    pairing_id: int
    seq: int
    sender: Person
    text: str
    status: Literal["delivered", "held", "rejected"]
    verdict: Literal["DELIVER", "FLAG", "HOLD"]
    reasons: list[str]
    review: Literal["approved", "redacted", "rejected", "acknowledged"] | None
    sent_at: Timestamp


class ReviewQueue(BaseModel):
    items: list[ReviewItemOut]


class ErrorDetail(BaseModel):
    message: str
    field: str | None


class ErrorOut(BaseModel):
    error: ErrorDetail


# Concern cases (safeguarding leads) ---------------------------------------------------------

ConcernState = Literal["new", "triaged", "action_taken", "closed"]


class ConcernTransition(RequestBody):
    """Move a case one step on (new → triaged → action_taken → closed), with what that step
    needs: an assignee to triage, the action taken, then the complete record to close."""

    to: Literal["triaged", "action_taken", "closed"]
    assignee_id: Id | None = None
    action_taken: str | None = Field(default=None, max_length=5000)
    observed_by: str | None = Field(default=None, max_length=200)
    occurred_at: Timestamp | None = Field(
        default=None, description="When it happened: ISO 8601 with an offset or Z."
    )
    referred: bool | None = None
    referred_to: str | None = Field(default=None, max_length=300)
    no_referral_reason: str | None = Field(default=None, max_length=5000)


class ConcernSummaryOut(BaseModel):
    id: int
    organisation_id: int | None
    pairing_id: int | None
    subject_id: int | None
    raised_by: Person
    assignee: Person | None
    status: ConcernState
    created_at: Timestamp
    triaged_at: Timestamp | None
    closed_at: Timestamp | None
    escalated_at: Timestamp | None
    overdue: bool = Field(description="Still new after the escalation time.")


class ConcernList(BaseModel):
    concerns: list[ConcernSummaryOut]
    counts: dict[str, int] = Field(description="Cases in the caller's scope by status.")


class ConcernNoteOut(BaseModel):
    id: int
    author: str
    body: str
    created_at: Timestamp


class LinkedMessageOut(BaseModel):
    message_id: int
    seq: int
    sender: str
    body: str
    status: str
    created_at: Timestamp


class LinkedMeetingOut(BaseModel):
    meeting_id: int
    starts_at: Timestamp
    status: str


class ConcernOut(ConcernSummaryOut):
    description: str = Field(description="What was seen or said, in the reporter's words.")
    observed_by: str | None
    occurred_at: Timestamp | None
    action_taken: str | None
    referred: bool | None
    referred_to: str | None
    no_referral_reason: str | None
    notes: list[ConcernNoteOut]
    messages: list[LinkedMessageOut]
    meetings: list[LinkedMeetingOut]
    next_status: ConcernState | None
    missing_for_close: list[str]
