"""In Chromium: the demo mentee reports a concern from the dashboard; the demo safeguarding lead
opens the case and triages it."""

from __future__ import annotations

from typing import Any

from livesite import LiveServer
from playwright.async_api import Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from server.demo import seed_demo

DEMO_PASSWORD = "mentormeet-demo"


async def _logged_in(browser: Any, live: LiveServer, email: str) -> Page:
    context = await browser.new_context()
    page: Page = await context.new_page()
    await page.goto(live.url + "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    return page


async def test_a_reported_concern_reaches_the_lead_who_triages_it(
    live_server: LiveServer, browser: Any, artifacts: Any
) -> None:
    async def seed(session: AsyncSession) -> Any:
        return await seed_demo(session=session, password=DEMO_PASSWORD)

    await live_server.in_session(seed)

    mentee = await _logged_in(browser, live_server, "mentee@demo.test")
    general = mentee.get_by_role("region", name="Worried about something?")
    await general.get_by_text("Report a concern").click()
    await general.get_by_label("What happened").fill("Someone in the group chat scares me.")
    await general.get_by_role("button", name="Send to the safeguarding team").click()
    await expect(mentee.get_by_role("status")).to_contain_text(
        "The safeguarding team has been told"
    )
    await expect(mentee.get_by_text("Someone in the group chat scares me.")).to_have_count(0)

    lead = await _logged_in(browser, live_server, "safeguarding@demo.test")
    await expect(lead.get_by_text("(1 open)")).to_be_visible()
    await lead.get_by_role("link", name="Concern cases").click()
    cases = lead.get_by_role("table", name="Concern cases")
    await expect(cases).to_contain_text("Jordan Mentee")
    await cases.get_by_role("link").first.click()
    await expect(lead.get_by_role("heading", level=1)).to_contain_text("Concern case")
    await expect(lead.get_by_text("Someone in the group chat scares me.")).to_be_visible()
    await lead.get_by_label("Assign to").select_option(label="Sam Safeguarding")
    await lead.get_by_role("button", name="Mark as triaged").click()
    await expect(lead.get_by_role("status")).to_contain_text("The case is now triaged.")
    await expect(lead.get_by_role("heading", name="Next step: action taken")).to_be_visible()
    await lead.screenshot(path=str(artifacts / "concern-case.png"), full_page=True)
