"""The safeguarding console through the real app: review decisions reaching the pair live,
the phrase list, audited transcripts, search and exports, live sessions."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import factories
import httpx
import pytest
from chatclient import ChatClient
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.chat.conversations import conversation_for_pairing, offers_support
from server.models import AuditEntry, Meeting, Message, Role, User
from server.settings import Settings

HELD_TEXT = "text me on 07700 900123 after school"


@dataclass
class Scene:
    pair: factories.Pair
    conversation_id: int
    mentor: ChatClient
    mentee: ChatClient
    lead: httpx.AsyncClient
    lead_user: User


@pytest.fixture
async def opened() -> AsyncIterator[list[Any]]:
    things: list[Any] = []
    yield things
    for thing in things:
        await thing.aclose() if isinstance(thing, httpx.AsyncClient) else await thing.close()


async def _lead_client(live: LiveServer, opened: list[Any], email: str) -> httpx.AsyncClient:
    """A logged-in HTTP client (a lead's, or any member's)."""
    client = live.client()
    opened.append(client)
    await log_in(client, email, PASSWORD)
    return client


async def _scene(
    live: LiveServer, opened: list[Any], *, under_18: bool = True, platform_lead: bool = False
) -> Scene:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session)
        pair = await factories.pair(session, org, under_18=under_18)
        conversation = await conversation_for_pairing(
            session=session, pairing_id=pair.pairing.id or 0
        )
        lead = await factories.user(
            session, Role.SAFEGUARDING, None if platform_lead else org, name="Sam Lead"
        )
        return pair, conversation.id, lead

    pair, conversation_id, lead_user = await live.in_session(make)
    mentor = await ChatClient.logged_in(live.url, pair.mentor.email, PASSWORD)
    mentee = await ChatClient.logged_in(live.url, pair.mentee.email, PASSWORD)
    opened += [mentor, mentee]
    for client in (mentor, mentee):
        assert (await client.join(conversation_id))["ok"]
    lead = await _lead_client(live, opened, lead_user.email)
    return Scene(pair, conversation_id, mentor, mentee, lead, lead_user)


async def _decide(lead: httpx.AsyncClient, message_id: int, **data: str) -> httpx.Response:
    page = await lead.get("/safeguarding")
    assert page.status_code == 200
    return await lead.post(
        f"/safeguarding/messages/{message_id}/decision",
        data={"csrf_token": csrf_from(page.text), **data},
    )


async def _audit(live: LiveServer, action: str) -> list[AuditEntry]:
    async def load(session: AsyncSession) -> list[AuditEntry]:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        return list((await session.exec(query)).all())

    return await live.in_session(load)


async def _message(live: LiveServer, message_id: int) -> Message:
    async def load(session: AsyncSession) -> Message:
        found = await session.get(Message, message_id)
        assert found is not None
        return found

    return await live.in_session(load)


# Review queue ------------------------------------------------------------------------------


async def test_approved_message_reaches_the_recipient_live_in_its_place(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)
    held = await scene.mentor.send(scene.conversation_id, HELD_TEXT)
    assert held["status"] == "held"
    after = await scene.mentor.send(scene.conversation_id, "see you on Tuesday")
    await scene.mentee.wait_for(lambda c: len(c.messages) == 1)

    queue = await scene.lead.get("/safeguarding")
    assert queue.status_code == 200
    assert HELD_TEXT in queue.text and "contact:phone" in queue.text
    assert "see you on Tuesday" in queue.text  # the conversation around it
    views = await _audit(live_server, "review.view")
    assert views and views[-1].actor_id == scene.lead_user.id

    decided = await _decide(scene.lead, held["message_id"], decision="approve")
    assert decided.status_code == 303
    assert (await scene.lead.get("/safeguarding/queue")).json() == {"message_ids": []}
    await scene.mentee.wait_for(lambda c: len(c.messages) == 2)
    delivered = scene.mentee.messages[-1]
    assert (delivered["seq"], delivered["text"], delivered["status"]) == (
        held["seq"],
        HELD_TEXT,
        "delivered",
    )
    assert delivered["seq"] < after["seq"]  # in its place: before the later message
    # The sender's own devices learn it too, and a resync shows it to the recipient.
    await scene.mentor.wait_for(lambda c: any(m["seq"] == held["seq"] for m in c.messages))
    history = await scene.mentee.join(scene.conversation_id, after_seq=0)
    assert [m["text"] for m in history["messages"]] == [HELD_TEXT, "see you on Tuesday"]
    approvals = await _audit(live_server, "review.approved")
    assert [(e.subject_id, e.actor_id) for e in approvals] == [
        (held["message_id"], scene.lead_user.id)
    ]
    # Decided once: a second decision is a clear conflict, and the queue no longer shows it.
    again = await _decide(scene.lead, held["message_id"], decision="reject")
    assert again.status_code == 409
    assert HELD_TEXT not in (await scene.lead.get("/safeguarding")).text


def test_help_is_offered_for_messages_kept_back_for_a_risk_to_their_writer() -> None:
    assert offers_support("held", ["risk:self-harm:hurt myself"])
    assert offers_support("rejected", ["contact:phone", "risk:abuse:he hits me"])
    # Delivered with a flag: the partner reads it and a lead is alerted.
    assert not offers_support("delivered", ["risk:self-harm:hurt myself"])
    assert not offers_support("held", ["contact:phone"])


async def test_a_young_person_held_for_a_risk_to_them_is_shown_where_to_find_help(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)
    text = "i dont want to be here anymore"
    held = await scene.mentee.send(scene.conversation_id, text)
    assert (held["status"], held["support"]) == ("held", True)
    contact = await scene.mentor.send(scene.conversation_id, HELD_TEXT)
    assert (contact["status"], contact["support"]) == ("held", False)  # no risk to the writer
    delivered = await scene.mentor.send(scene.conversation_id, "see you on Tuesday")
    assert delivered["support"] is False
    # The writer's history says so too; the partner never sees the message, nor why.
    history = await scene.mentee.join(scene.conversation_id)
    assert [(m["text"], m["support"]) for m in history["messages"]] == [
        (text, True),
        ("see you on Tuesday", False),
    ]
    await scene.mentee.wait_for(lambda c: len(c.messages) == 1)
    partners_view = (await scene.mentor.join(scene.conversation_id))["messages"]
    assert text not in str(scene.mentor.messages + partners_view)
    # The page without JavaScript shows the help beside the message (not only in its template).
    mentee_page = await _lead_client(live_server, opened, scene.pair.mentee.email)
    page = await mentee_page.get(f"/pairings/{scene.pair.pairing.id}/messages")
    assert "Childline on 0800 1111" in page.text.split('<template id="chat-support">')[0]
    mentor_page = await _lead_client(live_server, opened, scene.pair.mentor.email)
    page = await mentor_page.get(f"/pairings/{scene.pair.pairing.id}/messages")
    assert "Childline on 0800 1111" not in page.text.split('<template id="chat-support">')[0]
    # Rejected, it is still not delivered: the help stays in view.
    assert (await _decide(scene.lead, held["message_id"], decision="reject")).status_code == 303
    await scene.mentee.wait_for(
        lambda c: any(m["seq"] == held["seq"] and m["status"] == "rejected" for m in c.messages)
    )
    rejected = next(m for m in scene.mentee.messages if m["seq"] == held["seq"])
    assert rejected["support"] is True


async def test_rejected_message_is_never_delivered_and_the_sender_is_told(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)
    held = await scene.mentor.send(scene.conversation_id, HELD_TEXT)
    decided = await _decide(scene.lead, held["message_id"], decision="reject")
    assert decided.status_code == 303
    await scene.mentor.wait_for(
        lambda c: any(m["seq"] == held["seq"] and m["status"] == "rejected" for m in c.messages)
    )
    await scene.mentee.send(scene.conversation_id, "ok")
    await scene.mentor.wait_for(lambda c: any(m["text"] == "ok" for m in c.messages))
    assert scene.mentee.messages == []
    history = await scene.mentee.join(scene.conversation_id, after_seq=0)
    assert [m["text"] for m in history["messages"]] == ["ok"]
    stored = await _message(live_server, held["message_id"])
    assert (stored.status, stored.review) == ("rejected", "rejected")


async def test_redacted_message_is_delivered_without_the_details_and_the_original_kept(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)
    held = await scene.mentor.send(scene.conversation_id, HELD_TEXT)
    page = await scene.lead.get("/safeguarding")
    assert "text me on [removed] after school" in page.text  # the suggestion to start from
    # Redaction that leaves a number in, or removes nothing, is refused; nothing is delivered.
    leaky = await _decide(
        scene.lead, held["message_id"], decision="redact", text="text me on 07700 900 123"
    )
    assert leaky.status_code == 422 and "contact details (phone)" in leaky.text
    unchanged = await _decide(scene.lead, held["message_id"], decision="redact", text=HELD_TEXT)
    assert unchanged.status_code == 422
    missing = await _decide(scene.lead, held["message_id"], decision="redact")
    assert missing.status_code == 422
    assert (await _message(live_server, held["message_id"])).status == "held"

    done = await _decide(
        scene.lead,
        held["message_id"],
        decision="redact",
        text="text me on [removed] after school",
    )
    assert done.status_code == 303
    await scene.mentee.wait_for(lambda c: len(c.messages) == 1)
    received = scene.mentee.messages[0]
    assert received["text"] == "text me on [removed] after school"
    assert received["review"] == "redacted"
    stored = await _message(live_server, held["message_id"])
    assert (stored.body, stored.original_body) == (
        "text me on [removed] after school",
        HELD_TEXT,
    )


async def test_flagged_messages_are_acknowledged_not_approved(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened, under_18=False)  # adults: contact details flag
    flagged = await scene.mentor.send(scene.conversation_id, "my email is maya@example.com")
    assert flagged["status"] == "delivered"
    assert "maya@example.com" in (await scene.lead.get("/safeguarding")).text
    wrong = await _decide(scene.lead, flagged["message_id"], decision="approve")
    assert wrong.status_code == 409
    seen = await _decide(scene.lead, flagged["message_id"], decision="acknowledge")
    assert seen.status_code == 303
    assert "maya@example.com" not in (await scene.lead.get("/safeguarding")).text
    assert (await _message(live_server, flagged["message_id"])).review == "acknowledged"


async def test_a_message_only_the_risk_model_catches_is_queued_with_why(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)  # an under-18 mentee
    text = "he gets really angry when I am late home"
    sent = await scene.mentee.send(scene.conversation_id, text)
    assert sent["status"] == "delivered"  # the model flags it
    queue = (await scene.lead.get("/safeguarding")).text
    assert text in queue
    assert "no listed phrase" in queue and "risk:abuse:worded like known concerns" in queue
    tested = await _phrases_post(scene.lead, "/safeguarding/phrases/test", {"text": text})
    assert "with an alert (FLAG)" in tested.text and "no listed phrase" in tested.text

    # Worded like the messages leads hold: held, and the queue says why.
    text = "dont want to go home tonight, his temper is bad again"
    sent = await scene.mentee.send(scene.conversation_id, text)
    assert sent["status"] == "held"
    queue = (await scene.lead.get("/safeguarding")).text
    assert "leads hold, not only flag" in queue
    assert "risk:abuse:worded like concerns that are held" in queue
    tested = await _phrases_post(scene.lead, "/safeguarding/phrases/test", {"text": text})
    assert "Held for review (HOLD)" in tested.text


async def test_decisions_are_scoped_and_validated(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)
    held = await scene.mentor.send(scene.conversation_id, HELD_TEXT)

    async def other_lead(session: AsyncSession) -> User:
        return await factories.user(
            session, Role.SAFEGUARDING, await factories.organisation(session)
        )

    stranger = await _lead_client(
        live_server, opened, (await live_server.in_session(other_lead)).email
    )
    assert HELD_TEXT not in (await stranger.get("/safeguarding")).text
    refused = await _decide(stranger, held["message_id"], decision="approve")
    assert refused.status_code == 404
    assert (await stranger.get(f"/safeguarding/queue/{held['message_id']}")).status_code == 404
    # What a console asks for when it reconnects: ids only, and only its own organisation's.
    assert (await stranger.get("/safeguarding/queue")).json() == {"message_ids": []}
    assert (await scene.lead.get("/safeguarding/queue")).json() == {
        "message_ids": [held["message_id"]]
    }
    for bad in ({"decision": "delete"}, {}, {"decision": "approve", "extra": "x"}):
        response = await _decide(scene.lead, held["message_id"], **bad)
        assert response.status_code == 422, bad
    approve_with_text = await _decide(
        scene.lead, held["message_id"], decision="approve", text="changed"
    )
    assert approve_with_text.status_code == 422
    assert (await _decide(scene.lead, 2**40, decision="approve")).status_code == 404
    assert (await _message(live_server, held["message_id"])).status == "held"
    # The queue item, as the console fetches it for live updates.
    item = await scene.lead.get(f"/safeguarding/queue/{held['message_id']}")
    assert item.status_code == 200 and 'id="queue-item-' in item.text


async def test_leads_are_alerted_live_and_other_consoles_drop_decided_items(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)
    watcher = await ChatClient.logged_in(live_server.url, scene.lead_user.email, PASSWORD)
    opened.append(watcher)
    held = await scene.mentor.send(scene.conversation_id, HELD_TEXT)
    await watcher.wait_for(
        lambda c: any(a.get("message_id") == held["message_id"] for a in c.alerts)
    )
    await _decide(scene.lead, held["message_id"], decision="approve")
    await watcher.wait_for(
        lambda c: (
            {"type": "decided", "message_id": held["message_id"], "review": "approved"} in c.alerts
        )
    )


# Phrase list -------------------------------------------------------------------------------


async def _phrases_post(
    lead: httpx.AsyncClient, action: str, data: dict[str, str]
) -> httpx.Response:
    page = await lead.get("/safeguarding/phrases")
    return await lead.post(action, data={"csrf_token": csrf_from(page.text), **data})


async def _add_phrase(lead: httpx.AsyncClient, phrase: str, severity: str) -> None:
    added = await _phrases_post(
        lead,
        "/safeguarding/phrases",
        {"phrase": phrase, "severity": severity, "category": "test words"},
    )
    assert added.status_code == 303


async def test_phrase_list_changes_screening_at_once(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened, under_18=False)
    await _add_phrase(scene.lead, "purple giraffe", "severe")
    page = await scene.lead.get("/safeguarding/phrases")
    assert "purple giraffe" in page.text
    held = await scene.mentor.send(scene.conversation_id, "the Purple  Giraffe is here")
    assert held["status"] == "held"

    async def term_id(session: AsyncSession) -> int:
        from server.models import RiskTermRow

        row = (
            await session.exec(select(RiskTermRow).where(RiskTermRow.phrase == "purple giraffe"))
        ).one()
        return row.id or 0

    term = await live_server.in_session(term_id)
    edited = await _phrases_post(
        scene.lead,
        f"/safeguarding/phrases/{term}",
        {"phrase": "purple giraffe", "severity": "low", "category": "test words"},
    )
    assert edited.status_code == 303
    flagged = await scene.mentor.send(scene.conversation_id, "purple giraffe again")
    assert flagged["status"] == "delivered"
    removed = await _phrases_post(scene.lead, f"/safeguarding/phrases/{term}/delete", {})
    assert removed.status_code == 303
    listing = (await scene.lead.get("/safeguarding/phrases")).text
    assert "Removed “purple giraffe”" in listing and "<td>purple giraffe</td>" not in listing
    plain = await scene.mentor.send(scene.conversation_id, "purple giraffe once more")
    assert plain["status"] == "delivered"
    assert [e.action for e in await _audit(live_server, "phrases.edit")] == ["phrases.edit"]
    assert len(await _audit(live_server, "phrases.add")) == 1
    assert len(await _audit(live_server, "phrases.remove")) == 1


async def test_a_phrase_with_choices_and_a_gap_screens_chat(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened, under_18=False)
    await _add_phrase(scene.lead, "purple * giraffe/zebra", "severe")
    held = await scene.mentor.send(scene.conversation_id, "a Purple spotted zebras parade")
    assert held["status"] == "held"
    tested = await _phrases_post(
        scene.lead, "/safeguarding/phrases/test", {"text": "purple and green giraffes"}
    )
    assert "purple * giraffe/zebra" in tested.text
    far_apart = await scene.mentor.send(
        scene.conversation_id, "purple is my favourite colour, and I like a giraffe"
    )
    assert far_apart["status"] == "delivered"


async def test_phrase_list_bad_input_and_test_box(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)
    cases = [
        ({"phrase": "", "severity": "low", "category": "x"}, 422, "phrase"),
        ({"phrase": "ok words", "severity": "extreme", "category": "x"}, 422, "severity"),
        ({"phrase": "ok words", "severity": "low", "category": "<b>"}, 422, "category"),
        ({"phrase": "x" * 201, "severity": "low", "category": "x"}, 422, "200 characters"),
        ({"phrase": "!!!", "severity": "low", "category": "x"}, 422, "word"),
        ({"phrase": "* / *", "severity": "low", "category": "x"}, 422, "word"),
        ({"phrase": "don't tell anyone", "severity": "low", "category": "x"}, 409, "already"),
    ]
    for data, status, words in cases:
        response = await _phrases_post(scene.lead, "/safeguarding/phrases", data)
        assert response.status_code == status, (data, response.status_code)
        assert words in response.text, (data, words)
    missing = await _phrases_post(
        scene.lead,
        "/safeguarding/phrases/999999",
        {"phrase": "a b", "severity": "low", "category": "x"},
    )
    assert missing.status_code == 404
    tested = await _phrases_post(
        scene.lead,
        "/safeguarding/phrases/test",
        {"text": "add me on snap its jo_2009", "mentee_under_18": "true"},
    )
    assert tested.status_code == 200
    assert "Held for review (HOLD)" in tested.text and "contact:social" in tested.text
    innocent = await _phrases_post(
        scene.lead, "/safeguarding/phrases/test", {"text": "call me tomorrow at the session"}
    )
    assert "Nothing found." in innocent.text
    empty = await _phrases_post(scene.lead, "/safeguarding/phrases/test", {"text": " "})
    assert empty.status_code == 422


# Transcripts, search, exports ----------------------------------------------------------------


async def _transcript_post(
    lead: httpx.AsyncClient, conversation_id: int, suffix: str, reason: str
) -> httpx.Response:
    page = await lead.get(f"/safeguarding/conversations/{conversation_id}")
    return await lead.post(
        f"/safeguarding/conversations/{conversation_id}{suffix}",
        data={"csrf_token": csrf_from(page.text), "reason": reason},
    )


async def test_transcripts_need_a_reason_and_every_read_is_audited(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)
    held = await scene.mentor.send(scene.conversation_id, HELD_TEXT)
    await scene.mentee.send(scene.conversation_id, '=HYPERLINK("http://x")')
    await _decide(
        scene.lead, held["message_id"], decision="redact", text="text me on [removed] after school"
    )
    listing = await scene.lead.get("/safeguarding/conversations")
    assert scene.pair.mentor.display_name in listing.text and HELD_TEXT not in listing.text
    form = await scene.lead.get(f"/safeguarding/conversations/{scene.conversation_id}")
    assert "Reason for access" in form.text and "after school" not in form.text
    before = len(await _audit(live_server, "transcript.view"))
    for reason in ("", "   "):
        refused = await _transcript_post(scene.lead, scene.conversation_id, "", reason)
        assert refused.status_code == 422 and "Reason for access" in refused.text
        assert "after school" not in refused.text
    assert len(await _audit(live_server, "transcript.view")) == before

    shown = await _transcript_post(
        scene.lead, scene.conversation_id, "", "Concern raised by the mentee's teacher"
    )
    assert shown.status_code == 200
    assert "text me on [removed] after school" in shown.text
    assert HELD_TEXT in shown.text  # the original, kept for the record
    views = await _audit(live_server, "transcript.view")
    assert views[-1].reason == "Concern raised by the mentee's teacher"
    assert views[-1].subject_id == scene.conversation_id

    exported = await _transcript_post(scene.lead, scene.conversation_id, "/export.csv", "Case 12")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["seq"] for row in rows] == ["1", "2"]
    assert rows[0]["review"] == "redacted" and rows[0]["original_text"] == HELD_TEXT
    assert rows[1]["text"].startswith("'=")  # a formula is never run by a spreadsheet
    printed = await _transcript_post(scene.lead, scene.conversation_id, "/print", "Case 12")
    assert printed.status_code == 200 and "OFFICIAL" in printed.text and "Case 12" in printed.text
    assert [e.reason for e in await _audit(live_server, "transcript.export_csv")] == ["Case 12"]
    assert [e.reason for e in await _audit(live_server, "transcript.export_print")] == ["Case 12"]


async def test_transcripts_and_search_stay_in_the_leads_scope(
    live_server: LiveServer, opened: list[Any]
) -> None:
    ours = await _scene(live_server, opened, under_18=False)
    theirs = await _scene(live_server, opened, under_18=False, platform_lead=True)
    await ours.mentor.send(ours.conversation_id, "ours: the zebra crossing")
    await theirs.mentor.send(theirs.conversation_id, "theirs: the zebra crossing")

    denied = await _transcript_post(ours.lead, theirs.conversation_id, "", "curious")
    assert denied.status_code == 404
    assert (
        await ours.lead.get(f"/safeguarding/conversations/{theirs.conversation_id}")
    ).status_code == 404
    listing = await ours.lead.get("/safeguarding/conversations")
    assert theirs.pair.mentor.display_name not in listing.text

    async def search(lead: httpx.AsyncClient, query: str, reason: str) -> httpx.Response:
        page = await lead.get("/safeguarding/search")
        return await lead.post(
            "/safeguarding/search",
            data={"csrf_token": csrf_from(page.text), "query": query, "reason": reason},
        )

    found = await search(ours.lead, "ZEBRA", "Checking a report")
    assert "ours: the zebra crossing" in found.text
    assert "theirs: the zebra crossing" not in found.text
    everywhere = await search(theirs.lead, "zebra", "Platform check")  # a platform lead
    assert "ours: the zebra crossing" in everywhere.text
    assert "theirs: the zebra crossing" in everywhere.text
    searches = await _audit(live_server, "transcript.search")
    assert [(e.reason, e.detail) for e in searches] == [
        ("Checking a report", '{"query":"ZEBRA"}'),
        ("Platform check", '{"query":"zebra"}'),
    ]
    assert (await search(ours.lead, "z", "reason")).status_code == 422
    assert (await search(ours.lead, "zebra", "")).status_code == 422
    assert (await search(ours.lead, "100%_", "wildcards are literal")).status_code == 200
    assert len(await _audit(live_server, "transcript.search")) == 3


# Live sessions -------------------------------------------------------------------------------


async def test_live_sessions_list_and_ending_a_meeting(
    live_server: LiveServer, opened: list[Any]
) -> None:
    scene = await _scene(live_server, opened)
    page = await scene.lead.get("/safeguarding/live")
    assert page.status_code == 200
    assert f"/meetings/{scene.pair.meeting.id}/room" in page.text  # join as observer
    action = f"/safeguarding/meetings/{scene.pair.meeting.id}/end"
    token = csrf_from(page.text)
    empty = await scene.lead.post(action, data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422
    ended = await scene.lead.post(
        action, data={"csrf_token": token, "reason": "Mentee asked for help"}
    )
    assert ended.status_code == 303
    again = await scene.lead.post(action, data={"csrf_token": token, "reason": "twice"})
    assert again.status_code == 409
    assert (
        f"/meetings/{scene.pair.meeting.id}/room"
        not in (await scene.lead.get("/safeguarding/live")).text
    )

    async def load(session: AsyncSession) -> Meeting:
        found = await session.get(Meeting, scene.pair.meeting.id)
        assert found is not None
        return found

    meeting = await live_server.in_session(load)
    assert meeting.ended_early_at is not None and meeting.end_reason == "Mentee asked for help"
    assert [e.reason for e in await _audit(live_server, "meeting.end")] == ["Mentee asked for help"]
    # The room never opens again: the page explains, and the socket refuses signalling.
    mentee_http = live_server.client()
    opened.append(mentee_http)
    await log_in(mentee_http, scene.pair.mentee.email, PASSWORD)
    room = await mentee_http.get(f"/meetings/{scene.pair.meeting.id}/room")
    assert "safeguarding team ended this meeting" in room.text
    refused = await scene.mentee.call(
        "room:join", {"meeting_id": scene.pair.meeting.id, "sdp": "v=0"}
    )
    assert refused["ok"] is False and "ended this meeting" in refused["error"]["message"]


async def test_a_phrase_added_through_one_web_process_reaches_the_others(
    settings_for: Callable[..., Settings], opened: list[Any]
) -> None:
    """Two app instances on one database, as behind a load balancer."""
    first, second = (
        LiveServer(lambda url: settings_for(url, screening_refresh_seconds=0.2)) for _ in range(2)
    )
    for server in (first, second):
        server.start()
    try:
        scene = await _scene(first, opened, under_18=False)
        chat = await ChatClient.logged_in(second.url, scene.pair.mentor.email, PASSWORD)
        opened.append(chat)
        assert (await chat.join(scene.conversation_id))["ok"]
        before = await chat.send(scene.conversation_id, "the orange kangaroo is back")
        assert before["status"] == "delivered"
        added = await _phrases_post(
            scene.lead,
            "/safeguarding/phrases",
            {"phrase": "orange kangaroo", "severity": "severe", "category": "test words"},
        )
        assert added.status_code == 303
        for _ in range(8):  # within the chat rate limit
            after = await chat.send(scene.conversation_id, "orange kangaroo, again")
            if after.get("status") == "held":
                break
            await asyncio.sleep(0.5)
        assert after["status"] == "held", after
    finally:
        for thing in opened:
            await thing.aclose() if isinstance(thing, httpx.AsyncClient) else await thing.close()
        opened.clear()
        for server in (first, second):
            server.stop()


async def test_review_through_the_api(live_server: LiveServer, opened: list[Any]) -> None:
    scene = await _scene(live_server, opened)
    held = await scene.mentor.send(scene.conversation_id, HELD_TEXT)
    headers = {"X-CSRF-Token": scene.lead.cookies.get("mm_csrf") or ""}
    queue = await scene.lead.get("/api/v1/safeguarding/review-queue")
    assert queue.status_code == 200
    (item,) = queue.json()["items"]
    assert (item["message_id"], item["text"], item["status"], item["reasons"]) == (
        held["message_id"],
        HELD_TEXT,
        "held",
        ["contact:phone", "contact:social"],
    )
    decision = f"/api/v1/safeguarding/messages/{held['message_id']}/decision"
    for body, status in (
        ({"decision": "maybe"}, 422),
        ({"decision": "redact", "text": HELD_TEXT}, 422),
        ({"decision": "approve", "extra": 1}, 422),
    ):
        response = await scene.lead.post(decision, json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
    unsafe = await scene.lead.post(decision, json={"decision": "approve"})  # no CSRF header
    assert unsafe.status_code == 403
    done = await scene.lead.post(
        decision, json={"decision": "redact", "text": "text me on [removed]"}, headers=headers
    )
    assert done.status_code == 200, done.text
    assert (done.json()["review"], done.json()["text"]) == ("redacted", "text me on [removed]")
    await scene.mentee.wait_for(lambda c: len(c.messages) == 1)
    assert scene.mentee.messages[0]["text"] == "text me on [removed]"
    again = await scene.lead.post(decision, json={"decision": "reject"}, headers=headers)
    assert again.status_code == 409
    assert (await scene.lead.get("/api/v1/safeguarding/review-queue")).json() == {"items": []}


async def test_each_queue_item_shows_its_own_conversation(
    live_server: LiveServer, opened: list[Any]
) -> None:
    first = await _scene(live_server, opened, platform_lead=True)
    second = await _scene(live_server, opened)
    await first.mentee.send(first.conversation_id, "first pair: how was the trip?")
    await second.mentee.send(second.conversation_id, "second pair: the essay is done")
    held_first = await first.mentor.send(first.conversation_id, HELD_TEXT)
    held_second = await second.mentor.send(second.conversation_id, "ring me on 07700 900777")
    queue = (await first.lead.get("/safeguarding")).text  # a platform lead sees both
    articles = {int(chunk.split('"', 1)[0]): chunk for chunk in queue.split('id="queue-item-')[1:]}
    assert "first pair: how was the trip?" in articles[held_first["message_id"]]
    assert "second pair" not in articles[held_first["message_id"]]
    assert "second pair: the essay is done" in articles[held_second["message_id"]]
    assert "first pair" not in articles[held_second["message_id"]]
    item = (await first.lead.get(f"/safeguarding/queue/{held_first['message_id']}")).text
    assert "first pair: how was the trip?" in item and "second pair" not in item
    other = (await first.lead.get(f"/safeguarding/queue/{held_second['message_id']}")).text
    assert "second pair: the essay is done" in other and "first pair" not in other
