"""The audit log: append-only in the database, hash-chained, and `mentormeet audit verify`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import factories
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from server import audit
from server.db import Database
from server.errors import InvalidInput
from server.models import AuditEntry, Organisation, Role, User


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def dsl(db: Database) -> User:
    async with db.session() as session:
        organisation = await factories.organisation(session)
        return await factories.user(session, Role.SAFEGUARDING, organisation)


async def _append(db: Database, actor: User | None, count: int, *, label: str = "") -> None:
    for number in range(count):
        async with db.session() as session:
            await audit.record(
                session=session,
                actor=actor,
                action="transcript.view",
                subject_type="conversation",
                subject_id=number + 1,
                organisation_id=actor.organisation_id if actor else None,
                reason=f"Concern raised by the mentee {label}{number}",
                detail={"messages": number, "query": "café"},
            )
            await session.commit()


async def _rows(db: Database) -> list[AuditEntry]:
    async with db.session() as session:
        return list((await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all())


async def _verify(db: Database) -> audit.VerifyResult:
    async with db.session() as session:
        return await audit.verify(session=session)


async def _tamper(db: Database, sql: str) -> None:
    """What someone with direct database access could do: drop the guard, then change rows."""
    async with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("DROP TRIGGER auditentry_append_only ON auditentry"))
        else:
            await connection.execute(text("DROP TRIGGER auditentry_no_update"))
            await connection.execute(text("DROP TRIGGER auditentry_no_delete"))
        await connection.execute(text(sql))


def _mentormeet(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_entries_chain_and_verify(db: Database, dsl: User) -> None:
    await _append(db, dsl, 4)
    async with db.session() as session:
        await audit.record(
            session=session,
            actor=None,
            action="data.export",
            subject_type="user",
            subject_id=dsl.id,
            organisation_id=None,
            reason="  Subject access request  ",
        )
        await session.commit()
    rows = await _rows(db)
    assert len(rows) == 5
    assert rows[0].prev_hash == audit.GENESIS_HASH
    assert [row.prev_hash for row in rows[1:]] == [row.hash for row in rows[:-1]]
    assert rows[0].actor_id == dsl.id and rows[0].at.tzinfo is not None
    assert rows[0].detail == '{"messages":0,"query":"café"}'
    assert rows[-1].actor_id is None and rows[-1].reason == "Subject access request"
    result = await _verify(db)
    assert result == audit.VerifyResult(ok=True, entries=5, last_hash=rows[-1].hash)

    async with db.session() as session:
        newest = await audit.entries(session=session, limit=2)
        older = await audit.entries(session=session, limit=10, before_id=newest[-1].id)
    assert [e.id for e in newest + older] == [row.id for row in reversed(rows)]


async def test_an_empty_log_verifies(db: Database) -> None:
    assert await _verify(db) == audit.VerifyResult(ok=True, entries=0)


async def test_record_joins_the_callers_transaction(db: Database, dsl: User) -> None:
    await _append(db, dsl, 1)
    async with db.session() as session:
        session.add(Organisation(name="Written first"))  # the transaction already writes
        await audit.record(
            session=session,
            actor=dsl,
            action="concern.update",
            subject_type="concern",
            subject_id=7,
            organisation_id=dsl.organisation_id,
            reason="Triaged",
        )
        await session.rollback()
    assert len(await _rows(db)) == 1
    async with db.session() as session:
        session.add(Organisation(name="Written first"))
        entry = await audit.record(
            session=session,
            actor=dsl,
            action="concern.update",
            subject_type="concern",
            subject_id=7,
            organisation_id=dsl.organisation_id,
            reason="Triaged",
        )
        assert entry.id is not None
        await session.commit()
    assert len(await _rows(db)) == 2
    assert (await _verify(db)).ok


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * (audit.REASON_MAX_LENGTH + 1)}, "reason"),
        ({"reason": "bell\x07"}, "reason"),
        ({"action": "view"}, "action"),
        ({"action": "transcript.view" + "x" * 30}, "action"),
        ({"subject_type": "Conversation"}, "subject_type"),
        ({"detail": {"when": object()}}, "detail"),
    ],
)
async def test_bad_input_is_refused(
    db: Database, dsl: User, changes: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {
        "action": "transcript.search",
        "subject_type": "conversation",
        "reason": "Line one\nline two",
        "detail": None,
        **changes,
    }
    async with db.session() as session:
        with pytest.raises(InvalidInput) as error:
            await audit.record(
                session=session,
                actor=dsl,
                subject_id=None,
                organisation_id=None,
                **arguments,  # type: ignore[arg-type]
            )
    assert error.value.field == field
    async with db.session() as session:
        with pytest.raises(InvalidInput):
            await audit.entries(session=session, limit=0)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE auditentry SET reason = 'nothing to see'",
        "DELETE FROM auditentry",
    ],
)
async def test_the_database_refuses_to_change_or_remove_entries(
    db: Database, dsl: User, sql: str
) -> None:
    await _append(db, dsl, 2)
    async with db.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            await connection.execute(text(sql))
    async with db.session() as session:
        entry = (await session.exec(select(AuditEntry))).first()
        assert entry is not None
        entry.reason = "edited through the ORM"
        with pytest.raises(DBAPIError, match="append-only"):
            await session.commit()
    assert len(await _rows(db)) == 2
    assert (await _verify(db)).ok


async def test_a_changed_entry_is_found(db: Database, dsl: User) -> None:
    await _append(db, dsl, 5)
    rows = await _rows(db)
    await _tamper(db, f"UPDATE auditentry SET reason = 'Routine check' WHERE id = {rows[2].id}")
    result = await _verify(db)
    assert not result.ok and result.bad_entry_id == rows[2].id and result.entries == 2
    assert result.problem is not None and "changed" in result.problem


async def test_a_changed_entry_with_a_recomputed_hash_is_found_at_the_next(
    db: Database, dsl: User
) -> None:
    await _append(db, dsl, 4)
    rows = await _rows(db)
    forged = audit.entry_hash(
        at=rows[1].at,
        actor_id=rows[1].actor_id,
        action=rows[1].action,
        subject_type=rows[1].subject_type,
        subject_id=rows[1].subject_id,
        organisation_id=rows[1].organisation_id,
        reason="Routine check",
        detail=rows[1].detail,
        prev_hash=rows[1].prev_hash,
    )
    await _tamper(
        db,
        f"UPDATE auditentry SET reason = 'Routine check', hash = '{forged}' "
        f"WHERE id = {rows[1].id}",
    )
    result = await _verify(db)
    assert not result.ok and result.bad_entry_id == rows[2].id
    assert result.problem is not None and "removed or inserted" in result.problem


async def test_a_removed_entry_is_found_at_the_next(db: Database, dsl: User) -> None:
    await _append(db, dsl, 5)
    rows = await _rows(db)
    await _tamper(db, f"DELETE FROM auditentry WHERE id = {rows[2].id}")
    result = await _verify(db)
    assert not result.ok and result.bad_entry_id == rows[3].id and result.entries == 2
    assert result.problem is not None and "removed or inserted" in result.problem


async def test_concurrent_appends_from_two_engines_keep_one_chain(
    db: Database, database_url: str, dsl: User
) -> None:
    second = Database(database_url)  # another app or worker process has its own engine

    async def append(database: Database, label: str) -> None:
        async def one(number: int) -> None:
            async with database.session() as session:
                if number % 2:  # half of them append after their transaction has written
                    session.add(Organisation(name=f"Concurrent {label}{number}"))
                await audit.record(
                    session=session,
                    actor=dsl,
                    action="transcript.search",
                    subject_type="conversation",
                    subject_id=None,
                    organisation_id=dsl.organisation_id,
                    reason=f"Search {label}{number}",
                    detail={"query": "meet up"},
                )
                await session.commit()

        await asyncio.gather(*(one(number) for number in range(20)))

    try:
        await asyncio.gather(append(db, "a"), append(second, "b"))
    finally:
        await second.dispose()
    rows = await _rows(db)
    assert len(rows) == 40
    assert len({row.prev_hash for row in rows}) == 40
    assert [row.prev_hash for row in rows[1:]] == [row.hash for row in rows[:-1]]
    assert await _verify(db) == audit.VerifyResult(ok=True, entries=40, last_hash=rows[-1].hash)


def test_audit_verify_command(database_url: str) -> None:
    async def prepare() -> list[AuditEntry]:
        database = Database(database_url)
        try:
            async with database.session() as session:
                organisation = await factories.organisation(session)
                person = await factories.user(session, Role.SAFEGUARDING, organisation)
            await _append(database, person, 3)
            return await _rows(database)
        finally:
            await database.dispose()

    rows = asyncio.run(prepare())
    intact = _mentormeet(database_url, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "audit log intact: 3 entries" in intact.stdout

    async def tamper() -> None:
        database = Database(database_url)
        try:
            await _tamper(
                database, f"UPDATE auditentry SET reason = 'Just curious' WHERE id = {rows[1].id}"
            )
        finally:
            await database.dispose()

    asyncio.run(tamper())
    broken = _mentormeet(database_url, "audit", "verify")
    assert broken.returncode == 1
    assert f"audit log broken at entry {rows[1].id}:" in broken.stderr
    assert "changed" in broken.stderr and "intact" not in broken.stdout
