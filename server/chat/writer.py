"""Durable storage of chat messages: a sender is acknowledged once its message is committed.

Group commit: whatever is waiting is stored in one transaction, so the per-commit cost is shared
by everyone sending at that moment, without waiting on purpose (a lone message is committed at
once). On SQLite the commits run in the chat store process (`server.chat.store_process`), on
PostgreSQL on a connection of the async engine through asyncpg itself, one batch at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
import sys
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.chat.batch import (
    COLUMNS,
    MAX_BATCH,
    STORED_SELECT_LIST,
    Draft,
    Stored,
    commit_batch,
    stored_from_row,
)
from server.chat.store_process import FrameBuffer, Job, decode_outcomes, encode_jobs

log = logging.getLogger("mentormeet.chat.writer")

MAX_GATHER_TURNS = 8
STOP_TIMEOUT_SECONDS = 40  # beyond the store's 30 s wait for a locked database


class MessageNotStored(Exception):
    """The message may not have been stored; the sender resends it with the same client id."""


# The batch's statements on PostgreSQL, sent through asyncpg itself: SQLAlchemy's compiling,
# parameter expansion and result processing cost more web CPU per batch than the statements.
# Lists travel as arrays, so each statement has one shape and asyncpg prepares it once.
_FIND_SENT = (
    f"SELECT {STORED_SELECT_LIST} FROM message "
    "JOIN unnest($1::integer[], $2::text[]) AS sent(sender_id, client_id) "
    "ON message.sender_id = sent.sender_id AND message.client_id = sent.client_id"
)
# One round trip. The sub-select locks the rows in id order and a row is updated only once it
# is locked, so a writer waits for locks only in id order: two writers cannot deadlock.
_RESERVE_SEQS = (
    "UPDATE conversation SET last_seq = conversation.last_seq + reserved.count "
    "FROM (SELECT id FROM conversation WHERE id = ANY($1::integer[]) ORDER BY id FOR UPDATE) "
    "AS locked JOIN unnest($1::integer[], $2::integer[]) AS reserved(id, count) "
    "ON reserved.id = locked.id "
    "WHERE conversation.id = locked.id RETURNING conversation.id, conversation.last_seq"
)
_INSERT = (  # one array per column, typed in the order of COLUMNS
    f"INSERT INTO message ({', '.join(COLUMNS)}) SELECT * FROM unnest("
    "$1::integer[], $2::integer[], $3::integer[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::text[], $9::timestamptz[]) RETURNING id, sender_id, client_id"
)


class _AsyncpgStore:
    """A batch over an asyncpg connection, inside its open transaction."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def find_sent(self, keys: list[tuple[int, str]]) -> list[Stored]:
        senders, client_ids = [sender for sender, _ in keys], [client for _, client in keys]
        rows = await self._connection.fetch(_FIND_SENT, senders, client_ids)
        return [stored_from_row(row, duplicate=True) for row in rows]

    async def reserve_seqs(self, counts: dict[int, int]) -> dict[int, int]:
        ids = sorted(counts)
        rows = await self._connection.fetch(_RESERVE_SEQS, ids, [counts[i] for i in ids])
        last_seq = {int(row["id"]): int(row["last_seq"]) for row in rows}
        if missing := set(ids) - last_seq.keys():
            raise LookupError(f"no conversation {min(missing)}")
        return last_seq

    async def insert(self, rows: list[dict[str, Any]]) -> list[Stored]:
        inserted = await self._connection.fetch(
            _INSERT, *([row[column] for row in rows] for column in COLUMNS)
        )
        # RETURNING has no promised order: rows are matched to their ids by their unique key.
        ids = {(row["sender_id"], row["client_id"]): row["id"] for row in inserted}
        return [
            stored_from_row({**row, "id": ids[row["sender_id"], row["client_id"]]}, duplicate=False)
            for row in rows
        ]


