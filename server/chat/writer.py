"""Group commit for chat messages: one writer task stores whatever is queued in one transaction.

A sender's acknowledgement waits for the commit (persist, then acknowledge). Batching shares the
per-commit cost between everyone sending at that moment, without waiting on purpose: a lone
message is committed at once. A batch is one synchronous function run in one hop: on SQLite in
the writer's own thread over the sqlite3 driver (the event loop never waits statement by
statement), on PostgreSQL through the async engine.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import logging
import queue
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server.db import tune_sqlite, utcnow
from server.models import Conversation, Message

log = logging.getLogger("mentormeet.chat.writer")

MAX_BATCH = 256
MAX_GATHER_TURNS = 8
_message = Message.__table__  # type: ignore[attr-defined]
_conversation = Conversation.__table__  # type: ignore[attr-defined]


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


class BatchStore(Protocol):
    """The three statements a batch needs, inside one open transaction."""

    def find_sent(self, keys: list[tuple[int, str]]) -> list[Stored]: ...

    def reserve_seqs(self, conversation_id: int, count: int) -> int:
        """Adds `count` to the conversation's last seq and returns the new last seq."""
        ...

    def insert(self, rows: list[dict[str, Any]]) -> list[Stored]: ...


def commit_batch(store: BatchStore, drafts: list[Draft]) -> list[Stored]:
    """Stores the drafts in the store's transaction: one result per draft, in order.

    A client id already stored (a resend) returns the first result and stores nothing; seq is
    reserved on the conversation row, which also serialises concurrent writers on PostgreSQL.
    """
    keys = sorted({(d.sender_id, d.client_id) for d in drafts})
    existing = {(s.sender_id, s.client_id): s for s in store.find_sent(keys)}
    fresh: dict[tuple[int, str], Draft] = {}
    for draft in drafts:
        key = (draft.sender_id, draft.client_id)
        if key not in existing:
            fresh.setdefault(key, draft)
    stored: dict[tuple[int, str], Stored] = {}
    if fresh:
        next_seq = {}
        counts = collections.Counter(d.conversation_id for d in fresh.values())
        for conversation_id, count in counts.items():
            next_seq[conversation_id] = store.reserve_seqs(conversation_id, count) - count + 1
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
        stored = {(s.sender_id, s.client_id): s for s in store.insert(rows)}
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


class _CoreStore:
    """A batch over SQLAlchemy Core (PostgreSQL, through the async engine)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def find_sent(self, keys: list[tuple[int, str]]) -> list[Stored]:
        rows = self._connection.execute(_FIND_SENT, {"keys": keys})
        return [_stored(row._asdict(), duplicate=True) for row in rows]

    def reserve_seqs(self, conversation_id: int, count: int) -> int:
        params = {"conversation": conversation_id, "count": count}
        last: int = self._connection.execute(_RESERVE_SEQ, params).scalar_one()
        return last

    def insert(self, rows: list[dict[str, Any]]) -> list[Stored]:
        # executemany with RETURNING: sent as multi-row INSERTs from one cached statement.
        inserted = self._connection.execute(_INSERT, rows)
        return [_stored(row._asdict(), duplicate=False) for row in inserted]


_COLUMNS = (
    "conversation_id",
    "seq",
    "sender_id",
    "client_id",
    "body",
    "status",
    "verdict",
    "reasons",
    "created_at",
)


class _SQLiteStore:
    """A batch over the sqlite3 driver itself: the chat hot path without per-statement layers."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._cursor = connection.cursor()

    def find_sent(self, keys: list[tuple[int, str]]) -> list[Stored]:
        # Two IN lists on the (sender_id, client_id) index: SQLite searches the index for each
        # combination, where a row-value IN over VALUES would scan the whole table.
        senders = sorted({sender for sender, _ in keys})
        clients = sorted({client for _, client in keys})
        self._cursor.execute(
            f"SELECT id, {', '.join(_COLUMNS)} FROM message "
            f"WHERE sender_id IN ({','.join('?' * len(senders))}) "
            f"AND client_id IN ({','.join('?' * len(clients))})",
            [*senders, *clients],
        )
        names = [column[0] for column in self._cursor.description]
        wanted = set(keys)
        return [
            _stored(
                {**dict(zip(names, row, strict=True)), "created_at": _from_sqlite(row[-1])},
                duplicate=True,
            )
            for row in self._cursor.fetchall()
            if (row[names.index("sender_id")], row[names.index("client_id")]) in wanted
        ]

    def reserve_seqs(self, conversation_id: int, count: int) -> int:
        self._cursor.execute(
            "UPDATE conversation SET last_seq = last_seq + ? WHERE id = ? RETURNING last_seq",
            (count, conversation_id),
        )
        (last,) = self._cursor.fetchone()
        return int(last)

    def insert(self, rows: list[dict[str, Any]]) -> list[Stored]:
        placeholders = ",".join(f"({','.join('?' * len(_COLUMNS))})" for _ in rows)
        values = [
            _to_sqlite(row[column]) if column == "created_at" else row[column]
            for row in rows
            for column in _COLUMNS
        ]
        self._cursor.execute(
            f"INSERT INTO message ({', '.join(_COLUMNS)}) VALUES {placeholders} "
            "RETURNING id, sender_id, client_id",
            values,
        )
        ids = {
            (sender, client): message_id for message_id, sender, client in self._cursor.fetchall()
        }
        return [
            _stored({**row, "id": ids[(row["sender_id"], row["client_id"])]}, duplicate=False)
            for row in rows
        ]


