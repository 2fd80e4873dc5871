"""A python-socketio client speaking mentormeet's chat events, as the browser does."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import socketio
from livesite import log_in


class ChatClient:
    def __init__(self, base_url: str, session_cookie: str | None) -> None:
        self.base_url = base_url
        self.session_cookie = session_cookie
        self.sio = socketio.AsyncClient(reconnection=False)
        self.messages: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.typing: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self.sio.on("message", self._collect(self.messages))
        self.sio.on("safeguarding_alert", self._collect(self.alerts))
        self.sio.on("typing", self._collect(self.typing))

    def _collect(self, into: list[dict[str, Any]]) -> Callable[[dict[str, Any]], Any]:
        async def handler(data: dict[str, Any]) -> None:
            into.append(data)
            self._changed.set()

        return handler

    @classmethod
    async def logged_in(cls, base_url: str, email: str, password: str) -> ChatClient:
        async with httpx.AsyncClient(base_url=base_url, timeout=15) as http:
            await log_in(http, email, password)
            cookie = http.cookies.get("mm_session")
        client = cls(base_url, cookie)
        await client.connect()
        return client

    async def connect(self) -> None:
        headers = {"Cookie": f"mm_session={self.session_cookie}"} if self.session_cookie else {}
        await self.sio.connect(
            self.base_url, headers=headers, transports=["websocket"], wait_timeout=10
        )

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()

    async def call(self, event: str, data: Any = None, timeout: float = 10) -> dict[str, Any]:
        reply: dict[str, Any] = await self.sio.call(event, data, timeout=timeout)
        return reply

    async def join(self, conversation_id: int, after_seq: int = 0) -> dict[str, Any]:
        return await self.call("join", {"conversation_id": conversation_id, "after_seq": after_seq})

    async def send(
        self, conversation_id: int, text: str, client_id: str | None = None
    ) -> dict[str, Any]:
        payload = {
            "conversation_id": conversation_id,
            "id": client_id or str(uuid.uuid4()),
            "text": text,
        }
        return await self.call("send", payload)

    async def wait_for(self, predicate: Callable[[ChatClient], bool], timeout: float = 10) -> None:
        async def wait() -> None:
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(wait(), timeout)