class _StoreProcess(asyncio.Protocol):
    """SQLite: the chat store process, started for the first message and again if it ends.

    Drafts written in one turn of the event loop go over as one frame; results come back as
    each commit finishes, so several batches can be on their way at once.
    """

    def __init__(self, database_path: str) -> None:
        self._database_path = database_path
        self._process: asyncio.subprocess.Process | None = None
        self._transport: asyncio.Transport | None = None
        self._lost: asyncio.Future[None] | None = None
        self._starting: asyncio.Task[None] | None = None
        self._frames = FrameBuffer()
        self._tokens = itertools.count()
        self._outgoing: list[Job] = []
        self._waiting: dict[int, asyncio.Future[Stored]] = {}

    async def write(self, draft: Draft) -> Stored:
        loop = asyncio.get_running_loop()
        token = next(self._tokens)
        future: asyncio.Future[Stored] = loop.create_future()
        self._waiting[token] = future
        if not self._outgoing:
            loop.call_soon(self._flush)
        self._outgoing.append((token, draft))  # in the order the senders' events were read
        return await future

    def _flush(self) -> None:
        if not self._outgoing:  # already sent by an earlier flush
            return
        if self._transport is None:
            if self._starting is None:
                self._starting = asyncio.create_task(self._start(), name="chat-store-start")
            return  # sent once the store is there
        jobs, self._outgoing = self._outgoing, []
        try:
            frame = encode_jobs(jobs)
        except ValueError:  # a draft field of a type the frame cannot carry: a bug, not a hang
            log.exception("could not hand %d messages to the chat store", len(jobs))
            self._fail(token for token, _ in jobs)
            return
        self._transport.write(frame)

    async def _start(self) -> None:
        try:
            await self._reap()
            await self._spawn()
        except Exception:
            log.exception("could not start the chat store process")
            jobs, self._outgoing = self._outgoing, []
            self._fail(token for token, _ in jobs)
        finally:
            self._starting = None
        self._flush()

    async def _spawn(self) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            try:
                self._process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "server.chat.store_process",
                    self._database_path,
                    str(theirs.fileno()),
                    pass_fds=(theirs.fileno(),),
                    stdin=asyncio.subprocess.DEVNULL,
                )
            except BaseException:
                ours.close()
                raise
        loop = asyncio.get_running_loop()
        self._lost = loop.create_future()
        await loop.create_unix_connection(lambda: self, sock=ours)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self._frames = FrameBuffer()

    def data_received(self, data: bytes) -> None:
        for frame in self._frames.feed(data):
            for token, outcome in decode_outcomes(frame):
                future = self._waiting.pop(token, None)
                if future is None or future.done():  # the sender gave up; it is stored anyway
                    continue
                if isinstance(outcome, str):
                    future.set_exception(MessageNotStored(outcome))
                else:
                    future.set_result(outcome)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._outgoing = []
        if self._waiting:
            log.warning("the chat store process ended with %d messages waiting", len(self._waiting))
        self._fail(list(self._waiting))
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)

    def _fail(self, tokens: Iterable[int]) -> None:
        for token in tokens:
            future = self._waiting.pop(token, None)
            if future is not None and not future.done():
                future.set_exception(MessageNotStored("the message store is not available"))

    async def close(self) -> None:
        """Lets the store answer everything it was given, then waits for it to end."""
        self._flush()  # starts the store if it is not there yet
        if self._starting is not None:
            await self._starting  # which sends what is waiting
        if self._transport is not None and self._lost is not None:
            self._transport.write_eof()
            try:
                await asyncio.wait_for(asyncio.shield(self._lost), STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                log.error("the chat store process did not finish; stopping it")
                self._transport.close()
        await self._reap()

    async def _reap(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()


class _EngineBatches:
    """PostgreSQL: one writer task commits whatever is queued, on a connection of the engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # Its own connection, kept: a checkout from the pool (with its ping) for every batch
        # cost more than the batch's statements. The pool owns it; batches use its asyncpg
        # connection directly.
        self._connection: AsyncConnection | None = None
        self._driver_connection: Any = None
        self._queue: asyncio.Queue[tuple[Draft, asyncio.Future[Stored]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def write(self, draft: Draft) -> Stored:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="chat-writer")
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        await self._queue.put((draft, future))
        return await future

    async def close(self) -> None:
        """Commits what is queued, then stops."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        await self._disconnect()

    async def _commit(self, drafts: list[Draft]) -> list[Stored]:
        try:
            if self._connection is None:
                self._connection = await self._engine.connect()
                raw = await self._connection.get_raw_connection()
                self._driver_connection = raw.driver_connection
            async with self._driver_connection.transaction():
                return await commit_batch(_AsyncpgStore(self._driver_connection), drafts)
        except Exception:
            await self._disconnect()  # it may be broken: the next batch starts afresh
            raise

    async def _disconnect(self) -> None:
        connection, self._connection, self._driver_connection = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

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
        try:
            results = await self._commit([draft for draft, _ in batch])
        except Exception:
            # One bad message (or a race with another process) must not fail the others.
            log.warning("batch of %d failed; storing one by one", len(batch), exc_info=True)
            for draft, future in batch:
                try:
                    [result] = await self._commit([draft])
                except Exception as error:
                    _resolve(future, error=MessageNotStored(str(error)))
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


class MessageWriter:
    """Stores chat messages durably; `write` returns once the message is committed."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._store: _StoreProcess | _EngineBatches = (
            _StoreProcess(engine.url.database or "")
            if engine.dialect.name == "sqlite"
            else _EngineBatches(engine)
        )
        self._running = False

    def start(self) -> None:
        self._running = True

    async def stop(self) -> None:
        """Stores what it was given, then stops."""
        self._running = False
        await self._store.close()

    async def write(self, draft: Draft) -> Stored:
        if not self._running:
            raise RuntimeError("the message writer is not running")
        return await self._store.write(draft)
