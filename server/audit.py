"""The audit log: who read or acted on personal data, when and why; append-only, hash-chained.

Each entry's hash is SHA-256 over a canonical JSON form of its contents and the previous entry's
hash, so changing an entry breaks its own hash and removing or inserting one breaks the link
from the next. Appends are serialised (one chain, never a fork); the database refuses UPDATE and
DELETE on the table (triggers, see migration 0007).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.errors import InvalidInput
from server.models import AuditEntry, User

GENESIS_HASH = "0" * 64
REASON_MAX_LENGTH = 2000
ENTRIES_MAX_LIMIT = 500
# Any constant will do, as long as nothing else takes this PostgreSQL advisory lock.
_APPEND_LOCK_KEY = 0x6D6D_6175_6469_74  # "mmaudit"
_VERIFY_BATCH = 1000
_ACTION = re.compile(r"[a-z][a-z_]*(\.[a-z_]+)+")
_SUBJECT_TYPE = re.compile(r"[a-z][a-z_]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # newlines and tabs are allowed in reasons


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int  # how many entries were checked (all of them when ok)
    bad_entry_id: int | None = None
    problem: str | None = None
    last_hash: str = GENESIS_HASH  # the head of the chain when ok: worth keeping elsewhere


def _canonical_detail(detail: dict[str, Any] | None) -> str | None:
    if detail is None:
        return None
    try:
        return json.dumps(
            detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"Audit detail must be plain JSON ({error}).", field="detail") from None


def entry_hash(
    *,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    organisation_id: int | None,
    reason: str,
    detail: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the entry's canonical form: sorted-key JSON, the time in ISO UTC."""
    canonical = json.dumps(
        {
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "organisation_id": organisation_id,
            "reason": reason,
            "detail": detail,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def _take_append_lock(connection: AsyncConnection) -> None:
    """Holds the one lock appenders share until this transaction ends."""
    if connection.dialect.name == "postgresql":
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY}
        )
        return
    if connection.dialect.name == "sqlite":
        # The driver opens a transaction only for a write, and a write holds SQLite's single
        # write lock to the end. With no transaction open yet, take that lock now, so that the
        # read of the last hash below cannot interleave with another appender.
        raw = await connection.get_raw_connection()
        if not raw.driver_connection.in_transaction:  # type: ignore[union-attr]
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    raise NotImplementedError(f"audit log on {connection.dialect.name}")


async def record(
    *,
    session: AsyncSession,
    actor: User | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    organisation_id: int | None,
    reason: str,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Appends an entry in the caller's transaction (the caller commits; a rollback undoes it).

    `actor` is None for the system. Takes the append lock until the transaction ends: commit soon.
    """
    if len(action) > 40 or not _ACTION.fullmatch(action):
        raise InvalidInput(f"Unknown audit action {action[:40]!r}.", field="action")
    if len(subject_type) > 40 or not _SUBJECT_TYPE.fullmatch(subject_type):
        raise InvalidInput(f"Unknown subject type {subject_type[:40]!r}.", field="subject_type")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Give a reason for access.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            f"The reason must be at most {REASON_MAX_LENGTH} characters.", field="reason"
        )
    if _CONTROL.search(reason):
        raise InvalidInput("The reason must not contain control characters.", field="reason")
    detail_text = _canonical_detail(detail)
    actor_id = actor.id if actor is not None else None

    await session.flush()  # the caller's pending writes first, so the lock is taken after them
    await _take_append_lock(await session.connection())
    last = (
        await session.exec(select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1))
    ).first()
    prev_hash = last if last is not None else GENESIS_HASH
    at = utcnow()
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        organisation_id=organisation_id,
        reason=reason,
        detail=detail_text,
        prev_hash=prev_hash,
        hash=entry_hash(
            at=at,
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            organisation_id=organisation_id,
            reason=reason,
            detail=detail_text,
            prev_hash=prev_hash,
        ),
    )
    session.add(entry)
    await session.flush()
    return entry


_HASHED_FIELDS = (
    "at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "organisation_id",
    "reason",
    "detail",
    "prev_hash",
)


async def verify(*, session: AsyncSession) -> VerifyResult:
    """Walks the chain in id order; stops at the first entry that was changed or out of place."""
    table = AuditEntry.__table__.c  # type: ignore[attr-defined]
    connection = await session.connection()  # rows, not objects: fresh values, no identity map
    checked = 0
    expected_prev = GENESIS_HASH
    after_id = 0
    while True:
        rows = (
            await connection.execute(
                sa.select(table.id, table.hash, *(table[name] for name in _HASHED_FIELDS))
                .where(table.id > after_id)
                .order_by(table.id)
                .limit(_VERIFY_BATCH)
            )
        ).all()
        if not rows:
            return VerifyResult(ok=True, entries=checked, last_hash=expected_prev)
        for row in rows:
            values = row._mapping
            entry_id: int = values["id"]
            stored_hash: str = values["hash"]
            if entry_hash(**{name: values[name] for name in _HASHED_FIELDS}) != stored_hash:
                return VerifyResult(
                    ok=False,
                    entries=checked,
                    bad_entry_id=entry_id,
                    problem="its contents do not match its hash (the entry was changed)",
                )
            if values["prev_hash"] != expected_prev:
                return VerifyResult(
                    ok=False,
                    entries=checked,
                    bad_entry_id=entry_id,
                    problem=(
                        "its prev_hash does not match the entry before it "
                        "(an entry was removed or inserted before it)"
                    ),
                )
            checked += 1
            expected_prev = stored_hash
            after_id = entry_id


async def entries(
    *, session: AsyncSession, limit: int, before_id: int | None = None
) -> list[AuditEntry]:
    """Newest first, for admins; page on with `before_id` = the last id shown."""
    if not 1 <= limit <= ENTRIES_MAX_LIMIT:
        raise InvalidInput(f"Show between 1 and {ENTRIES_MAX_LIMIT} entries.", field="limit")
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if before_id is not None:
        query = query.where(col(AuditEntry.id) < before_id)
    return list((await session.exec(query)).all())


__all__ = [
    "ENTRIES_MAX_LIMIT",
    "GENESIS_HASH",
    "REASON_MAX_LENGTH",
    "VerifyResult",
    "entries",
    "entry_hash",
    "record",
    "verify",
]
