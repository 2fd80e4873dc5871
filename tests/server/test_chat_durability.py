"""Durability: the server process is killed while clients send; nothing acknowledged is lost,
and clients resynchronise without duplicates after it restarts on the same database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import factories
import httpx
import pytest
from chatclient import ChatClient
from factories import PASSWORD
from sqlmodel import col, select

from server.chat.conversations import conversation_for_pairing
from server.db import Database
from server.models import Message


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    def __init__(self, database_url: str, log: Path) -> None:
        self.database_url = database_url
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "BASE_URL": self.url,
            "MENTORMEET_ENV": "test",
            "CHAT_RATE_LIMIT": "100000",
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        for _ in range(200):
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                break
            subprocess.run(["sleep", "0.05"], check=False)
        raise RuntimeError(f"server did not start; see {self.log}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(database_url, tmp_path / "server.log")
    yield process
    process.stop()


KILL_AFTER_ACKS = 60


async def _sender(
    client: ChatClient,
    conversation_id: int,
    acked: dict[str, int],
    sent: list[str],
    enough: asyncio.Event,
) -> None:
    """Sends until the connection dies; records what was acknowledged."""
    number = 0
    while client.sio.connected:
        client_id = str(uuid.uuid4())
        sent.append(client_id)
        number += 1
        try:
            ack = await client.send(conversation_id, f"{client_id[:8]} message {number}", client_id)
        except Exception:  # the server died: this one was never acknowledged
            return
        if ack.get("ok"):
            acked[client_id] = ack["seq"]
            if len(acked) >= KILL_AFTER_ACKS:
                enough.set()
            if len(acked) >= KILL_AFTER_ACKS:
                enough.set()


async def test_acknowledged_messages_survive_a_killed_server(
    server: ServerProcess, database_url: str
) -> None:
    db = Database(database_url)
    async with db.session() as session:
        org = await factories.organisation(session)
        pair = await factories.pair(session, org)
        conversation_id = (
            await conversation_for_pairing(session=session, pairing_id=pair.pairing.id or 0)
        ).id or 0
    server.start()
    people = (pair.mentor.email, pair.mentee.email)
    clients = [await ChatClient.logged_in(server.url, email, PASSWORD) for email in people]
    for client in clients:
        assert (await client.join(conversation_id))["ok"]
    acked: dict[str, int] = {}
    sent: list[list[str]] = [[], []]  # client ids, per sender
    enough = asyncio.Event()
    senders = [
        asyncio.create_task(_sender(client, conversation_id, acked, sent[index], enough))
        for index, client in enumerate(clients)
    ]
    await asyncio.wait_for(enough.wait(), 60)
    server.kill()
    await asyncio.wait_for(asyncio.gather(*senders), 30)
    for client in clients:
        await client.close()

    # Every acknowledged message is in the database, at the position it was acknowledged with.
    async with db.session() as session:
        rows = (await session.exec(select(Message).order_by(col(Message.seq)))).all()
    stored = {row.client_id: row.seq for row in rows}
    assert all(stored.get(client_id) == seq for client_id, seq in acked.items())
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))  # gap-free

    # Restart on the same database; clients resync from what they had and resend the rest.
    server.start()
    views: list[list[int]] = []
    for index in range(len(people)):
        client = ChatClient(server.url, clients[index].session_cookie)
        await client.connect()
        # What this client showed: the partner's messages it received, its own acknowledged ones.
        own = {acked[client_id] for client_id in sent[index] if client_id in acked}
        seen = sorted({m["seq"] for m in clients[index].messages} | own)
        last_seq = seen[-1] if seen else 0
        history = await client.join(conversation_id, after_seq=last_seq)
        resynced = [m["seq"] for m in history["messages"]]
        unacknowledged = [c for c in sent[index] if c not in acked]
        assert unacknowledged, "the kill should have interrupted a send"
        for client_id in unacknowledged:  # resent with the same id
            ack = await client.send(conversation_id, "resent", client_id)
            assert ack["ok"]
        views.append(seen + resynced)
        await client.close()
    for view in views:
        assert len(view) == len(set(view)), "a message was shown twice"
        # Nothing missing either: everything up to the newest, including all acknowledged.
        assert sorted(view) == list(range(1, max(view) + 1)), "a message was never shown"
        assert max(view) >= len(stored)
    async with db.session() as session:
        rows = (await session.exec(select(Message).order_by(col(Message.seq)))).all()
    await db.dispose()
    client_ids = [row.client_id for row in rows]
    assert len(client_ids) == len(set(client_ids))  # resends stored nothing twice
    assert set(client_ids) == set(sent[0]) | set(sent[1])  # everything sent, stored once
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
