"""E-mail alerts of unread messages: after the delay, once until the member reads, never the
text; none for held messages, ended pairings, inactive members or those who turned them off."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage

import factories
import pytest
from chatclient import ChatClient
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in
from mailcatcher import MailCatcher, body_of
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.chat.alerts import send_message_alerts
from server.chat.conversations import conversation_for_pairing, mark_read
from server.db import Database, utcnow
from server.models import (
    Conversation,
    Message,
    MessageStatus,
    OutboxEmail,
    Pairing,
    PairingStatus,
    Review,
    User,
)
from server.outbox import deliver_due
from server.settings import Settings
from server.smtp import smtp_transport

BASE = "http://mentormeet.test"
DELAY = dt.timedelta(minutes=15)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _pair(db: Database) -> tuple[factories.Pair, int]:
    async with db.session() as session:
        pair = await factories.pair(session, await factories.organisation(session))
        conversation = await conversation_for_pairing(
            session=session, pairing_id=pair.pairing.id or 0
        )
        return pair, conversation.id or 0


async def _say(
    db: Database,
    conversation_id: int,
    sender: User,
    text: str,
    *,
    at: dt.datetime,
    status: MessageStatus = MessageStatus.DELIVERED,
) -> int:
    """A stored message, as the chat store writes it; returns its seq."""
    async with db.session() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.last_seq += 1
        session.add(conversation)
        session.add(
            Message(
                conversation_id=conversation_id,
                seq=conversation.last_seq,
                sender_id=sender.id or 0,
                client_id=f"c{conversation.last_seq}",
                body=text,
                status=status,
                verdict="DELIVER" if status is MessageStatus.DELIVERED else "HOLD",
                created_at=at,
            )
        )
        await session.commit()
        return conversation.last_seq


async def _alerts(db: Database, now: dt.datetime) -> int:
    return await send_message_alerts(db, now=now, base_url=BASE, delay=DELAY)


async def _queued_to(db: Database, address: str) -> list[OutboxEmail]:
    async with db.session() as session:
        return list(
            await session.exec(select(OutboxEmail).where(OutboxEmail.to_address == address))
        )


async def test_unread_messages_are_alerted_once_after_the_delay(
    db: Database, smtp_server: MailCatcher
) -> None:
    pair, conversation_id = await _pair(db)
    sent_at = utcnow() - dt.timedelta(minutes=20)
    await _say(db, conversation_id, pair.mentor, "how did the mock interview go?", at=sent_at)
    await _say(db, conversation_id, pair.mentor, "tell me everything", at=sent_at)

    assert await _alerts(db, sent_at + dt.timedelta(minutes=14)) == 0  # not waited long enough
    assert await _alerts(db, sent_at + dt.timedelta(minutes=16)) == 1
    assert await _alerts(db, sent_at + dt.timedelta(minutes=30)) == 0  # not read since: no more
    assert await _queued_to(db, pair.mentor.email) == []  # the sender hears nothing

    await deliver_due(
        db, smtp_transport(smtp_server.url), sender="mm <x@t.test>", message_domain="t"
    )
    [email] = smtp_server.wait_for(pair.mentee.email)
    assert email["Subject"] == f"{pair.mentor.display_name} sent you 2 messages on mentormeet"
    body = body_of(email)
    assert f"{BASE}/pairings/{pair.pairing.id}/messages" in body
    assert f"{BASE}/profile" in body
    assert "mock interview" not in body and "everything" not in body  # never the text
    assert "on mentormeet only" in body


async def test_reading_ends_the_alert_and_a_later_message_can_bring_another(
    db: Database,
) -> None:
    pair, conversation_id = await _pair(db)
    first = utcnow() - dt.timedelta(hours=2)
    seq = await _say(db, conversation_id, pair.mentee, "is thursday still ok?", at=first)
    assert await _alerts(db, first + DELAY) == 1
    async with db.session() as session:
        await mark_read(
            session=session, conversation_id=conversation_id, user_id=pair.mentor.id or 0, seq=seq
        )
    assert await _alerts(db, first + 2 * DELAY) == 0  # read: nothing waiting

    later = first + dt.timedelta(hours=1)
    await _say(db, conversation_id, pair.mentee, "and can we look at my CV?", at=later)
    assert await _alerts(db, later + DELAY / 2) == 0
    assert await _alerts(db, later + DELAY) == 1
    [_, second] = await _queued_to(db, pair.mentor.email)
    assert second.subject == f"{pair.mentee.display_name} sent you a message on mentormeet"


async def test_messages_read_in_time_bring_no_alert(db: Database) -> None:
    pair, conversation_id = await _pair(db)
    sent_at = utcnow() - dt.timedelta(minutes=30)
    seq = await _say(db, conversation_id, pair.mentor, "see you at 5", at=sent_at)
    async with db.session() as session:
        await mark_read(
            session=session, conversation_id=conversation_id, user_id=pair.mentee.id or 0, seq=seq
        )
    assert await _alerts(db, utcnow()) == 0


async def test_no_alert_for_held_messages_ended_pairings_inactive_or_unwilling_members(
    db: Database,
) -> None:
    now = utcnow()
    sent_at = now - dt.timedelta(minutes=30)

    held, held_conversation = await _pair(db)
    await _say(
        db, held_conversation, held.mentor, "add me on snap", at=sent_at, status=MessageStatus.HELD
    )

    ended, ended_conversation = await _pair(db)
    await _say(db, ended_conversation, ended.mentor, "good luck!", at=sent_at)
    unwilling, unwilling_conversation = await _pair(db)
    await _say(db, unwilling_conversation, unwilling.mentor, "hello", at=sent_at)
    gone, gone_conversation = await _pair(db)
    await _say(db, gone_conversation, gone.mentor, "hello", at=sent_at)
    old, old_conversation = await _pair(db)
    await _say(db, old_conversation, old.mentor, "hello", at=now - dt.timedelta(days=8))
    async with db.session() as session:
        pairing = await session.get(Pairing, ended.pairing.id)
        opted_out = await session.get(User, unwilling.mentee.id)
        disabled = await session.get(User, gone.mentee.id)
        assert pairing is not None and opted_out is not None and disabled is not None
        pairing.status = PairingStatus.COMPLETED
        opted_out.message_alerts = False
        disabled.is_active = False
        session.add_all([pairing, opted_out, disabled])
        await session.commit()

    assert await _alerts(db, now) == 0
    async with db.session() as session:
        assert list(await session.exec(select(OutboxEmail))) == []


async def _release(db: Database, conversation_id: int, seq: int, *, at: dt.datetime) -> None:
    """A held message approved by a reviewer at `at`, as the review queue records it."""
    async with db.session() as session:
        query = select(Message).where(
            Message.conversation_id == conversation_id, Message.seq == seq
        )
        message = (await session.exec(query)).one()
        message.status, message.review, message.reviewed_at = (
            MessageStatus.DELIVERED,
            Review.APPROVED,
            at,
        )
        session.add(message)
        await session.commit()


async def test_a_released_message_waits_the_delay_from_its_release(db: Database) -> None:
    now = utcnow()
    pair, conversation_id = await _pair(db)
    # Written ten days ago and released a minute ago: beyond the look-back as written, and long
    # past the delay, but delivered only now, so the mentee may be reading it live.
    seq = await _say(
        db,
        conversation_id,
        pair.mentor,
        "my work number is 07700 900123",
        at=now - dt.timedelta(days=10),
        status=MessageStatus.HELD,
    )
    await _release(db, conversation_id, seq, at=now - dt.timedelta(minutes=1))
    assert await _alerts(db, now) == 0
    assert await _alerts(db, now + DELAY) == 1
    [alert] = await _queued_to(db, pair.mentee.email)
    assert alert.subject == f"{pair.mentor.display_name} sent you a message on mentormeet"


async def test_two_workers_at_once_send_one_alert(db: Database, database_url: str) -> None:
    pair, conversation_id = await _pair(db)
    sent_at = utcnow() - dt.timedelta(minutes=30)
    await _say(db, conversation_id, pair.mentor, "hi", at=sent_at)
    other = Database(database_url)
    try:
        counts = await asyncio.gather(
            _alerts(db, utcnow()),
            send_message_alerts(other, now=utcnow(), base_url=BASE, delay=DELAY),
        )
    finally:
        await other.dispose()
    assert sorted(counts) == [0, 1]
    assert len(await _queued_to(db, pair.mentee.email)) == 1


# --- through the app ---------------------------------------------------------------------


async def _arrival(catcher: MailCatcher, address: str, subject: str) -> list[EmailMessage]:
    for _ in range(150):
        found = [m for m in catcher.to(address) if m["Subject"] == subject]
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no e-mail {subject!r} to {address}")


async def test_a_message_sent_live_is_e_mailed_to_a_partner_who_is_away(
    settings_for: Callable[..., Settings], smtp_server: MailCatcher
) -> None:
    live = LiveServer(lambda url: settings_for(url, message_alert_minutes=0.01))
    live.start()
    try:

        async def make(session: AsyncSession) -> tuple[factories.Pair, int]:
            pair = await factories.pair(session, await factories.organisation(session))
            conversation = await conversation_for_pairing(
                session=session, pairing_id=pair.pairing.id or 0
            )
            return pair, conversation.id or 0

        pair, conversation_id = await live.in_session(make)
        mentor = await ChatClient.logged_in(live.url, pair.mentor.email, PASSWORD)
        try:
            assert (await mentor.join(conversation_id))["ok"]
            ack = await mentor.send(conversation_id, "your reference letter is ready")
            assert ack["ok"] and ack["status"] == "delivered", ack
            subject = f"{pair.mentor.display_name} sent you a message on mentormeet"
            # The worker also e-mails the mentee their first survey.
            [email] = await _arrival(smtp_server, pair.mentee.email, subject)
        finally:
            await mentor.close()
        body = body_of(email)
        assert f"{live.url}/pairings/{pair.pairing.id}/messages" in body
        assert "reference letter" not in body
        assert smtp_server.to(pair.mentor.email) == []
    finally:
        live.stop()


async def test_members_turn_alerts_off_and_on_on_their_profile_page(
    live_server: LiveServer,
) -> None:
    async def make(session: AsyncSession) -> factories.Pair:
        return await factories.pair(session, await factories.organisation(session))

    pair = await live_server.in_session(make)

    async def alerts_of(person: User) -> bool:
        async def load(session: AsyncSession) -> bool:
            found = await session.get(User, person.id)
            assert found is not None
            return found.message_alerts

        return await live_server.in_session(load)

    async with live_server.client() as client:
        await log_in(client, pair.mentee.email, PASSWORD)
        page = await client.get("/profile")
        assert 'name="message_alerts" value="true" checked' in page.text
        off = await client.post("/profile/alerts", data={"csrf_token": csrf_from(page.text)})
        assert off.status_code == 303, off.text
        assert await alerts_of(pair.mentee) is False
        page = await client.get("/profile")
        assert "E-mail alerts are off." in page.text
        assert 'name="message_alerts" value="true" checked' not in page.text
        on = await client.post(
            "/profile/alerts",
            data={"csrf_token": csrf_from(page.text), "message_alerts": "true"},
        )
        assert on.status_code == 303
        assert await alerts_of(pair.mentee) is True
        forged = await client.post("/profile/alerts", data={"message_alerts": "true"})
        assert forged.status_code == 403
        odd = await client.post(
            "/profile/alerts", data={"csrf_token": csrf_from(page.text), "message_alerts": "x"}
        )
        assert odd.status_code == 422
        assert await alerts_of(pair.mentee) is True  # a bad form changes nothing
