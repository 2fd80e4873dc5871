"""JSON API v1 routes: pairings, meetings, concern cases, personal API tokens and
safeguarding review, over the domain functions.

Every route is one entry in `OPERATIONS`, which both registers it and describes it in the
OpenAPI document, so the two cannot drift apart. Scope follows `server.authz`: objects outside
the caller's reach answer 404, exactly as the pages do.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server import authz, concern_cases, review
from server.api.auth import api_requires, called_with_bearer
from server.api.openapi import Operation, QueryParam, document
from server.api.schemas import (
    MAX_ID,
    ConcernList,
    ConcernNoteOut,
    ConcernOut,
    ConcernSummaryOut,
    ConcernTransition,
    LinkedMeetingOut,
    LinkedMessageOut,
    MeetingCancel,
    MeetingCreate,
    MeetingList,
    MeetingOut,
    MeetingReschedule,
    PairingCreate,
    PairingEnd,
    PairingList,
    PairingOut,
    Person,
    ProposalAnswer,
    ReviewDecision,
    ReviewItemOut,
    ReviewQueue,
    TokenCreate,
    TokenCreated,
    TokenList,
    TokenOut,
)
from server.errors import DomainError, Forbidden, InvalidInput, NotFound
from server.models import (
    Concern,
    ConcernStatus,
    Meeting,
    MeetingStatus,
    Message,
    MessageStatus,
    Organisation,
    Pairing,
    PairingStatus,
    PersonalToken,
    Review,
    Role,
    User,
)
from server.pairing import create_pairing, end_pairing
from server.personal_tokens import Purpose, create_token, revoke_token, tokens_of
from server.scheduling.meetings import (
    cancel_meeting,
    reschedule_meeting,
    respond_to_proposal,
    schedule_meeting,
)
from server.scheduling.recurrence import Recurrence
from server.screening import Verdict
from server.web.auth import signed_in_user
from server.web.safeguarding import publish_decision

PREFIX = "/api/v1"
MAX_BODY = 16 * 1024
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
EVERYONE = tuple(Role)
BOOKERS = (Role.COORDINATOR, Role.ADMIN)
BodyT = TypeVar("BodyT", bound=BaseModel)


class PayloadTooLarge(DomainError):
    status_code = 413


# ---------------------------------------------------------------- reading requests


async def read_body(request: Request, model: type[BodyT]) -> BodyT:
    """The JSON body as `model`: 400 when it is not JSON, 422 naming the first bad field."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY} bytes.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise PayloadTooLarge(f"The request body is larger than {MAX_BODY} bytes.")
    try:
        return model.model_validate_json(body.strip() or b"{}")
    except ValidationError as error:
        raise _first_problem(error) from None


def _first_problem(error: ValidationError) -> DomainError:
    first = error.errors()[0]
    kind, location = first["type"], first["loc"]
    if kind == "json_invalid":
        return DomainError(f"The request body is not valid JSON: {first['ctx']['error']}.")
    if not location:
        return InvalidInput("Send a JSON object.")
    name = ".".join(str(part) for part in location)
    if kind == "extra_forbidden":
        return InvalidInput(f"Unexpected field {name!r}.", field=name)
    if kind == "missing":
        return InvalidInput(f"{name} is required.", field=name)
    message = str(first["msg"]).removeprefix("Value error, ")
    return InvalidInput(f"{name}: {message[0].lower()}{message[1:]}.", field=name)


