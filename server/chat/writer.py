"""Group commit for chat messages: one writer task stores whatever is queued in one transaction.

A sender's acknowledgement waits for the commit (persist, then acknowledge). Batching keeps the
database's per-commit cost (an fsync on SQLite) shared between everyone sending at that moment,
without waiting on purpose: a lone message is committed at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.db import utcnow
from server.models import Conversation, Message

log = logging.getLogger("mentormeet.chat.writer")

MAX_BATCH = 256
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


class MessageWriter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
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
        try:
            results = await self._commit([draft for draft, _ in batch])
        except Exception:
            # One bad message (or a race with another process) must not fail the others.
            log.warning("batch of %d failed; storing one by one", len(batch), exc_info=True)
            for draft, future in batch:
                try:
                    [result] = await self._commit([draft])
                except Exception as error:
                    _resolve(future, error=error)
                else:
                    _resolve(future, result=result)
            return
        for (_, future), result in zip(batch, results, strict=True):
            _resolve(future, result=result)

    async def _commit(self, drafts: list[Draft]) -> list[Stored]:
        async with self._engine.begin() as connection:
            existing = await self._existing(connection, drafts)
            fresh: dict[tuple[int, str], Draft] = {}
            for draft in drafts:
                key = (draft.sender_id, draft.client_id)
                if key not in existing:
                    fresh.setdefault(key, draft)
            stored = await self._insert(connection, list(fresh.values()))
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

    async def _existing(
        self, connection: AsyncConnection, drafts: list[Draft]
    ) -> dict[tuple[int, str], Stored]:
        keys = {(d.sender_id, d.client_id) for d in drafts}
        rows = await connection.execute(
            select(_message).where(tuple_(_message.c.sender_id, _message.c.client_id).in_(keys))
        )
        return {(row.sender_id, row.client_id): _stored(row, duplicate=True) for row in rows}

    async def _insert(
        self, connection: AsyncConnection, drafts: list[Draft]
    ) -> dict[tuple[int, str], Stored]:
        if not drafts:
            return {}
        per_conversation: dict[int, list[Draft]] = {}
        for draft in drafts:
            per_conversation.setdefault(draft.conversation_id, []).append(draft)
        now = utcnow()
        rows: list[dict[str, object]] = []
        for conversation_id, items in per_conversation.items():
            # Reserving the positions also locks the conversation row until commit (PostgreSQL),
            # so seq stays gap-free and ordered even with several processes writing.
            last = (
                await connection.execute(
                    update(_conversation)
                    .where(_conversation.c.id == conversation_id)
                    .values(last_seq=_conversation.c.last_seq + len(items))
                    .returning(_conversation.c.last_seq)
                )
            ).scalar_one()
            first_seq = last - len(items) + 1
            rows.extend(
                {
                    "conversation_id": conversation_id,
                    "seq": first_seq + offset,
                    "sender_id": d.sender_id,
                    "client_id": d.client_id,
                    "body": d.body,
                    "status": d.status,
                    "verdict": d.verdict,
                    "reasons": "\n".join(d.reasons),
                    "created_at": now,
                }
                for offset, d in enumerate(items)
            )
        inserted = await connection.execute(insert(_message).returning(*_message.c), rows)
        return {(row.sender_id, row.client_id): _stored(row, duplicate=False) for row in inserted}


def _stored(row: object, *, duplicate: bool) -> Stored:
    reasons: str = row.reasons  # type: ignore[attr-defined]
    return Stored(
        message_id=row.id,  # type: ignore[attr-defined]
        conversation_id=row.conversation_id,  # type: ignore[attr-defined]
        seq=row.seq,  # type: ignore[attr-defined]
        sender_id=row.sender_id,  # type: ignore[attr-defined]
        client_id=row.client_id,  # type: ignore[attr-defined]
        body=row.body,  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
        verdict=row.verdict,  # type: ignore[attr-defined]
        reasons=tuple(reasons.split("\n")) if reasons else (),
        created_at=_aware(row.created_at),  # type: ignore[attr-defined]
        duplicate=duplicate,
    )


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


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
