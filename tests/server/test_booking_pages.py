"""Booking through the pages: bad input gets a clear 4xx on the pairing page, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factories
import pytest
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.models import Role

NEXT_WEEK = (utcnow() + dt.timedelta(days=7)).date().isoformat()


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"date": "2020-01-06", "time": "17:00"}, 422, "Choose a time in the future."),
        ({"date": "2026-13-45", "time": "17:00"}, 422, "Date: input should be a valid date"),
        ({"date": NEXT_WEEK, "time": "25:00"}, 422, "Start time: "),
        (
            {"date": NEXT_WEEK, "time": "17:00", "duration_minutes": "500"},
            422,
            "between 15 and 180 minutes",
        ),
        ({"date": NEXT_WEEK, "time": "17:00", "repeat": "weekly", "count": "0"}, 422, "1 to 52"),
        ({"date": NEXT_WEEK, "time": "17:00", "repeat": "weekly", "until": "2020-01-01"}, 422, ""),
        ({"date": NEXT_WEEK, "time": "17:00", "repeat": "monthly"}, 422, "Repeat: input should be"),
        ({"date": NEXT_WEEK, "time": "17:30"}, 409, "clashes with"),
    ],
)
async def test_booking_form_rejects_bad_input(
    live_server: LiveServer, form: dict[str, str], status: int, message: str
) -> None:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session)
        pair = await factories.pair(session, org)
        await factories.user(session, Role.COORDINATOR, org, email="co@book.test")
        return pair

    pair = await live_server.in_session(make)
    async with live_server.client() as http:
        await log_in(http, "co@book.test", PASSWORD)
        page = await http.get(f"/pairings/{pair.pairing.id}")
        token = csrf_from(page.text)
        booked = await http.post(
            f"/pairings/{pair.pairing.id}/meetings",
            data={"csrf_token": token, "date": NEXT_WEEK, "time": "17:00"},
        )
        assert booked.status_code == 303
        response = await http.post(
            f"/pairings/{pair.pairing.id}/meetings", data={"csrf_token": token, **form}
        )
    assert response.status_code == status, response.text[-500:]
    assert message in response.text
    assert "There is a problem" in response.text


async def test_someone_elses_pairing_is_not_found(live_server: LiveServer) -> None:
    async def make(session: AsyncSession) -> Any:
        org, other = await factories.organisation(session), await factories.organisation(session)
        await factories.user(session, Role.COORDINATOR, org, email="co@mine.test")
        return await factories.pair(session, other)

    theirs = await live_server.in_session(make)
    async with live_server.client() as http:
        await log_in(http, "co@mine.test", PASSWORD)
        token = csrf_from((await http.get("/dashboard")).text)
        assert (await http.get(f"/pairings/{theirs.pairing.id}")).status_code == 404
        response = await http.post(
            f"/pairings/{theirs.pairing.id}/meetings",
            data={"csrf_token": token, "date": NEXT_WEEK, "time": "17:00"},
        )
        assert response.status_code == 404
        moved = await http.post(
            f"/meetings/{theirs.meeting.id}/reschedule",
            data={"csrf_token": token, "date": NEXT_WEEK, "time": "18:00"},
        )
        assert moved.status_code == 404
