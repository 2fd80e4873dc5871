"""The safeguarding console: review queue, phrase list, transcripts and search, live sessions.

Only safeguarding leads come here. Reading what young people wrote always goes through a domain
function that writes the audit entry first.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server import live_sessions, phrases, review, transcripts
from server.audit import REASON_MAX_LENGTH
from server.chat import conversations
from server.chat.rules import MAX_MESSAGE_LENGTH
from server.db import utcnow
from server.errors import DomainError, NotFound
from server.models import MessageStatus, Review, Role, User
from server.web.auth import requires, signed_in_user
from server.web.downloads import attachment
from server.web.flash import redirect_with_notice
from server.web.forms import FormModel, field_errors, read_form, submitted_values
from server.web.params import path_id
from server.web.templating import render
from sessions.contracts import ChatMessage, SendOutcome

CONSOLE = "/safeguarding"
DECISION_NOTICES = {
    Review.APPROVED: "Approved: the message has been delivered.",
    Review.REDACTED: "Redacted: the message has been delivered without the contact details.",
    Review.REJECTED: "Rejected: the message will never be delivered; the sender has been told.",
    Review.ACKNOWLEDGED: "Marked as reviewed.",
}


class DecisionForm(FormModel):
    decision: Literal["approve", "reject", "redact", "acknowledge"] = Field(title="Decision")
    text: str | None = Field(default=None, max_length=MAX_MESSAGE_LENGTH * 2, title="Text")


class PhraseForm(FormModel):
    phrase: str = Field(max_length=phrases.PHRASE_MAX_LENGTH * 2, title="Phrase")
    severity: str = Field(max_length=20, title="Severity")
    category: str = Field(max_length=phrases.CATEGORY_MAX_LENGTH * 2, title="Category")


class TestForm(FormModel):
    text: str = Field(max_length=phrases.TEST_MAX_LENGTH, title="Text to test")
    mentee_under_18: bool = Field(default=False, title="Mentee under 18")


class ReasonForm(FormModel):
    reason: str = Field(min_length=1, max_length=REASON_MAX_LENGTH, title="Reason for access")


class SearchForm(ReasonForm):
    query: str = Field(max_length=transcripts.SEARCH_MAX_LENGTH, title="Search for")


class EndMeetingForm(FormModel):
    reason: str = Field(
        min_length=1, max_length=live_sessions.END_REASON_MAX_LENGTH, title="Reason for ending"
    )


# Review queue -------------------------------------------------------------------------------


@requires(Role.SAFEGUARDING)
async def console(request: Request) -> Response:
    user = signed_in_user(request)
    async with request.app.state.db.session() as session:
        items = await review.review_queue(session=session, viewer=user)
    return render(request, "safeguarding/console.html", {"items": items})


@requires(Role.SAFEGUARDING)
async def queue_ids(request: Request) -> Response:
    """What the queue holds now, for a console catching up after it (re)connects."""
    user = signed_in_user(request)
    async with request.app.state.db.session() as session:
        ids = await review.waiting_message_ids(session=session, viewer=user)
    return JSONResponse({"message_ids": ids})


@requires(Role.SAFEGUARDING)
async def queue_item(request: Request) -> Response:
    """One waiting message, rendered for the console's live updates."""
    user = signed_in_user(request)
    async with request.app.state.db.session() as session:
        items = await review.review_queue(
            session=session, viewer=user, message_id=path_id(request, "message_id")
        )
    if not items:
        raise NotFound("This message is not waiting for review.", field="message_id")
    return render(request, "safeguarding/_queue_item.html", {"item": items[0]})


@requires(Role.SAFEGUARDING)
async def decide(request: Request) -> Response:
    user = signed_in_user(request)
    form = await read_form(request, DecisionForm)
    decision = review.DECISIONS[form.decision]
    async with request.app.state.db.session() as session:
        decided = await review.decide(
            session=session,
            reviewer=user,
            message_id=path_id(request, "message_id"),
            decision=decision,
            screener=request.app.state.screening.screener,
            redacted_text=form.text,
        )
    await publish_decision(request, decided)
    return redirect_with_notice(CONSOLE, DECISION_NOTICES[decision])


async def publish_decision(request: Request, decided: review.Decided) -> None:
    """The pair sees the decision live; other leads' consoles drop the item."""
    message = decided.message
    if message.review != Review.ACKNOWLEDGED:
        wire = ChatMessage(
            message_id=message.id or 0,
            conversation_id=message.conversation_id,
            seq=message.seq,
            client_id=message.client_id,
            sender_id=message.sender_id,
            sender_name=decided.sender_name,
            text=message.body,
            status=message.status,
            sent_at=message.created_at,
            review=message.review,
            support=conversations.offers_support(message.status, message.reasons.splitlines()),
        )
        # Rejected: only the sender's devices hear of it.
        deliver = message.status == MessageStatus.DELIVERED
        await request.app.state.chat.publish(SendOutcome(message=wire, deliver=deliver))
    await request.app.state.alert_safeguarding(
        decided.organisation_id,
        {"type": "decided", "message_id": message.id, "review": message.review},
    )


