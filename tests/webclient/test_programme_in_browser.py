"""In Chromium: a coordinator pairs a mentee with a suggested mentor and books their meetings;
both people then see them on their dashboards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factories
from factories import PASSWORD
from livesite import LiveServer
from playwright.async_api import Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.models import Profile, Role


async def _log_in(browser: Any, live: LiveServer, email: str) -> Page:
    page: Page = await (await browser.new_context()).new_page()
    await page.goto(live.url + "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    return page


async def test_coordinator_pairs_with_a_suggested_mentor_and_books(
    live_server: LiveServer, browser: Any, artifacts: Any
) -> None:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session, "Northgate College")
        await factories.user(session, Role.COORDINATOR, org, email="co@northgate.test")
        mentee = await factories.user(
            session,
            Role.MENTEE,
            org,
            name="Aisha Khan",
            email="aisha@northgate.test",
            date_of_birth=dt.date(2006, 5, 1),
        )
        lawyer = await factories.user(
            session, Role.MENTOR, org, name="Tom Reed", email="tom@northgate.test"
        )
        chef = await factories.user(
            session, Role.MENTOR, org, name="Lee Chan", email="lee@northgate.test"
        )
        for mentor in (lawyer, chef):
            factories.vet(session, mentor)
        session.add_all(
            [
                Profile(
                    user_id=mentee.id or 0,
                    sectors="law",
                    goals="university applications",
                    availability="1 17 19",
                ),
                Profile(
                    user_id=lawyer.id or 0,
                    sectors="law",
                    goals="university applications",
                    availability="1 16 20",
                ),
                Profile(user_id=chef.id or 0, sectors="hospitality", availability="5 10 12"),
            ]
        )
        await session.commit()
        return mentee

    mentee = await live_server.in_session(make)
    coordinator = await _log_in(browser, live_server, "co@northgate.test")
    await coordinator.get_by_role("link", name="Aisha Khan").click()
    await coordinator.get_by_role("link", name="Suggest mentors").click()
    suggestions = coordinator.get_by_role("listitem").filter(has_text="/ 100")
    await expect(suggestions.first).to_contain_text("Tom Reed")
    await expect(suggestions.first).to_contain_text("Works in law")
    await coordinator.get_by_role("button", name="Pair with Tom Reed").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("Paired")

    await expect(coordinator.get_by_text("Both are usually free")).to_contain_text("Tuesdays 17:00")
    day = (utcnow() + dt.timedelta(days=7)).date()
    await coordinator.get_by_label("Date", exact=True).fill(day.isoformat())
    await coordinator.get_by_label("Start time").fill("17:00")
    await coordinator.get_by_label("Repeat").select_option("weekly")
    await coordinator.get_by_label("How many meetings").fill("4")
    await coordinator.get_by_role("button", name="Book").click()
    await expect(coordinator.get_by_role("status")).to_contain_text("Booked 4 meetings")
    upcoming = coordinator.get_by_role("region", name="Upcoming meetings").get_by_role("listitem")
    await expect(upcoming.filter(has_text="17:00")).to_have_count(4)
    await coordinator.screenshot(path=artifacts / "pairing.png", full_page=True)

    first = day.strftime("%d %b %Y, 17:00")
    for email in ("tom@northgate.test", "aisha@northgate.test"):
        page = await _log_in(browser, live_server, email)
        await expect(page.get_by_text("Next meeting")).to_contain_text(first)
        await expect(page.get_by_role("link", name="Calendar feed")).to_be_visible()
    assert mentee.display_name == "Aisha Khan"
