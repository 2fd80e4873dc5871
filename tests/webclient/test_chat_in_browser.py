"""In Chromium: mentor and mentee, in two browser contexts, chat through the Messages page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import factories
from factories import PASSWORD
from livesite import LiveServer
from playwright.async_api import Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession


async def _open_messages(browser: Any, live: LiveServer, email: str) -> Page:
    context = await browser.new_context()
    page: Page = await context.new_page()
    await page.goto(live.url + "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("link", name="Messages").click()
    await expect(page.get_by_role("log", name="Conversation")).to_be_visible()
    return page


async def _pair_in_two_browsers(
    browser: Any, live: LiveServer, *, under_18: bool = False
) -> tuple[Page, Page]:
    """A new pair's mentor and mentee, each on the Messages page in a browser context."""

    async def make(session: AsyncSession) -> factories.Pair:
        org = await factories.organisation(session)
        return await factories.pair(session, org, under_18=under_18)

    pair = await live.in_session(make)
    mentor = await _open_messages(browser, live, pair.mentor.email)
    mentee = await _open_messages(browser, live, pair.mentee.email)
    return mentor, mentee


async def test_mentor_and_mentee_chat_in_two_browsers(
    live_server: LiveServer, browser: Any, artifacts: Any
) -> None:
    mentor, mentee = await _pair_in_two_browsers(browser, live_server, under_18=True)
    await expect(mentee.get_by_role("note")).to_contain_text(
        "Messages are kept and may be reviewed by the safeguarding team."
    )

    await mentor.get_by_label("Message").fill("Hi! How did the <b>mock exams</b> go?")
    await mentor.get_by_role("button", name="Send").click()
    mentee_log = mentee.get_by_role("log", name="Conversation")
    await expect(mentee_log).to_contain_text("How did the <b>mock exams</b> go?")  # shown as text
    assert await mentee_log.locator("b").count() == 0

    await mentee.get_by_label("Message").fill("Pretty well, maths was hard")
    await mentee.get_by_label("Message").press("Enter")
    await expect(mentor.get_by_role("log", name="Conversation")).to_contain_text("maths was hard")
    await expect(mentor.locator("#chat-typing")).to_have_text("")

    # Contact details to an under-18 mentee are held: the mentor sees "Awaiting review",
    # the mentee never sees the message.
    await mentor.get_by_label("Message").fill("my number is 07700 900 123")
    await mentor.get_by_role("button", name="Send").click()
    await expect(mentor.get_by_role("log", name="Conversation")).to_contain_text("Awaiting review")
    await mentor.get_by_label("Message").fill("see you on Thursday")
    await mentor.get_by_role("button", name="Send").click()
    await expect(mentee_log).to_contain_text("see you on Thursday")
    await expect(mentee_log).not_to_contain_text("07700")

    # A reload shows every message exactly once, in order.
    await mentee.reload()
    items = mentee.get_by_role("log", name="Conversation").get_by_role("listitem")
    await expect(items).to_have_count(3)
    texts = await items.locator(".text").all_inner_texts()
    assert texts == [
        "Hi! How did the <b>mock exams</b> go?",
        "Pretty well, maths was hard",
        "see you on Thursday",
    ]
    await mentor.screenshot(path=artifacts / "mentor-messages.png", full_page=True)


