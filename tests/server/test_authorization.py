"""The authorization matrix: every route × every role × own versus another organisation's object.

Each cell holds the exact status expected. A route added to the app without a row here fails
`test_every_route_is_in_the_matrix`, so nothing new can slip past this table.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import factories
import httpx
from factories import PASSWORD
from livesite import LiveServer, log_in
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.routing import Mount, Route

from server import retention
from server.db import utcnow
from server.models import (
    Conversation,
    Meeting,
    Message,
    MessageStatus,
    Pairing,
    RiskTermRow,
    Role,
    SurveyInvitation,
    SurveyKind,
)

ACTORS = ("anonymous", "mentee", "mentor", "coordinator", "safeguarding", "admin")


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # {person} / {organisation} are filled with the own or foreign object's id
    expected: dict[str, int]  # actor -> status, for the actor's own organisation's object
    foreign: dict[str, int] | None = None  # differences for another organisation's object


def everyone(status: int, **others: int) -> dict[str, int]:
    return {actor: others.get(actor, status) for actor in ACTORS}


def lead_only(status: int, *, anonymous: int = 401) -> dict[str, int]:
    """Safeguarding leads get `status`; everyone else is refused (strangers asked to log in)."""
    return everyone(403, anonymous=anonymous, safeguarding=status)


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
        "POST",
        "/organisations/{organisation}/network",
        everyone(403, anonymous=401, admin=303),
    ),
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
    # The JSON API (/api/v1). Each cell gets fresh objects (see _api_cells), so these rows do not
    # depend on the order they run in, and change nothing the page rows use.
    Row("GET", "/api/v1/openapi.json", everyone(200)),
    Row("GET", "/api/v1/pairings", everyone(200, anonymous=401)),
    Row(
        "POST",
        "/api/v1/pairings",
        everyone(403, anonymous=401, coordinator=201, admin=201),
        foreign={"coordinator": 404},
    ),
    Row(
        "POST",
        "/api/v1/pairings/{pairing}/end",
        everyone(403, anonymous=401, coordinator=200, admin=200),
        foreign={"coordinator": 404},
    ),
    Row("GET", "/api/v1/meetings", everyone(200, anonymous=401)),
    Row(
        "POST",
        "/api/v1/meetings",
        # The mentor's booking is a proposal; coordinators and admins book.
        everyone(403, anonymous=401, mentor=201, coordinator=201, admin=201),
        foreign={"mentor": 404, "coordinator": 404},
    ),
    Row(
        "PATCH",
        "/api/v1/meetings/{meeting}",
        everyone(403, anonymous=401, coordinator=200, admin=200),
        foreign={"coordinator": 404},
    ),
    Row(
        "POST",
        "/api/v1/meetings/{meeting}/cancel",
        everyone(403, anonymous=401, coordinator=200, admin=200),
        foreign={"coordinator": 404},
    ),
    Row(
        "POST",
        "/api/v1/meetings/{meeting}/respond",
        everyone(403, anonymous=401, mentee=200),
        foreign={"mentee": 404},
    ),
    Row("GET", "/api/v1/safeguarding/review-queue", lead_only(200)),
    Row(
        "POST",
        "/api/v1/safeguarding/messages/{message}/decision",
        lead_only(200),
        foreign={"safeguarding": 404},
    ),
    Row("GET", "/api/v1/tokens", everyone(200, anonymous=401)),
    Row("POST", "/api/v1/tokens", everyone(201, anonymous=401)),
    Row(
        "DELETE",
        "/api/v1/tokens/{api_token}",
        everyone(204, anonymous=401),
        # Someone else's token.
        foreign=everyone(404, anonymous=401),
    ),
    # Running the programme. Rows run in this order, actors in ACTORS order: where an earlier
    # cell changed the object (paired, ended, cancelled), the later cell's status says so.
    Row(
        "GET",
        "/people/{person}/matches",
        everyone(403, anonymous=303, coordinator=200, admin=200),
        foreign={"coordinator": 404},
    ),
    Row(
        "POST",
        "/people/{mentor}/vetting",
        everyone(403, anonymous=401, coordinator=303, admin=303),
        foreign={"coordinator": 404},
    ),
    Row(
        "POST",
        "/people/{person}/consent",
        everyone(403, anonymous=401, coordinator=303, admin=303),
        foreign={"coordinator": 404},
    ),
    Row(
        "POST",
        "/people/{person}/profile",
        everyone(403, anonymous=401, coordinator=303, admin=303),
        foreign={"coordinator": 404},
    ),
    Row("GET", "/profile", everyone(403, anonymous=303, mentor=200, mentee=200)),
    Row("POST", "/profile", everyone(403, anonymous=401, mentor=303, mentee=303)),
    Row("POST", "/profile/alerts", everyone(403, anonymous=401, mentor=303, mentee=303)),
    Row(
        "POST",
        "/pairings",
        # The coordinator pairs the mentee; the admin then finds them already paired.
        everyone(403, anonymous=401, coordinator=303, admin=409),
        # Another organisation's mentee: out of the coordinator's sight; the admin may see
        # them, but that organisation does not match across the network.
        foreign={"coordinator": 404, "admin": 403},
    ),
    Row(
        "GET",
        "/pairings/{pairing}",
        everyone(200, anonymous=303),
        foreign={"mentor": 404, "mentee": 404, "coordinator": 404, "safeguarding": 404},
    ),
    Row(
        "POST",
        "/pairings/{pairing}/meetings",
        # The mentor proposes; coordinators and admins book.
        everyone(403, anonymous=401, mentor=303, coordinator=303, admin=303),
        foreign={"mentor": 404, "coordinator": 404},
    ),
    Row(
        "POST",
        "/pairings/{ending}/end",
        everyone(403, anonymous=401, coordinator=303, admin=409),
        foreign={"coordinator": 404, "admin": 303},
    ),
    Row(
        "POST",
        "/meetings/{spare}/reschedule",
        everyone(403, anonymous=401, coordinator=303, admin=303),
        foreign={"coordinator": 404},
    ),
    Row(
        "POST",
        "/meetings/{spare}/cancel",
        everyone(403, anonymous=401, coordinator=303, admin=409),
        foreign={"coordinator": 404, "admin": 303},
    ),
    Row(
        "POST",
        "/meetings/{meeting}/answer",
        # Only a mentee answers, and only a proposed meeting: this one is booked.
        everyone(403, anonymous=401, mentee=409),
        foreign={"mentee": 404},
    ),
    Row("GET", "/calendar/{token}.ics", everyone(404)),
    Row("POST", "/calendar/renew", everyone(303, anonymous=401)),
    # Safeguarding console: leads only (admins neither), and only their organisation's pairs.
    Row("GET", "/safeguarding", lead_only(200, anonymous=303)),
    Row("GET", "/safeguarding/queue", lead_only(200, anonymous=303)),
    Row(
        "GET",
        "/safeguarding/queue/{message}",
        lead_only(200, anonymous=303),
        foreign={"safeguarding": 404},
    ),
    Row(
        "POST",
        "/safeguarding/messages/{message}/decision",
        lead_only(303),
        foreign={"safeguarding": 404},
    ),
    Row("GET", "/safeguarding/phrases", lead_only(200, anonymous=303)),
    Row("POST", "/safeguarding/phrases", lead_only(303)),
    Row("POST", "/safeguarding/phrases/test", lead_only(200)),
    Row("POST", "/safeguarding/phrases/{term}", lead_only(303)),
    Row("POST", "/safeguarding/phrases/{term}/delete", lead_only(303)),
    Row("GET", "/safeguarding/conversations", lead_only(200, anonymous=303)),
    Row(
        "GET",
        "/safeguarding/conversations/{conversation}",
        lead_only(200, anonymous=303),
        foreign={"safeguarding": 404},
    ),
    Row(
        "POST",
        "/safeguarding/conversations/{conversation}",
        lead_only(200),
        foreign={"safeguarding": 404},
    ),
    Row(
        "POST",
        "/safeguarding/conversations/{conversation}/export.csv",
        lead_only(200),
        foreign={"safeguarding": 404},
    ),
    Row(
        "POST",
        "/safeguarding/conversations/{conversation}/print",
        lead_only(200),
        foreign={"safeguarding": 404},
    ),
    Row("GET", "/safeguarding/search", lead_only(200, anonymous=303)),
    Row("POST", "/safeguarding/search", lead_only(200)),
    Row("GET", "/safeguarding/live", lead_only(200, anonymous=303)),
    # The spare meeting is tomorrow: not in progress, so it cannot be ended (409), but only a
    # lead in scope gets that far.
    Row(
        "POST",
        "/safeguarding/meetings/{spare}/end",
        lead_only(409),
        foreign={"safeguarding": 404},
    ),
    # Retention, data rights and the audit log: admins only. Admins are platform-wide, so the
    # foreign side answers the same; the erasure is refused for its (unknowable) confirmation.
    Row("GET", "/admin/audit", everyone(403, anonymous=303, admin=200)),
    Row("GET", "/admin/retention", everyone(403, anonymous=303, admin=200)),
    Row("POST", "/admin/retention", everyone(403, anonymous=401, admin=303)),
    Row("POST", "/people/{person}/export", everyone(403, anonymous=401, admin=200), foreign={}),
    Row("POST", "/people/{person}/erase", everyone(403, anonymous=401, admin=422), foreign={}),
    # Concern cases: safeguarding leads (their organisation's) and admins (platform-wide) only.
    # Rows run in order: the lead assigns, notes, links and triages first; the admin then finds
    # the meeting already linked and the case already triaged. On the other organisation's case
    # the admin's choice of our lead as assignee is refused (not a lead of that organisation).
    Row(
        "GET",
        "/safeguarding/concerns",
        everyone(403, anonymous=303, safeguarding=200, admin=200),
    ),
    Row(
        "GET",
        "/safeguarding/concerns/{concern}",
        everyone(403, anonymous=303, safeguarding=200, admin=200),
        foreign={"safeguarding": 404},
    ),
    Row(
        "POST",
        "/safeguarding/concerns/{concern}/assign",
        everyone(403, anonymous=401, safeguarding=303, admin=303),
        foreign={"safeguarding": 404, "admin": 404},
    ),
    Row(
        "POST",
        "/safeguarding/concerns/{concern}/notes",
        everyone(403, anonymous=401, safeguarding=303, admin=303),
        foreign={"safeguarding": 404},
    ),
    Row(
        "POST",
        "/safeguarding/concerns/{concern}/links",
        everyone(403, anonymous=401, safeguarding=303, admin=409),
        foreign={"safeguarding": 404, "admin": 303},
    ),
    Row(
        "POST",
        "/safeguarding/concerns/{concern}/record",
        everyone(403, anonymous=401, safeguarding=303, admin=303),
        foreign={"safeguarding": 404},
    ),
    Row(
        "POST",
        "/safeguarding/concerns/{concern}/transition",
        everyone(403, anonymous=401, safeguarding=303, admin=409),
        foreign={"safeguarding": 404, "admin": 404},
    ),
    Row(
        "POST",
        "/organisations/{organisation}/deputy",
        everyone(403, anonymous=401, admin=303),
        foreign={"admin": 404},  # our lead is not one of that organisation's
    ),
    Row("GET", "/api/v1/concerns", everyone(403, anonymous=401, safeguarding=200, admin=200)),
    Row(
        "GET",
        "/api/v1/concerns/{concern}",
        everyone(403, anonymous=401, safeguarding=200, admin=200),
        foreign={"safeguarding": 404},
    ),
    Row(
        "POST",
        "/api/v1/concerns/{concern}/transition",
        everyone(403, anonymous=401, safeguarding=200, admin=200),
        foreign={"safeguarding": 404},
    ),
    # Surveys and the impact report. The survey is the mentee's: their mentor is told there is
    # no such survey; once skipped, answering it is a clash. Another organisation's report is
    # tested with its filters in test_impact_report.py.
    Row(
        "GET",
        "/surveys/{survey}",
        everyone(403, anonymous=303, mentee=200, mentor=404),
        foreign={"mentee": 404},
    ),
    Row(
        "POST",
        "/surveys/{survey}/skip",
        everyone(403, anonymous=401, mentee=303, mentor=404),
        foreign={"mentee": 404},
    ),
    Row(
        "POST",
        "/surveys/{survey}",
        everyone(403, anonymous=401, mentee=409, mentor=404),
        foreign={"mentee": 404},
    ),
    Row("GET", "/reports/impact", everyone(403, anonymous=303, coordinator=200, admin=200)),
    Row("GET", "/reports/impact.csv", everyone(403, anonymous=303, coordinator=200, admin=200)),
]

_names = itertools.count()


def _form(row: Row, ids: dict[str, int]) -> dict[str, str]:
    number = next(_names)
    organisation_id, pairing_id = ids["organisation"], ids["pairing"]
    if row.path.startswith("/safeguarding/") and not row.path.startswith("/safeguarding/concerns"):
        return _safeguarding_form(row, number)
    later = (utcnow() + dt.timedelta(days=2 + number)).date().isoformat()
    if row.path.endswith("/vetting"):
        return {
            "check_type": "enhanced_dbs",
            "dbs_issue_date": "2025-06-01",
            "references_checked": "true",
            "training_completed": "true",
        }
    if row.path.endswith("/consent"):
        return {
            "guardian_name": "Pat Parent",
            "guardian_contact": "pat@example.org",
            "consent_date": "2025-09-01",
            "method": "written",
        }
    if row.path.endswith("/profile"):
        return {"interests": "football, music", "availability": "Tuesday 17-19"}
    if row.path == "/pairings":
        return {"mentor_id": str(ids["free_mentor"]), "mentee_id": str(ids["pairable"])}
    if row.path.endswith("/meetings") or row.path.endswith("/reschedule"):
        return {"date": later, "time": "17:00", "duration_minutes": "60"}
    if row.path.endswith("/end"):
        return {"outcome": "completed", "reason": "Finished early by agreement"}
    if row.path.endswith("/answer"):
        return {"answer": "accept"}
    if row.path == "/invitations":
        return {
            "display_name": f"Invitee {number}",
            "email": f"invitee{number}@example.org",
            "role": "mentee",
            "organisation_id": str(organisation_id),
        }
    if row.path.endswith("/network"):
        return {"network_matching": "true"}
    if row.path == "/organisations":
        return {"name": f"New College {number}", "kind": "college"}
    if row.path.endswith("/assign"):
        return {"assignee_id": str(ids["dsl"])}
    if row.path.endswith("/deputy"):
        return {"deputy_id": str(ids["dsl"])}
    if row.path.endswith("/notes"):
        return {"body": f"Note {number}"}
    if row.path.endswith("/links"):
        return {"meeting_id": str(ids["meeting"])}
    if row.path.endswith("/record"):
        return {"observed_by": f"Observer {number}"}
    if row.path.endswith("/transition"):
        return {"to": "triaged", "assignee_id": str(ids["dsl"])}
    if row.path == "/concerns":
        return {"description": f"Concern {number}", "pairing_id": str(pairing_id)}
    if row.path.endswith("/messages"):
        return {"text": f"Hello number {number}", "client_id": f"matrix-{number}"}
    if row.path == "/login":
        return {"email": f"nobody{number}@example.org", "password": "not the password"}
    if row.path == "/password-reset":
        return {"email": "nobody@example.org"}
    if row.path == "/admin/retention":
        return {kind.record_type.value: str(kind.default_days) for kind in retention.KINDS}
    if row.path.endswith("/export"):
        return {"reason": "Subject access request"}
    if row.path.endswith("/erase"):
        return {"reason": "Erasure request", "confirmation": "not-their-address@example.org"}
    if row.path == "/surveys/{survey}":
        return {"future": "4", "confidence": "3"}
    if row.path.endswith("{token}"):
        return {"password": "a long enough password", "password_again": "a long enough password"}
    return {}


def _safeguarding_form(row: Row, number: int) -> dict[str, str]:
    if row.path.endswith("/decision"):
        return {"decision": "approve"}
    if row.path == "/safeguarding/phrases" or row.path.endswith("{term}"):
        return {"phrase": f"matrix phrase {number}", "severity": "low", "category": "test"}
    if row.path.endswith("/test"):
        return {"text": "see you on Tuesday"}
    if row.path.endswith("/search"):
        return {"query": "number", "reason": "Authorization matrix"}
    if row.path.endswith("/delete"):
        return {}
    return {"reason": "Authorization matrix"}  # transcripts and ending a meeting


async def _api_objects(session: AsyncSession, pairing_id: int, owner_id: int) -> dict[str, int]:
    """Fresh objects beside a pairing, for one API cell: people to pair, a second pairing of the
    same two people with a proposed meeting, and an API token belonging to `owner_id`."""
    from server.models import MeetingStatus, Organisation, User
    from server.personal_tokens import Purpose, create_token

    number = next(_names)
    base = await session.get(Pairing, pairing_id)
    owner = await session.get(User, owner_id)
    assert base is not None and owner is not None
    organisation = await session.get(Organisation, base.organisation_id)
    free_mentor = await factories.user(session, Role.MENTOR, organisation)
    factories.vet(session, free_mentor)
    free_mentee = await factories.user(
        session, Role.MENTEE, organisation, date_of_birth=dt.date(2000, 1, 1)
    )
    pairing = Pairing(
        mentor_id=base.mentor_id, mentee_id=base.mentee_id, organisation_id=base.organisation_id
    )
    session.add(pairing)
    await session.flush()
    day = (utcnow() + dt.timedelta(days=100 + number)).replace(hour=12, minute=0, second=0)
    meeting = Meeting(
        pairing_id=pairing.id or 0,
        starts_at=day,
        status=MeetingStatus.PROPOSED,
        created_by_id=base.mentor_id,
    )
    session.add(meeting)
    conversation = Conversation(pairing_id=pairing.id or 0, last_seq=1)
    session.add(conversation)
    await session.flush()
    held = Message(
        conversation_id=conversation.id or 0,
        seq=1,
        sender_id=pairing.mentor_id,
        client_id=f"matrix-api-{number}",
        body="my number is 07700 900123",
        status=MessageStatus.HELD,
        verdict="HOLD",
        reasons="contact:phone",
    )
    session.add(held)
    await session.commit()
    _, token = await create_token(
        session=session, user=owner, purpose=Purpose.API, name=f"Matrix {number}"
    )
    concern, dsl = await _concern_and_lead(session, pairing)
    return {
        "concern": concern,
        "dsl": dsl,
        "pairing": pairing.id or 0,
        "meeting": meeting.id or 0,
        "api_token": token.id or 0,
        "message": held.id or 0,
        "free_mentor": free_mentor.id or 0,
        "free_mentee": free_mentee.id or 0,
        "day": number,
    }


async def _concern_and_lead(session: AsyncSession, pairing: Pairing) -> tuple[int, int]:
    """A new concern about the pairing, and a safeguarding lead of its organisation."""
    from sqlmodel import select

    from server.models import Concern, Organisation, User

    concern = Concern(
        organisation_id=pairing.organisation_id,
        raised_by_id=pairing.mentee_id,
        pairing_id=pairing.id,
        description="Matrix concern",
    )
    session.add(concern)
    await session.commit()
    lead = (
        await session.exec(
            select(User).where(
                User.role == Role.SAFEGUARDING, User.organisation_id == pairing.organisation_id
            )
        )
    ).first()
    if lead is None:
        lead = await factories.user(
            session, Role.SAFEGUARDING, await session.get(Organisation, pairing.organisation_id)
        )
    return concern.id or 0, lead.id or 0


def _api_body(row: Row, ids: dict[str, int]) -> dict[str, Any] | None:
    if row.method in ("GET", "DELETE"):
        return None
    if row.path.endswith("/transition"):
        return {"to": "triaged", "assignee_id": ids["dsl"]}
    if row.path == "/api/v1/pairings":
        return {"mentor_id": ids["free_mentor"], "mentee_id": ids["free_mentee"]}
    if row.path.endswith("/end"):
        return {"outcome": "withdrawn", "reason": "Moved away"}
    if row.path == "/api/v1/meetings":
        # 10:00 local on the cell's own day: clear of the proposed meeting at 12:00 UTC.
        day = (utcnow() + dt.timedelta(days=100 + ids["day"])).date()
        return {
            "pairing_id": ids["pairing"],
            "starts_at_local": f"{day}T10:00",
            "duration_minutes": 60,
        }
    if row.path.endswith("/cancel"):
        return {"scope": "one"}
    if row.path.endswith("/respond"):
        return {"accept": True}
    if row.path == "/api/v1/tokens":
        return {"name": "Matrix token"}
    if row.path.endswith("/decision"):
        return {"decision": "reject"}
    return {"duration_minutes": 30, "scope": "one"}  # PATCH: reschedule


async def _api_cells(
    live_server: LiveServer,
    clients: dict[str, httpx.AsyncClient],
    actors: dict[str, Any],
    row: Row,
    side: str,
    pairing_id: int,
) -> list[str]:
    """Runs an API row for every actor, each with fresh objects made beside `pairing_id` (the
    own or the foreign pairing). Cookie writes send the X-CSRF-Token header, as scripts must."""
    failures = []
    for actor in ACTORS:
        expected = (
            (row.foreign or {}).get(actor, row.expected[actor])
            if side == "foreign"
            else (row.expected[actor])
        )

        async def make(session: AsyncSession, actor: str = actor) -> dict[str, int]:
            base = await session.get(Pairing, pairing_id)
            assert base is not None
            # Own side: a token of the caller's; foreign side: someone else's.
            owner = actors.get(actor, actors["mentee"]).id if side == "own" else base.mentee_id
            return await _api_objects(session, pairing_id, owner)

        ids = await live_server.in_session(make)
        client = clients[actor]
        path = row.path.format(
            pairing=ids["pairing"],
            meeting=ids["meeting"],
            api_token=ids["api_token"],
            message=ids["message"],
            concern=ids["concern"],
        )
        response = await client.request(
            row.method,
            path,
            json=_api_body(row, ids),
            headers={"X-CSRF-Token": client.cookies.get("mm_csrf") or ""},
        )
        if response.status_code != expected:
            failures.append(
                f"{row.method} {path} as {actor} ({side}): {response.status_code}, "
                f"expected {expected}: {response.text[:200]}"
            )
    return failures


def test_every_route_is_in_the_matrix(live_server: LiveServer) -> None:
    placeholders = {
        "{user_id:int}": "{person}",
        "{organisation_id:int}": "{organisation}",
        "{token:str}": "{token}",
        "{pairing_id:int}": "{pairing}",
        "{meeting_id:int}": "{meeting}",
        "{token_id:int}": "{api_token}",
        "{secret:str}": "{token}",
        "{message_id:int}": "{message}",
        "{term_id:int}": "{term}",
        "{conversation_id:int}": "{conversation}",
        "{concern_id:int}": "{concern}",
        "{survey_id:int}": "{survey}",
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
    # Rows may name which object of a kind they use ({mentor} is a person, {spare} a meeting).
    aliases = {"{mentor}": "{person}", "{ending}": "{pairing}", "{spare}": "{meeting}"}

    def generic(path: str) -> str:
        for alias, kind in aliases.items():
            path = path.replace(alias, kind)
        return path

    assert registered == {(row.method, generic(row.path)) for row in MATRIX}


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
        objects: dict[str, dict[str, int]] = {}
        free_mentor = await factories.user(session, Role.MENTOR, own)
        factories.vet(session, free_mentor)
        for side, organisation, pairing, meeting, mentor in (
            ("own", own, own_pairing, own_meeting, actors["mentor"]),
            ("foreign", foreign, foreign_pair.pairing, foreign_pair.meeting, foreign_pair.mentor),
        ):
            ending = await factories.pair(session, organisation)
            spare = Meeting(
                pairing_id=pairing.id or 0, starts_at=utcnow() + dt.timedelta(days=1, hours=3)
            )
            session.add(spare)
            conversation = Conversation(pairing_id=pairing.id or 0, last_seq=1)
            session.add(conversation)
            await session.flush()
            held = Message(
                conversation_id=conversation.id or 0,
                seq=1,
                sender_id=pairing.mentor_id,
                client_id=f"matrix-held-{side}",
                body="my number is 07700 900123",
                status=MessageStatus.HELD,
                verdict="HOLD",
                reasons="contact:phone",
            )
            session.add(held)
            term = RiskTermRow(phrase=f"matrix term {side}", severity="low", category="test")
            session.add(term)
            survey = SurveyInvitation(
                key=f"matrix:{side}",
                kind=SurveyKind.MENTEE_START,
                pairing_id=pairing.id or 0,
                user_id=pairing.mentee_id,
                organisation_id=organisation.id or 0,
                due_at=utcnow(),
                closes_at=utcnow() + dt.timedelta(days=30),
            )
            session.add(survey)
            await session.commit()
            concern_id, _ = await _concern_and_lead(session, pairing)
            objects[side] = {
                "concern": concern_id,
                "dsl": actors["safeguarding"].id or 0,
                "survey": survey.id or 0,
                "organisation": organisation.id or 0,
                "person": targets[side].id or 0,
                "mentor": mentor.id or 0,
                "pairing": pairing.id or 0,
                "meeting": meeting.id or 0,
                "ending": ending.pairing.id or 0,
                "spare": spare.id or 0,
                "conversation": conversation.id or 0,
                "message": held.id or 0,
                "term": term.id or 0,
                "free_mentor": free_mentor.id or 0,
                "pairable": (
                    await factories.user(
                        session, Role.MENTEE, organisation, date_of_birth=dt.date(2000, 1, 1)
                    )
                ).id
                or 0,
            }
        return actors, objects

    actors, objects = await live_server.in_session(make)
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
            if row.path.startswith("/api/"):
                pairing_id = objects[side]["pairing"]
                failures += await _api_cells(live_server, clients, actors, row, side, pairing_id)
                continue
            path = row.path.format(token="not-a-real-token", **objects[side])
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
                        **_form(row, objects[side]),
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
