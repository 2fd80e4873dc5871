"""One group commit of chat messages, over any store; and the store for the sqlite3 driver.

Standard library only: the chat store process imports this without loading the ORM.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

# Drafts per transaction at most: one INSERT's bound parameters stay well inside SQLite's limit.
MAX_BATCH = 256


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

    def reserve_seqs(self, counts: dict[int, int]) -> dict[int, int]:
        """Adds each count to its conversation's last seq; returns the new last seqs.

        Rows are locked in conversation id order, so concurrent writers cannot deadlock.
        Raises LookupError for a conversation that does not exist.
        """
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
        counts = collections.Counter(d.conversation_id for d in fresh.values())
        last_seq = store.reserve_seqs(dict(counts))
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


class SQLiteStore:
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
            stored_from_row(
                {**dict(zip(names, row, strict=True)), "created_at": _from_sqlite(row[-1])},
                duplicate=True,
            )
            for row in self._cursor.fetchall()
            if (row[names.index("sender_id")], row[names.index("client_id")]) in wanted
        ]

    def reserve_seqs(self, counts: dict[int, int]) -> dict[int, int]:
        # SQLite has one writer at a time (BEGIN IMMEDIATE): the order here is only tidy.
        last_seq = {}
        for conversation_id, count in sorted(counts.items()):
            self._cursor.execute(
                "UPDATE conversation SET last_seq = last_seq + ? WHERE id = ? RETURNING last_seq",
                (count, conversation_id),
            )
            row = self._cursor.fetchone()
            if row is None:
                raise LookupError(f"no conversation {conversation_id}")
            last_seq[conversation_id] = int(row[0])
        return last_seq

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
            stored_from_row({**row, "id": ids[row["sender_id"], row["client_id"]]}, duplicate=False)
            for row in rows
        ]


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
