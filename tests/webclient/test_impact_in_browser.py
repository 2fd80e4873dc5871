"""In Chromium: the demo coordinator opens the impact report and sees its charts; the demo
mentee answers the survey that is due, from their dashboard."""

from __future__ import annotations

import re
from typing import Any

from livesite import LiveServer
from playwright.async_api import Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from server.demo import seed_demo

DEMO_PASSWORD = "mentormeet-demo"


async def _log_in(browser: Any, live: LiveServer, email: str) -> Page:
    page: Page = await (await browser.new_context()).new_page()
    await page.goto(live.url + "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    return page


async def _seed(live: LiveServer) -> None:
    async def seed(session: AsyncSession) -> Any:
        return await seed_demo(session=session, password=DEMO_PASSWORD)

    await live.in_session(seed)


async def test_demo_coordinator_sees_the_impact_charts(
    live_server: LiveServer, browser: Any, artifacts: Any
) -> None:
    await _seed(live_server)
    page = await _log_in(browser, live_server, "coordinator@demo.test")
    await page.get_by_role("link", name="Impact report").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Impact report: Demo College")
    for name in (
        "Meetings booked and held",
        "Mentees positive about their future",
        "Change in wellbeing (SWEMWBS)",
        "Mentors fulfilled and meetings rated useful",
        "Response rates",
    ):
        chart = page.get_by_role("img", name=re.compile(re.escape(name)))
        await expect(chart).to_be_visible()
        box = await chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 40
    # The demo round is big enough: nothing is suppressed, and the figures are in the tables.
    await expect(page.get_by_text("fewer than 5 respondents — not shown")).to_have_count(0)
    await expect(
        page.get_by_role("row", name=re.compile("feel positive about their future: at the end"))
    ).to_contain_text("percent")
    # Filtering keeps the reader on the page; the CSV link carries the filters.
    await page.get_by_label("Cohort (month the pairings started)").fill("2001-01")
    await page.get_by_role("button", name="Show figures").click()
    await expect(page.get_by_role("link", name="Download these figures (CSV)")).to_have_attribute(
        "href", "/reports/impact.csv?cohort=2001-01"
    )
    await page.go_back()
    await page.screenshot(path=artifacts / "impact-report.png", full_page=True)


async def test_demo_mentee_answers_the_survey_that_is_due(
    live_server: LiveServer, browser: Any, artifacts: Any
) -> None:
    await _seed(live_server)
    page = await _log_in(browser, live_server, "mentee@demo.test")
    surveys = page.get_by_role("region", name="Surveys due")
    await surveys.get_by_role("link", name="Starting out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Starting out")
    future = page.get_by_role("group", name="I feel positive about my future")
    await future.get_by_label("Agree", exact=True).check()
    await page.get_by_role("group", name="I've been feeling useful").get_by_label("Often").check()
    await page.screenshot(path=artifacts / "survey.png", full_page=True)
    # Everything else is left blank: skipping a question is allowed.
    await page.get_by_role("button", name="Send answers").click()
    await expect(page.get_by_role("status")).to_have_text("Thank you: your answers are saved.")
    await expect(page.get_by_role("region", name="Surveys due")).to_have_count(0)
    # The Join link of the demo meeting is still there.
    await expect(page.get_by_role("link", name="Join")).to_be_visible()
