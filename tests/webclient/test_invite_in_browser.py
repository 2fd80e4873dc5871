"""In Chromium: a coordinator invites a mentor, the e-mail arrives over SMTP, the link sets a
password, and both dashboards show the new person."""

from __future__ import annotations

from typing import Any

import factories
from factories import PASSWORD
from livesite import LiveServer
from mailcatcher import MailCatcher, first_link
from playwright.async_api import expect
from sqlmodel.ext.asyncio.session import AsyncSession

from server.models import Role


async def test_invitation_round_trip_in_chromium(
    live_server: LiveServer, smtp_server: MailCatcher, browser: Any, artifacts: Any
) -> None:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session, "Hillside Academy")
        await factories.user(
            session, Role.COORDINATOR, org, email="coord@hillside.test", name="Cleo Coordinator"
        )

    await live_server.in_session(make)
    coordinator = await browser.new_page()
    await coordinator.goto(live_server.url + "/dashboard")
    await expect(coordinator.get_by_role("heading", name="Log in")).to_be_visible()
    await coordinator.get_by_label("Email").fill("coord@hillside.test")
    await coordinator.get_by_label("Password").fill(PASSWORD)
    await coordinator.get_by_role("button", name="Log in").click()
    await expect(coordinator.get_by_role("heading", name="Coordinator dashboard")).to_be_visible()

    await coordinator.get_by_label("Name").fill("Priya Natarajan")
    await coordinator.get_by_label("Email").fill("priya@example.org")
    await coordinator.get_by_label("Role").select_option("mentor")
    await coordinator.get_by_role("button", name="Send invitation").click()
    await expect(coordinator.get_by_role("status")).to_contain_text(
        "Invitation sent to Priya Natarajan"
    )
    row = coordinator.get_by_role("row", name="Priya Natarajan")
    await expect(row).to_contain_text("Invited")

    [message] = smtp_server.wait_for("priya@example.org")
    link = first_link(message)

    invitee_context = await browser.new_context()
    invitee = await invitee_context.new_page()
    await invitee.goto(link)
    await expect(invitee.get_by_role("heading", name="Welcome, Priya Natarajan")).to_be_visible()
    await invitee.get_by_label("New password", exact=True).fill("sunlit harbour kettles")
    await invitee.get_by_label("New password (again)").fill("sunlit harbour kettles")
    await invitee.get_by_role("button", name="Save password").click()
    await expect(invitee.get_by_role("heading", name="Hello, Priya Natarajan")).to_be_visible()
    await invitee.screenshot(path=artifacts / "invitee-dashboard.png", full_page=True)

    await coordinator.reload()
    await expect(coordinator.get_by_role("row", name="Priya Natarajan")).to_contain_text("Active")
    await coordinator.screenshot(path=artifacts / "coordinator-dashboard.png", full_page=True)
    await invitee_context.close()
