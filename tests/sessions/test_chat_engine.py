"""Live chat through the real app with real python-socketio clients."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import factories
import pytest
import socketio
from chatclient import ChatClient
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.chat.conversations import conversation_for_pairing
from server.models import MentorVetting, Message, Role


@dataclass
class Conversation:
    pair: factories.Pair
    conversation_id: int
    mentor: ChatClient
    mentee: ChatClient


@pytest.fixture
async def clients() -> AsyncIterator[list[ChatClient]]:
    opened: list[ChatClient] = []
    yield opened
    for client in opened:
        await client.close()


async def _conversation(
    live: LiveServer, clients: list[ChatClient], *, under_18: bool = False
) -> Conversation:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session)
        pair = await factories.pair(session, org, under_18=under_18)
        conversation = await conversation_for_pairing(
            session=session, pairing_id=pair.pairing.id or 0
        )
        return pair, conversation.id

    pair, conversation_id = await live.in_session(make)
    mentor = await ChatClient.logged_in(live.url, pair.mentor.email, PASSWORD)
    mentee = await ChatClient.logged_in(live.url, pair.mentee.email, PASSWORD)
    clients += [mentor, mentee]
    for client in (mentor, mentee):
        joined = await client.join(conversation_id)
        assert joined["ok"], joined
    return Conversation(pair, conversation_id, mentor, mentee)


async def _stored(live: LiveServer, conversation_id: int) -> list[Message]:
    async def load(session: AsyncSession) -> list[Message]:
        query = (
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(col(Message.seq))
        )
        return list((await session.exec(query)).all())

    return await live.in_session(load)


async def test_mentor_and_mentee_exchange_messages_in_order(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)
    sends = []
    for number in range(10):  # the rate limit allows 10 per person in 10 s
        sends.append(chat.mentor.send(chat.conversation_id, f"mentor says {number}"))
        sends.append(chat.mentee.send(chat.conversation_id, f"mentee says {number}"))
    acks = await asyncio.gather(*sends)
    assert all(ack["ok"] and ack["status"] == "delivered" for ack in acks), [
        a for a in acks if not a.get("ok") or a.get("status") != "delivered"
    ]
    assert sorted(ack["seq"] for ack in acks) == list(range(1, 21))  # gap-free
    # Each side receives the other's ten (its own come back as acknowledgements), in order.
    for client in (chat.mentor, chat.mentee):
        await client.wait_for(lambda c: len(c.messages) == 10)
        seqs = [m["seq"] for m in client.messages]
        assert seqs == sorted(seqs)
    # Each side's own messages keep their relative order.
    mentor_texts = [
        m["text"] for m in chat.mentee.messages if m["sender_id"] == chat.pair.mentor.id
    ]
    assert mentor_texts == [f"mentor says {n}" for n in range(10)]
    stored = await _stored(live_server, chat.conversation_id)
    assert [m.seq for m in stored] == list(range(1, 21))
    history = await chat.mentee.join(chat.conversation_id, after_seq=15)
    assert [m["seq"] for m in history["messages"]] == [16, 17, 18, 19, 20]


async def test_sockets_without_a_session_are_refused(live_server: LiveServer) -> None:
    for cookie in (None, "forged-session-token"):
        client = ChatClient(live_server.url, cookie)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect()


async def test_a_user_of_another_pairing_can_neither_join_nor_read(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)
    other = await _conversation(live_server, clients)
    intruder = other.mentor
    refused = await intruder.join(chat.conversation_id)
    assert refused == {
        "ok": False,
        "error": {"message": "No such conversation.", "field": "conversation_id"},
    }
    sneaky_sync = await intruder.call(
        "sync", {"conversation_id": chat.conversation_id, "after_seq": 0}
    )
    assert sneaky_sync["ok"] is False
    sneaky_send = await intruder.send(chat.conversation_id, "hello?")
    assert sneaky_send["ok"] is False
    await chat.mentor.send(chat.conversation_id, "just for my mentee")
    await chat.mentee.wait_for(lambda c: len(c.messages) == 1)
    await asyncio.sleep(0.2)
    assert all(m["conversation_id"] == other.conversation_id for m in intruder.messages)


async def test_held_message_never_reaches_the_recipient(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients, under_18=True)
    held = await chat.mentor.send(chat.conversation_id, "text me on 07700 900123 after school")
    assert held["ok"] and held["status"] == "held"
    after = await chat.mentor.send(chat.conversation_id, "see you next week")
    assert after["status"] == "delivered"
    await chat.mentee.wait_for(lambda c: len(c.messages) == 1)
    assert [m["text"] for m in chat.mentee.messages] == ["see you next week"]
    # Not even after reconnecting and resynchronising from the start.
    await chat.mentee.close()
    mentee = await ChatClient.logged_in(live_server.url, chat.pair.mentee.email, PASSWORD)
    clients.append(mentee)
    history = await mentee.join(chat.conversation_id, after_seq=0)
    assert [m["text"] for m in history["messages"]] == ["see you next week"]
    mentor_history = await chat.mentor.join(chat.conversation_id, after_seq=0)
    assert [m["status"] for m in mentor_history["messages"]] == ["held", "delivered"]


async def test_flagged_message_is_delivered_and_safeguarding_is_alerted_live(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)  # an adult mentee: contact details flag

    async def make(session: AsyncSession) -> Any:
        dsl = await factories.user(
            session, Role.SAFEGUARDING, chat.pair.organisation, email="dsl@x.test"
        )
        elsewhere = await factories.organisation(session)
        other = await factories.user(session, Role.SAFEGUARDING, elsewhere, email="dsl2@x.test")
        return dsl, other

    await live_server.in_session(make)
    dsl = await ChatClient.logged_in(live_server.url, "dsl@x.test", PASSWORD)
    other_dsl = await ChatClient.logged_in(live_server.url, "dsl2@x.test", PASSWORD)
    clients += [dsl, other_dsl]
    ack = await chat.mentee.send(chat.conversation_id, "my email is jo.bloggs@gmail.com")
    assert ack["status"] == "delivered"
    await chat.mentor.wait_for(lambda c: len(c.messages) == 1)
    await dsl.wait_for(lambda c: len(c.alerts) == 1)
    alert = dsl.alerts[0]
    assert alert["verdict"] == "FLAG" and "contact:email" in alert["reasons"]
    assert alert["conversation_id"] == chat.conversation_id
    await asyncio.sleep(0.2)
    assert other_dsl.alerts == []  # another organisation's lead is not told


async def test_a_resend_with_the_same_id_is_stored_once(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)
    first = await chat.mentor.send(chat.conversation_id, "hello there", client_id="abc-123")
    again = await chat.mentor.send(chat.conversation_id, "hello there", client_id="abc-123")
    together = await asyncio.gather(
        *(chat.mentor.send(chat.conversation_id, "burst", client_id="burst-1") for _ in range(5))
    )
    assert first["seq"] == again["seq"] and first["message_id"] == again["message_id"]
    assert len({ack["seq"] for ack in together}) == 1
    assert len(await _stored(live_server, chat.conversation_id)) == 2


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"text": "   "}, "Write a message before sending."),
        ({"text": "x" * 2001}, "Messages can be at most 2,000 characters"),
        ({"text": "bell \x07 ring"}, "Messages cannot contain control characters."),
        ({"text": 42}, "'text' must be text."),
        ({"text": "hi", "colour": "red"}, "Unknown field 'colour'."),
        ({"id": "", "text": "hi"}, "'id' must not be empty."),
        ({"id": "x" * 65, "text": "hi"}, "'id' must be at most 64 characters."),
        ({"conversation_id": "seven", "text": "hi"}, "'conversation_id' must be a whole number"),
    ],
)
async def test_invalid_messages_get_a_clear_error(
    live_server: LiveServer, clients: list[ChatClient], payload: dict[str, Any], message: str
) -> None:
    chat = await _conversation(live_server, clients)
    data = {"conversation_id": chat.conversation_id, "id": "x1", **payload}
    ack = await chat.mentor.call("send", data)
    assert ack["ok"] is False and message in ack["error"]["message"]
    assert await _stored(live_server, chat.conversation_id) == []


async def test_rate_limit_answers_with_a_clear_error(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)
    acks = [await chat.mentor.send(chat.conversation_id, f"quick {n}") for n in range(11)]
    assert all(ack["ok"] for ack in acks[:10])
    assert acks[10]["ok"] is False and "very fast" in acks[10]["error"]["message"]
    # The other member is not slowed down by it.
    assert (await chat.mentee.send(chat.conversation_id, "my turn"))["ok"]


async def test_unknown_events_and_bad_payloads_do_not_break_the_server(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)
    assert (await chat.mentor.call("delete_everything", {"all": True}))["ok"] is False
    assert (await chat.mentor.call("join", "not an object"))["ok"] is False
    assert (await chat.mentor.call("join", {"conversation_id": -1}))["ok"] is False
    assert (await chat.mentor.call("join", {"conversation_id": 10**30}))["ok"] is False
    # An oversized frame closes only that connection.
    with pytest.raises(Exception):  # noqa: B017 - the client sees a timeout or disconnect
        await chat.mentor.call(
            "send",
            {"conversation_id": chat.conversation_id, "id": "big", "text": "x" * 200_000},
            timeout=3,
        )
    assert (await chat.mentee.send(chat.conversation_id, "still here"))["ok"]


async def test_typing_indicator_reaches_the_partner(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)
    assert (await chat.mentee.call("typing", {"conversation_id": chat.conversation_id}))["ok"]
    await chat.mentor.wait_for(lambda c: len(c.typing) == 1)
    assert chat.mentor.typing[0]["name"] == chat.pair.mentee.display_name
    await asyncio.sleep(0.1)
    assert chat.mentee.typing == []


async def test_unread_count_on_the_dashboard(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)
    for number in range(3):
        await chat.mentor.send(chat.conversation_id, f"message {number}")
    async with live_server.client() as http:
        await log_in(http, chat.pair.mentee.email, PASSWORD)
        assert "3 unread" in (await http.get("/dashboard")).text
        assert (
            await chat.mentee.call("read", {"conversation_id": chat.conversation_id, "seq": 2})
        )["ok"]
        assert "1 unread" in (await http.get("/dashboard")).text
        await chat.mentee.call("read", {"conversation_id": chat.conversation_id, "seq": 3})
        assert "unread" not in (await http.get("/dashboard")).text


async def test_logging_out_and_disabling_disconnect_sockets(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)
    async with live_server.client(cookies={"mm_session": chat.mentee.session_cookie or ""}) as http:
        page = await http.get("/dashboard")
        await http.post("/logout", data={"csrf_token": csrf_from(page.text)})
    for _ in range(50):
        if not chat.mentee.sio.connected:
            break
        await asyncio.sleep(0.05)
    assert not chat.mentee.sio.connected

    async def coordinator(session: AsyncSession) -> Any:
        return await factories.user(
            session, Role.COORDINATOR, chat.pair.organisation, email="co@x.test"
        )

    await live_server.in_session(coordinator)
    async with live_server.client() as http:
        await log_in(http, "co@x.test", PASSWORD)
        page = await http.get(f"/people/{chat.pair.mentor.id}")
        await http.post(
            f"/people/{chat.pair.mentor.id}/disable", data={"csrf_token": csrf_from(page.text)}
        )
    for _ in range(50):
        if not chat.mentor.sio.connected:
            break
        await asyncio.sleep(0.05)
    assert not chat.mentor.sio.connected


async def test_message_form_works_without_javascript(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients, under_18=True)
    async with live_server.client() as http:
        await log_in(http, chat.pair.mentor.email, PASSWORD)
        page = await http.get(f"/pairings/{chat.pair.pairing.id}/messages")
        assert "Messages are kept and may be reviewed by the safeguarding team." in page.text
        token = csrf_from(page.text)
        sent = await http.post(
            f"/pairings/{chat.pair.pairing.id}/messages",
            data={"csrf_token": token, "client_id": "form-1", "text": "<b>Hi</b> & welcome"},
        )
        assert sent.status_code == 303
        held = await http.post(
            f"/pairings/{chat.pair.pairing.id}/messages",
            data={"csrf_token": token, "client_id": "form-2", "text": "my snap is jo_b2009"},
        )
        page = await http.get(f"/pairings/{chat.pair.pairing.id}/messages")
    assert "awaiting review" in page.text
    assert "&lt;b&gt;Hi&lt;/b&gt; &amp; welcome" in page.text  # escaped, never markup
    await chat.mentee.wait_for(lambda c: len(c.messages) == 1)
    assert chat.mentee.messages[0]["text"] == "<b>Hi</b> & welcome"
    assert held.status_code == 303

    async def count(session: AsyncSession) -> int:
        return (await session.exec(select(func.count()).select_from(Message))).one()

    assert await live_server.in_session(count) == 2


async def test_a_lapsed_mentor_check_pauses_the_chat_and_says_why(
    live_server: LiveServer, clients: list[ChatClient]
) -> None:
    chat = await _conversation(live_server, clients)

    async def lapse(session: AsyncSession) -> None:
        vetting = (
            await session.exec(
                select(MentorVetting).where(MentorVetting.mentor_id == chat.pair.mentor.id)
            )
        ).one()
        vetting.dbs_issue_date = dt.date(2019, 1, 1)
        session.add(vetting)
        await session.commit()

    await live_server.in_session(lapse)
    refused = await chat.mentee.join(chat.conversation_id)
    assert refused["ok"] is False
    assert (
        "paused until the mentor's safeguarding checks are up to date"
        in refused["error"]["message"]
    )
    async with live_server.client() as http:
        await log_in(http, chat.pair.mentee.email, PASSWORD)
        page = await http.get(f"/pairings/{chat.pair.pairing.id}/messages")
    assert page.status_code == 403
    assert "enhanced check lapsed" in page.text
