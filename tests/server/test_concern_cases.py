"""Concern cases on the real app: raised by a mentee, worked by the safeguarding lead through
new → triaged → action taken → closed, scoped by organisation, audited, escalated by the worker,
and holding the pair's records."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import factories
import httpx
import pytest
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in, submit
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import concern_cases
from server.db import utcnow
from server.models import (
    AuditEntry,
    Concern,
    ConcernStatus,
    Meeting,
    OutboxEmail,
    Pairing,
    Role,
    User,
)
from server.worker import Worker

ESCALATION_SUBJECT = "A safeguarding concern is waiting to be triaged"


@dataclass
class World:
    pairing: Pairing
    meeting: Meeting
    mentor: User
    mentee: User
    coordinator: User
    dsl: User
    other_dsl: User  # a second lead of the same organisation
    platform_dsl: User
    admin: User
    foreign_dsl: User
    foreign_pairing: Pairing
    foreign_meeting: Meeting
    foreign_mentee: User


@pytest.fixture
async def world(live_server: LiveServer) -> World:
    async def make(session: AsyncSession) -> World:
        org = await factories.organisation(session)
        pair = await factories.pair(session, org)
        foreign = await factories.organisation(session)
        foreign_pair = await factories.pair(session, foreign)
        return World(
            pair.pairing,
            pair.meeting,
            pair.mentor,
            pair.mentee,
            await factories.user(session, Role.COORDINATOR, org, email="coord@case.test"),
            await factories.user(session, Role.SAFEGUARDING, org, email="dsl@case.test"),
            await factories.user(session, Role.SAFEGUARDING, org, name="Deputy Dee"),
            await factories.user(session, Role.SAFEGUARDING, None, email="platform@case.test"),
            await factories.user(session, Role.ADMIN, None, email="admin@case.test"),
            await factories.user(session, Role.SAFEGUARDING, foreign, email="dsl@foreign.test"),
            foreign_pair.pairing,
            foreign_pair.meeting,
            foreign_pair.mentee,
        )

    return await live_server.in_session(make)


@asynccontextmanager
async def logged_in(live_server: LiveServer, user: User) -> AsyncIterator[httpx.AsyncClient]:
    async with live_server.client() as client:
        await log_in(client, user.email, PASSWORD)
        yield client


async def post(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    """Posts a form the way the page does (the CSRF cookie is already set by log-in)."""
    return await client.post(path, data={"csrf_token": client.cookies.get("mm_csrf") or "", **data})


async def raise_as(client: httpx.AsyncClient, data: dict[str, str]) -> httpx.Response:
    return await submit(client, "/dashboard", "/concerns", data)


async def newest_concern(live_server: LiveServer) -> Concern:
    async def find(session: AsyncSession) -> Concern:
        return (await session.exec(select(Concern).order_by(col(Concern.id).desc()).limit(1))).one()

    return await live_server.in_session(find)


async def audit_entries(live_server: LiveServer, concern_id: int | None) -> list[AuditEntry]:
    async def find(session: AsyncSession) -> list[AuditEntry]:
        query = select(AuditEntry).where(AuditEntry.subject_type == "concern")
        if concern_id is not None:
            query = query.where(AuditEntry.subject_id == concern_id)
        return list((await session.exec(query.order_by(col(AuditEntry.id)))).all())

    return await live_server.in_session(find)


async def test_a_concern_goes_from_raised_to_closed(live_server: LiveServer, world: World) -> None:
    pairing_id = world.pairing.id
    async with logged_in(live_server, world.mentee) as mentee:
        raised = await raise_as(
            mentee, {"description": "He asked me to keep a secret.", "pairing_id": str(pairing_id)}
        )
        assert raised.status_code == 303 and raised.headers["location"] == "/dashboard"
        after = await mentee.get("/dashboard")
        assert "The safeguarding team has been told" in after.text
        concern = await newest_concern(live_server)
        assert f"/safeguarding/concerns/{concern.id}" not in after.text  # never the case
        assert (await mentee.get(f"/safeguarding/concerns/{concern.id}")).status_code == 403
        empty = await raise_as(mentee, {"description": "   "})
        assert empty.status_code == 422
    async with logged_in(live_server, world.mentor) as mentor:
        sent = await submit(
            mentor,
            f"/pairings/{pairing_id}/messages",
            f"/pairings/{pairing_id}/messages",
            {"text": "Don't tell anyone about our chats", "client_id": "case-1"},
        )
        assert sent.status_code == 303

    case = f"/safeguarding/concerns/{concern.id}"
    async with logged_in(live_server, world.dsl) as dsl:
        home = await dsl.get("/dashboard")
        assert re.search(r"Concern cases</a> \(1 open\)", home.text)
        listing = await dsl.get("/safeguarding/concerns?status=new")
        assert f'href="{case}"' in listing.text and world.mentee.display_name in listing.text
        page = await dsl.get(case)
        assert page.status_code == 200
        assert "He asked me to keep a secret." in page.text
        assert world.mentor.display_name in page.text  # the pairing

        skipped = await post(dsl, f"{case}/transition", {"to": "action_taken"})
        assert skipped.status_code == 409 and "can only move to triaged" in skipped.text
        unassigned = await post(dsl, f"{case}/transition", {"to": "triaged"})
        assert unassigned.status_code == 422 and "Assign the case" in unassigned.text
        foreign_lead = {"to": "triaged", "assignee_id": str(world.foreign_dsl.id)}
        assert (await post(dsl, f"{case}/transition", foreign_lead)).status_code == 404
        triage = {"to": "triaged", "assignee_id": str(world.other_dsl.id)}
        assert (await post(dsl, f"{case}/transition", triage)).status_code == 303
        reassign = await post(dsl, f"{case}/assign", {"assignee_id": str(world.dsl.id)})
        assert reassign.status_code == 303

        too_long = await post(dsl, f"{case}/notes", {"body": "x" * 5001})
        assert too_long.status_code == 422 and "at most 5000" in too_long.text
        assert (await post(dsl, f"{case}/notes", {"body": "  "})).status_code == 422
        noted = await post(dsl, f"{case}/notes", {"body": "Spoke to the mentee's teacher."})
        assert noted.status_code == 303

        assert (await post(dsl, f"{case}/links", {"seq": "99"})).status_code == 404
        foreign_meeting = {"meeting_id": str(world.foreign_meeting.id)}
        assert (await post(dsl, f"{case}/links", foreign_meeting)).status_code == 404
        assert (await post(dsl, f"{case}/links", {})).status_code == 422
        assert (await post(dsl, f"{case}/links", {"seq": "1"})).status_code == 303
        assert (await post(dsl, f"{case}/links", {"seq": "1"})).status_code == 409
        own_meeting = {"meeting_id": str(world.meeting.id)}
        assert (await post(dsl, f"{case}/links", own_meeting)).status_code == 303

        no_action = await post(dsl, f"{case}/transition", {"to": "action_taken"})
        assert no_action.status_code == 422 and "Describe the action taken" in no_action.text
        action = {"to": "action_taken", "action_taken": "Met the mentee with their teacher."}
        assert (await post(dsl, f"{case}/transition", action)).status_code == 303

        incomplete = await post(dsl, f"{case}/transition", {"to": "closed"})
        assert incomplete.status_code == 422 and "when it happened" in incomplete.text
        no_reason = {"to": "closed", "occurred_at": "2025-11-20T16:30", "referred": "no"}
        unexplained = await post(dsl, f"{case}/transition", no_reason)
        assert (
            unexplained.status_code == 422 and "why the case was not referred" in unexplained.text
        )
        future = {"occurred_at": (utcnow() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")}
        assert (await post(dsl, f"{case}/record", future)).status_code == 422
        record = {"observed_by": "The mentee, in chat", "occurred_at": "2025-11-20T16:30"}
        assert (await post(dsl, f"{case}/record", record)).status_code == 303
        close = {
            "to": "closed",
            "referred": "no",
            "no_referral_reason": "Below the threshold; the school is monitoring.",
        }
        assert (await post(dsl, f"{case}/transition", close)).status_code == 303

        closed = await dsl.get(case)
        assert "Spoke to the mentee&#39;s teacher." in closed.text
        assert "Don&#39;t tell anyone about our chats" in closed.text  # the linked message
        assert "Below the threshold" in closed.text and "Thu 20 Nov 2025, 16:30" in closed.text
        again = await post(dsl, f"{case}/transition", {"to": "closed"})
        assert again.status_code == 409 and "This case is closed" in again.text
        reopen = await post(dsl, f"{case}/transition", {"to": "triaged"})
        assert reopen.status_code == 409
        late_note = await post(dsl, f"{case}/notes", {"body": "Mentee doing well a week on."})
        assert late_note.status_code == 303  # notes may follow a closed case
        assert re.search(r"Concern cases</a> \(0 open\)", (await dsl.get("/dashboard")).text)

    stored = await newest_concern(live_server)
    assert stored.status == ConcernStatus.CLOSED and stored.referred is False
    assert stored.assignee_id == world.dsl.id and stored.observed_by == "The mentee, in chat"
    assert stored.triaged_at is not None and stored.closed_at is not None
    assert stored.occurred_at == dt.datetime(2025, 11, 20, 16, 30, tzinfo=dt.UTC)  # GMT then
    entries = await audit_entries(live_server, concern.id)
    actions = [entry.action for entry in entries]
    for expected in (
        "concern.view",
        "concern.triage",
        "concern.assign",
        "concern.note",
        "concern.link",
        "concern.action",
        "concern.record",
        "concern.close",
    ):
        assert expected in actions, expected
    assert all(entry.actor_id == world.dsl.id and entry.reason for entry in entries)
    details = " ".join(entry.detail or "" for entry in entries)
    assert "teacher" not in details  # note bodies stay out of the audit log
    close_entry = next(entry for entry in entries if entry.action == "concern.close")
    assert json.loads(close_entry.detail or "{}")["from"] == "action_taken"


async def test_leads_see_their_organisation_and_platform_leads_see_all(
    live_server: LiveServer, world: World
) -> None:
    async with logged_in(live_server, world.mentee) as mentee:
        await raise_as(mentee, {"description": "Ours", "pairing_id": str(world.pairing.id)})
    ours = await newest_concern(live_server)
    async with logged_in(live_server, world.foreign_mentee) as foreign_mentee:
        raised = await raise_as(
            foreign_mentee, {"description": "Theirs", "pairing_id": str(world.pairing.id)}
        )
        assert raised.status_code == 404  # not their pairing
        await raise_as(
            foreign_mentee, {"description": "Theirs", "pairing_id": str(world.foreign_pairing.id)}
        )
    theirs = await newest_concern(live_server)

    async with logged_in(live_server, world.dsl) as dsl:
        listing = await dsl.get("/safeguarding/concerns")
        assert f"/safeguarding/concerns/{ours.id}" in listing.text
        assert f"/safeguarding/concerns/{theirs.id}" not in listing.text
        assert (await dsl.get(f"/safeguarding/concerns/{theirs.id}")).status_code == 404
        note = await post(dsl, f"/safeguarding/concerns/{theirs.id}/notes", {"body": "Hi"})
        assert note.status_code == 404
        api = await dsl.get("/api/v1/concerns")
        assert [c["id"] for c in api.json()["concerns"]] == [ours.id]
        assert (await dsl.get(f"/api/v1/concerns/{theirs.id}")).status_code == 404
        bad_status = await dsl.get("/api/v1/concerns?status=open")
        assert bad_status.status_code == 422 and bad_status.json()["error"]["field"] == "status"
        assert (await dsl.get("/safeguarding/concerns?status=open")).status_code == 422
    async with logged_in(live_server, world.platform_dsl) as platform:
        listing = await platform.get("/safeguarding/concerns")
        assert f"/safeguarding/concerns/{ours.id}" in listing.text
        assert f"/safeguarding/concerns/{theirs.id}" in listing.text
        api = await platform.get("/api/v1/concerns?status=new")
        assert {c["id"] for c in api.json()["concerns"]} == {ours.id, theirs.id}
        headers = {"X-CSRF-Token": platform.cookies.get("mm_csrf") or ""}
        transition = f"/api/v1/concerns/{theirs.id}/transition"
        skipped = await platform.post(transition, json={"to": "closed"}, headers=headers)
        assert skipped.status_code == 409
        wrong_lead = {"to": "triaged", "assignee_id": world.dsl.id}  # not that organisation's
        refused = await platform.post(transition, json=wrong_lead, headers=headers)
        assert refused.status_code == 404 and refused.json()["error"]["field"] == "assignee_id"
        triage = {"to": "triaged", "assignee_id": world.platform_dsl.id}
        done = await platform.post(transition, json=triage, headers=headers)
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "triaged"
        assert done.json()["assignee"]["id"] == world.platform_dsl.id
        assert done.json()["next_status"] == "action_taken"
        one = await platform.get(f"/api/v1/concerns/{theirs.id}")
        assert one.json()["description"] == "Theirs"
    for user in (world.coordinator, world.mentor):
        async with logged_in(live_server, user) as client:
            assert (await client.get("/safeguarding/concerns")).status_code == 403
            assert (await client.get(f"/api/v1/concerns/{ours.id}")).status_code == 403
    reads = [e for e in await audit_entries(live_server, theirs.id) if e.action == "concern.view"]
    assert {e.actor_id for e in reads} == {world.platform_dsl.id}


async def test_staff_open_cases_about_a_pairing_or_a_person(
    live_server: LiveServer, world: World
) -> None:
    pairing_page = f"/pairings/{world.pairing.id}"
    async with logged_in(live_server, world.coordinator) as coordinator:
        page = await coordinator.get(pairing_page)
        assert "Report a concern" in page.text and "Records on hold" not in page.text
        raised = await submit(
            coordinator,
            pairing_page,
            "/concerns",
            {"description": "Missed three meetings", "pairing_id": str(world.pairing.id)},
        )
        assert raised.headers["location"] == pairing_page
        page = await coordinator.get(pairing_page)
        assert "Records on hold: a concern exists" in page.text
        foreign_person = await raise_as(
            coordinator, {"description": "x", "subject_id": str(world.foreign_mentee.id)}
        )
        assert foreign_person.status_code == 404
    async with logged_in(live_server, world.mentee) as mentee:
        page = await mentee.get(pairing_page)
        assert "Records on hold" not in page.text  # for staff only
        about_someone = await raise_as(
            mentee, {"description": "x", "subject_id": str(world.mentor.id)}
        )
        assert about_someone.status_code == 404  # participants cannot name a subject
    async with logged_in(live_server, world.dsl) as dsl:
        listing = await dsl.get("/safeguarding/concerns")
        opened = await dsl.post(
            "/concerns",
            data={
                "csrf_token": csrf_from(listing.text),
                "description": "Reported by the college by phone",
                "subject_id": str(world.mentee.id),
            },
        )
        assert opened.status_code == 303
        case = await newest_concern(live_server)
        assert opened.headers["location"] == f"/safeguarding/concerns/{case.id}"
        assert case.subject_id == world.mentee.id
        assert case.organisation_id == world.pairing.organisation_id

    async def holds(session: AsyncSession) -> tuple[set[int], set[int]]:
        return (
            await concern_cases.pairings_under_hold(session=session),
            await concern_cases.people_under_hold(session=session),
        )

    pairings, people = await live_server.in_session(holds)
    assert pairings == {world.pairing.id}
    assert {world.mentor.id, world.mentee.id, world.coordinator.id, world.dsl.id} <= people
    assert world.foreign_mentee.id not in people


async def _old_concern(live_server: LiveServer, pairing: Pairing, raised_by: User) -> int:
    async def make(session: AsyncSession) -> int:
        concern = Concern(
            organisation_id=pairing.organisation_id,
            raised_by_id=raised_by.id or 0,
            pairing_id=pairing.id,
            description="Waiting too long",
            created_at=utcnow() - dt.timedelta(hours=5),
        )
        session.add(concern)
        await session.commit()
        return concern.id or 0

    return await live_server.in_session(make)


async def _escalation_mail(live_server: LiveServer) -> list[OutboxEmail]:
    async def find(session: AsyncSession) -> list[OutboxEmail]:
        query = select(OutboxEmail).where(OutboxEmail.subject == ESCALATION_SUBJECT)
        return list((await session.exec(query)).all())

    return await live_server.in_session(find)


async def test_untriaged_cases_escalate_once_to_the_deputy_and_the_admins(
    live_server: LiveServer, world: World
) -> None:
    organisation_id = world.pairing.organisation_id
    async with logged_in(live_server, world.admin) as admin:
        page = await admin.get(f"/organisations/{organisation_id}")
        assert "Deputy Dee" in page.text
        foreign_lead = await post(
            admin,
            f"/organisations/{organisation_id}/deputy",
            {"deputy_id": str(world.foreign_dsl.id)},
        )
        assert foreign_lead.status_code == 404
        chosen = await post(
            admin,
            f"/organisations/{organisation_id}/deputy",
            {"deputy_id": str(world.other_dsl.id)},
        )
        assert chosen.status_code == 303
    ours = await _old_concern(live_server, world.pairing, world.mentee)
    theirs = await _old_concern(live_server, world.foreign_pairing, world.foreign_mentee)
    worker = Worker(live_server.starlette.state.db, live_server.settings)
    await live_server.call(worker.run_once())
    await live_server.call(worker.run_once())  # a second pass sends nothing more

    mail = await _escalation_mail(live_server)
    recipients = sorted(m.to_address for m in mail)
    # Ours: the deputy and the admin. Theirs (no deputy): the platform lead and the admin.
    assert recipients == sorted(
        [world.other_dsl.email, world.admin.email, world.platform_dsl.email, world.admin.email]
    )
    links = {m.to_address: m.body_text for m in mail}
    assert f"/safeguarding/concerns/{ours}" in links[world.other_dsl.email]
    assert f"/safeguarding/concerns/{theirs}" in links[world.platform_dsl.email]
    assert all("Waiting too long" not in m.body_text for m in mail)  # no details by e-mail
    escalations = [
        e for e in await audit_entries(live_server, None) if e.action == "concern.escalate"
    ]
    assert sorted(e.subject_id or 0 for e in escalations) == sorted([ours, theirs])
    assert all(e.actor_id is None for e in escalations)

    async with logged_in(live_server, world.dsl) as dsl:
        listing = await dsl.get("/safeguarding/concerns")
        assert "Overdue: not triaged" in listing.text
        api = await dsl.get(f"/api/v1/concerns/{ours}")
        assert api.json()["overdue"] is True and api.json()["escalated_at"] is not None


async def test_a_recent_case_does_not_escalate(live_server: LiveServer, world: World) -> None:
    async with logged_in(live_server, world.mentee) as mentee:
        await raise_as(mentee, {"description": "Just now"})
    worker = Worker(live_server.starlette.state.db, live_server.settings)
    await live_server.call(worker.run_once())
    assert await _escalation_mail(live_server) == []