def _query(request: Request, allowed: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key not in allowed:
            raise InvalidInput(f"Unexpected query parameter {key!r}.", field=key)
        if key in values:
            raise InvalidInput(f"Query parameter {key!r} was given more than once.", field=key)
        values[key] = value
    return values


def _int_value(value: str, name: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}.", field=name)
    return int(value)


def _instant(value: str, name: str) -> dt.datetime:
    """An ISO 8601 date and time with its UTC offset (or Z), as aware UTC."""
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise InvalidInput(
                f"{name} needs a UTC offset, e.g. 2026-03-16T17:00:00Z or +01:00.", field=name
            )
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(
            f"{name} must be an ISO 8601 date and time with an offset, e.g. 2026-03-16T17:00:00Z.",
            field=name,
        ) from None


def _choice(value: str, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise InvalidInput(f"{name} must be one of: {', '.join(choices)}.", field=name)
    return value


def _path_id(request: Request, name: str, thing: str) -> int:
    value = request.path_params[name]
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise NotFound(f"No such {thing}.")
    return value


@contextmanager
def api_fields(*, missing: str | None = None, **renames: str) -> Iterator[None]:
    """Names the API's own field in a domain error (the domain speaks of `starts_at`, say)."""
    try:
        yield
    except DomainError as error:
        if error.field in renames:
            error.field = renames[error.field]
        elif error.field is None and missing is not None and isinstance(error, NotFound):
            error.field = missing
        raise


# ---------------------------------------------------------------- writing responses


def utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meeting_out(meeting: Meeting, timezone: str) -> MeetingOut:
    local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(timezone))
    return MeetingOut(
        id=meeting.id or 0,
        pairing_id=meeting.pairing_id,
        starts_at=utc_text(meeting.starts_at),
        ends_at=utc_text(meeting.ends_at),
        starts_at_local=local.isoformat(timespec="seconds"),
        timezone=timezone,
        duration_minutes=meeting.duration_minutes,
        status=MeetingStatus(meeting.status).value,
        series_id=meeting.series_id,
        sequence=meeting.sequence,
    )


def pairing_out(pairing: Pairing, mentor: User, mentee: User) -> PairingOut:
    return PairingOut(
        id=pairing.id or 0,
        mentor=Person(id=mentor.id or 0, name=mentor.display_name),
        mentee=Person(id=mentee.id or 0, name=mentee.display_name),
        organisation_id=pairing.organisation_id,
        status=PairingStatus(pairing.status).value,
        started_at=utc_text(pairing.started_at),
        ended_at=utc_text(pairing.ended_at) if pairing.ended_at else None,
        end_reason=pairing.end_reason,
    )


def token_out(record: PersonalToken) -> TokenOut:
    return TokenOut(
        id=record.id or 0,
        name=record.name,
        created_at=utc_text(record.created_at),
        last_used_at=utc_text(record.last_used_at) if record.last_used_at else None,
    )


def respond(model: BaseModel, status: int = 200) -> Response:
    return JSONResponse(model.model_dump(mode="json"), status_code=status)


async def _pairing_json(session: AsyncSession, pairing: Pairing) -> PairingOut:
    mentor = await session.get(User, pairing.mentor_id)
    mentee = await session.get(User, pairing.mentee_id)
    assert mentor is not None and mentee is not None
    return pairing_out(pairing, mentor, mentee)


async def _meetings_json(session: AsyncSession, meetings: Sequence[Meeting]) -> MeetingList:
    zones: dict[int, str] = {}
    for meeting in meetings:
        if meeting.pairing_id not in zones:
            pairing = await session.get(Pairing, meeting.pairing_id)
            organisation = await session.get(
                Organisation, pairing.organisation_id if pairing else 0
            )
            zones[meeting.pairing_id] = organisation.timezone if organisation else "UTC"
    return MeetingList(meetings=[meeting_out(m, zones[m.pairing_id]) for m in meetings])


def _scope(user: User) -> ColumnElement[bool] | None:
    """Which pairings the caller may see: their own, their organisation's, or all."""
    if authz.role_of(user) in authz.PARTICIPANT_ROLES:
        return or_(col(Pairing.mentor_id) == user.id, col(Pairing.mentee_id) == user.id)
    if authz.is_platform_wide(user):
        return None
    return col(Pairing.organisation_id) == (user.organisation_id or 0)


# ---------------------------------------------------------------- pairings


@api_requires(*EVERYONE)
async def list_pairings(request: Request) -> Response:
    user = signed_in_user(request)
    query = _query(request, ("status", "limit"))
    mentor, mentee = aliased(User), aliased(User)
    statement = (
        select(Pairing, mentor, mentee)
        .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
        .join(mentee, col(mentee.id) == col(Pairing.mentee_id))
        .order_by(col(Pairing.started_at).desc(), col(Pairing.id).desc())
        .limit(_int_value(query.get("limit", str(DEFAULT_LIMIT)), "limit", 1, MAX_LIMIT))
    )
    scope = _scope(user)
    if scope is not None:
        statement = statement.where(scope)
    if "status" in query:
        status = _choice(query["status"], "status", [s.value for s in PairingStatus])
        statement = statement.where(col(Pairing.status) == status)
    async with request.app.state.db.session() as session:
        rows = (await session.exec(statement)).all()
    return respond(PairingList(pairings=[pairing_out(p, m, e) for p, m, e in rows]))


@api_requires(*BOOKERS)
async def create_pairing_api(request: Request) -> Response:
    body = await read_body(request, PairingCreate)
    async with request.app.state.db.session() as session:
        with api_fields(missing="mentee_id"):
            pairing = await create_pairing(
                session=session,
                actor=signed_in_user(request),
                mentor_id=body.mentor_id,
                mentee_id=body.mentee_id,
            )
        return respond(await _pairing_json(session, pairing), 201)


@api_requires(*BOOKERS)
async def end_pairing_api(request: Request) -> Response:
    pairing_id = _path_id(request, "pairing_id", "pairing")
    body = await read_body(request, PairingEnd)
    async with request.app.state.db.session() as session:
        pairing = await end_pairing(
            session=session,
            actor=signed_in_user(request),
            pairing_id=pairing_id,
            outcome=PairingStatus(body.outcome),
            reason=body.reason,
        )
        return respond(await _pairing_json(session, pairing))


# ---------------------------------------------------------------- safeguarding review


def review_item_out(message: Message, sender_name: str, pairing_id: int) -> ReviewItemOut:
    return ReviewItemOut(
        message_id=message.id or 0,
        conversation_id=message.conversation_id,
        pairing_id=pairing_id,
        seq=message.seq,
        sender=Person(id=message.sender_id, name=sender_name),
        text=message.body,
        status=MessageStatus(message.status).value,
        verdict=Verdict(message.verdict).value,
        reasons=message.reasons.splitlines(),
        review=Review(message.review).value if message.review else None,
        sent_at=utc_text(message.created_at),
    )


@api_requires(Role.SAFEGUARDING)
async def review_queue_api(request: Request) -> Response:
    _query(request, ())
    async with request.app.state.db.session() as session:
        items = await review.review_queue(session=session, viewer=signed_in_user(request))
    return respond(
        ReviewQueue(
            items=[
                review_item_out(item.line.message, item.line.sender_name, item.pairing.id or 0)
                for item in items
            ]
        )
    )


@api_requires(Role.SAFEGUARDING)
async def review_decision_api(request: Request) -> Response:
    message_id = _path_id(request, "message_id", "message")
    body = await read_body(request, ReviewDecision)
    decision = review.DECISIONS[body.decision]
    async with request.app.state.db.session() as session:
        decided = await review.decide(
            session=session,
            reviewer=signed_in_user(request),
            message_id=message_id,
            decision=decision,
            screener=request.app.state.screening.screener,
            redacted_text=body.text,
        )
    await publish_decision(request, decided)
    return respond(review_item_out(decided.message, decided.sender_name, decided.pairing_id))


# ---------------------------------------------------------------- meetings


@api_requires(*EVERYONE)
async def list_meetings(request: Request) -> Response:
    user = signed_in_user(request)
    query = _query(request, ("pairing_id", "from", "to", "status", "limit"))
    statement = (
        select(Meeting, Organisation.timezone)
        .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
        .join(Organisation, col(Organisation.id) == col(Pairing.organisation_id))
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .limit(_int_value(query.get("limit", str(DEFAULT_LIMIT)), "limit", 1, MAX_LIMIT))
    )
    scope = _scope(user)
    if scope is not None:
        statement = statement.where(scope)
    start = _instant(query["from"], "from") if "from" in query else None
    end = _instant(query["to"], "to") if "to" in query else None
    if start is not None and end is not None and end <= start:
        raise InvalidInput("to must be later than from.", field="to")
    if start is not None:
        statement = statement.where(col(Meeting.starts_at) >= start)
    if end is not None:
        statement = statement.where(col(Meeting.starts_at) < end)
    if "status" in query:
        status = _choice(query["status"], "status", [s.value for s in MeetingStatus])
        statement = statement.where(col(Meeting.status) == status)
    async with request.app.state.db.session() as session:
        if "pairing_id" in query:
            pairing_id = _int_value(query["pairing_id"], "pairing_id", 1, MAX_ID)
            pairing = await session.get(Pairing, pairing_id)
            with api_fields(missing="pairing_id"):
                if pairing is None:
                    raise NotFound("No such pairing.")
                authz.ensure_can_view_pairing(user, pairing)
            statement = statement.where(col(Meeting.pairing_id) == pairing_id)
        rows = (await session.exec(statement)).all()
    return respond(MeetingList(meetings=[meeting_out(m, zone) for m, zone in rows]))


@api_requires(Role.COORDINATOR, Role.ADMIN, Role.MENTOR)
async def create_meeting_api(request: Request) -> Response:
    body = await read_body(request, MeetingCreate)
    async with request.app.state.db.session() as session:
        with api_fields(missing="pairing_id", starts_at="starts_at_local", frequency="repeat"):
            meetings = await schedule_meeting(
                session=session,
                actor=signed_in_user(request),
                pairing_id=body.pairing_id,
                local_start=body.starts_at_local,
                duration_minutes=body.duration_minutes,
                recurrence=Recurrence(body.repeat, count=body.count, until=body.until),
                base_url=request.app.state.settings.base_url,
            )
        result = await _meetings_json(session, meetings)
    request.app.state.wake_outbox()
    return respond(result, 201)


@api_requires(*BOOKERS)
async def reschedule_meeting_api(request: Request) -> Response:
    meeting_id = _path_id(request, "meeting_id", "meeting")
    body = await read_body(request, MeetingReschedule)
    if body.starts_at_local is None and body.duration_minutes is None:
        raise InvalidInput("Give a new starts_at_local, duration_minutes, or both.")
    async with request.app.state.db.session() as session:
        starts_at_local, duration = body.starts_at_local, body.duration_minutes
        if starts_at_local is None or duration is None:
            # Keep what is not being changed (visibility is checked by the domain function).
            current = await session.get(Meeting, meeting_id)
            pairing = await session.get(Pairing, current.pairing_id) if current else None
            organisation = (
                await session.get(Organisation, pairing.organisation_id) if pairing else None
            )
            if current is None or organisation is None:
                raise NotFound("No such meeting.")
            zone = zoneinfo.ZoneInfo(organisation.timezone)
            if starts_at_local is None:
                starts_at_local = current.starts_at.astimezone(zone).replace(tzinfo=None)
            duration = duration or current.duration_minutes
        with api_fields(starts_at="starts_at_local"):
            meetings = await reschedule_meeting(
                session=session,
                actor=signed_in_user(request),
                meeting_id=meeting_id,
                local_start=starts_at_local,
                duration_minutes=duration,
                scope=body.scope,
                base_url=request.app.state.settings.base_url,
            )
        result = await _meetings_json(session, meetings)
    request.app.state.wake_outbox()
    return respond(result)


@api_requires(*BOOKERS)
async def cancel_meeting_api(request: Request) -> Response:
    meeting_id = _path_id(request, "meeting_id", "meeting")
    body = await read_body(request, MeetingCancel)
    async with request.app.state.db.session() as session:
        meetings = await cancel_meeting(
            session=session,
            actor=signed_in_user(request),
            meeting_id=meeting_id,
            scope=body.scope,
            base_url=request.app.state.settings.base_url,
        )
        result = await _meetings_json(session, meetings)
    request.app.state.wake_outbox()
    return respond(result)


@api_requires(Role.MENTEE)
async def respond_to_proposal_api(request: Request) -> Response:
    meeting_id = _path_id(request, "meeting_id", "meeting")
    body = await read_body(request, ProposalAnswer)
    async with request.app.state.db.session() as session:
        meetings = await respond_to_proposal(
            session=session,
            actor=signed_in_user(request),
            meeting_id=meeting_id,
            accept=body.accept,
            base_url=request.app.state.settings.base_url,
        )
        result = await _meetings_json(session, meetings)
    request.app.state.wake_outbox()
    return respond(result)


# ---------------------------------------------------------------- tokens


@api_requires(*EVERYONE)
async def list_tokens(request: Request) -> Response:
    _query(request, ())
    async with request.app.state.db.session() as session:
        records = await tokens_of(
            session=session, user=signed_in_user(request), purpose=Purpose.API
        )
    return respond(TokenList(tokens=[token_out(record) for record in records]))


@api_requires(*EVERYONE)
async def create_token_api(request: Request) -> Response:
    if called_with_bearer(request):
        # A leaked token must not be able to mint longer-lived copies of itself.
        raise Forbidden("Make new API tokens while logged in, not with another API token.")
    body = await read_body(request, TokenCreate)
    async with request.app.state.db.session() as session:
        secret, record = await create_token(
            session=session, user=signed_in_user(request), purpose=Purpose.API, name=body.name
        )
    return respond(TokenCreated(**token_out(record).model_dump(), token=secret), 201)


@api_requires(*EVERYONE)
async def revoke_token_api(request: Request) -> Response:
    token_id = _path_id(request, "token_id", "token")
    async with request.app.state.db.session() as session:
        record = await session.get(PersonalToken, token_id)
        if record is None or record.purpose != Purpose.API:
            raise NotFound("No such token.", field="token_id")
        await revoke_token(session=session, user=signed_in_user(request), token_id=token_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- concern cases

CASE_WORKERS = (Role.SAFEGUARDING, Role.ADMIN)


def _escalate_after(request: Request) -> dt.timedelta:
    return dt.timedelta(hours=request.app.state.settings.concern_escalation_hours)


def _maybe_utc(value: dt.datetime | None) -> str | None:
    return utc_text(value) if value is not None else None


def concern_summary_out(
    concern: Concern, raised_by: str, assignee: str | None, overdue: bool
) -> ConcernSummaryOut:
    return ConcernSummaryOut(
        id=concern.id or 0,
        organisation_id=concern.organisation_id,
        pairing_id=concern.pairing_id,
        subject_id=concern.subject_id,
        raised_by=Person(id=concern.raised_by_id, name=raised_by),
        assignee=(
            Person(id=concern.assignee_id, name=assignee or "")
            if concern.assignee_id is not None
            else None
        ),
        status=ConcernStatus(concern.status).value,
        created_at=utc_text(concern.created_at),
        triaged_at=_maybe_utc(concern.triaged_at),
        closed_at=_maybe_utc(concern.closed_at),
        escalated_at=_maybe_utc(concern.escalated_at),
        overdue=overdue,
    )


def concern_out(case: concern_cases.CaseView, escalate_after: dt.timedelta) -> ConcernOut:
    concern = case.concern
    summary = concern_summary_out(
        concern,
        case.raised_by.display_name,
        case.assignee.display_name if case.assignee else None,
        concern_cases.is_overdue(
            concern, now=dt.datetime.now(dt.UTC), escalate_after=escalate_after
        ),
    )
    return ConcernOut(
        **summary.model_dump(),
        description=concern.description,
        observed_by=concern.observed_by,
        occurred_at=_maybe_utc(concern.occurred_at),
        action_taken=concern.action_taken,
        referred=concern.referred,
        referred_to=concern.referred_to,
        no_referral_reason=concern.no_referral_reason,
        notes=[
            ConcernNoteOut(
                id=item.note.id or 0,
                author=item.author,
                body=item.note.body,
                created_at=utc_text(item.note.created_at),
            )
            for item in case.notes
        ],
        messages=[
            LinkedMessageOut(
                message_id=item.message.id or 0,
                seq=item.message.seq,
                sender=item.sender,
                body=item.message.body,
                status=item.message.status,
                created_at=utc_text(item.message.created_at),
            )
            for item in case.messages
        ],
        meetings=[
            LinkedMeetingOut(
                meeting_id=item.meeting.id or 0,
                starts_at=utc_text(item.meeting.starts_at),
                status=item.meeting.status,
            )
            for item in case.meetings
        ],
        next_status=case.next_status.value if case.next_status else None,
        missing_for_close=case.missing_for_close,
    )


@api_requires(*CASE_WORKERS)
async def list_concerns(request: Request) -> Response:
    query = _query(request, ("status", "limit"))
    status = (
        ConcernStatus(_choice(query["status"], "status", [s.value for s in ConcernStatus]))
        if "status" in query
        else None
    )
    limit = _int_value(query.get("limit", str(DEFAULT_LIMIT)), "limit", 1, MAX_LIMIT)
    async with request.app.state.db.session() as session:
        listing = await concern_cases.list_cases(
            session=session,
            viewer=signed_in_user(request),
            status=status,
            escalate_after=_escalate_after(request),
            limit=limit,
        )
    return respond(
        ConcernList(
            concerns=[
                concern_summary_out(item.concern, item.raised_by, item.assignee, item.overdue)
                for item in listing.cases
            ],
            counts=listing.counts,
        )
    )


@api_requires(*CASE_WORKERS)
async def get_concern(request: Request) -> Response:
    concern_id = _path_id(request, "concern_id", "concern case")
    _query(request, ())
    async with request.app.state.db.session() as session:
        case = await concern_cases.get_case(
            session=session, viewer=signed_in_user(request), concern_id=concern_id
        )
    return respond(concern_out(case, _escalate_after(request)))


@api_requires(*CASE_WORKERS)
async def transition_concern(request: Request) -> Response:
    concern_id = _path_id(request, "concern_id", "concern case")
    body = await read_body(request, ConcernTransition)
    record = concern_cases.CaseRecord(
        observed_by=body.observed_by,
        occurred_at=_instant(body.occurred_at, "occurred_at") if body.occurred_at else None,
        action_taken=body.action_taken,
        referred=body.referred,
        referred_to=body.referred_to,
        no_referral_reason=body.no_referral_reason,
    )
    viewer = signed_in_user(request)
    async with request.app.state.db.session() as session:
        await concern_cases.transition(
            session=session,
            actor=viewer,
            concern_id=concern_id,
            to=ConcernStatus(body.to),
            assignee_id=body.assignee_id,
            record=record,
        )
        case = await concern_cases.get_case(session=session, viewer=viewer, concern_id=concern_id)
    return respond(concern_out(case, _escalate_after(request)))


# ---------------------------------------------------------------- the description


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi_document())


_LIMIT = QueryParam(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    "Most results to return.",
)
_INSTANT = {"type": "string", "format": "date-time"}

OPERATIONS = [
    Operation(
        "GET",
        f"{PREFIX}/openapi.json",
        openapi_json,
        "This description of the API (OpenAPI 3.1).",
        public=True,
    ),
    Operation(
        "GET",
        f"{PREFIX}/pairings",
        list_pairings,
        "Pairings the caller may see: their own, or their organisation's (staff), newest first.",
        response=PairingList,
        query=(
            QueryParam(
                "status", {"enum": [s.value for s in PairingStatus]}, "Only pairings in this state."
            ),
            _LIMIT,
        ),
    ),
    Operation(
        "POST",
        f"{PREFIX}/pairings",
        create_pairing_api,
        "Pair a vetted mentor with a mentee.",
        body=PairingCreate,
        response=PairingOut,
        status=201,
        errors=(404, 409),
    ),
    Operation(
        "POST",
        f"{PREFIX}/pairings/{{pairing_id:int}}/end",
        end_pairing_api,
        "End a pairing as completed or withdrawn.",
        body=PairingEnd,
        response=PairingOut,
        errors=(409,),
    ),
    Operation(
        "GET",
        f"{PREFIX}/meetings",
        list_meetings,
        "Meetings the caller may see, earliest first.",
        response=MeetingList,
        query=(
            QueryParam("pairing_id", {"type": "integer", "minimum": 1}, "Only this pairing's."),
            QueryParam("from", _INSTANT, "Starting at or after this instant (with offset or Z)."),
            QueryParam("to", _INSTANT, "Starting before this instant (with offset or Z)."),
            QueryParam(
                "status", {"enum": [s.value for s in MeetingStatus]}, "Only meetings in this state."
            ),
            _LIMIT,
        ),
        errors=(404,),
    ),
    Operation(
        "POST",
        f"{PREFIX}/meetings",
        create_meeting_api,
        "Book a meeting or a weekly/fortnightly series (a mentor's booking is a proposal).",
        body=MeetingCreate,
        response=MeetingList,
        status=201,
        errors=(404, 409),
    ),
    Operation(
        "PATCH",
        f"{PREFIX}/meetings/{{meeting_id:int}}",
        reschedule_meeting_api,
        "Move a meeting, or it and all later ones in its series.",
        body=MeetingReschedule,
        response=MeetingList,
        errors=(409,),
    ),
    Operation(
        "POST",
        f"{PREFIX}/meetings/{{meeting_id:int}}/cancel",
        cancel_meeting_api,
        "Cancel a meeting, or it and all later ones in its series.",
        body=MeetingCancel,
        response=MeetingList,
        errors=(409,),
    ),
    Operation(
        "POST",
        f"{PREFIX}/meetings/{{meeting_id:int}}/respond",
        respond_to_proposal_api,
        "Accept or decline the meeting (or series) your mentor proposed.",
        body=ProposalAnswer,
        response=MeetingList,
        errors=(409,),
    ),
    Operation(
        "GET",
        f"{PREFIX}/safeguarding/review-queue",
        review_queue_api,
        "Safeguarding leads: held and flagged messages waiting in your scope, newest first "
        "(each call is recorded in the audit log).",
        response=ReviewQueue,
    ),
    Operation(
        "POST",
        f"{PREFIX}/safeguarding/messages/{{message_id:int}}/decision",
        review_decision_api,
        "Safeguarding leads: approve, redact or reject a held message, or acknowledge a "
        "flagged one; the pair sees the outcome at once.",
        body=ReviewDecision,
        response=ReviewItemOut,
        errors=(404, 409),
    ),
    Operation(
        "GET",
        f"{PREFIX}/concerns",
        list_concerns,
        "Concern cases in the caller's scope, newest first (safeguarding leads; audited).",
        response=ConcernList,
        query=(
            QueryParam(
                "status", {"enum": [s.value for s in ConcernStatus]}, "Only cases in this state."
            ),
            _LIMIT,
        ),
    ),
    Operation(
        "GET",
        f"{PREFIX}/concerns/{{concern_id:int}}",
        get_concern,
        "One concern case: the record, notes and linked messages and meetings (audited).",
        response=ConcernOut,
    ),
    Operation(
        "POST",
        f"{PREFIX}/concerns/{{concern_id:int}}/transition",
        transition_concern,
        "Move a concern case one step on, with what that step needs.",
        body=ConcernTransition,
        response=ConcernOut,
        errors=(409,),
    ),
    Operation("GET", f"{PREFIX}/tokens", list_tokens, "Your live API tokens.", response=TokenList),
    Operation(
        "POST",
        f"{PREFIX}/tokens",
        create_token_api,
        "Make an API token; the secret is shown only in this response.",
        body=TokenCreate,
        response=TokenCreated,
        status=201,
    ),
    Operation(
        "DELETE",
        f"{PREFIX}/tokens/{{token_id:int}}",
        revoke_token_api,
        "Revoke one of your API tokens.",
        status=204,
    ),
]


@functools.cache
def openapi_document() -> dict[str, Any]:
    return document(OPERATIONS)


routes = [Route(op.path, op.endpoint, methods=[op.method]) for op in OPERATIONS]