def _to_sqlite(moment: dt.datetime) -> str:
    """The text form SQLAlchemy's SQLite dialect stores and reads (naive UTC)."""
    return (
        moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    )


def _from_sqlite(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


class _ThreadedSQLite:
    """The sqlite3 driver, used only from the writer's own thread.

    A plain thread fed by a queue (not an executor) and answered with call_soon_threadsafe:
    the hand-off happens for every commit, so it is kept as light as it can be.
    """

    def __init__(self, database_url: str) -> None:
        path = database_url.split(":///", 1)[1]
        self._connection = sqlite3.connect(
            path, timeout=30, isolation_level=None, check_same_thread=False
        )
        tune_sqlite(self._connection, None)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="chat-writer", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            drafts, loop, future = job
            try:
                result = self._transaction(drafts)
            except Exception as error:
                loop.call_soon_threadsafe(_fail, future, error)
            else:
                loop.call_soon_threadsafe(_succeed, future, result)

    def _transaction(self, drafts: list[Draft]) -> list[Stored]:
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            results = commit_batch(_SQLiteStore(self._connection), drafts)
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")
        return results

    async def run(self, drafts: list[Draft]) -> list[Stored]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Stored]] = loop.create_future()
        self._jobs.put((drafts, loop, future))
        return await future

    async def close(self) -> None:
        self._jobs.put(None)
        await asyncio.to_thread(self._thread.join)
        self._connection.close()


_Job = tuple[list[Draft], asyncio.AbstractEventLoop, "asyncio.Future[list[Stored]]"]


def _succeed(future: asyncio.Future[list[Stored]], result: list[Stored]) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[list[Stored]], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


class _AsyncEngineRunner:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def run(self, drafts: list[Draft]) -> list[Stored]:
        async with self._engine.begin() as connection:
            return await connection.run_sync(lambda sync: commit_batch(_CoreStore(sync), drafts))

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
            # Let the loop run while that brings more senders (never a timed wait): those whose
            # events are already read join this commit instead of waiting for the next one.
            for _ in range(MAX_GATHER_TURNS):
                waiting = self._queue.qsize()
                await asyncio.sleep(0)
                if self._queue.qsize() == waiting:
                    break
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
            results = await self._runner.run(drafts)
        except Exception:
            # One bad message (or a race with another process) must not fail the others.
            log.warning("batch of %d failed; storing one by one", len(batch), exc_info=True)
            for draft, future in batch:
                try:
                    [result] = await self._runner.run([draft])
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


def _stored(row: Mapping[str, Any], *, duplicate: bool) -> Stored:
    created_at: dt.datetime = row["created_at"]
    return Stored(
        message_id=row["id"],
        conversation_id=row["conversation_id"],
        seq=row["seq"],
        sender_id=row["sender_id"],
        client_id=row["client_id"],
        body=row["body"],
        status=row["status"],
        verdict=row["verdict"],
        reasons=tuple(row["reasons"].split("\n")) if row["reasons"] else (),
        created_at=created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC),
        duplicate=duplicate,
    )
