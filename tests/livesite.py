"""The real app served by uvicorn on a free loopback port, in a thread with its own loop."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import uvicorn
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings

T = TypeVar("T")


class LiveServer:
    def __init__(self, settings_for: Callable[[str], Settings]) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings_for(self.url)
        self.app = create_app(self.settings, run_worker=True)
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="on"))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._serve, name=f"live-{self.port}", daemon=True)

    @property
    def starlette(self) -> Starlette:
        app = self.app
        while not isinstance(app, Starlette):
            app = app.other_asgi_app  # type: ignore[attr-defined]  # Socket.IO wraps the app
        return app

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._server.serve(sockets=[self._socket]))
        self._loop.close()

    def start(self) -> None:
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                return
            if not self._thread.is_alive():
                raise RuntimeError("the app failed to start; see the log above")
            threading.Event().wait(0.01)
        raise RuntimeError("the app did not start within 5 s")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()

    async def call(self, coroutine: Awaitable[T]) -> T:
        """Runs a coroutine on the server's loop (its database engine lives there)."""
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(_as_coroutine(coroutine), self._loop)
        return await asyncio.wrap_future(future)

    async def in_session(self, job: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async def run() -> T:
            async with self.starlette.state.db.session() as session:
                return await job(session)

        return await self.call(run())

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=15, **kwargs)


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = CSRF_INPUT.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def submit(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str]
) -> httpx.Response:
    """Opens `page`, takes the CSRF token from its form, and posts `data` to `action`."""
    opened = await client.get(page)
    assert opened.status_code == 200, f"{page} answered {opened.status_code}"
    return await client.post(action, data={"csrf_token": csrf_from(opened.text), **data})


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    response = await submit(client, "/login", "/login", {"email": email, "password": password})
    assert response.status_code == 303, (
        f"log-in failed ({response.status_code}): {response.text[:500]}"
    )
    return response