# Phrase list ---------------------------------------------------------------------------------


async def _phrases_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    result: object = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.db.session() as session:
        terms = await phrases.list_terms(session=session)
    context = {
        "terms": terms,
        "severities": ["low", "medium", "severe"],
        "errors": errors or {},
        "values": values or {},
        "result": result,
    }
    return render(request, "safeguarding/phrases.html", context, status_code=status_code)


@requires(Role.SAFEGUARDING)
async def phrases_page(request: Request) -> Response:
    return await _phrases_page(request)


async def _reload_screener(request: Request) -> None:
    async with request.app.state.db.session() as session:
        await request.app.state.screening.reload(session=session)


@requires(Role.SAFEGUARDING)
async def add_phrase(request: Request) -> Response:
    user = signed_in_user(request)
    try:
        form = await read_form(request, PhraseForm)
        async with request.app.state.db.session() as session:
            row = await phrases.add_term(
                session=session,
                editor=user,
                phrase=form.phrase,
                severity=form.severity,
                category=form.category,
            )
    except DomainError as error:
        if error.field in (None, "csrf_token"):
            raise
        values = await submitted_values(request)
        return await _phrases_page(
            request, errors=field_errors(error), values=values, status_code=error.status_code
        )
    await _reload_screener(request)
    return redirect_with_notice("/safeguarding/phrases", f"Added “{row.phrase}”.")


@requires(Role.SAFEGUARDING)
async def edit_phrase(request: Request) -> Response:
    user = signed_in_user(request)
    form = await read_form(request, PhraseForm)
    async with request.app.state.db.session() as session:
        row = await phrases.update_term(
            session=session,
            editor=user,
            term_id=path_id(request, "term_id"),
            phrase=form.phrase,
            severity=form.severity,
            category=form.category,
        )
    await _reload_screener(request)
    return redirect_with_notice("/safeguarding/phrases", f"Saved “{row.phrase}”.")


class _NoFields(FormModel):
    pass


@requires(Role.SAFEGUARDING)
async def remove_phrase(request: Request) -> Response:
    user = signed_in_user(request)
    await read_form(request, _NoFields)
    async with request.app.state.db.session() as session:
        phrase = await phrases.remove_term(
            session=session, editor=user, term_id=path_id(request, "term_id")
        )
    await _reload_screener(request)
    return redirect_with_notice("/safeguarding/phrases", f"Removed “{phrase}”.")


@requires(Role.SAFEGUARDING)
async def test_phrase(request: Request) -> Response:
    form = await read_form(request, TestForm)
    result = phrases.try_text(
        request.app.state.screening.screener, form.text, mentee_under_18=form.mentee_under_18
    )
    values = {"text": form.text, "mentee_under_18": "true" if form.mentee_under_18 else ""}
    return await _phrases_page(request, values=values, result=result)


# Transcripts and search ----------------------------------------------------------------------


@requires(Role.SAFEGUARDING)
async def conversations_page(request: Request) -> Response:
    user = signed_in_user(request)
    async with request.app.state.db.session() as session:
        found = await transcripts.conversations_in_scope(session=session, viewer=user)
    return render(request, "safeguarding/conversations.html", {"conversations": found})


