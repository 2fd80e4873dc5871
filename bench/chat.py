"""Chat throughput and acknowledgement latency: mentormeet's full path against a bare relay.

    python -m bench.chat [--quick] [--clients N] [--messages M] [--rounds R] [--database-url URL]

N socket clients in N/2 pair conversations on loopback each send M messages, waiting for each
acknowledgement. Both servers run as separate processes in the same run, taking turns over R
rounds (M/R messages each), so that a host that speeds up or slows down meanwhile affects both:
  bare  - a bare python-socketio relay: ack the sender, emit to the other member, nothing else;
  ours  - `mentormeet serve`: session auth, validation, rate limiting, screening, durable
          group-committed storage in SQLite (WAL, synchronous=FULL) by its chat store process,
          then ack and emit. Its CPU figure includes the store process, which is also given
          on its own (`of_which_store`; 0 on PostgreSQL, whose writer is in the web process).
Then ours again, paced at half of the bare relay's throughput, for its latency under load.
The last line printed is one JSON object; `ratio` = ours ÷ bare relay throughput.

Beside the server's CPU per message, each result gives the clients' (this process) and the share
of the host's cores left idle while it ran. The clients share the host's cores with the server, so
these figures tell a server that is short of CPU from one that waits (on its clients, or they on
it).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import socketio

# Realistic short chat lines: screening has to look at digits, '@' and keywords in some of them.
TEXTS = [
    "hi! how was the mock exam today?",
    "pretty good thanks, maths paper 2 was hard",
    "shall we look at your personal statement on thursday at 5.30?",
    "I got 7 9s and 2 8s in my GCSEs",
    "the UCAS deadline is 29 January, let's plan for it",
    "can you send me the link to the course page in the chat",
    "my predicted grades are A*AA",
    "see you next week, good luck with the interview!",
]


# Sent by every client before the clock starts, by both servers alike: the figures are for a
# running server, not for its first messages (mentormeet starts its chat store process then).
WARM_UP_MESSAGES = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def host_cpu_ticks() -> tuple[int, int]:
    """(idle, total) clock ticks of all cores since boot, from /proc/stat."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return ticks[3] + ticks[4], sum(ticks)  # idle + iowait


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time of a process and of its live child processes (mentormeet's chat store)."""
    own = children = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        if stat.parent.name == str(pid):
            own += seconds
        elif fields[1] == str(pid):
            children += seconds
    return own, children


class ServerProcess:
    def __init__(self, command: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        # A file, not a pipe: a pipe nobody reads would stall the server once its log filled it.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=self.log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    self.log.seek(0)
                    raise RuntimeError(self.log.read().decode(errors="replace")) from None
                time.sleep(0.05)
        raise RuntimeError(f"server on port {port} did not start")

    def cpu(self) -> tuple[float, float]:
        """(server, of that its child processes) CPU seconds so far."""
        own, children = cpu_seconds(self.process.pid)
        return own + children, children

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        self.log.close()


@dataclass
class Pair:
    room: int
    cookies: tuple[str | None, str | None]


@dataclass
class Result:
    messages: int
    seconds: float
    latencies: list[float]
    server_cpu: float
    store_cpu: float  # of server_cpu, the chat store process's
    client_cpu: float
    host_idle_ticks: int
    host_ticks: int

    @classmethod
    def combined(cls, rounds: list[Result]) -> Result:
        return cls(
            sum(r.messages for r in rounds),
            sum(r.seconds for r in rounds),
            [latency for r in rounds for latency in r.latencies],
            sum(r.server_cpu for r in rounds),
            sum(r.store_cpu for r in rounds),
            sum(r.client_cpu for r in rounds),
            sum(r.host_idle_ticks for r in rounds),
            sum(r.host_ticks for r in rounds),
        )

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        return {
            "messages": self.messages,
            "messages_per_s": round(self.messages / self.seconds, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
            "server_cpu_ms_per_message": round(self.server_cpu / self.messages * 1000, 3),
            "of_which_store_ms_per_message": round(self.store_cpu / self.messages * 1000, 3),
            "client_cpu_ms_per_message": round(self.client_cpu / self.messages * 1000, 3),
            "host_idle": round(self.host_idle_ticks / max(1, self.host_ticks), 2),
        }


async def run_load(
    server: ServerProcess,
    pairs: list[Pair],
    join: Callable[[int], dict[str, Any]],
    send: Callable[[int, str, str], dict[str, Any]],
    messages: int,
    rate_per_client: float | None = None,
) -> Result:
    clients: list[tuple[socketio.AsyncClient, int]] = []
    for pair in pairs:
        for cookie in pair.cookies:
            client = socketio.AsyncClient(reconnection=False)
            headers = {"Cookie": f"mm_session={cookie}"} if cookie else {}
            await client.connect(server.url, headers=headers, transports=["websocket"])
            reply = await client.call("join", join(pair.room), timeout=10)
            assert reply.get("ok"), reply
            clients.append((client, pair.room))
    latencies: list[float] = []

    async def warm_up(client: socketio.AsyncClient, room: int) -> None:
        for number in range(WARM_UP_MESSAGES):
            reply = await client.call("send", send(room, str(uuid.uuid4()), TEXTS[number]))
            assert reply.get("ok"), reply

    await asyncio.gather(*(warm_up(client, room) for client, room in clients))

    async def sender(client: socketio.AsyncClient, room: int, slot: int) -> None:
        # Paced clients start spread over one interval, as people do, not all at once.
        offset = slot / len(clients) / rate_per_client if rate_per_client else 0.0
        next_at = time.perf_counter() + offset
        for number in range(messages):
            if rate_per_client:
                next_at += 1 / rate_per_client
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            started = time.perf_counter()
            reply = await client.call(
                "send", send(room, str(uuid.uuid4()), TEXTS[number % len(TEXTS)]), timeout=30
            )
            latencies.append(time.perf_counter() - started)
            assert reply.get("ok"), reply

    cpu_before, client_cpu_before, host_before = server.cpu(), time.process_time(), host_cpu_ticks()
    started = time.perf_counter()
    await asyncio.gather(
        *(sender(client, room, slot) for slot, (client, room) in enumerate(clients))
    )
    seconds = time.perf_counter() - started
    cpu_after, client_cpu = server.cpu(), time.process_time() - client_cpu_before
    cpu, store_cpu = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
    host_after = host_cpu_ticks()
    for client, _ in clients:
        await client.disconnect()
    return Result(
        len(latencies),
        seconds,
        latencies,
        cpu,
        store_cpu,
        client_cpu,
        host_after[0] - host_before[0],
        host_after[1] - host_before[1],
    )


async def seed(database_url: str, pairs: int) -> list[Pair]:
    """Pairs with conversations, and a logged-in session for each member."""
    from server.accounts import AccountPolicy, start_session
    from server.chat.conversations import conversation_for_pairing
    from server.db import Database
    from server.models import MentorVetting, Organisation, Pairing, Role, User

    db = Database(database_url)
    seeded = []
    async with db.session() as session:
        org = Organisation(name="Bench College")
        session.add(org)
        await session.flush()
        for number in range(pairs):
            mentor = User(
                email=f"mentor{number}@bench.test",
                display_name=f"Mentor {number}",
                role=Role.MENTOR,
                organisation_id=org.id,
            )
            mentee = User(
                email=f"mentee{number}@bench.test",
                display_name=f"Mentee {number}",
                role=Role.MENTEE,
                organisation_id=org.id,
            )
            session.add_all([mentor, mentee])
            await session.flush()
            # A vetted mentor and an adult mentee: chat is open to them.
            session.add(
                MentorVetting(
                    mentor_id=mentor.id or 0,
                    dbs_issue_date=dt.date.today() - dt.timedelta(days=30),
                    references_checked=True,
                    training_completed=True,
                )
            )
            mentee.date_of_birth = dt.date(2000, 1, 1)
            pairing = Pairing(
                mentor_id=mentor.id or 0, mentee_id=mentee.id or 0, organisation_id=org.id or 0
            )
            session.add(pairing)
            await session.commit()
            conversation = await conversation_for_pairing(
                session=session, pairing_id=pairing.id or 0
            )
            cookies = tuple(
                [
                    await start_session(session=session, user=user, policy=AccountPolicy())
                    for user in (mentor, mentee)
                ]
            )
            seeded.append(Pair(conversation.id or 0, (cookies[0], cookies[1])))
    await db.dispose()
    return seeded


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--messages", type=int, default=None, help="per client")
    parser.add_argument("--rounds", type=int, default=3, help="turns each server takes")
    parser.add_argument(
        "--database-url",
        help="an empty database for ours, e.g. postgresql+asyncpg://…; default: a new SQLite file",
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    messages = args.messages or (60 if args.quick else 300)
    # The default database lives only as long as the run.
    with tempfile.TemporaryDirectory(prefix="mentormeet-bench-") as scratch:
        compare(
            args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.sqlite3'}",
            pair_count=max(1, args.clients // 2),
            messages=messages,
            rounds=args.rounds,
        )


def compare(database_url: str, *, pair_count: int, messages: int, rounds: int) -> None:
    """Runs both servers in turns, then ours at half load; prints the figures, JSON last."""
    from server.migrate import upgrade

    per_round = max(1, messages // rounds)
    upgrade(database_url)
    ours_pairs = asyncio.run(seed(database_url, pair_count))
    bare_pairs = [Pair(number + 1, (None, None)) for number in range(pair_count)]

    bare_port, ours_port = free_port(), free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    bare = ServerProcess(
        [sys.executable, "-m", "bench.bare_relay", "--port", str(bare_port)], env, bare_port
    )
    ours_env = {
        **env,
        "DATABASE_URL": database_url,
        "BASE_URL": f"http://127.0.0.1:{ours_port}",
        "CHAT_RATE_LIMIT": "1000000",  # the benchmark sends faster than people may
        "MENTORMEET_ENV": "test",
    }
    ours = ServerProcess(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(ours_port)], ours_env, ours_port
    )

    def ours_join(room: int) -> dict[str, Any]:
        return {"conversation_id": room}

    def ours_send(room: int, client_id: str, text: str) -> dict[str, Any]:
        return {"conversation_id": room, "id": client_id, "text": text}

    try:
        bare_rounds: list[Result] = []
        ours_rounds: list[Result] = []
        for _ in range(rounds):
            bare_rounds.append(
                asyncio.run(
                    run_load(
                        bare,
                        bare_pairs,
                        lambda room: {"room": room},
                        lambda room, cid, text: {"room": room, "id": cid, "text": text},
                        per_round,
                    )
                )
            )
            ours_rounds.append(
                asyncio.run(run_load(ours, ours_pairs, ours_join, ours_send, per_round))
            )
        bare_result, ours_result = Result.combined(bare_rounds), Result.combined(ours_rounds)
        half_rate = bare_result.messages / bare_result.seconds / 2
        half_result = asyncio.run(
            run_load(
                ours,
                ours_pairs,
                ours_join,
                ours_send,
                messages,
                rate_per_client=half_rate / (pair_count * 2),
            )
        )
    finally:
        bare.stop()
        ours.stop()
    bare_summary, ours_summary, half_summary = (
        bare_result.summary(),
        ours_result.summary(),
        half_result.summary(),
    )
    ratio = round(ours_summary["messages_per_s"] / bare_summary["messages_per_s"], 3)
    round_ratios = [
        round(
            ours_round.messages / ours_round.seconds / (bare_round.messages / bare_round.seconds),
            3,
        )
        for bare_round, ours_round in zip(bare_rounds, ours_rounds, strict=True)
    ]
    print(f"bare relay      : {bare_summary}")
    print(f"mentormeet      : {ours_summary}")
    # Below 1.0 the pace was not kept up: the p99 is then that of a saturated server.
    pace_kept = round(half_summary["messages_per_s"] / half_rate, 3)
    print(
        f"mentormeet @ 1/2: {half_summary} (paced at {half_rate:.0f} messages/s,"
        f" {pace_kept:.0%} of that achieved)"
    )
    print(
        json.dumps(
            {
                "benchmark": "chat",
                "clients": pair_count * 2,
                "messages_per_client": per_round * rounds,
                "bare_relay": bare_summary,
                "mentormeet": ours_summary,
                "mentormeet_half_load": {
                    **half_summary,
                    "paced_messages_per_s": round(half_rate, 1),
                    "pace_kept": pace_kept,
                },
                "ratio": ratio,
                "round_ratios": round_ratios,
                "goal": "ratio >= 0.6 and half-load p99 <= 20 ms",
            }
        )
    )


if __name__ == "__main__":
    main()
