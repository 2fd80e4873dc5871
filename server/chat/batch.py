"""One group commit of chat messages, over any store; and the store for the sqlite3 driver.

Standard library only: the chat store process imports this without loading the ORM.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import sqlite3
from collections.abc import Coroutine, Mapping
from typing import Any, NamedTuple, Protocol, TypeVar, cast

T = TypeVar("T")

# Drafts per transaction at most: a batch's bound parameters stay well inside SQLite's limit.
MAX_BATCH = 256


# Named tuples, not dataclasses: built and framed for every message on the hot path.
class Draft(NamedTuple):
    conversation_id: int
    sender_id: int
    client_id: str
    body: str
    status: str
    verdict: str
    reasons: tuple[str, ...]


class Stored(NamedTuple):
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
    """The three steps a batch needs, inside one open transaction."""

    async def find_sent(self, keys: list[tuple[int, str]]) -> list[Stored]: ...

    async def reserve_seqs(self, counts: dict[int, int]) -> dict[int, int]:
        """Adds each count to its conversation's last seq; returns the new last seqs.

        Rows are locked in conversation id order, so concurrent writers cannot deadlock.
        Raises LookupError for a conversation that does not exist.
        """
        ...

    async def insert(self, rows: list[dict[str, Any]]) -> list[Stored]: ...


async def commit_batch(store: BatchStore, drafts: list[Draft]) -> list[Stored]:
    """Stores the drafts in the store's transaction: one result per draft, in order.

    A client id already stored (a resend) returns the first result and stores nothing; seq is
    reserved on the conversation row, which also serialises concurrent writers on PostgreSQL.
    """
    keys = sorted({(d.sender_id, d.client_id) for d in drafts})
    existing = {(s.sender_id, s.client_id): s for s in await store.find_sent(keys)}
    fresh: dict[tuple[int, str], Draft] = {}
    for draft in drafts:
        key = (draft.sender_id, draft.client_id)
        if key not in existing:
            fresh.setdefault(key, draft)
    stored: dict[tuple[int, str], Stored] = {}
    if fresh:
        counts = collections.Counter(d.conversation_id for d in fresh.values())
        last_seq = await store.reserve_seqs(dict(counts))
        next_seq = {
            conversation: last_seq[conversation] - count + 1
            for conversation, count in counts.items()
        }
        now = dt.datetime.now(dt.UTC)
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
        stored = {(s.sender_id, s.client_id): s for s in await store.insert(rows)}
    results: list[Stored] = []
    answered: set[tuple[int, str]] = set()
    for draft in drafts:
        key = (draft.sender_id, draft.client_id)
        if key in existing:
            results.append(existing[key])
        elif key in answered:  # a second copy inside the same batch is a duplicate of the first
            results.append(stored[key]._replace(duplicate=True))
        else:
            answered.add(key)
            results.append(stored[key])
    return results


COLUMNS = (
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
# What a stored message is read back as, by either store: its id, then COLUMNS.
STORED_SELECT_LIST = ", ".join(f"message.{column}" for column in ("id", *COLUMNS))


def run_unsuspended(steps: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never suspends, run without an event loop.

    A batch's steps over the sqlite3 driver are plain blocking calls in the chat store process;
    they are coroutines only so that one `commit_batch` serves SQLite and PostgreSQL alike.
    """
    try:
        steps.send(None)
    except StopIteration as finished:
        return cast(T, finished.value)
    steps.close()
    raise RuntimeError("a batch step over sqlite3 suspended")


class SQLiteStore:
    """A batch over the sqlite3 driver itself: the chat hot path without per-statement layers.

    Its steps block (see `run_unsuspended`): it serves the chat store process, not an event loop.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._cursor = connection.cursor()

    async def find_sent(self, keys: list[tuple[int, str]]) -> list[Stored]:
        # A join on the keys probes the (sender_id, client_id) index once per key.
        self._cursor.execute(
            f"SELECT {STORED_SELECT_LIST} FROM (VALUES {_pairs(len(keys))}) AS sent JOIN message "
            "ON message.sender_id = sent.column1 AND message.client_id = sent.column2",
            [value for key in keys for value in key],
        )
        return [
            Stored(
                message_id=message_id,
                conversation_id=conversation_id,
                seq=seq,
                sender_id=sender_id,
                client_id=client_id,
                body=body,
                status=status,
                verdict=verdict,
                reasons=tuple(reasons.split("\n")) if reasons else (),
                created_at=_from_sqlite(created_at),
                duplicate=True,
            )
            for (
                message_id,
                conversation_id,
                seq,
                sender_id,
                client_id,
                body,
                status,
                verdict,
                reasons,
                created_at,
            ) in self._cursor.fetchall()
        ]

    async def reserve_seqs(self, counts: dict[int, int]) -> dict[int, int]:
        # SQLite has one writer at a time (BEGIN IMMEDIATE): no lock order to keep. One prepared
        # statement per conversation: a single UPDATE … FROM (VALUES …) cost more, as SQLite
        # materialises the list in memory it maps and unmaps again (~35 page faults a batch).
        last_seq = {}
        for conversation, count in counts.items():
            row = self._cursor.execute(
                "UPDATE conversation SET last_seq = last_seq + ? WHERE id = ? RETURNING last_seq",
                (count, conversation),
            ).fetchone()
            if row is None:
                raise LookupError(f"no conversation {conversation}")
            last_seq[conversation] = int(row[0])
        return last_seq

    async def insert(self, rows: list[dict[str, Any]]) -> list[Stored]:
        # One prepared statement for every row, then the new ids read back through the
        # (sender_id, client_id) index: cheaper than a multi-row INSERT … RETURNING.
        self._cursor.executemany(
            f"INSERT INTO message ({', '.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})",
            [
                [*(row[column] for column in COLUMNS[:-1]), _to_sqlite(row["created_at"])]
                for row in rows
            ],
        )
        keys = [(row["sender_id"], row["client_id"]) for row in rows]
        self._cursor.execute(
            "SELECT message.sender_id, message.client_id, message.id "
            f"FROM (VALUES {_pairs(len(keys))}) AS sent JOIN message "
            "ON message.sender_id = sent.column1 AND message.client_id = sent.column2",
            [value for key in keys for value in key],
        )
        ids = {(sender, client): message_id for sender, client, message_id in self._cursor}
        return [
            stored_from_row({**row, "id": ids[key]}, duplicate=False)
            for row, key in zip(rows, keys, strict=True)
        ]


def _pairs(count: int) -> str:
    return ",".join(["(?,?)"] * count)


@functools.lru_cache(maxsize=4)  # a batch's rows share one time
def _to_sqlite(moment: dt.datetime) -> str:
    """The text form SQLAlchemy's SQLite dialect stores and reads (naive UTC)."""
    return (
        moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    )


def _from_sqlite(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def stored_from_row(row: Mapping[str, Any], *, duplicate: bool) -> Stored:
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
