"""In Chromium, as the demo safeguarding lead: held messages arrive in the review queue live, and
approve, redact and reject reach the mentee's and mentor's browsers exactly as decided; a console
that was not listening catches up."""

from __future__ import annotations

import asyncio
from typing import Any

import factories
from chatclient import ChatClient
from factories import PASSWORD
from livesite import LiveServer, log_in, submit
from playwright.async_api import Page, Route, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from server.demo import seed_demo

DEMO_PASSWORD = "mentormeet-demo"


async def _logged_in(
    browser: Any, live: LiveServer, email: str, path: str, password: str = DEMO_PASSWORD
) -> Page:
    page: Page = await (await browser.new_context()).new_page()
    await page.goto(live.url + "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.goto(live.url + path)
    return page


async def _messages(browser: Any, live: LiveServer, email: str) -> Page:
    page = await _logged_in(browser, live, email, "/dashboard")
    await page.get_by_role("link", name="Messages").click()
    await expect(page.get_by_role("log", name="Conversation")).to_be_visible()
    await expect(page.locator("#chat-status")).to_have_text("")  # joined
    return page


async def _send(page: Page, text: str) -> None:
    await page.get_by_label("Message").fill(text)
    await page.get_by_role("button", name="Send").click()


async def test_demo_lead_approves_redacts_and_rejects_held_messages_live(
    live_server: LiveServer, browser: Any
) -> None:
    async def seed(session: AsyncSession) -> Any:
        return await seed_demo(session=session, password=DEMO_PASSWORD)

    await live_server.in_session(seed)
    lead = await _logged_in(browser, live_server, "safeguarding@demo.test", "/safeguarding")
    queue = lead.locator("#queue")
    # The demo starts with the mentee's phone number held: the mentor has not seen it.
    seeded = queue.get_by_role("article", name="Held message from Jordan Mentee")
    await expect(seeded).to_contain_text("07700 900461")
    mentor = await _messages(browser, live_server, "mentor@demo.test")
    mentee = await _messages(browser, live_server, "mentee@demo.test")
    mentor_log = mentor.get_by_role("log", name="Conversation")
    mentee_log = mentee.get_by_role("log", name="Conversation")
    await expect(mentor_log).to_contain_text("Looking forward to our first proper session")
    await expect(mentor_log).not_to_contain_text("07700 900461")
    await expect(mentee_log).to_contain_text("Awaiting review")

    # Approve: the demo mentee is 17, so a phone number is held until the lead decides.
    await _send(mentor, "My work number is 07700 900123 if the site is down")
    await expect(mentor_log.locator(".mine", has_text="07700 900123")).to_contain_text(
        "Awaiting review"
    )
    item = queue.get_by_role("article", name="Held message from Maya Mentor")
    await expect(item).to_contain_text("07700 900123")  # arrived without a reload
    await expect(item).to_contain_text("contact:phone")
    await expect(mentee_log).not_to_contain_text("07700 900123")
    await item.get_by_role("button", name="Approve").click()
    await expect(lead.get_by_role("status").first).to_contain_text("Approved")
    await expect(mentee_log).to_contain_text("My work number is 07700 900123")
    await expect(mentor_log.locator(".mine", has_text="07700 900123")).not_to_contain_text(
        "Awaiting review"
    )

    # Redact: delivered with the address removed; the mentee never sees the address.
    await _send(mentor, "email me at maya.m@example.com about the form")
    item = queue.get_by_role("article", name="Held message from Maya Mentor")
    await expect(item).to_contain_text("maya.m@example.com")
    await item.get_by_text("Redact before delivering").click()
    await expect(item.get_by_label("Text to deliver")).to_have_value(
        "email me at [removed] about the form"
    )
    await item.get_by_role("button", name="Redact").click()
    await expect(lead.get_by_role("status").first).to_contain_text("Redacted")
    await expect(mentee_log).to_contain_text("email me at [removed] about the form")
    await expect(mentee_log).to_contain_text("Contact details removed by the safeguarding team")
    await expect(mentee_log).not_to_contain_text("maya.m@example.com")

    # Reject: never delivered, and the sender is told.
    await _send(mentor, "add me on snap: maya_m")
    item = queue.get_by_role("article", name="Held message from Maya Mentor")
    await expect(item).to_contain_text("maya_m")
    await item.get_by_role("button", name="Reject").click()
    await expect(lead.get_by_role("status").first).to_contain_text("Rejected")
    await expect(mentor_log).to_contain_text(
        "Not delivered: the safeguarding team did not pass this message on"
    )
    await _send(mentee, "thanks, got it")
    await expect(mentor_log).to_contain_text("thanks, got it")
    await expect(mentee_log).not_to_contain_text("maya_m")
    await mentee.reload()  # nor after a reload
    await expect(mentee.get_by_role("log", name="Conversation")).to_contain_text("thanks, got it")
    await expect(mentee.get_by_role("log", name="Conversation")).not_to_contain_text("maya_m")
    await expect(queue.get_by_role("article", name="Held message from Maya Mentor")).to_have_count(
        0
    )
    await expect(seeded).to_be_visible()  # still waiting for its own decision


async def test_console_catches_up_on_what_happened_before_its_socket_listened(
    live_server: LiveServer, browser: Any
) -> None:
    async def make(session: AsyncSession) -> tuple[factories.Pair, int]:
        return await factories.watched_pair(session, lead_email="lead@x.test")

    pair, conversation_id = await live_server.in_session(make)
    mentor = await ChatClient.logged_in(live_server.url, pair.mentor.email, PASSWORD)
    other_console = live_server.client()
    try:
        await mentor.join(conversation_id)
        still_waiting = await mentor.send(conversation_id, "whatsapp me on 07700 900222")
        decided_elsewhere = await mentor.send(conversation_id, "text me on 07700 900111")
        assert still_waiting["status"] == decided_elsewhere["status"] == "held"
        # The console's script is kept back, as on a slow connection or while a reload settles:
        # the page shows the queue as it was, and nothing is listening for alerts yet (a module
        # script holds back DOMContentLoaded, so the navigation waits only for the response).
        script_may_load = asyncio.Event()

        async def held_back(route: Route) -> None:
            await script_may_load.wait()
            await route.continue_()

        page = await _logged_in(browser, live_server, "lead@x.test", "/dashboard", PASSWORD)
        await page.route("**/static/js/review-queue.js", held_back)
        await page.goto(live_server.url + "/safeguarding", wait_until="commit")
        queue = page.locator("#queue")
        await expect(queue).to_contain_text("07700 900111")

        unheard = await mentor.send(conversation_id, "my insta is maya_m")
        assert unheard["status"] == "held"
        await log_in(other_console, "lead@x.test", PASSWORD)
        rejected = await submit(
            other_console,
            "/safeguarding",
            f"/safeguarding/messages/{decided_elsewhere['message_id']}/decision",
            {"decision": "reject"},
        )
        assert rejected.status_code == 303
        script_may_load.set()

        await expect(queue.locator(f"#queue-item-{unheard['message_id']}")).to_contain_text(
            "maya_m"
        )
        await expect(queue.locator(f"#queue-item-{decided_elsewhere['message_id']}")).to_have_count(
            0
        )
        items = queue.get_by_role("article")
        await expect(items).to_have_count(2)
        await expect(items.nth(0)).to_contain_text("maya_m")  # newest first, as ever
        await expect(items.nth(1)).to_contain_text("07700 900222")
    finally:
        await mentor.close()
        await other_console.aclose()
