"""The chat store process: commits chat messages to SQLite, beside the web process.

The web process hands drafts over a socket and acknowledges each message once its result comes
back, that is once it is durable. Commits run here, in parallel with the web process's event
loop and without sharing its interpreter lock, which a writer thread has to take back after
every statement. Every draft that arrives while a commit is running goes into the next commit
(group commit without a timed wait).

Frames in both directions: a 4-byte big-endian length, then a list in `marshal` format (both
ends run the same interpreter). The web process sends (token, Draft) pairs and receives
(token, Stored | str) pairs, a str saying why that draft was not stored. On the wire drafts and
results are plain tuples and times ISO text: pickling named tuples and timezone-aware datetimes
cost several times more, on both sides of every message. The process ends when the web process
closes its end.

    python -m server.chat.store_process DATABASE_PATH SOCKET_FD
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import marshal
import signal
import socket
import sqlite3
import struct
import sys
from typing import Any

from server.chat.batch import (
    MAX_BATCH,
    Draft,
    SQLiteStore,
    Stored,
    commit_batch,
    run_unsuspended,
)
from server.sqlite_tuning import tune_sqlite

log = logging.getLogger("mentormeet.chat.store")

FRAME_HEADER = struct.Struct("!I")
READ_SIZE = 1 << 16
WAL_CHECKPOINT_PAGES = 4000

Job = tuple[int, Draft]
Outcome = tuple[int, Stored | str]


def _frame(payload: list[Any]) -> bytes:
    body = marshal.dumps(payload)
    return FRAME_HEADER.pack(len(body)) + body


def encode_jobs(jobs: list[Job]) -> bytes:
    return _frame([(token, tuple(draft)) for token, draft in jobs])


def decode_jobs(payload: list[Any]) -> list[Job]:
    return [(token, Draft._make(fields)) for token, fields in payload]


# A batch's results share one time: formatted and parsed once, not once per message.
_iso_text = functools.lru_cache(maxsize=64)(dt.datetime.isoformat)
_from_iso_text = functools.lru_cache(maxsize=64)(dt.datetime.fromisoformat)


def encode_outcomes(outcomes: list[Outcome]) -> bytes:
    return _frame(
        [
            (
                token,
                result
                if isinstance(result, str)
                else (*result[:-2], _iso_text(result.created_at), result.duplicate),
            )
            for token, result in outcomes
        ]
    )


def decode_outcomes(payload: list[Any]) -> list[Outcome]:
    return [
        (
            token,
            result
            if isinstance(result, str)
            else Stored._make((*result[:-2], _from_iso_text(result[-2]), result[-1])),
        )
        for token, result in payload
    ]


class FrameBuffer:
    """Bytes as they arrive in; each complete frame's payload out."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, data: bytes) -> list[list[Any]]:
        self._data += data
        payloads = []
        while len(self._data) >= FRAME_HEADER.size:
            (size,) = FRAME_HEADER.unpack_from(self._data)
            end = FRAME_HEADER.size + size
            if len(self._data) < end:
                break
            # Only the web process that started this one writes here: its frames are trusted.
            payloads.append(marshal.loads(self._data[FRAME_HEADER.size : end]))
            del self._data[:end]
        return payloads


def commit(connection: sqlite3.Connection, drafts: list[Draft]) -> list[Stored]:
    connection.execute("BEGIN IMMEDIATE")
    try:
        results = run_unsuspended(commit_batch(SQLiteStore(connection), drafts))
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:  # a failed COMMIT can leave it open
            connection.execute("ROLLBACK")
        raise
    return results


def settle(connection: sqlite3.Connection, jobs: list[Job]) -> list[Outcome]:
    """One commit for all the jobs; if that fails, one each, so one bad draft fails alone."""
    drafts = [draft for _, draft in jobs]
    results: list[Stored | str]
    try:
        results = list(commit(connection, drafts))
    except Exception:
        log.warning("batch of %d failed; storing one by one", len(drafts), exc_info=True)
        results = []
        for draft in drafts:
            try:
                results.extend(commit(connection, [draft]))
            except Exception as error:
                results.append(f"{type(error).__name__}: {error}")
    return [(token, result) for (token, _), result in zip(jobs, results, strict=True)]


def serve(connection: sqlite3.Connection, channel: socket.socket) -> None:
    frames = FrameBuffer()
    while data := channel.recv(READ_SIZE):  # blocks until there is work; b"" when closed
        jobs: list[Job] = [job for frame in frames.feed(data) for job in decode_jobs(frame)]
        still_open = True
        while still_open:  # what else has arrived joins this commit
            try:
                more = channel.recv(READ_SIZE, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            still_open = bool(more)
            jobs.extend(job for frame in frames.feed(more) for job in decode_jobs(frame))
        for start in range(0, len(jobs), MAX_BATCH):
            channel.sendall(encode_outcomes(settle(connection, jobs[start : start + MAX_BATCH])))
        if not still_open:
            return


def main() -> None:
    # Ctrl-C reaches the whole process group: the web process shuts down, closes the socket,
    # and this process then answers what it has and ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    path, fd = sys.argv[1], int(sys.argv[2])
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    tune_sqlite(connection)
    # The commit that takes the WAL past this many pages copies it into the database there and
    # then. SQLite's default, 1,000, stalls a batch every few hundred messages; at 4,000 stalls
    # are a third as frequent and not longer, as measured (the WAL stays under ~16 MB).
    connection.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    with socket.socket(fileno=fd) as channel, contextlib.suppress(ConnectionError):
        serve(connection, channel)  # a ConnectionError: the web process is gone
    connection.close()


if __name__ == "__main__":
    main()
