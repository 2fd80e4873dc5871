"""The authorization matrix: every route × every role × own versus another organisation's object.

Each cell holds the exact status expected. A route added to the app without a row here fails
`test_every_route_is_in_the_matrix`, so nothing new can slip past this table.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import factories
import httpx
from factories import PASSWORD
from livesite import LiveServer, log_in
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.routing import Mount, Route

from server.db import utcnow
from server.models import Meeting, Pairing, Role

ACTORS = ("anonymous", "mentee", "mentor", "coordinator", "safeguarding", "admin")


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # {person} / {organisation} are filled with the own or foreign object's id
    expected: dict[str, int]  # actor -> status, for the actor's own organisation's object
    foreign: dict[str, int] | None = None  # differences for another organisation's object


def everyone(status: int, **others: int) -> dict[str, int]:
    return {actor: others.get(actor, status) for actor in ACTORS}


MATRIX = [
    Row("GET", "/healthz", everyone(200)),
    Row("GET", "/", everyone(303)),
    Row("GET", "/login", everyone(303, anonymous=200)),
    Row("POST", "/login", everyone(401)),  # wrong password for everyone: generic refusal
    Row("POST", "/logout", everyone(303)),
    Row("GET", "/password-reset", everyone(200)),
    Row("POST", "/password-reset", everyone(200)),
    Row("GET", "/invitations/{token}", everyone(404)),
    Row("POST", "/invitations/{token}", everyone(404)),
    Row("GET", "/password-reset/{token}", everyone(404)),
    Row("POST", "/password-reset/{token}", everyone(404)),
    Row("GET", "/dashboard", everyone(200, anonymous=303)),
    Row(
        "POST",
        "/invitations",
        everyone(403, anonymous=401, coordinator=303, admin=303),
        foreign={"coordinator": 404},
    ),
    Row(
        "GET",
        "/people/{person}",
        everyone(403, anonymous=303, coordinator=200, safeguarding=200, admin=200),
        foreign={"coordinator": 404, "safeguarding": 404},
    ),
    Row(
        "POST",
        "/people/{person}/disable",
        everyone(403, anonymous=401, coordinator=303, admin=303),
        foreign={"coordinator": 404},
    ),
    Row(
        "POST",
        "/people/{person}/enable",
        everyone(403, anonymous=401, coordinator=303, admin=303),
        foreign={"coordinator": 404},
    ),
    Row(
        "GET",
        "/organisations/{organisation}",
        everyone(403, anonymous=303, coordinator=200, safeguarding=200, admin=200),
        foreign={"coordinator": 404, "safeguarding": 404},
    ),
    Row("POST", "/organisations", everyone(403, anonymous=401, admin=303)),
    Row(
        "GET",
        "/pairings/{pairing}/messages",
        everyone(403, anonymous=303, mentor=200, mentee=200),
        foreign={"mentor": 404, "mentee": 404},
    ),
    Row(
        "POST",
        "/pairings/{pairing}/messages",
        everyone(403, anonymous=401, mentor=303, mentee=303),
        foreign={"mentor": 404, "mentee": 404},
    ),
    Row(
        "GET",
        "/meetings/{meeting}/room",
        everyone(403, anonymous=303, mentor=200, mentee=200, safeguarding=200),
        foreign={"mentor": 404, "mentee": 404, "safeguarding": 404},
    ),
    Row(
        "POST",
        "/concerns",
        everyone(303, anonymous=401, admin=403),
        foreign={"mentor": 404, "mentee": 404, "coordinator": 404, "safeguarding": 404},
    ),
]

_names = itertools.count()


def _form(row: Row, organisation_id: int, pairing_id: int) -> dict[str, str]:
    number = next(_names)
    if row.path == "/invitations":
        return {
            "display_name": f"Invitee {number}",
            "email": f"invitee{number}@example.org",
            "role": "mentee",
            "organisation_id": str(organisation_id),
        }
    if row.path == "/organisations":
        return {"name": f"New College {number}", "kind": "college"}
    if row.path == "/concerns":
        return {"description": f"Concern {number}", "pairing_id": str(pairing_id)}
    if row.path.endswith("/messages"):
        return {"text": f"Hello number {number}", "client_id": f"matrix-{number}"}
    if row.path == "/login":
        return {"email": f"nobody{number}@example.org", "password": "not the password"}
    if row.path == "/password-reset":
        return {"email": "nobody@example.org"}
    if row.path.endswith("{token}"):
        return {"password": "a long enough password", "password_again": "a long enough password"}
    return {}


def test_every_route_is_in_the_matrix(live_server: LiveServer) -> None:
    placeholders = {
        "{user_id:int}": "{person}",
        "{organisation_id:int}": "{organisation}",
        "{token:str}": "{token}",
        "{pairing_id:int}": "{pairing}",
        "{meeting_id:int}": "{meeting}",
    }
    registered = set()
    for route in live_server.starlette.routes:
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        path = route.path
        for pattern, name in placeholders.items():
            path = path.replace(pattern, name)
        registered |= {(method, path) for method in route.methods or () if method != "HEAD"}
    assert registered == {(row.method, row.path) for row in MATRIX}


async def test_authorization_matrix(live_server: LiveServer) -> None:
    async def make(session: AsyncSession) -> Any:
        own, foreign = await factories.organisation(session), await factories.organisation(session)
        actors = {
            role.value: await factories.user(
                session, role, None if role is Role.ADMIN else own, email=f"{role.value}@own.test"
            )
            for role in Role
        }
        targets = {
            "own": await factories.user(session, Role.MENTEE, own),
            "foreign": await factories.user(session, Role.MENTEE, foreign),
        }
        own_pairing = Pairing(
            mentor_id=actors["mentor"].id or 0,
            mentee_id=actors["mentee"].id or 0,
            organisation_id=own.id or 0,
        )
        session.add(own_pairing)
        await session.flush()
        factories.vet(session, actors["mentor"], consent_for=actors["mentee"])
        own_meeting = Meeting(pairing_id=own_pairing.id or 0, starts_at=utcnow())
        session.add(own_meeting)
        await session.commit()
        foreign_pair = await factories.pair(session, foreign)
        pairings = {"own": own_pairing, "foreign": foreign_pair.pairing}
        meetings = {"own": own_meeting, "foreign": foreign_pair.meeting}
        return own, foreign, actors, targets, pairings, meetings

    own, foreign, actors, targets, pairings, meetings = await live_server.in_session(make)
    clients: dict[str, httpx.AsyncClient] = {}
    failures = []
    try:
        for actor in ACTORS:
            client = live_server.client()
            clients[actor] = client
            await client.get("/login")  # receive a CSRF cookie
            if actor != "anonymous":
                await log_in(client, actors[actor].email, PASSWORD)
        for row, side in itertools.product(MATRIX, ("own", "foreign")):
            if side == "foreign" and row.foreign is None:
                continue
            organisation = own if side == "own" else foreign
            path = row.path.format(
                person=targets[side].id,
                organisation=organisation.id,
                pairing=pairings[side].id,
                meeting=meetings[side].id,
                token="not-a-real-token",
            )
            for actor in ACTORS:
                expected = (
                    (row.foreign or {}).get(actor, row.expected[actor])
                    if side == "foreign"
                    else row.expected[actor]
                )
                client = clients[actor]
                if row.method == "GET":
                    response = await client.get(path)
                else:
                    data = {
                        "csrf_token": client.cookies.get("mm_csrf") or "",
                        **_form(row, organisation.id or 0, pairings[side].id or 0),
                    }
                    response = await client.post(path, data=data)
                if response.status_code != expected:
                    failures.append(
                        f"{row.method} {path} as {actor} ({side}): "
                        f"{response.status_code}, expected {expected}"
                    )
                if row.path == "/logout" and actor != "anonymous":
                    await log_in(client, actors[actor].email, PASSWORD)
    finally:
        for client in clients.values():
            await client.aclose()
    assert not failures, "\n".join(failures)
