"""A fresh, migrated database for every test: copied from a template migrated once per run."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg

from server.migrate import upgrade

T = TypeVar("T")
_counter = itertools.count()


def run_in_fresh_loop(job: Callable[[], Awaitable[T]]) -> T:
    """Runs async set-up code from sync fixtures, whatever loop the test thread has."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(job())).result()  # type: ignore[arg-type]


class SQLiteDatabases:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "template.sqlite3"
        upgrade(f"sqlite+aiosqlite:///{self.template}")

    def create(self) -> str:
        path = self.directory / f"test-{next(_counter)}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite+aiosqlite:///{path}"

    def drop(self, url: str) -> None:
        path = Path(url.split(":///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresDatabases:
    """Per-test databases made with CREATE DATABASE … TEMPLATE (fast, and truly isolated)."""

    def __init__(self, url: str) -> None:
        self.admin_dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        self.base = url.rsplit("/", 1)[0]
        self.prefix = f"mm_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        run_in_fresh_loop(lambda: self._execute(f"DROP DATABASE IF EXISTS {self.template}"))
        run_in_fresh_loop(lambda: self._execute(f"CREATE DATABASE {self.template}"))
        upgrade(f"{self.base}/{self.template}")

    async def _execute(self, *statements: str) -> None:
        connection = await asyncpg.connect(self.admin_dsn, timeout=5)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def create(self) -> str:
        name = f"{self.prefix}_{next(_counter)}"
        run_in_fresh_loop(lambda: self._execute(f"CREATE DATABASE {name} TEMPLATE {self.template}"))
        return f"{self.base}/{name}"

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        run_in_fresh_loop(lambda: self._execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def close(self) -> None:
        run_in_fresh_loop(
            lambda: self._execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        )


async def postgres_reachable(url: str) -> bool:
    try:
        connection = await asyncpg.connect(
            url.replace("postgresql+asyncpg://", "postgresql://"), timeout=3
        )
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True
