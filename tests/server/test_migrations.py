"""Schema migrations: a database upgraded from the previous revision keeps its rows."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.db import create_engine
from server.migrate import revisions, upgrade


def _blank_database(database_url: str) -> None:
    """Empties the fixture's (already migrated) database so a test can migrate it step by step."""

    async def drop_all() -> None:
        engine = create_engine(database_url)
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            else:
                await connection.execute(text("PRAGMA foreign_keys=OFF"))
                names = await connection.execute(
                    text(
                        "SELECT name FROM sqlite_master "
                        "WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                    )
                )
                for (name,) in names.all():
                    await connection.execute(text(f'DROP TABLE "{name}"'))
        await engine.dispose()

    asyncio.run(drop_all())


async def _insert_person(connection: AsyncConnection, email: str, role: str) -> None:
    """An organisation and one person in it, in plain SQL (the schema of any revision)."""
    await connection.execute(
        text(
            "INSERT INTO organisation (name, kind, timezone, created_at) "
            "VALUES ('Kept College', 'college', 'Europe/London', CURRENT_TIMESTAMP)"
        )
    )
    await connection.execute(
        text(
            'INSERT INTO "user" (email, display_name, role, organisation_id, timezone, '
            "is_active, created_at) "
            "SELECT :email, 'Kept Person', :role, id, 'Europe/London', true, CURRENT_TIMESTAMP "
            "FROM organisation"
        ),
        {"email": email, "role": role},
    )


async def _scalar(engine: AsyncEngine, sql: str) -> object:
    async with engine.connect() as connection:
        return (await connection.execute(text(sql))).scalar_one()


def test_upgrading_from_the_previous_revision_keeps_rows(database_url: str) -> None:
    _blank_database(database_url)
    steps = revisions(database_url)
    assert len(steps) >= 2
    upgrade(database_url, steps[-2])

    async def insert() -> None:
        engine = create_engine(database_url)
        async with engine.begin() as connection:
            await _insert_person(connection, "kept@example.org", "mentor")
        await engine.dispose()

    asyncio.run(insert())
    upgrade(database_url)  # to head

    async def check() -> None:
        engine = create_engine(database_url)
        assert await _scalar(engine, "SELECT name FROM organisation") == "Kept College"
        assert await _scalar(engine, 'SELECT email FROM "user"') == "kept@example.org"
        assert await _scalar(engine, "SELECT version_num FROM alembic_version") == steps[-1]
        await engine.dispose()

    asyncio.run(check())


def test_upgrade_is_repeatable(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)


@pytest.mark.parametrize(
    ("revision", "previous", "list_name", "added_by_hand"),
    [
        ("0012", "0011", "WIDER_RISK_TERMS", "come alone"),
        ("0013", "0012", "INDIRECT_RISK_TERMS", "let us link up"),
        ("0014", "0013", "CONVERSATIONAL_RISK_TERMS", "bra size"),
    ],
)
def test_a_wider_phrase_list_joins_a_lead_s_list_without_undoing_their_changes(
    database_url: str, revision: str, previous: str, list_name: str, added_by_hand: str
) -> None:
    from alembic import command

    from server import screening
    from server.migrate import alembic_config

    terms = getattr(screening, list_name)
    assert added_by_hand in {t.phrase for t in terms}
    _blank_database(database_url)
    upgrade(database_url, previous)

    async def edit_as_a_lead() -> None:
        engine = create_engine(database_url)
        async with engine.begin() as connection:
            await _insert_person(connection, "lead@example.org", "safeguarding")
            # removed from the first list; one of the new phrases added by hand, as medium
            await connection.execute(text("DELETE FROM riskterm WHERE phrase = 'sexy'"))
            await connection.execute(
                text(
                    "INSERT INTO riskterm (phrase, severity, category, updated_by_id, updated_at) "
                    "SELECT :phrase, 'medium', 'meeting', id, CURRENT_TIMESTAMP FROM \"user\""
                ),
                {"phrase": added_by_hand},
            )
        await engine.dispose()

    async def phrases() -> dict[str, str]:
        engine = create_engine(database_url)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT phrase, severity FROM riskterm"))).all()
        await engine.dispose()
        assert len(rows) == len({phrase for phrase, _ in rows})  # no phrase twice
        return {phrase: severity for phrase, severity in rows}

    asyncio.run(edit_as_a_lead())
    before = asyncio.run(phrases())
    upgrade(database_url, revision)
    after = asyncio.run(phrases())
    assert "sexy" not in after
    assert after[added_by_hand] == "medium"
    assert {t.phrase for t in terms} <= after.keys()
    assert len(after) == len(before) + len(terms) - 1

    command.downgrade(alembic_config(database_url), previous)
    assert asyncio.run(phrases()) == before
    upgrade(database_url)  # leave it at head, as the fixture gave it
