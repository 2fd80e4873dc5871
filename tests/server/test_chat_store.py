"""The message writer: group commits that fail one draft at a time, and the SQLite store process
that is replaced when it dies and ends with the writer."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import factories
import pytest
from sqlalchemy import text
from sqlmodel import col, select

from server.chat.batch import Draft, Stored, run_unsuspended
from server.chat.conversations import conversation_for_pairing
from server.chat.writer import MessageNotStored, MessageWriter
from server.db import Database
from server.models import Message, MessageStatus


@dataclass
class Setup:
    db: Database
    writer: MessageWriter
    conversations: list[int]
    senders: list[int]


@pytest.fixture
async def setup(database_url: str) -> AsyncIterator[Setup]:
    db = Database(database_url)
    conversations, senders = [], []
    async with db.session() as session:
        org = await factories.organisation(session)
        for _ in range(3):
            pair = await factories.pair(session, org)
            conversation = await conversation_for_pairing(
                session=session, pairing_id=pair.pairing.id or 0
            )
            conversations.append(conversation.id or 0)
            senders.append(pair.mentor.id or 0)
    writer = MessageWriter(db.engine)
    writer.start()
    yield Setup(db, writer, conversations, senders)
    await writer.stop()
    await db.dispose()


def draft(conversation_id: int, sender_id: int, body: str = "see you on thursday") -> Draft:
    return Draft(
        conversation_id=conversation_id,
        sender_id=sender_id,
        client_id=str(uuid.uuid4()),
        body=body,
        status=MessageStatus.DELIVERED.value,
        verdict="DELIVER",
        reasons=(),
    )


async def stored_bodies(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = (await session.exec(select(Message).order_by(col(Message.id)))).all()
    return {row.body: row.seq for row in rows}


def store_processes(database_url: str) -> list[int]:
    """Pids of chat store processes serving this database (found through /proc)."""
    path = database_url.split(":///", 1)[1]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"server.chat.store_process" in command and path.encode() in command:
            found.append(int(entry.name))
    return found


async def test_drafts_written_together_get_gap_free_seqs_in_the_order_written(
    setup: Setup,
) -> None:
    drafts = [
        draft(setup.conversations[n % 3], setup.senders[n % 3], f"message {n}") for n in range(30)
    ]
    results = await asyncio.gather(*(setup.writer.write(d) for d in drafts))
    for conversation_id in setup.conversations:
        seqs = [r.seq for r in results if r.conversation_id == conversation_id]
        assert seqs == list(range(1, 11))
    expected = {d.body: r.seq for d, r in zip(drafts, results, strict=True)}
    assert await stored_bodies(setup.db) == expected


async def test_two_writers_on_one_database_share_the_conversations_without_gaps_or_deadlock(
    setup: Setup, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # As two web processes would (behind a Redis manager): each writer has its own engine, so
    # their batches lock the same conversation rows concurrently, in any mix.
    other_db = Database(database_url)
    other = MessageWriter(other_db.engine)
    other.start()
    try:
        writers = [setup.writer, other]
        drafts = [
            draft(setup.conversations[n % 3], setup.senders[n % 3], f"message {n}")
            for n in range(120)
        ]

        async def send_from(writer_number: int) -> list[Stored]:
            mine = drafts[writer_number::2]
            results = []
            for start in range(0, len(mine), 6):  # batches of different sizes meet
                chunk = mine[start : start + 1 + start % 5]
                results += await asyncio.gather(*(writers[writer_number].write(d) for d in chunk))
            return results

        results = [r for rs in await asyncio.gather(send_from(0), send_from(1)) for r in rs]
    finally:
        await other.stop()
        await other_db.dispose()
    # A deadlock or a clash over a seq would have failed a batch (stored again one by one).
    assert not [r for r in caplog.records if r.name == "mentormeet.chat.writer"]
    assert not any(r.duplicate for r in results)
    stored = await stored_bodies(setup.db)
    assert stored == {r.body: r.seq for r in results}
    for conversation_id in setup.conversations:
        seqs = sorted(r.seq for r in results if r.conversation_id == conversation_id)
        assert seqs == list(range(1, len(seqs) + 1))


async def test_a_client_id_sent_again_is_stored_once_within_a_batch_and_across_batches(
    setup: Setup,
) -> None:
    first = draft(setup.conversations[0], setup.senders[0], "the first copy")
    earlier = await setup.writer.write(first)
    again = first._replace(body="sent again, after a reconnect")
    twice = draft(setup.conversations[1], setup.senders[1], "sent twice in one batch")
    fresh = draft(setup.conversations[0], setup.senders[0], "a new one")
    results = await asyncio.gather(
        *(setup.writer.write(d) for d in [again, twice, fresh, twice, again])
    )
    assert [r.duplicate for r in results] == [True, False, False, True, True]
    assert results[0] == results[4] == earlier._replace(duplicate=True)
    assert results[3] == results[1]._replace(duplicate=True)
    assert (results[1].seq, results[2].seq) == (1, 2)
    assert await stored_bodies(setup.db) == {
        "the first copy": 1,
        "sent twice in one batch": 1,
        "a new one": 2,
    }


async def test_a_draft_that_cannot_be_stored_fails_alone(setup: Setup) -> None:
    good = [draft(setup.conversations[0], setup.senders[0], f"fine {n}") for n in range(4)]
    orphan = draft(987_654, setup.senders[0], "to a conversation that does not exist")
    outcomes = await asyncio.gather(
        *(setup.writer.write(d) for d in [*good[:2], orphan, *good[2:]]), return_exceptions=True
    )
    assert isinstance(outcomes[2], MessageNotStored)
    assert "no conversation 987654" in str(outcomes[2])
    assert await stored_bodies(setup.db) == {f"fine {n}": n + 1 for n in range(4)}


async def test_a_draft_the_store_process_cannot_be_handed_fails_instead_of_waiting(
    setup: Setup, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL is written through the async engine; there is no store process")
    # Frames carry plain values: an enum member where its value belongs is a caller's bug.
    odd = draft(setup.conversations[0], setup.senders[0])._replace(status=MessageStatus.HELD)
    with pytest.raises(MessageNotStored):
        await asyncio.wait_for(setup.writer.write(odd), timeout=10)
    fine = await setup.writer.write(draft(setup.conversations[0], setup.senders[0], "fine"))
    assert fine.seq == 1
    assert await stored_bodies(setup.db) == {"fine": 1}


def test_the_sqlite_steps_run_without_a_loop_and_one_that_suspends_is_an_error() -> None:
    async def plain_calls() -> int:
        return 7

    async def suspends() -> int:
        await asyncio.sleep(0)
        return 7

    assert run_unsuspended(plain_calls()) == 7
    with pytest.raises(RuntimeError, match="suspended"):
        run_unsuspended(suspends())


async def test_stop_stores_everything_it_was_given_first(setup: Setup) -> None:
    drafts = [draft(setup.conversations[1], setup.senders[1], f"last words {n}") for n in range(20)]
    writes = [asyncio.create_task(setup.writer.write(d)) for d in drafts]
    await asyncio.sleep(0)  # the writes are handed over; none is answered yet
    await setup.writer.stop()
    assert [w.result().seq for w in writes] == list(range(1, 21))
    assert len(await stored_bodies(setup.db)) == 20
    with pytest.raises(RuntimeError, match="not running"):
        await setup.writer.write(draft(setup.conversations[1], setup.senders[1]))


async def test_a_store_process_that_dies_is_replaced(setup: Setup, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL is written through the async engine; there is no store process")
    first = await setup.writer.write(draft(setup.conversations[2], setup.senders[2], "before"))
    [pid] = store_processes(database_url)
    os.kill(pid, signal.SIGKILL)
    for _ in range(200):  # the writer notices the closed socket and reaps the process
        if not store_processes(database_url):
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # and the writer has seen its socket close
    after = await setup.writer.write(draft(setup.conversations[2], setup.senders[2], "after"))
    assert (first.seq, after.seq) == (1, 2)
    [replacement] = store_processes(database_url)
    assert replacement != pid


async def test_the_store_process_ends_with_the_writer(setup: Setup, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL is written through the async engine; there is no store process")
    assert store_processes(database_url) == []  # started by the first message, not before
    await setup.writer.write(draft(setup.conversations[0], setup.senders[0]))
    assert len(store_processes(database_url)) == 1
    await setup.writer.stop()
    assert store_processes(database_url) == []


async def test_a_lost_database_connection_is_replaced(setup: Setup, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no server connection to lose")
    first = await setup.writer.write(draft(setup.conversations[0], setup.senders[0], "before"))
    # As a database restart or failover would: every other connection to it is closed.
    async with setup.db.engine.connect() as connection:
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    after = await setup.writer.write(draft(setup.conversations[0], setup.senders[0], "after"))
    assert (first.seq, after.seq) == (1, 2)
