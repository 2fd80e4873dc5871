"""The `mentormeet` command as an operator runs it: in a subprocess, configured by environment."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest
from sqlmodel import func, select

from server.db import Database, utcnow
from server.demo_history import MEETINGS_PER_PAIR
from server.demo_history import MENTEES as PAST_MENTEES
from server.models import Meeting, Organisation, Pairing, User


def mentormeet(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _counts(database_url: str) -> dict[str, int]:
    db = Database(database_url)
    try:
        async with db.session() as session:
            return {
                model.__name__: (await session.exec(select(func.count()).select_from(model))).one()
                for model in (Organisation, User, Pairing, Meeting)
            }
    finally:
        await db.dispose()


async def _joinable_now(database_url: str) -> int:
    db = Database(database_url)
    try:
        async with db.session() as session:
            meetings = (await session.exec(select(Meeting))).all()
    finally:
        await db.dispose()
    now = utcnow()
    return sum(1 for m in meetings if m.starts_at <= now < m.ends_at)


def test_demo_is_idempotent_and_prints_the_logins(database_url: str) -> None:
    first = mentormeet(database_url, "demo")
    assert first.returncode == 0, first.stderr
    for email in (
        "coordinator@demo.test",
        "safeguarding@demo.test",
        "mentor@demo.test",
        "mentee@demo.test",
    ):
        assert email in first.stdout
    assert "mentormeet-demo" in first.stdout
    counts = asyncio.run(_counts(database_url))
    # The demo pair, and the finished round of mentoring behind the impact report.
    assert counts["Organisation"] == 1 and counts["Pairing"] == 1 + len(PAST_MENTEES)
    assert counts["Meeting"] >= 4 + len(PAST_MENTEES) * MEETINGS_PER_PAIR
    again = mentormeet(database_url, "demo")
    assert again.returncode == 0
    assert asyncio.run(_counts(database_url)) == counts
    assert asyncio.run(_joinable_now(database_url)) == 1


def test_demo_password_comes_from_the_environment(database_url: str) -> None:
    result = mentormeet(database_url, "demo", MENTORMEET_DEMO_PASSWORD="another-demo-pass")
    assert result.returncode == 0 and "another-demo-pass" in result.stdout


def test_create_user_and_demo_if_empty_leaves_real_data_alone(database_url: str) -> None:
    created = mentormeet(
        database_url,
        "create-user",
        "--email",
        "Admin@Charity.org",
        "--name",
        "Real Admin",
        "--role",
        "admin",
        MENTORMEET_PASSWORD="a strong admin password",
    )
    assert created.returncode == 0, created.stderr
    assert "created admin admin@charity.org" in created.stdout
    duplicate = mentormeet(
        database_url,
        "create-user",
        "--email",
        "admin@charity.org",
        "--name",
        "Again",
        "--role",
        "admin",
        MENTORMEET_PASSWORD="a strong admin password",
    )
    assert duplicate.returncode == 2 and "already has an account" in duplicate.stderr
    weak = mentormeet(
        database_url,
        "create-user",
        "--email",
        "b@charity.org",
        "--name",
        "B",
        "--role",
        "admin",
        MENTORMEET_PASSWORD="short",
    )
    assert weak.returncode == 2 and "at least 10 characters" in weak.stderr
    skipped = mentormeet(database_url, "demo", "--if-empty")
    assert skipped.returncode == 0 and "demo data not added" in skipped.stdout
    assert asyncio.run(_counts(database_url))["Organisation"] == 0


def test_production_refuses_the_default_secret_key(database_url: str) -> None:
    result = mentormeet(database_url, "db", "upgrade", MENTORMEET_ENV="production")
    assert result.returncode == 2
    assert "SECRET_KEY must be set" in result.stderr
    ok = mentormeet(database_url, "db", "upgrade", MENTORMEET_ENV="production", SECRET_KEY="s" * 40)
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize("value", ["not json", '{"urls": "stun:x"}', '[{"url": "stun:x"}]'])
def test_bad_ice_servers_setting_is_a_clear_configuration_error(
    database_url: str, value: str
) -> None:
    result = mentormeet(database_url, "db", "upgrade", ICE_SERVERS=value)
    assert result.returncode == 2 and "configuration error" in result.stderr


def test_screen_reads_lines_and_prints_one_verdict_each(database_url: str) -> None:
    lines = [
        "see you at the session at 5.30",
        "add me on snap: jo_b",
        "this is our little secret",
        "dont want to go home tonight, his temper is bad again",  # the risk model's catch
    ]
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "screen", "--mentee-under-18"],
        input="\n".join(lines) + "\n",
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [v["verdict"] for v in verdicts] == ["DELIVER", "HOLD", "HOLD", "HOLD"]
    assert "contact:social" in verdicts[1]["reasons"]
    assert verdicts[2]["reasons"] == ["risk:secrecy:our little secret"]
    reason, held = verdicts[3]["reasons"]  # flagged, and held as leads hold such messages
    assert reason.startswith("risk:abuse:worded like known concerns (")
    assert held == "risk:abuse:worded like concerns that are held"
    adult = subprocess.run(
        [sys.executable, "-m", "server.cli", "screen"],
        input="add me on snap: jo_b\n",
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(adult.stdout)["verdict"] == "FLAG"
    without_model = subprocess.run(
        [sys.executable, "-m", "server.cli", "screen"],
        input=lines[3] + "\n",
        env={**os.environ, "DATABASE_URL": database_url, "SCREENING_MODEL": "false"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(without_model.stdout) == {"verdict": "DELIVER", "reasons": []}