async def _reason_page(
    request: Request, user: User, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    async with request.app.state.db.session() as session:
        found = await transcripts.find_conversation(
            session=session, viewer=user, conversation_id=path_id(request, "conversation_id")
        )
    context = {"conversation": found, "errors": errors or {}}
    return render(request, "safeguarding/reason.html", context, status_code=status_code)


@requires(Role.SAFEGUARDING)
async def reason_page(request: Request) -> Response:
    return await _reason_page(request, signed_in_user(request))


async def _transcript(
    request: Request, user: User, purpose: transcripts.Purpose
) -> tuple[transcripts.Transcript, str] | Response:
    """The audited transcript, or the reason form again when no usable reason was given."""
    try:
        form = await read_form(request, ReasonForm)
        async with request.app.state.db.session() as session:
            transcript = await transcripts.open_transcript(
                session=session,
                viewer=user,
                conversation_id=path_id(request, "conversation_id"),
                reason=form.reason,
                purpose=purpose,
            )
    except DomainError as error:
        if error.field != "reason":
            raise
        return await _reason_page(
            request, user, errors=field_errors(error), status_code=error.status_code
        )
    return transcript, form.reason


@requires(Role.SAFEGUARDING)
async def transcript_page(request: Request) -> Response:
    user = signed_in_user(request)
    opened = await _transcript(request, user, transcripts.Purpose.VIEW)
    if isinstance(opened, Response):
        return opened
    transcript, reason = opened
    context = {"transcript": transcript, "reason": reason, "describe": transcripts.describe_status}
    return render(request, "safeguarding/transcript.html", context)


@requires(Role.SAFEGUARDING)
async def export_csv(request: Request) -> Response:
    user = signed_in_user(request)
    opened = await _transcript(request, user, transcripts.Purpose.CSV)
    if isinstance(opened, Response):
        return opened
    transcript, _ = opened
    filename = f"conversation-{transcript.conversation_id}-pairing-{transcript.pairing.id}.csv"
    return attachment(
        transcripts.transcript_csv(transcript),
        filename=filename,
        media_type="text/csv; charset=utf-8",
    )


@requires(Role.SAFEGUARDING)
async def export_print(request: Request) -> Response:
    user = signed_in_user(request)
    opened = await _transcript(request, user, transcripts.Purpose.PRINT)
    if isinstance(opened, Response):
        return opened
    transcript, reason = opened
    context = {
        "transcript": transcript,
        "reason": reason,
        "describe": transcripts.describe_status,
        "now": utcnow(),
    }
    response = render(request, "safeguarding/transcript_print.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


@requires(Role.SAFEGUARDING)
async def search_page(request: Request) -> Response:
    return render(request, "safeguarding/search.html", {"errors": {}, "values": {}})


@requires(Role.SAFEGUARDING)
async def search(request: Request) -> Response:
    user = signed_in_user(request)
    try:
        form = await read_form(request, SearchForm)
        async with request.app.state.db.session() as session:
            hits = await transcripts.search_messages(
                session=session, viewer=user, query=form.query, reason=form.reason
            )
    except DomainError as error:
        if error.field in (None, "csrf_token"):
            raise
        values = await submitted_values(request)
        context = {"errors": field_errors(error), "values": values}
        return render(request, "safeguarding/search.html", context, status_code=error.status_code)
    results = {
        "errors": {},
        "values": {"query": form.query, "reason": form.reason},
        "hits": hits,
        "limit": transcripts.SEARCH_LIMIT,
        "describe": transcripts.describe_status,
    }
    return render(request, "safeguarding/search.html", results)


# Live sessions ------------------------------------------------------------------------------


@requires(Role.SAFEGUARDING)
async def live_page(request: Request) -> Response:
    user = signed_in_user(request)
    async with request.app.state.db.session() as session:
        meetings = await live_sessions.meetings_in_progress(session=session, viewer=user)
    return render(request, "safeguarding/live.html", {"meetings": meetings})


@requires(Role.SAFEGUARDING)
async def end_meeting(request: Request) -> Response:
    user = signed_in_user(request)
    form = await read_form(request, EndMeetingForm)
    async with request.app.state.db.session() as session:
        meeting = await live_sessions.end_meeting(
            session=session,
            staff=user,
            meeting_id=path_id(request, "meeting_id"),
            reason=form.reason,
        )
    await request.app.state.rooms.close_room(
        meeting.id, reason="The safeguarding team has ended this meeting."
    )
    return redirect_with_notice("/safeguarding/live", "The meeting has been ended.")


routes = [
    Route("/safeguarding", console, methods=["GET"]),
    Route("/safeguarding/queue", queue_ids, methods=["GET"]),
    Route("/safeguarding/queue/{message_id:int}", queue_item, methods=["GET"]),
    Route("/safeguarding/messages/{message_id:int}/decision", decide, methods=["POST"]),
    Route("/safeguarding/phrases", phrases_page, methods=["GET"]),
    Route("/safeguarding/phrases", add_phrase, methods=["POST"]),
    Route("/safeguarding/phrases/test", test_phrase, methods=["POST"]),
    Route("/safeguarding/phrases/{term_id:int}", edit_phrase, methods=["POST"]),
    Route("/safeguarding/phrases/{term_id:int}/delete", remove_phrase, methods=["POST"]),
    Route("/safeguarding/conversations", conversations_page, methods=["GET"]),
    Route("/safeguarding/conversations/{conversation_id:int}", reason_page, methods=["GET"]),
    Route("/safeguarding/conversations/{conversation_id:int}", transcript_page, methods=["POST"]),
    Route(
        "/safeguarding/conversations/{conversation_id:int}/export.csv",
        export_csv,
        methods=["POST"],
    ),
    Route(
        "/safeguarding/conversations/{conversation_id:int}/print", export_print, methods=["POST"]
    ),
    Route("/safeguarding/search", search_page, methods=["GET"]),
    Route("/safeguarding/search", search, methods=["POST"]),
    Route("/safeguarding/live", live_page, methods=["GET"]),
    Route("/safeguarding/meetings/{meeting_id:int}/end", end_meeting, methods=["POST"]),
]
