"""The JSON API v1 on the real app: tokens, CSRF, pairings, meetings, scope and bad input."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import factories
import httpx
import pytest
from factories import PASSWORD
from livesite import LiveServer, log_in
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.routing import Route

from server.db import utcnow
from server.models import Meeting, Organisation, Pairing, Role, User

LONDON = zoneinfo.ZoneInfo("Europe/London")
API = "/api/v1"


@dataclass
class World:
    organisation: Organisation
    coordinator: User
    mentor: User
    mentee: User
    pairing: Pairing
    free_mentor: User
    free_mentee: User
    other_mentor: User  # paired with other_mentee in the same organisation
    other_pairing: Pairing
    foreign_coordinator: User
    foreign_pairing: Pairing


@pytest.fixture
async def world(live_server: LiveServer) -> World:
    async def make(session: AsyncSession) -> World:
        org = await factories.organisation(session)
        coordinator = await factories.user(session, Role.COORDINATOR, org, email="coord@api.test")
        pair = await factories.pair(session, org)
        other = await factories.pair(session, org)
        for meeting in (pair.meeting, other.meeting):  # start with no meetings: simpler counts
            await session.delete(meeting)
        free_mentor = await factories.user(session, Role.MENTOR, org, name="Sam Free")
        factories.vet(session, free_mentor)
        free_mentee = await factories.user(
            session, Role.MENTEE, org, name="Ada Free", date_of_birth=dt.date(2000, 5, 1)
        )
        foreign = await factories.organisation(session)
        foreign_coordinator = await factories.user(
            session, Role.COORDINATOR, foreign, email="coord@foreign.test"
        )
        foreign_pair = await factories.pair(session, foreign)
        await session.delete(foreign_pair.meeting)
        await session.commit()
        return World(
            org,
            coordinator,
            pair.mentor,
            pair.mentee,
            pair.pairing,
            free_mentor,
            free_mentee,
            other.mentor,
            other.pairing,
            foreign_coordinator,
            foreign_pair.pairing,
        )

    return await live_server.in_session(make)


@asynccontextmanager
async def logged_in(live_server: LiveServer, email: str) -> AsyncIterator[httpx.AsyncClient]:
    async with live_server.client() as client:
        await log_in(client, email, PASSWORD)
        yield client


@pytest.fixture
async def coordinator(live_server: LiveServer, world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with logged_in(live_server, world.coordinator.email) as client:
        yield client


async def call(
    client: httpx.AsyncClient, method: str, path: str, body: Any = None, **kwargs: Any
) -> httpx.Response:
    """A cookie-authenticated API call, with the CSRF header a browser script would send."""
    headers = {"X-CSRF-Token": client.cookies.get("mm_csrf") or ""}
    if body is not None:
        kwargs["json"] = body
    return await client.request(method, API + path, headers=headers, **kwargs)


def local_text(when: dt.date, hour: int = 17) -> str:
    return f"{when.isoformat()}T{hour:02d}:00"


def next_monday(days_ahead: int = 14) -> dt.date:
    day = utcnow().date() + dt.timedelta(days=days_ahead)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


async def book(
    client: httpx.AsyncClient, pairing: Pairing, starts: str, **extra: Any
) -> list[dict[str, Any]]:
    body = {"pairing_id": pairing.id, "starts_at_local": starts, "duration_minutes": 60, **extra}
    response = await call(client, "POST", "/meetings", body)
    assert response.status_code == 201, response.text
    meetings: list[dict[str, Any]] = response.json()["meetings"]
    return meetings


async def meeting_count(live_server: LiveServer) -> int:
    async def count(session: AsyncSession) -> int:
        total: int = (await session.exec(select(func.count()).select_from(Meeting))).one()
        return total

    return await live_server.in_session(count)


# ---------------------------------------------------------------- authentication


async def test_a_bearer_token_is_made_used_listed_and_revoked(
    live_server: LiveServer, world: World, coordinator: httpx.AsyncClient
) -> None:
    made = await call(coordinator, "POST", "/tokens", {"name": "Timetable sync"})
    assert made.status_code == 201, made.text
    token = made.json()
    assert token["name"] == "Timetable sync" and len(token["token"]) >= 32
    assert token["created_at"].endswith("Z") and token["last_used_at"] is None

    async with live_server.client() as robot:  # no cookies at all: the token alone
        bearer = {"Authorization": f"Bearer {token['token']}"}
        listed = await robot.get(f"{API}/pairings", headers=bearer)
        assert listed.status_code == 200
        assert {p["id"] for p in listed.json()["pairings"]} == {
            world.pairing.id,
            world.other_pairing.id,
        }
        # No CSRF header is needed with a bearer token.
        paired = await robot.post(
            f"{API}/pairings",
            json={"mentor_id": world.free_mentor.id, "mentee_id": world.free_mentee.id},
            headers=bearer,
        )
        assert paired.status_code == 201, paired.text
        # A token cannot mint more tokens, but it can see and revoke them.
        again = await robot.post(f"{API}/tokens", json={"name": "copy"}, headers=bearer)
        assert again.status_code == 403
        tokens = (await robot.get(f"{API}/tokens", headers=bearer)).json()["tokens"]
        assert [t["id"] for t in tokens] == [token["id"]]
        assert "token" not in tokens[0] and tokens[0]["last_used_at"] is not None
        revoked = await robot.delete(f"{API}/tokens/{token['id']}", headers=bearer)
        assert revoked.status_code == 204 and revoked.content == b""

        after = await robot.get(f"{API}/pairings", headers=bearer)
        assert after.status_code == 401
        assert after.headers["www-authenticate"].startswith("Bearer")
        assert after.json() == {
            "error": {
                "message": "This API token is not valid, or it has been revoked.",
                "field": None,
            }
        }
        for header in ("Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer", "Bearer " + "x" * 500):
            refused = await robot.get(f"{API}/meetings", headers={"Authorization": header})
            assert refused.status_code == 401, header
            assert refused.json()["error"]["message"]
        assert (await robot.get(f"{API}/pairings")).status_code == 401

    # A bearer token wins over the cookie: a bad token is not rescued by a good session.
    refused = await coordinator.get(
        f"{API}/pairings", headers={"Authorization": f"Bearer {token['token']}"}
    )
    assert refused.status_code == 401
    assert (await call(coordinator, "DELETE", f"/tokens/{token['id']}")).status_code == 404


async def test_cookie_writes_need_the_csrf_header(
    live_server: LiveServer, world: World, coordinator: httpx.AsyncClient
) -> None:
    body = {"mentor_id": world.free_mentor.id, "mentee_id": world.free_mentee.id}
    missing = await coordinator.post(f"{API}/pairings", json=body)
    assert missing.status_code == 403
    assert missing.json()["error"]["field"] == "x-csrf-token"
    assert "X-CSRF-Token" in missing.json()["error"]["message"]
    forged = await coordinator.post(
        f"{API}/pairings", json=body, headers={"X-CSRF-Token": "forged"}
    )
    assert forged.status_code == 403
    assert (await coordinator.post(f"{API}/tokens", json={"name": "x"})).status_code == 403
    # Reads need no header; the real header lets the write through.
    assert (await coordinator.get(f"{API}/pairings")).status_code == 200
    assert (await call(coordinator, "POST", "/pairings", body)).status_code == 201


# ---------------------------------------------------------------- pairings


async def test_pairings_are_created_listed_in_scope_and_ended(
    live_server: LiveServer, world: World, coordinator: httpx.AsyncClient
) -> None:
    body = {"mentor_id": world.free_mentor.id, "mentee_id": world.free_mentee.id}
    created = await call(coordinator, "POST", "/pairings", body)
    assert created.status_code == 201, created.text
    pairing = created.json()
    assert pairing["mentor"] == {"id": world.free_mentor.id, "name": "Sam Free"}
    assert pairing["mentee"] == {"id": world.free_mentee.id, "name": "Ada Free"}
    assert pairing["organisation_id"] == world.organisation.id
    assert pairing["status"] == "active" and pairing["started_at"].endswith("Z")
    assert pairing["ended_at"] is None and pairing["end_reason"] is None

    twice = await call(coordinator, "POST", "/pairings", body)
    assert twice.status_code == 409
    assert twice.json()["error"] == {
        "message": "Ada Free already has a mentor.",
        "field": "mentee_id",
    }

    listed = (await call(coordinator, "GET", "/pairings")).json()["pairings"]
    assert listed[0]["id"] == pairing["id"]  # newest first
    assert len(listed) == 3

    async with logged_in(live_server, world.mentor.email) as mentor:
        mine = (await mentor.get(f"{API}/pairings")).json()["pairings"]
        assert [p["id"] for p in mine] == [world.pairing.id]
        refused = await call(mentor, "POST", "/pairings", body)
        assert refused.status_code == 403
        assert (
            await call(
                mentor,
                "POST",
                f"/pairings/{world.pairing.id}/end",
                {"outcome": "completed", "reason": "Done"},
            )
        ).status_code == 403

    async with logged_in(live_server, world.foreign_coordinator.email) as foreign:
        theirs = (await foreign.get(f"{API}/pairings")).json()["pairings"]
        assert [p["id"] for p in theirs] == [world.foreign_pairing.id]
        ending = await call(
            foreign,
            "POST",
            f"/pairings/{pairing['id']}/end",
            {"outcome": "withdrawn", "reason": "x"},
        )
        assert ending.status_code == 404
        foreign_pairing = await call(foreign, "POST", "/pairings", body)
        assert foreign_pairing.status_code == 404
        assert foreign_pairing.json()["error"]["field"] == "mentee_id"

    ended = await call(
        coordinator,
        "POST",
        f"/pairings/{pairing['id']}/end",
        {"outcome": "withdrawn", "reason": "Moved to another college"},
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "withdrawn"
    assert ended.json()["end_reason"] == "Moved to another college"
    assert ended.json()["ended_at"].endswith("Z")
    again = await call(
        coordinator,
        "POST",
        f"/pairings/{pairing['id']}/end",
        {"outcome": "completed", "reason": "x"},
    )
    assert again.status_code == 409
    active = (await call(coordinator, "GET", "/pairings", params={"status": "active"})).json()
    assert pairing["id"] not in {p["id"] for p in active["pairings"]}
    # A meeting for an ended pairing is refused.
    late = await call(
        coordinator,
        "POST",
        "/meetings",
        {
            "pairing_id": pairing["id"],
            "starts_at_local": local_text(next_monday()),
            "duration_minutes": 60,
        },
    )
    assert late.status_code == 403


# ---------------------------------------------------------------- meetings


async def test_a_weekly_series_keeps_17_00_local_across_both_clock_changes(
    world: World, coordinator: httpx.AsyncClient
) -> None:
    # The brief's example (from 16 March 2026, across 29 March) is now in the past, so the
    # series starts two weeks before the next spring change and runs past the autumn one.
    today = utcnow().date()
    year = (
        today.year if last_sunday(today.year, 3) > today + dt.timedelta(days=20) else today.year + 1
    )
    spring, autumn = last_sunday(year, 3), last_sunday(year, 10)
    first = spring - dt.timedelta(days=13)  # a Monday
    meetings = await book(
        coordinator,
        world.pairing,
        local_text(first),
        repeat="weekly",
        until=(autumn + dt.timedelta(days=8)).isoformat(),
    )
    assert len(meetings) == (autumn + dt.timedelta(days=8) - first).days // 7 + 1
    assert len({m["series_id"] for m in meetings}) == 1 and meetings[0]["series_id"]
    assert [m["sequence"] for m in meetings] == [0] * len(meetings)
    for meeting in meetings:
        local = dt.datetime.fromisoformat(meeting["starts_at_local"])
        assert (local.hour, local.minute) == (17, 0), meeting
        assert local.weekday() == 0
        assert meeting["timezone"] == "Europe/London"
        starts = dt.datetime.fromisoformat(meeting["starts_at"])
        assert meeting["starts_at"].endswith("Z") and starts == local
        summer = spring < local.date() < autumn
        assert meeting["starts_at"][11:16] == ("16:00" if summer else "17:00")
        assert meeting["starts_at_local"].endswith("+01:00" if summer else "+00:00")
        ends = dt.datetime.fromisoformat(meeting["ends_at"])
        assert ends - starts == dt.timedelta(minutes=60)
        assert meeting["status"] == "scheduled" and meeting["duration_minutes"] == 60

    listed = await call(
        coordinator,
        "GET",
        "/meetings",
        params={
            "pairing_id": str(world.pairing.id),
            "from": f"{spring}T00:00:00Z",
            "to": f"{spring + dt.timedelta(days=8)}T00:00:00+01:00",
        },
    )
    assert listed.status_code == 200
    [after_change] = listed.json()["meetings"]
    assert after_change["starts_at_local"] == f"{spring + dt.timedelta(days=1)}T17:00:00+01:00"
    assert after_change["starts_at"] == f"{spring + dt.timedelta(days=1)}T16:00:00Z"


async def test_rescheduling_one_or_all_future_meetings(
    world: World, coordinator: httpx.AsyncClient
) -> None:
    first = next_monday()
    series = await book(coordinator, world.pairing, local_text(first), repeat="weekly", count=4)
    ids = [m["id"] for m in series]

    one = await call(
        coordinator,
        "PATCH",
        f"/meetings/{ids[1]}",
        {"starts_at_local": local_text(first + dt.timedelta(days=8), 18), "scope": "one"},
    )
    assert one.status_code == 200, one.text
    [moved] = one.json()["meetings"]
    assert moved["id"] == ids[1] and moved["sequence"] == 1
    assert moved["starts_at_local"].startswith(f"{first + dt.timedelta(days=8)}T18:00")
    assert moved["duration_minutes"] == 60  # unchanged when not given

    future = await call(
        coordinator, "PATCH", f"/meetings/{ids[2]}", {"duration_minutes": 45, "scope": "future"}
    )
    assert future.status_code == 200, future.text
    assert [m["id"] for m in future.json()["meetings"]] == ids[2:]

    shifted = await call(
        coordinator,
        "PATCH",
        f"/meetings/{ids[2]}",
        {"starts_at_local": local_text(first + dt.timedelta(days=14), 19), "scope": "future"},
    )
    assert shifted.status_code == 200, shifted.text
    listed = (
        await call(coordinator, "GET", "/meetings", params={"pairing_id": str(world.pairing.id)})
    ).json()["meetings"]
    by_id = {m["id"]: m for m in listed}
    assert by_id[ids[0]]["starts_at_local"][11:16] == "17:00" and by_id[ids[0]]["sequence"] == 0
    assert by_id[ids[1]]["starts_at_local"][11:16] == "18:00"
    for later in ids[2:]:
        assert by_id[later]["starts_at_local"][11:16] == "19:00"
        assert by_id[later]["duration_minutes"] == 45 and by_id[later]["sequence"] == 2

    nothing = await call(coordinator, "PATCH", f"/meetings/{ids[0]}", {"scope": "one"})
    assert nothing.status_code == 422
    past = await call(
        coordinator, "PATCH", f"/meetings/{ids[0]}", {"starts_at_local": "2021-01-04T17:00"}
    )
    assert past.status_code == 422
    assert past.json()["error"] == {
        "message": "Choose a time in the future.",
        "field": "starts_at_local",
    }


async def test_cancelling_one_or_all_future_meetings(
    world: World, coordinator: httpx.AsyncClient
) -> None:
    series = await book(
        coordinator, world.pairing, local_text(next_monday()), repeat="fortnightly", count=4
    )
    ids = [m["id"] for m in series]
    one = await call(coordinator, "POST", f"/meetings/{ids[0]}/cancel", {"scope": "one"})
    assert one.status_code == 200
    assert [(m["id"], m["status"], m["sequence"]) for m in one.json()["meetings"]] == [
        (ids[0], "cancelled", 1)
    ]
    again = await call(coordinator, "POST", f"/meetings/{ids[0]}/cancel")  # scope defaults to one
    assert again.status_code == 409
    rest = await call(coordinator, "POST", f"/meetings/{ids[2]}/cancel", {"scope": "future"})
    assert [m["id"] for m in rest.json()["meetings"]] == ids[2:]
    live = (await call(coordinator, "GET", "/meetings", params={"status": "scheduled"})).json()[
        "meetings"
    ]
    assert [m["id"] for m in live] == [ids[1]]
    bad_scope = await call(coordinator, "POST", f"/meetings/{ids[1]}/cancel", {"scope": "all"})
    assert bad_scope.status_code == 422 and bad_scope.json()["error"]["field"] == "scope"


async def test_a_mentor_proposes_and_the_mentee_accepts(
    live_server: LiveServer, world: World, coordinator: httpx.AsyncClient
) -> None:
    async with (
        logged_in(live_server, world.mentor.email) as mentor,
        logged_in(live_server, world.mentee.email) as mentee,
    ):
        proposed = await book(
            mentor, world.pairing, local_text(next_monday()), repeat="weekly", count=2
        )
        assert [m["status"] for m in proposed] == ["proposed", "proposed"]
        first = proposed[0]["id"]
        elsewhere = await call(
            mentor,
            "POST",
            "/meetings",
            {
                "pairing_id": world.other_pairing.id,
                "starts_at_local": local_text(next_monday(30)),
                "duration_minutes": 60,
            },
        )
        assert elsewhere.status_code == 404  # someone else's pairing, even in our organisation
        assert (
            await call(
                mentee,
                "POST",
                "/meetings",
                {
                    "pairing_id": world.pairing.id,
                    "starts_at_local": local_text(next_monday(30)),
                    "duration_minutes": 60,
                },
            )
        ).status_code == 403
        by_coordinator = await call(
            coordinator, "POST", f"/meetings/{first}/respond", {"accept": True}
        )
        assert by_coordinator.status_code == 403
        by_mentor = await call(mentor, "POST", f"/meetings/{first}/respond", {"accept": True})
        assert by_mentor.status_code == 403
        not_bool = await call(mentee, "POST", f"/meetings/{first}/respond", {"accept": "yes"})
        assert not_bool.status_code == 422 and not_bool.json()["error"]["field"] == "accept"

        accepted = await call(mentee, "POST", f"/meetings/{first}/respond", {"accept": True})
        assert accepted.status_code == 200, accepted.text
        assert [m["status"] for m in accepted.json()["meetings"]] == ["scheduled", "scheduled"]
        twice = await call(mentee, "POST", f"/meetings/{first}/respond", {"accept": False})
        assert twice.status_code == 409

        # Participants see their own meetings only.
        other = await book(coordinator, world.other_pairing, local_text(next_monday(), 12))
        mine = (await mentor.get(f"{API}/meetings")).json()["meetings"]
        assert {m["id"] for m in mine} == {m["id"] for m in proposed}
        assert other[0]["id"] not in {
            m["id"] for m in (await mentee.get(f"{API}/meetings")).json()["meetings"]
        }
        hidden = await mentor.get(
            f"{API}/meetings", params={"pairing_id": str(world.other_pairing.id)}
        )
        assert hidden.status_code == 404
        assert hidden.json()["error"] == {"message": "No such pairing.", "field": "pairing_id"}


async def test_another_organisation_sees_nothing_of_ours(
    live_server: LiveServer, world: World, coordinator: httpx.AsyncClient
) -> None:
    [meeting] = await book(coordinator, world.pairing, local_text(next_monday()))
    async with logged_in(live_server, world.foreign_coordinator.email) as foreign:
        assert (await foreign.get(f"{API}/meetings")).json() == {"meetings": []}
        listing = await foreign.get(f"{API}/meetings", params={"pairing_id": str(world.pairing.id)})
        assert listing.status_code == 404
        moved = await call(foreign, "PATCH", f"/meetings/{meeting['id']}", {"duration_minutes": 30})
        assert moved.status_code == 404
        cancelled = await call(foreign, "POST", f"/meetings/{meeting['id']}/cancel", {})
        assert cancelled.status_code == 404
        booked = await call(
            foreign,
            "POST",
            "/meetings",
            {
                "pairing_id": world.pairing.id,
                "starts_at_local": local_text(next_monday(40)),
                "duration_minutes": 60,
            },
        )
        assert booked.status_code == 404
        assert booked.json()["error"] == {"message": "No such pairing.", "field": "pairing_id"}
    # Our coordinator cannot book for the other organisation's pair either.
    theirs = await call(
        coordinator,
        "POST",
        "/meetings",
        {
            "pairing_id": world.foreign_pairing.id,
            "starts_at_local": local_text(next_monday(40)),
            "duration_minutes": 60,
        },
    )
    assert theirs.status_code == 404
    assert await meeting_count(live_server) == 1


async def test_overlapping_meetings_are_refused_naming_the_clash(
    live_server: LiveServer, world: World, coordinator: httpx.AsyncClient
) -> None:
    monday = next_monday()
    await book(coordinator, world.pairing, local_text(monday))
    before = await meeting_count(live_server)
    clash = await call(
        coordinator,
        "POST",
        "/meetings",
        {
            "pairing_id": world.pairing.id,
            "starts_at_local": f"{monday}T17:30",
            "duration_minutes": 30,
        },
    )
    assert clash.status_code == 409
    error = clash.json()["error"]
    assert error["field"] == "starts_at_local"
    assert f"{world.mentor.display_name} and {world.mentee.display_name}" in error["message"]
    assert "17:00" in error["message"]
    # A series whose third meeting clashes is refused whole.
    await book(coordinator, world.pairing, local_text(monday + dt.timedelta(days=15)))
    series = await call(
        coordinator,
        "POST",
        "/meetings",
        {
            "pairing_id": world.pairing.id,
            "starts_at_local": local_text(monday + dt.timedelta(days=1)),
            "duration_minutes": 60,
            "repeat": "weekly",
            "count": 3,
        },
    )
    assert series.status_code == 409
    assert await meeting_count(live_server) == before + 1


# ---------------------------------------------------------------- bad input


def _valid_meeting(world: World) -> dict[str, Any]:
    return {
        "pairing_id": world.pairing.id,
        "starts_at_local": local_text(next_monday()),
        "duration_minutes": 60,
    }


BAD_MEETINGS: list[tuple[dict[str, Any], int, str | None, str]] = [
    ({"colour": "blue"}, 422, "colour", "Unexpected field 'colour'."),
    ({"duration_minutes": 5}, 422, "duration_minutes", "greater than or equal to 15"),
    ({"duration_minutes": 600}, 422, "duration_minutes", "less than or equal to 180"),
    ({"duration_minutes": -60}, 422, "duration_minutes", "greater than or equal to 15"),
    ({"duration_minutes": "60"}, 422, "duration_minutes", "valid integer"),
    ({"duration_minutes": 60.5}, 422, "duration_minutes", "valid integer"),
    ({"duration_minutes": True}, 422, "duration_minutes", "valid integer"),
    ({"duration_minutes": None}, 422, "duration_minutes", "valid integer"),
    ({"starts_at_local": "2027-13-45T17:00"}, 422, "starts_at_local", "not a real date"),
    ({"starts_at_local": "2027-02-29T17:00"}, 422, "starts_at_local", "not a real date"),
    ({"starts_at_local": "2027-01-04T25:00"}, 422, "starts_at_local", "not a real date"),
    ({"starts_at_local": "next tuesday"}, 422, "starts_at_local", "like 2026-03-16T17:00"),
    ({"starts_at_local": "2027-01-04T17:00Z"}, 422, "starts_at_local", "without a time zone"),
    ({"starts_at_local": "2027-01-04T17:00+01:00"}, 422, "starts_at_local", "without a time zone"),
    (
        {"starts_at_local": "2027-01-04T17:00 Europe/Londres"},
        422,
        "starts_at_local",
        "without a time zone",
    ),
    ({"starts_at_local": 1790000000}, 422, "starts_at_local", "like 2026-03-16T17:00"),
    ({"starts_at_local": "9999-12-31T23:30"}, 422, "starts_at_local", "between 2000 and 2100"),
    (
        {"starts_at_local": "2020-01-06T17:00"},
        422,
        "starts_at_local",
        "Choose a time in the future.",
    ),
    # The brief's DST example series now lies in the past.
    (
        {"starts_at_local": "2026-03-16T17:00", "repeat": "weekly", "count": 4},
        422,
        "starts_at_local",
        "Choose a time in the future.",
    ),
    ({"repeat": "daily"}, 422, "repeat", "'once', 'weekly' or 'fortnightly'"),
    ({"repeat": "weekly"}, 422, "count", "Choose how many meetings or the date of the last one."),
    ({"repeat": "weekly", "count": 0}, 422, "count", "greater than or equal to 1"),
    ({"repeat": "weekly", "count": 53}, 422, "count", "less than or equal to 52"),
    ({"count": 3}, 422, "count", "A one-off meeting has no number of repeats."),
    (
        {"repeat": "weekly", "until": "2020-01-01"},
        422,
        "until",
        "The end date must be on or after the first meeting.",
    ),
    ({"repeat": "weekly", "until": "2027-02-30"}, 422, "until", "valid date"),
    ({"repeat": "weekly", "until": "2099-01-01"}, 422, "until", "the most is 52"),
    ({"repeat": "weekly", "count": 2, "until": "2099-01-01"}, 422, "until", "not both"),
    ({"pairing_id": 2**40}, 422, "pairing_id", "less than or equal to 2147483647"),
    ({"pairing_id": 0}, 422, "pairing_id", "greater than or equal to 1"),
    ({"pairing_id": 999999}, 404, "pairing_id", "No such pairing."),
    ({"pairing_id": None}, 422, "pairing_id", "valid integer"),
]


@pytest.mark.parametrize(("change", "status", "field", "message"), BAD_MEETINGS)
async def test_bad_meetings_get_a_clear_4xx(
    live_server: LiveServer,
    world: World,
    coordinator: httpx.AsyncClient,
    change: dict[str, Any],
    status: int,
    field: str | None,
    message: str,
) -> None:
    body = {**_valid_meeting(world), **change}
    response = await call(coordinator, "POST", "/meetings", body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert message in error["message"]
    assert await meeting_count(live_server) == 0


@pytest.mark.parametrize("missing", ["pairing_id", "starts_at_local", "duration_minutes"])
async def test_missing_fields_are_named(
    world: World, coordinator: httpx.AsyncClient, missing: str
) -> None:
    body = {k: v for k, v in _valid_meeting(world).items() if k != missing}
    response = await call(coordinator, "POST", "/meetings", body)
    assert response.status_code == 422
    assert response.json()["error"] == {"message": f"{missing} is required.", "field": missing}


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"{", 400, "not valid JSON"),
        (b"{'pairing_id': 1}", 400, "not valid JSON"),
        (b"\xff\xfe", 400, "not valid JSON"),
        (b"[1, 2]", 422, "Send a JSON object."),
        (b'"text"', 422, "Send a JSON object."),
        (b"null", 422, "Send a JSON object."),
        (b'{"pairing_id": 1' + b" " * 20_000 + b"}", 413, "larger than"),
    ],
)
async def test_malformed_bodies_get_a_clear_4xx(
    live_server: LiveServer,
    world: World,
    coordinator: httpx.AsyncClient,
    content: bytes,
    status: int,
    message: str,
) -> None:
    response = await coordinator.post(
        f"{API}/meetings",
        content=content,
        headers={
            "X-CSRF-Token": coordinator.cookies.get("mm_csrf") or "",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]
    assert await meeting_count(live_server) == 0


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "yesterday"}, "from", "ISO 8601"),
        ({"from": "2027-01-04T17:00"}, "from", "needs a UTC offset"),
        ({"from": "2027-01-04T17:00+25:00"}, "from", "ISO 8601"),
        ({"to": "2027-02-30T00:00Z"}, "to", "ISO 8601"),
        ({"to": "0001-01-01T00:00+01:00"}, "to", "ISO 8601"),
        ({"from": "2027-02-01T00:00Z", "to": "2027-01-01T00:00Z"}, "to", "later than from"),
        ({"pairing_id": "abc"}, "pairing_id", "whole number"),
        ({"pairing_id": "-1"}, "pairing_id", "whole number"),
        ({"pairing_id": "99999999999999999999"}, "pairing_id", "whole number"),
        ({"limit": "0"}, "limit", "whole number"),
        ({"status": "happening"}, "status", "one of"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Unexpected query parameter"),
    ],
)
async def test_bad_meeting_queries_get_a_clear_422(
    world: World, coordinator: httpx.AsyncClient, params: dict[str, str], field: str, message: str
) -> None:
    response = await coordinator.get(f"{API}/meetings", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert message in response.json()["error"]["message"]


async def test_bad_pairing_and_token_input_gets_a_clear_4xx(
    world: World, coordinator: httpx.AsyncClient
) -> None:
    cases: list[tuple[str, str, Any, int, str | None]] = [
        ("POST", "/pairings", {"mentor_id": world.free_mentor.id}, 422, "mentee_id"),
        (
            "POST",
            "/pairings",
            {"mentor_id": world.free_mentee.id, "mentee_id": world.free_mentee.id},
            404,
            "mentor_id",
        ),
        (
            "POST",
            "/pairings",
            {"mentor_id": world.free_mentor.id, "mentee_id": world.mentor.id},
            404,
            "mentee_id",
        ),
        ("POST", "/pairings", {"mentor_id": "1", "mentee_id": 2}, 422, "mentor_id"),
        (
            "POST",
            f"/pairings/{world.pairing.id}/end",
            {"outcome": "active", "reason": "x"},
            422,
            "outcome",
        ),
        (
            "POST",
            f"/pairings/{world.pairing.id}/end",
            {"outcome": "completed", "reason": " "},
            422,
            "reason",
        ),
        (
            "POST",
            f"/pairings/{world.pairing.id}/end",
            {"outcome": "completed", "reason": "a\x00b"},
            422,
            "reason",
        ),
        ("POST", "/pairings/99999999999/end", {"outcome": "completed", "reason": "x"}, 404, None),
        ("POST", "/tokens", {"name": ""}, 422, "name"),
        ("POST", "/tokens", {"name": "x" * 101}, 422, "name"),
        ("POST", "/tokens", {}, 422, "name"),
        ("DELETE", "/tokens/99999", None, 404, "token_id"),
        ("PATCH", "/meetings/99999", {"duration_minutes": 30}, 404, None),
        ("POST", "/meetings/99999999999/cancel", {}, 404, None),
        ("PUT", "/meetings/1", {}, 405, None),
        ("GET", "/nothing-here", None, 404, None),
    ]
    for method, path, body, status, field in cases:
        response = await call(coordinator, method, path, body)
        assert response.status_code == status, (method, path, response.text)
        error = response.json()["error"]
        assert error["message"], (method, path)
        assert error["field"] == field, (method, path, error)


# ---------------------------------------------------------------- the description


async def test_the_openapi_document_describes_every_route(
    live_server: LiveServer, world: World
) -> None:
    async with live_server.client() as anonymous:
        response = await anonymous.get(f"{API}/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["cookie"]["in"] == "cookie" and schemes["cookie"]["name"] == "mm_session"

    registered = set()
    for route in live_server.starlette.routes:
        if isinstance(route, Route) and route.path.startswith(API):
            path = route.path.replace(":int}", "}")
            for method in (route.methods or set()) - {"HEAD"}:
                registered.add((method.lower(), path))
    documented = {(method, path) for path, item in doc["paths"].items() for method in item}
    assert registered == documented
    assert len(registered) == 17  # 12, the 2 review routes and the 3 concern case routes

    schemas = doc["components"]["schemas"]

    def resolve(ref: dict[str, Any]) -> dict[str, Any]:
        name = ref["$ref"].removeprefix("#/components/schemas/")
        found: dict[str, Any] = schemas[name]
        return found

    booking = doc["paths"]["/api/v1/meetings"]["post"]
    body = resolve(booking["requestBody"]["content"]["application/json"]["schema"])
    assert body["additionalProperties"] is False
    assert set(body["required"]) == {"pairing_id", "starts_at_local", "duration_minutes"}
    assert set(body["properties"]) >= {"repeat", "count", "until"}
    assert {"201", "401", "403", "404", "409", "422"} <= set(booking["responses"])
    created = resolve(booking["responses"]["201"]["content"]["application/json"]["schema"])
    assert created["properties"]["meetings"]["items"] == {"$ref": "#/components/schemas/MeetingOut"}
    meeting = schemas["MeetingOut"]["properties"]
    assert set(meeting) == {
        "id",
        "pairing_id",
        "starts_at",
        "ends_at",
        "starts_at_local",
        "timezone",
        "duration_minutes",
        "status",
        "series_id",
        "sequence",
    }
    error = resolve(booking["responses"]["409"]["content"]["application/json"]["schema"])
    assert set(error["properties"]) == {"error"}
    reschedule = doc["paths"]["/api/v1/meetings/{meeting_id}"]["patch"]
    assert reschedule["parameters"][0]["name"] == "meeting_id"
    assert doc["paths"]["/api/v1/tokens/{token_id}"]["delete"]["responses"]["204"]
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    # Every $ref in the document points at a schema that is there.
    text = response.text
    for name in {part.split('"')[0] for part in text.split("#/components/schemas/")[1:]}:
        assert name in schemas, name
