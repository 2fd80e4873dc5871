"""Group commit for chat messages: one writer task stores whatever is queued in one transaction.

A sender's acknowledgement waits for the commit (persist, then acknowledge). Batching shares the
per-commit cost between everyone sending at that moment, without waiting on purpose: a lone
message is committed at once. The batch is one synchronous function over a Connection, run in
one hop: on SQLite in the writer's own thread (so the event loop never waits on the driver
statement by statement), on PostgreSQL through the async engine.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, create_engine, event, insert, select, tuple_, update
from sqlalchemy.engine import Engine, Row
from sqlalchemy.ext.asyncio import AsyncEngine

from server.db import tune_sqlite, utcnow
from server.models import Conversation, Message

log = logging.getLogger("mentormeet.chat.writer")

MAX_BATCH = 256
_message = Message.__table__  # type: ignore[attr-defined]
_conversation = Conversation.__table__  # type: ignore[attr-defined]
T = TypeVar("T")


@dataclass(frozen=True)
class Draft:
    conversation_id: int
    sender_id: int
    client_id: str
    body: str
    status: str
    verdict: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Stored:
    message_id: int
    conversation_id: int
    seq: int
    sender_id: int
    client_id: str
    body: str
    status: str
    verdict: str
    reasons: tuple[str, ...]
    created_at: dt.datetime
    duplicate: bool  # an earlier send with the same client id: nothing new was stored


# Statements with a fixed shape, so SQLAlchemy compiles each once and reuses it for every batch.
_FIND_SENT = select(_message).where(
    tuple_(_message.c.sender_id, _message.c.client_id).in_(bindparam("keys", expanding=True))
)
_RESERVE_SEQ = (
    update(_conversation)
    .where(_conversation.c.id == bindparam("conversation"))
    .values(last_seq=_conversation.c.last_seq + bindparam("count"))
    .returning(_conversation.c.last_seq)
)
_INSERT = insert(_message).returning(*_message.c, sort_by_parameter_order=True)


def commit_batch(connection: Connection, drafts: list[Draft]) -> list[Stored]:
    """Stores the drafts in the connection's transaction: one result per draft, in order.

    A client id already stored (a resend) returns the first result and stores nothing; seq is
    reserved on the conversation row, which also serialises concurrent writers on PostgreSQL.
    """
    keys = sorted({(d.sender_id, d.client_id) for d in drafts})
    existing = {
        (row.sender_id, row.client_id): _stored(row, duplicate=True)
        for row in connection.execute(_FIND_SENT, {"keys": keys})
    }
    fresh: dict[tuple[int, str], Draft] = {}
    for draft in drafts:
        key = (draft.sender_id, draft.client_id)
        if key not in existing:
            fresh.setdefault(key, draft)
    stored: dict[tuple[int, str], Stored] = {}
    if fresh:
        next_seq = {}
        for conversation_id, count in collections.Counter(
            d.conversation_id for d in fresh.values()
        ).items():
            last = connection.execute(
                _RESERVE_SEQ, {"conversation": conversation_id, "count": count}
            ).scalar_one()
            next_seq[conversation_id] = last - count + 1
        now = utcnow()
        rows = []
        for draft in fresh.values():
            seq = next_seq[draft.conversation_id]
            next_seq[draft.conversation_id] = seq + 1
            rows.append(
                {
                    "conversation_id": draft.conversation_id,
                    "seq": seq,
                    "sender_id": draft.sender_id,
                    "client_id": draft.client_id,
                    "body": draft.body,
                    "status": draft.status,
                    "verdict": draft.verdict,
                    "reasons": "\n".join(draft.reasons),
                    "created_at": now,
                }
            )
        # executemany with RETURNING: sent as multi-row INSERTs from one cached statement.
        stored = {
            (row.sender_id, row.client_id): _stored(row, duplicate=False)
            for row in connection.execute(_INSERT, rows)
        }
    results: list[Stored] = []
    for draft in drafts:
        key = (draft.sender_id, draft.client_id)
        if key in existing:
            results.append(existing[key])
        else:
            results.append(stored[key])
            # A second copy inside the same batch is a duplicate of the first.
            existing[key] = dataclasses.replace(stored[key], duplicate=True)
    return results


class _ThreadedSQLite:
    """A synchronous SQLite engine used only from one thread of its own."""

    def __init__(self, database_url: str) -> None:
        sync_url = database_url.replace("sqlite+aiosqlite://", "sqlite://", 1)
        self._engine: Engine = create_engine(
            sync_url, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(self._engine, "connect", tune_sqlite)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writer")

    async def run(self, job: Callable[[Connection], T]) -> T:
        def in_transaction() -> T:
            with self._engine.begin() as connection:
                return job(connection)

        return await asyncio.get_running_loop().run_in_executor(self._thread, in_transaction)

    async def close(self) -> None:
        self._thread.shutdown(wait=True)
        self._engine.dispose()


class _AsyncEngineRunner:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def run(self, job: Callable[[Connection], T]) -> T:
        async with self._engine.begin() as connection:
            return await connection.run_sync(job)

    async def close(self) -> None:
        """The app owns the engine and disposes of it."""


class MessageWriter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._runner: _ThreadedSQLite | _AsyncEngineRunner = (
            _ThreadedSQLite(engine.url.render_as_string(hide_password=False))
            if engine.dialect.name == "sqlite"
            else _AsyncEngineRunner(engine)
        )
        self._queue: asyncio.Queue[tuple[Draft, asyncio.Future[Stored]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chat-writer")

    async def stop(self) -> None:
        """Commits what is queued, then stops."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        await self._runner.close()

    async def write(self, draft: Draft) -> Stored:
        if self._task is None:
            raise RuntimeError("the message writer is not running")
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        await self._queue.put((draft, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._settle(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _settle(self, batch: list[tuple[Draft, asyncio.Future[Stored]]]) -> None:
        """Stores a batch and resolves each sender's future with its result or its error."""
        drafts = [draft for draft, _ in batch]
        try:
            results = await self._runner.run(lambda connection: commit_batch(connection, drafts))
        except Exception:
            # One bad message (or a race with another process) must not fail the others.
            log.warning("batch of %d failed; storing one by one", len(batch), exc_info=True)
            for draft, future in batch:
                try:
                    [result] = await self._runner.run(
                        lambda connection, one=draft: commit_batch(connection, [one])  # type: ignore[misc]
                    )
                except Exception as error:
                    _resolve(future, error=error)
                else:
                    _resolve(future, result=result)
            return
        for (_, future), result in zip(batch, results, strict=True):
            _resolve(future, result=result)


def _resolve(
    future: asyncio.Future[Stored], *, result: Stored | None = None, error: Exception | None = None
) -> None:
    if future.done():  # the sender gave up waiting (disconnected); the message is stored anyway
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert result is not None
        future.set_result(result)


def _stored(row: Row[Any], *, duplicate: bool) -> Stored:
    created_at: dt.datetime = row.created_at
    return Stored(
        message_id=row.id,
        conversation_id=row.conversation_id,
        seq=row.seq,
        sender_id=row.sender_id,
        client_id=row.client_id,
        body=row.body,
        status=row.status,
        verdict=row.verdict,
        reasons=tuple(row.reasons.split("\n")) if row.reasons else (),
        created_at=created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC),
        duplicate=duplicate,
    )
