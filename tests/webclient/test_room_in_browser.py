"""In Chromium with fake cameras: mentor and mentee join the demo meeting and see each other."""

from __future__ import annotations

import statistics
import time
from typing import Any

from livesite import LiveServer
from playwright.async_api import Page, expect
from sqlmodel.ext.asyncio.session import AsyncSession

from server.demo import seed_demo

DEMO_PASSWORD = "mentormeet-demo"


async def _dashboard(browser: Any, live: LiveServer, email: str) -> Page:
    context = await browser.new_context()
    page: Page = await context.new_page()
    await page.goto(live.url + "/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    return page


async def _video_plays(page: Page, name: str) -> None:
    """The labelled video has real frames: a width, and time that moves on."""
    video = page.get_by_label(name)
    await expect(video).to_be_visible(timeout=15_000)
    await page.wait_for_function(
        '(label) => { const v = document.querySelector(`video[aria-label="${label}"]`);'
        " return v && v.videoWidth > 0 && v.currentTime > 0; }",
        arg=name,
        timeout=15_000,
    )
    first = await video.evaluate("v => v.currentTime")
    await page.wait_for_timeout(700)
    assert await video.evaluate("v => v.currentTime") > first


async def _first_remote_frame(page: Page, name: str) -> float:
    started = time.monotonic()
    await page.wait_for_function(
        '(label) => { const v = document.querySelector(`video[aria-label="${label}"]`);'
        " return v && v.videoWidth > 0; }",
        arg=name,
        timeout=15_000,
        polling=20,
    )
    return time.monotonic() - started


async def test_mentor_and_mentee_meet_in_the_demo_room(
    live_server: LiveServer, browser: Any, artifacts: Any
) -> None:
    async def seed(session: AsyncSession) -> Any:
        return await seed_demo(session=session, password=DEMO_PASSWORD)

    await live_server.in_session(seed)
    mentor = await _dashboard(browser, live_server, "mentor@demo.test")
    mentee = await _dashboard(browser, live_server, "mentee@demo.test")
    rooms = live_server.starlette.state.rooms

    await mentor.get_by_role("link", name="Join").click()
    await expect(mentor.get_by_label("Your camera")).to_be_visible()
    await mentee.get_by_role("link", name="Join").click()
    await _video_plays(mentor, "Video of Jordan Mentee")
    await _video_plays(mentee, "Video of Maya Mentor")
    await _video_plays(mentee, "Your camera")
    await expect(mentee.locator("#connection-state")).to_have_text("connected")
    assert rooms.peer_count == 2

    # Chat works in the room, on the same connection.
    await mentee.get_by_label("Message").fill("Can you hear me OK?")
    await mentee.get_by_role("button", name="Send").click()
    await expect(mentor.get_by_role("log", name="Conversation")).to_contain_text(
        "Can you hear me OK?"
    )
    await mentor.screenshot(path=artifacts / "mentor-room.png", full_page=True)

    # Mute and camera buttons say what they do, and their state.
    await mentor.get_by_role("button", name="Mute").click()
    await expect(mentor.get_by_role("button", name="Unmute")).to_have_attribute(
        "aria-pressed", "true"
    )

    # No safeguarding lead is watching, and the page does not pretend one is.
    await expect(mentor.get_by_text("Observer present")).to_be_hidden()
    await expect(mentor.get_by_role("button", name="Join")).to_be_hidden()

    # A reload rejoins (the old peer is replaced, not doubled).
    await mentee.reload()
    await _video_plays(mentee, "Video of Maya Mentor")
    await _video_plays(mentor, "Video of Jordan Mentee")
    assert rooms.peer_count == 2

    # Leave ends the peer on the server.
    await mentee.get_by_role("button", name="Leave").click()
    await mentee.wait_for_url("**/dashboard")
    await mentor.wait_for_function(
        "() => !document.querySelector('video[aria-label^=\"Video of\"]')"
    )
    assert rooms.peer_count == 1
    await mentor.get_by_role("button", name="Leave").click()
    await mentor.wait_for_url("**/dashboard")
    assert rooms.peer_count == 0


async def test_join_latency_from_click_to_first_remote_frame(
    live_server: LiveServer, browser: Any
) -> None:
    async def seed(session: AsyncSession) -> Any:
        return await seed_demo(session=session, password=DEMO_PASSWORD)

    await live_server.in_session(seed)
    mentor = await _dashboard(browser, live_server, "mentor@demo.test")
    await mentor.get_by_role("link", name="Join").click()
    await expect(mentor.locator("#connection-state")).to_have_text("connected", timeout=15_000)
    mentee = await _dashboard(browser, live_server, "mentee@demo.test")
    await mentee.get_by_role("link", name="Join").click()
    await expect(mentee.locator("#connection-state")).to_have_text("connected", timeout=15_000)
    latencies = []
    for _ in range(6):
        await mentee.get_by_role("button", name="Leave").click()
        await mentee.wait_for_url("**/dashboard")
        await mentee.get_by_role("link", name="Check your camera first").click()
        await expect(mentee.get_by_label("Your camera")).to_be_visible()
        await mentee.wait_for_function(
            "() => document.getElementById('local-video').videoWidth > 0"
        )
        await mentee.get_by_role("button", name="Join").click()
        latencies.append(await _first_remote_frame(mentee, "Video of Maya Mentor"))
    p95 = sorted(latencies)[int(len(latencies) * 0.95) - 1]
    print(f"join latency: median {statistics.median(latencies):.3f} s, p95 {p95:.3f} s")
    assert p95 <= 1.5, latencies


async def test_without_camera_permission_the_room_explains_and_still_joins(
    live_server: LiveServer, browser: Any
) -> None:
    async def seed(session: AsyncSession) -> Any:
        return await seed_demo(session=session, password=DEMO_PASSWORD)

    await live_server.in_session(seed)
    mentor = await _dashboard(browser, live_server, "mentor@demo.test")
    await mentor.get_by_role("link", name="Join").click()
    mentee_context = await browser.new_context()
    # As if the young person clicked "Block" on the browser's camera prompt.
    await mentee_context.add_init_script(
        "navigator.mediaDevices.getUserMedia = () =>"
        " Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));"
    )
    mentee = await mentee_context.new_page()
    await mentee.goto(live_server.url + "/login")
    await mentee.get_by_label("Email").fill("mentee@demo.test")
    await mentee.get_by_label("Password").fill(DEMO_PASSWORD)
    await mentee.get_by_role("button", name="Log in").click()
    await mentee.get_by_role("link", name="Join").click()
    await expect(mentee.get_by_role("alert")).to_contain_text(
        "Camera and microphone access was refused"
    )
    # Still in the meeting: the mentee sees and hears the mentor, and can chat.
    await _video_plays(mentee, "Video of Maya Mentor")
    await expect(mentee.get_by_role("button", name="Mute")).to_be_disabled()
    await mentee.get_by_label("Message").fill("my camera is not working, can you see me?")
    await mentee.get_by_role("button", name="Send").click()
    await expect(mentor.get_by_role("log", name="Conversation")).to_contain_text(
        "camera is not working"
    )
