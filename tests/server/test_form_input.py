"""Bad input gets a 4xx with a clear message, never a 500, and changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import factories
import httpx
import pytest
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.models import Role, User

VALID_INVITE = {"display_name": "Ola Adeyemi", "email": "ola@example.org", "role": "mentee"}


@pytest.fixture
async def coordinator(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async def make(session: AsyncSession) -> Any:
        org = await factories.organisation(session)
        await factories.user(session, Role.COORDINATOR, org, email="coord@x.test")
        await factories.user(session, Role.MENTEE, org, email="taken@example.org")
        await factories.user(session, Role.ADMIN, None, email="admin@x.test")

    await live_server.in_session(make)
    async with live_server.client() as client:
        await log_in(client, "coord@x.test", PASSWORD)
        yield client


async def _user_count(live: LiveServer) -> int:
    async def count(session: AsyncSession) -> Any:
        return (await session.exec(select(func.count()).select_from(User))).one()

    return await live.in_session(count)


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"favourite_colour": "blue"}, 422, "Unexpected field &#39;favourite_colour&#39;."),
        ({"display_name": None}, 422, "Name is required."),
        ({"display_name": "x" * 101}, 422, "Name: string should have at most 100 characters."),
        ({"display_name": "Bell\x07Ringer"}, 422, "Name must not contain control characters."),
        ({"email": "not-an-address"}, 422, "Enter a valid e-mail address"),
        (
            {"email": "x" * 300 + "@example.org"},
            422,
            "Email: string should have at most 254 characters.",
        ),
        (
            {"email": "Taken@Example.org"},
            409,
            "Someone already has an account with that e-mail address.",
        ),
        ({"role": "superuser"}, 422, "Role: input should be"),
        ({"role": "coordinator"}, 403, "You cannot invite a coordinator."),
        ({"date_of_birth": "2010-13-45"}, 422, "Date of birth: input should be a valid date"),
        ({"date_of_birth": "2999-01-01"}, 422, "Enter a real date of birth."),
        ({"organisation_id": "banana"}, 422, "Organisation: input should be a valid integer"),
        ({"organisation_id": "999999"}, 404, "No such organisation."),
    ],
)
async def test_invitation_form_rejects_bad_input(
    live_server: LiveServer,
    coordinator: httpx.AsyncClient,
    change: dict[str, str | None],
    status: int,
    message: str,
) -> None:
    before = await _user_count(live_server)
    page = await coordinator.get("/dashboard")
    data = {**VALID_INVITE, **change}
    data = {k: v for k, v in data.items() if v is not None}
    response = await coordinator.post(
        "/invitations", data={"csrf_token": csrf_from(page.text), **data}
    )
    assert response.status_code == status, response.text[-800:]
    assert message in response.text
    assert await _user_count(live_server) == before
    # What was typed is kept, so the coordinator can correct it rather than start again.
    if "email" not in change:
        assert 'value="ola@example.org"' in response.text


@pytest.mark.parametrize(
    ("token", "expected"),
    [(None, "This form has expired"), ("forged-token", "This form has expired")],
)
async def test_wrong_or_missing_csrf_token_is_refused(
    live_server: LiveServer,
    coordinator: httpx.AsyncClient,
    token: str | None,
    expected: str,
) -> None:
    data = dict(VALID_INVITE)
    if token:
        data["csrf_token"] = token
    before = await _user_count(live_server)
    response = await coordinator.post("/invitations", data=data)
    assert response.status_code == 403
    assert expected in response.text
    assert await _user_count(live_server) == before


async def test_csrf_token_from_another_browser_is_refused(
    live_server: LiveServer,
    coordinator: httpx.AsyncClient,
) -> None:
    async with live_server.client() as attacker:
        their_token = csrf_from((await attacker.get("/login")).text)
    response = await coordinator.post(
        "/invitations", data={"csrf_token": their_token, **VALID_INVITE}
    )
    assert response.status_code == 403


async def test_repeated_field_and_oversized_body(
    live_server: LiveServer, coordinator: httpx.AsyncClient
) -> None:
    token = csrf_from((await coordinator.get("/dashboard")).text)
    repeated = await coordinator.post(
        "/invitations",
        content=f"csrf_token={token}&display_name=A&display_name=B&email=a@b.org&role=mentee",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert repeated.status_code == 422 and "sent more than once" in repeated.text
    huge = await coordinator.post(
        "/invitations",
        files={"display_name": ("name.txt", b"x" * 200_000)},
        data={"csrf_token": token},
    )
    assert 400 <= huge.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/people/999999",
        "/people/99999999999999999999",
        "/people/abc",
        "/organisations/0",
        "/nowhere",
    ],
)
async def test_unknown_ids_and_pages_are_404(
    live_server: LiveServer, coordinator: httpx.AsyncClient, path: str
) -> None:
    response = await coordinator.get(path)
    assert response.status_code == 404
    assert "We couldn&#39;t find that" in response.text


async def test_wrong_method_is_405(live_server: LiveServer, coordinator: httpx.AsyncClient) -> None:
    response = await coordinator.delete("/dashboard")
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (
            {"name": "", "kind": "college"},
            422,
            "Organisation name: string should have at least 1 character",
        ),
        ({"name": "Valley School", "kind": "castle"}, 422, "Kind: input should be"),
        (
            {"name": "Valley School", "kind": "school", "timezone": "Mars/Olympus"},
            422,
            "Unknown time zone",
        ),
    ],
)
async def test_organisation_form_rejects_bad_input(
    live_server: LiveServer,
    coordinator: httpx.AsyncClient,
    data: dict[str, str],
    status: int,
    message: str,
) -> None:
    async with live_server.client() as admin:
        await log_in(admin, "admin@x.test", PASSWORD)
        token = csrf_from((await admin.get("/dashboard")).text)
        response = await admin.post("/organisations", data={"csrf_token": token, **data})
        duplicate_name = await admin.post(
            "/organisations", data={"csrf_token": token, "name": "Valley School", "kind": "school"}
        )
        again = await admin.post(
            "/organisations", data={"csrf_token": token, "name": "valley school", "kind": "school"}
        )
    assert response.status_code == status and message in response.text
    assert duplicate_name.status_code == 303
    assert again.status_code == 409 and "already exists" in again.text


async def test_set_password_rejects_short_passwords_and_bad_links(live_server: LiveServer) -> None:
    async with live_server.client() as client:
        assert (await client.get("/invitations/" + "x" * 5000)).status_code == 404
        assert (await client.get("/password-reset/%00%01")).status_code == 404


async def test_an_address_that_does_not_exist_leads_back_to_where_the_reader_belongs(
    live_server: LiveServer, coordinator: httpx.AsyncClient
) -> None:
    page = await coordinator.get("/no-such-page")
    assert page.status_code == 404
    assert "There is no page at this address." in page.text
    assert 'href="/dashboard">Go to your dashboard' in page.text
    assert "Log out" in page.text  # their own header, though no route looked them up

    async with live_server.client() as stranger:
        page = await stranger.get("/no-such-page")
    assert page.status_code == 404
    assert 'href="/login">Go to log in' in page.text
    assert "Log out" not in page.text
