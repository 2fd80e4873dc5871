"""In Chromium: the safeguarding lead's dashboard counts held messages and shows alerts live."""

from __future__ import annotations

from typing import Any

import factories
from chatclient import ChatClient
from factories import PASSWORD
from livesite import LiveServer
from playwright.async_api import expect
from sqlmodel.ext.asyncio.session import AsyncSession


async def test_dsl_dashboard_shows_held_messages_live(
    live_server: LiveServer, browser: Any
) -> None:
    async def make(session: AsyncSession) -> tuple[factories.Pair, int]:
        return await factories.watched_pair(session, lead_email="dsl@x.test")

    pair, conversation_id = await live_server.in_session(make)
    page = await (await browser.new_context()).new_page()
    await page.goto(live_server.url + "/login")
    await page.get_by_label("Email").fill("dsl@x.test")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_text("No messages are waiting for review.")).to_be_visible()
    await expect(page.locator("#live-status")).to_have_text(
        "Live: new alerts appear here as they happen (keep this page open)."
    )

    mentor = await ChatClient.logged_in(live_server.url, pair.mentor.email, PASSWORD)
    try:
        await mentor.join(conversation_id)
        ack = await mentor.send(conversation_id, "add me on snap: maya_m")
        assert ack["status"] == "held"
    finally:
        await mentor.close()
    alerts = page.get_by_role("log", name="Live alerts")
    await expect(alerts).to_contain_text("Message held for review")
    await expect(alerts).to_contain_text("contact:social")
    await expect(alerts).not_to_contain_text("maya_m")  # the text itself is not shown here
    await page.reload()
    await expect(page.get_by_role("status").filter(has_text="held message")).to_contain_text(
        "1 held message waiting for a decision"
    )
