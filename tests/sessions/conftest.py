"""Fixtures for media-room tests: a room and a factory of real aiortc client peers."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from media_peers import Client, ClientFactory

from sessions.media import MediaRoom


@pytest.fixture
async def room() -> AsyncIterator[MediaRoom]:
    media_room = MediaRoom(ice_servers=[])
    yield media_room
    await media_room.close()


@pytest.fixture
async def make_client() -> AsyncIterator[ClientFactory]:
    clients: list[Client] = []

    def factory(**kwargs: Any) -> Client:
        client = Client(**kwargs)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.close()
