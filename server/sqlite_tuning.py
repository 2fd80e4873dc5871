"""How every SQLite connection is set up: WAL, durable commits, foreign keys, a busy wait.

Standard library only: the chat store process uses it without loading the ORM.
"""

from __future__ import annotations

from typing import Any


def tune_sqlite(dbapi_connection: Any, _record: Any = None) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit (and so an acknowledgement) survives power loss in WAL mode.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
