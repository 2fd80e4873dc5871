"""Logging in and out, sessions, throttling, invitations and password resets, over real HTTP."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import factories
import pytest
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in, submit
from mailcatcher import MailCatcher, first_link
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.models import AccountToken, AuthSession, Role, User
from server.settings import Settings


async def _coordinator(live: LiveServer) -> User:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session, "Riverside College")
        return await factories.user(session, Role.COORDINATOR, org, email="coord@riverside.test")

    return await live.in_session(make)


async def test_healthz(live_server: LiveServer) -> None:
    async with live_server.client() as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_log_in_sets_a_protected_session_cookie_and_shows_the_dashboard(
    live_server: LiveServer,
) -> None:
    coordinator = await _coordinator(live_server)
    async with live_server.client() as client:
        response = await log_in(client, "Coord@Riverside.TEST", PASSWORD)
        assert response.headers["location"] == "/dashboard"
        cookie = next(c for c in response.headers.get_list("set-cookie") if "mm_session=" in c)
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        dashboard = await client.get("/dashboard")
    assert dashboard.status_code == 200
    assert coordinator.display_name in dashboard.text
    assert "Coordinator dashboard" in dashboard.text


async def test_session_cookie_is_secure_when_served_over_https(
    settings_for: Callable[..., Settings],
) -> None:
    live = LiveServer(lambda url: settings_for("https://mentormeet.example"))
    live.start()
    try:
        await _coordinator(live)
        async with live.client() as client:
            # The client talks plain HTTP to the test server, so it would not send Secure
            # cookies back on its own: hand the CSRF cookie over explicitly.
            page = await client.get("/login")
            csrf_cookie = page.headers["set-cookie"]
            assert "Secure" in csrf_cookie
            client.cookies.set("mm_csrf", csrf_cookie.split(";")[0].split("=", 1)[1])
            response = await client.post(
                "/login",
                data={
                    "csrf_token": csrf_from(page.text),
                    "email": "coord@riverside.test",
                    "password": PASSWORD,
                },
            )
        assert response.status_code == 303
        cookie = next(c for c in response.headers.get_list("set-cookie") if "mm_session=" in c)
        assert "Secure" in cookie and "HttpOnly" in cookie
    finally:
        live.stop()


async def test_wrong_email_and_wrong_password_get_the_same_message(
    live_server: LiveServer,
) -> None:
    await _coordinator(live_server)
    async with live_server.client() as client:
        wrong_password = await submit(
            client,
            "/login",
            "/login",
            {"email": "coord@riverside.test", "password": "nope nope nope"},
        )
        unknown = await submit(
            client, "/login", "/login", {"email": "nobody@riverside.test", "password": PASSWORD}
        )
    assert wrong_password.status_code == unknown.status_code == 401
    message = "That e-mail and password don&#39;t match an account."
    assert message in wrong_password.text and message in unknown.text


async def test_failed_logins_are_throttled_per_account_with_a_clear_message(
    live_server: LiveServer,
) -> None:
    await _coordinator(live_server)
    async with live_server.client() as client:
        for _ in range(5):
            failed = await submit(
                client,
                "/login",
                "/login",
                {"email": "coord@riverside.test", "password": "wrong-password"},
            )
            assert failed.status_code == 401
        # Even the right password is refused while the account is throttled.
        throttled = await submit(
            client, "/login", "/login", {"email": "coord@riverside.test", "password": PASSWORD}
        )
    assert throttled.status_code == 429
    assert "Too many failed log-in attempts for this account" in throttled.text
    assert "Try again in 15 minutes" in throttled.text


async def test_failed_logins_are_throttled_per_address(live_server: LiveServer) -> None:
    await _coordinator(live_server)
    async with live_server.client() as client:
        for number in range(20):  # many accounts, one address: someone is guessing
            await submit(
                client,
                "/login",
                "/login",
                {"email": f"guess{number}@x.test", "password": "guess-guess"},
            )
        throttled = await submit(
            client, "/login", "/login", {"email": "coord@riverside.test", "password": PASSWORD}
        )
    assert throttled.status_code == 429
    assert "Too many failed log-in attempts for your network" in throttled.text


async def test_log_out_revokes_the_session_on_the_server(live_server: LiveServer) -> None:
    await _coordinator(live_server)
    async with live_server.client() as client:
        await log_in(client, "coord@riverside.test", PASSWORD)
        stolen_cookie = client.cookies.get("mm_session")
        page = await client.get("/dashboard")
        logout = await client.post("/logout", data={"csrf_token": csrf_from(page.text)})
        assert logout.status_code == 303
    # Replaying the old cookie no longer works: the record was revoked, not just the cookie.
    async with live_server.client(cookies={"mm_session": stolen_cookie}) as replay:
        response = await replay.get("/dashboard")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")

    async def sessions(session: AsyncSession) -> Any:
        return (await session.exec(select(AuthSession))).all()

    assert all(row.revoked_at is not None for row in await live_server.in_session(sessions))


async def test_invitation_email_link_sets_a_password_once(
    live_server: LiveServer, smtp_server: MailCatcher
) -> None:
    await _coordinator(live_server)
    async with live_server.client() as coordinator:
        await log_in(coordinator, "coord@riverside.test", PASSWORD)
        invited = await submit(
            coordinator,
            "/dashboard",
            "/invitations",
            {"display_name": "Amira Okafor", "email": "Amira@Example.org", "role": "mentor"},
        )
        assert invited.status_code == 303
        dashboard = await coordinator.get("/dashboard")
        assert "Invitation sent to Amira Okafor" in dashboard.text
        assert "Invited" in dashboard.text

    [message] = smtp_server.wait_for("amira@example.org")
    assert "invited" in str(message["Subject"]).lower()
    link = first_link(message)
    assert link.startswith(live_server.url + "/invitations/")

    async with live_server.client() as invitee:
        form = await invitee.get(link)
        assert form.status_code == 200 and "Welcome, Amira Okafor" in form.text
        mismatch = await invitee.post(
            link,
            data={
                "csrf_token": csrf_from(form.text),
                "password": "a long new password",
                "password_again": "different",
            },
        )
        assert mismatch.status_code == 422 and "don&#39;t match" in mismatch.text
        done = await invitee.post(
            link,
            data={
                "csrf_token": csrf_from(form.text),
                "password": "a long new password",
                "password_again": "a long new password",
            },
        )
        assert done.status_code == 303 and done.headers["location"] == "/dashboard"
        dashboard = await invitee.get("/dashboard")
        assert "Hello, Amira Okafor" in dashboard.text
        reused = await invitee.get(link)
    assert reused.status_code == 410
    assert "already been used" in reused.text

    async with live_server.client() as fresh:
        await log_in(fresh, "amira@example.org", "a long new password")


async def test_expired_invitation_is_refused(
    live_server: LiveServer, smtp_server: MailCatcher
) -> None:
    await _coordinator(live_server)
    async with live_server.client() as coordinator:
        await log_in(coordinator, "coord@riverside.test", PASSWORD)
        await submit(
            coordinator,
            "/dashboard",
            "/invitations",
            {
                "display_name": "Late Larry",
                "email": "larry@example.org",
                "role": "mentee",
                "date_of_birth": "2008-02-03",
            },
        )
    link = first_link(smtp_server.wait_for("larry@example.org")[0])

    async def expire(session: AsyncSession) -> Any:
        token = (await session.exec(select(AccountToken))).one()
        token.expires_at = utcnow() - dt.timedelta(minutes=1)
        session.add(token)
        await session.commit()

    await live_server.in_session(expire)
    async with live_server.client() as invitee:
        response = await invitee.get(link)
    assert response.status_code == 410
    assert "expired" in response.text


async def test_password_reset_by_email(live_server: LiveServer, smtp_server: MailCatcher) -> None:
    await _coordinator(live_server)
    async with live_server.client() as client:
        await log_in(client, "coord@riverside.test", PASSWORD)
        old_cookie = client.cookies.get("mm_session")
    async with live_server.client() as anonymous:
        unknown = await submit(
            anonymous, "/password-reset", "/password-reset", {"email": "ghost@x.test"}
        )
        known = await submit(
            anonymous, "/password-reset", "/password-reset", {"email": "coord@riverside.test"}
        )
        # Same answer either way: the page does not reveal who has an account.
        assert unknown.status_code == known.status_code == 200
        assert "If an account exists" in unknown.text and "If an account exists" in known.text
        link = first_link(smtp_server.wait_for("coord@riverside.test")[0])
        assert "/password-reset/" in link
        form = await anonymous.get(link)
        done = await anonymous.post(
            link,
            data={
                "csrf_token": csrf_from(form.text),
                "password": "brand new secret words",
                "password_again": "brand new secret words",
            },
        )
        assert done.status_code == 303
    assert smtp_server.to("ghost@x.test") == []
    # Resetting the password ends the sessions that were open before.
    async with live_server.client(cookies={"mm_session": old_cookie}) as old:
        assert (await old.get("/dashboard")).status_code == 303
    async with live_server.client() as client:
        await log_in(client, "coord@riverside.test", "brand new secret words")


async def test_disabling_an_account_ends_its_sessions(live_server: LiveServer) -> None:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session)
        coordinator = await factories.user(session, Role.COORDINATOR, org, email="c@x.test")
        mentee = await factories.user(session, Role.MENTEE, org, email="m@x.test")
        return coordinator, mentee

    _, mentee = await live_server.in_session(make)
    async with live_server.client() as mentee_client, live_server.client() as coordinator:
        await log_in(mentee_client, "m@x.test", PASSWORD)
        await log_in(coordinator, "c@x.test", PASSWORD)
        disabled = await submit(
            coordinator, f"/people/{mentee.id}", f"/people/{mentee.id}/disable", {}
        )
        assert disabled.status_code == 303
        assert (await mentee_client.get("/dashboard")).status_code == 303
    async with live_server.client() as again:
        response = await submit(
            again, "/login", "/login", {"email": "m@x.test", "password": PASSWORD}
        )
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["mentor", "mentee", "coordinator", "safeguarding", "admin"])
async def test_every_role_has_a_dashboard(live_server: LiveServer, role: str) -> None:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session)
        return await factories.user(
            session, Role(role), None if role == "admin" else org, email=f"{role}@x.test"
        )

    await live_server.in_session(make)
    async with live_server.client() as client:
        await log_in(client, f"{role}@x.test", PASSWORD)
        response = await client.get("/dashboard")
    assert response.status_code == 200
    assert {
        "mentor": "No pairing yet",
        "mentee": "No pairing yet",
        "coordinator": "Invite someone",
        "safeguarding": "Review queue",
        "admin": "Partner organisations",
    }[role] in response.text


@pytest.mark.parametrize("role", ["mentor", "mentee", "coordinator", "safeguarding", "admin"])
async def test_every_dashboard_has_a_plain_title_and_a_calendar_feed_link(
    live_server: LiveServer, role: str
) -> None:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session)
        return await factories.user(
            session, Role(role), None if role == "admin" else org, email=f"{role}@x.test"
        )

    await live_server.in_session(make)
    async with live_server.client() as client:
        await log_in(client, f"{role}@x.test", PASSWORD)
        page = (await client.get("/dashboard")).text
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and title.endswith("· mentormeet")
    assert re.search(r'<a href="/calendar/[^"]+\.ics">Calendar feed</a>', page)