async def test_a_mentee_telling_of_harm_sees_where_to_find_help_while_it_is_reviewed(
    live_server: LiveServer, browser: Any, artifacts: Any
) -> None:
    mentor, mentee = await _pair_in_two_browsers(browser, live_server, under_18=True)
    await expect(mentee.locator("[data-connection=joined]")).to_be_visible()  # sent live
    await mentee.get_by_label("Message").fill("i dont want to be here anymore")
    await mentee.get_by_role("button", name="Send").click()
    mine = mentee.get_by_role("log", name="Conversation").get_by_role("listitem")
    await expect(mine).to_have_count(1)
    await expect(mine).to_contain_text("Awaiting review")
    help_note = mine.get_by_role("note")
    await expect(help_note).to_contain_text("Childline on 0800 1111")
    await expect(help_note).to_contain_text("Samaritans on 116 123")
    # A message held for contact details is not one to offer help for.
    await mentee.get_by_label("Message").fill("my number is 07700 900 123")
    await mentee.get_by_role("button", name="Send").click()
    await expect(mine).to_have_count(2)
    await expect(mine.nth(1)).to_contain_text("Awaiting review")
    await expect(mine.nth(1).get_by_role("note")).to_have_count(0)

    # As the page gives it after a reload; the mentor sees neither message, nor the help.
    await mentee.reload()
    await expect(mine.first.get_by_role("note")).to_contain_text("Childline on 0800 1111")
    await expect(mine.nth(1).get_by_role("note")).to_have_count(0)
    await mentee.screenshot(path=artifacts / "mentee-help-while-held.png", full_page=True)
    await mentor.reload()
    mentor_log = mentor.get_by_role("log", name="Conversation")
    await expect(mentor_log.get_by_role("listitem")).to_have_count(0)
    await expect(mentor_log).not_to_contain_text("Childline")


async def test_a_message_sent_while_offline_is_delivered_once_on_reconnect(
    live_server: LiveServer, browser: Any
) -> None:
    mentor, mentee = await _pair_in_two_browsers(browser, live_server)
    await expect(mentor.locator("[data-connection=joined]")).to_be_visible()

    await mentor.context.set_offline(True)
    await expect(mentor.get_by_role("status")).to_contain_text("Reconnecting", timeout=30_000)
    await mentor.get_by_label("Message").fill("written on the bus with no signal")
    await mentor.get_by_role("button", name="Send").click()
    await expect(mentor.get_by_role("log", name="Conversation")).to_contain_text("Sending…")
    await mentor.context.set_offline(False)

    mentee_log = mentee.get_by_role("log", name="Conversation")
    await expect(mentee_log).to_contain_text("written on the bus with no signal", timeout=20_000)
    await expect(mentor.get_by_role("log", name="Conversation")).not_to_contain_text("Sending…")
    await mentee.reload()
    await expect(
        mentee.get_by_role("log", name="Conversation").get_by_role("listitem")
    ).to_have_count(1)


async def test_typing_shows_until_the_message_arrives_and_times_are_the_readers(
    live_server: LiveServer, browser: Any
) -> None:
    new_york = ZoneInfo("America/New_York")

    async def make(session: AsyncSession) -> factories.Pair:
        org = await factories.organisation(session)
        pair = await factories.pair(session, org)
        pair.mentor.timezone = new_york.key
        session.add(pair.mentor)
        await session.commit()
        return pair

    pair = await live_server.in_session(make)
    mentor = await _open_messages(browser, live_server, pair.mentor.email)
    mentee = await _open_messages(browser, live_server, pair.mentee.email)
    for page in (mentor, mentee):
        await expect(page.locator("[data-connection=joined]")).to_be_visible()

    typing = mentor.locator("#chat-typing")
    await mentee.get_by_label("Message").press_sequentially("are you free on thur")
    await expect(typing).to_have_text(f"{pair.mentee.display_name} is typing…")
    await mentee.get_by_label("Message").press_sequentially("sday?")
    await mentee.get_by_label("Message").press("Enter")
    mentor_log = mentor.get_by_role("log", name="Conversation")
    await expect(mentor_log).to_contain_text("are you free on thursday?")
    # Gone with the message, not only when the indicator's 4 seconds run out.
    await expect(typing).to_have_text("", timeout=1_000)

    when = mentor_log.locator("time")
    sent_at = dt.datetime.fromisoformat(await when.get_attribute("datetime") or "")
    local = sent_at.astimezone(new_york)
    shown_live = await when.inner_text()
    # Day and time in the reader's zone (month names are the browser's: 'Sept' or 'Sep').
    assert shown_live.startswith(f"{local:%d} ") and shown_live.endswith(f", {local:%H:%M}")
    await mentor.reload()
    await expect(mentor_log.locator("time")).to_have_text(shown_live)  # the page's, as the live one
