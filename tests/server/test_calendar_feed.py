"""Each person's private calendar feed: linked from the dashboard, correct across the clocks
change, carrying cancellations, and revocable."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import factories
import icalendar
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in
from sqlmodel.ext.asyncio.session import AsyncSession

from server.models import Meeting, Role
from server.scheduling.meetings import Scope, cancel_meeting, schedule_meeting
from server.scheduling.recurrence import Frequency, Recurrence

LONDON = zoneinfo.ZoneInfo("Europe/London")


async def test_calendar_feed_follows_local_time_and_cancellations(live_server: LiveServer) -> None:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session)
        pair = await factories.pair(session, org)
        coordinator = await factories.user(session, Role.COORDINATOR, org)
        # The clocks go forward on Sunday 28 March 2027.
        meetings = await schedule_meeting(
            session=session,
            actor=coordinator,
            pairing_id=pair.pairing.id or 0,
            local_start=dt.datetime(2027, 3, 15, 17, 0),
            duration_minutes=60,
            recurrence=Recurrence(Frequency.WEEKLY, count=4),
            base_url=live_server.url,
        )
        await cancel_meeting(
            session=session,
            actor=coordinator,
            meeting_id=meetings[1].id or 0,
            scope=Scope.ONE,
            base_url=live_server.url,
        )
        return pair, meetings

    pair, meetings = await live_server.in_session(make)
    async with live_server.client() as http:
        await log_in(http, pair.mentee.email, PASSWORD)
        dashboard = await http.get("/dashboard")
        link = re.search(r'<a href="(/calendar/[^"]+\.ics)">Calendar feed</a>', dashboard.text)
        assert link, "the dashboard links to the calendar feed"
        feed_path = link.group(1)
        assert feed_path in (await http.get("/dashboard")).text  # the same address every time
    async with live_server.client() as calendar_app:  # no log-in: the address is the secret
        response = await calendar_app.get(feed_path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    ours = [events[f"meeting-{m.id}@127.0.0.1"] for m in meetings]
    local = [e.decoded("DTSTART").astimezone(LONDON) for e in ours]
    assert [t.strftime("%d %b %H:%M") for t in local] == [
        "15 Mar 17:00",
        "22 Mar 17:00",
        "29 Mar 17:00",
        "05 Apr 17:00",
    ]
    assert [e.decoded("DTSTART").hour for e in ours] == [17, 17, 16, 16]  # UTC
    assert [str(e["STATUS"]) for e in ours] == ["CONFIRMED", "CANCELLED", "CONFIRMED", "CONFIRMED"]

    async with live_server.client() as http:
        await log_in(http, pair.mentee.email, PASSWORD)
        page = await http.get("/dashboard")
        renewed = await http.post("/calendar/renew", data={"csrf_token": csrf_from(page.text)})
        assert renewed.status_code == 303
        new_path = re.search(
            r'<a href="(/calendar/[^"]+\.ics)">Calendar feed</a>',
            (await http.get("/dashboard")).text,
        )
    assert new_path and new_path.group(1) != feed_path
    async with live_server.client() as calendar_app:
        assert (await calendar_app.get(feed_path)).status_code == 404
        assert (await calendar_app.get(new_path.group(1))).status_code == 200
        assert (await calendar_app.get("/calendar/1-forged.ics")).status_code == 404
    assert isinstance(meetings[0], Meeting)
