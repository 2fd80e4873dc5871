"""The test harness: real app on loopback, real databases, real SMTP, real Chromium."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from databases import PostgresDatabases, SQLiteDatabases, postgres_reachable
from livesite import LiveServer
from mailcatcher import MailCatcher
from services import CHROMIUM_ARGS, chromium_path, missing, postgres_url

from server.settings import Settings

DatabaseFactory = SQLiteDatabases | PostgresDatabases


def pytest_report_header(config: pytest.Config) -> str:
    url = postgres_url()
    return f"mentormeet databases: {'PostgreSQL ' + url if url else 'SQLite (fresh file per test)'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The PostgreSQL pass re-runs what touches the database; the rest already ran on SQLite.
    if postgres_url() is None:
        return
    note = pytest.mark.skip(reason="does not use the database: covered by the SQLite pass")
    for item in items:
        if "database_url" not in getattr(item, "fixturenames", ()):
            item.add_marker(note)


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    url = postgres_url()
    if url is None:
        yield SQLiteDatabases(tmp_path_factory.mktemp("databases"))
        return
    if not asyncio.run(postgres_reachable(url)):
        missing(f"PostgreSQL at {url}")
    factory = PostgresDatabases(url)
    yield factory
    factory.close()


@pytest.fixture
def database_url(database_factory: DatabaseFactory) -> Iterator[str]:
    """A fresh database at the newest schema revision."""
    url = database_factory.create()
    yield url
    database_factory.drop(url)


@pytest.fixture
def smtp_server() -> Iterator[MailCatcher]:
    catcher = MailCatcher()
    catcher.start()
    yield catcher
    catcher.stop()


@pytest.fixture
def settings_for(database_url: str, smtp_server: MailCatcher) -> Callable[..., Settings]:
    def make(base_url: str, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "mentormeet_env": "test",
            "database_url": database_url,
            "base_url": base_url,
            "smtp_url": smtp_server.url,
            "secret_key": "test-secret-key-" + "x" * 32,
            "worker_poll_seconds": 0.2,
            "_env_file": None,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def live_server(settings_for: Callable[..., Settings]) -> Iterator[LiveServer]:
    """The real app on a free loopback port, with its e-mail worker, on a fresh database."""
    server = LiveServer(settings_for)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Headless Debian Chromium with a fake camera and microphone."""
    executable = chromium_path()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        await instance.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Where a test may leave screenshots for people to look at."""
    path = Path("test-results") / str(request.node.name)
    path.mkdir(parents=True, exist_ok=True)
    return path
