"""E-mail delivery: real SMTP, retries with backoff, and never twice even with two workers."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
from collections.abc import AsyncIterator

import pytest
from mailcatcher import MailCatcher
from sqlmodel import col, select

from server.db import Database, utcnow
from server.models import OutboxEmail, OutboxStatus
from server.outbox import MAX_ATTEMPTS, deliver_due, enqueue_email
from server.smtp import log_transport, smtp_transport

SENDER = "mentormeet <no-reply@mentormeet.test>"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _enqueue(db: Database, count: int) -> None:
    async with db.session() as session:
        for number in range(count):
            enqueue_email(
                session=session,
                to=f"person{number}@example.org",
                subject=f"Hello {number}",
                body="Hi",
            )
        await session.commit()


async def _rows(db: Database) -> list[OutboxEmail]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxEmail).order_by(col(OutboxEmail.id)))).all())


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_two_workers_send_every_message_exactly_once(
    db: Database, database_url: str, smtp_server: MailCatcher
) -> None:
    await _enqueue(db, 30)
    second = Database(database_url)  # another worker process would have its own engine
    transport = smtp_transport(smtp_server.url)
    try:
        sent = await asyncio.gather(
            deliver_due(db, transport, sender=SENDER, message_domain="mentormeet.test"),
            deliver_due(second, transport, sender=SENDER, message_domain="mentormeet.test"),
        )
    finally:
        await second.dispose()
    assert sum(sent) == 30
    ids = [str(message["Message-ID"]) for message in smtp_server.messages]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert all(row.status == OutboxStatus.SENT and row.attempts == 1 for row in await _rows(db))


async def test_failed_delivery_is_retried_with_backoff_then_sent(
    db: Database, smtp_server: MailCatcher
) -> None:
    await _enqueue(db, 1)
    down = smtp_transport(f"smtp://127.0.0.1:{_closed_port()}")
    assert await deliver_due(db, down, sender=SENDER, message_domain="x") == 0
    [row] = await _rows(db)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert row.last_error and "Connect" in row.last_error
    assert dt.timedelta(seconds=25) < row.next_attempt_at - utcnow() <= dt.timedelta(seconds=30)
    # Not due yet: nothing is sent even though the server is back.
    up = smtp_transport(smtp_server.url)
    assert await deliver_due(db, up, sender=SENDER, message_domain="x") == 0
    async with db.session() as session:
        stored = await session.get(OutboxEmail, row.id)
        assert stored is not None
        stored.next_attempt_at = utcnow()
        await session.commit()
    assert await deliver_due(db, up, sender=SENDER, message_domain="x") == 1
    [row] = await _rows(db)
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.last_error is None
    assert len(smtp_server.messages) == 1


async def test_delivery_gives_up_after_max_attempts(db: Database) -> None:
    await _enqueue(db, 1)
    down = smtp_transport(f"smtp://127.0.0.1:{_closed_port()}")
    for _ in range(MAX_ATTEMPTS):
        async with db.session() as session:
            row = (await session.exec(select(OutboxEmail))).one()
            row.next_attempt_at = utcnow()
            await session.commit()
        await deliver_due(db, down, sender=SENDER, message_domain="x")
    [row] = await _rows(db)
    assert row.status == OutboxStatus.FAILED and row.attempts == MAX_ATTEMPTS


async def test_a_message_left_mid_send_by_a_dead_worker_is_taken_over(
    db: Database, smtp_server: MailCatcher
) -> None:
    await _enqueue(db, 1)
    async with db.session() as session:
        row = (await session.exec(select(OutboxEmail))).one()
        row.status = OutboxStatus.SENDING
        row.claimed_until = utcnow() - dt.timedelta(seconds=1)
        await session.commit()
    sent = await deliver_due(db, smtp_transport(smtp_server.url), sender=SENDER, message_domain="x")
    assert sent == 1 and len(smtp_server.messages) == 1


async def test_without_smtp_the_message_goes_to_the_log(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await _enqueue(db, 1)
    with caplog.at_level(logging.INFO, logger="mentormeet.mail"):
        assert await deliver_due(db, log_transport, sender=SENDER, message_domain="x") == 1
    assert "To: person0@example.org" in caplog.text and "Subject: Hello 0" in caplog.text
