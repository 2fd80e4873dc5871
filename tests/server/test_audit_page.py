"""The admin's audit log page: entries newest first, filters, paging, and the chain check."""

from __future__ import annotations

import json
import zoneinfo

import factories
from factories import PASSWORD
from livesite import LiveServer, log_in
from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import audit
from server.models import AuditEntry, Role, User


async def _seed(session: AsyncSession) -> tuple[User, User]:
    organisation = await factories.organisation(session)
    admin = await factories.user(session, Role.ADMIN, None)
    admin.timezone = "America/New_York"
    session.add(admin)
    dsl = await factories.user(session, Role.SAFEGUARDING, organisation)
    for number in range(55):
        await audit.record(
            session=session,
            actor=dsl,
            action="transcript.view" if number % 2 else "transcript.search",
            subject_type="conversation",
            subject_id=number + 1,
            organisation_id=organisation.id,
            reason=f"Concern number {number}",
        )
        await session.commit()
    await audit.record(
        session=session,
        actor=None,
        action="retention.purge",
        subject_type="retention_policy",
        subject_id=None,
        organisation_id=None,
        reason="Nightly purge",
        detail={"counts": {"login_failures": {"loginfailure": 3}}},
    )
    await session.commit()
    return admin, dsl


async def _entries(session: AsyncSession) -> list[AuditEntry]:
    return list((await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all())


async def test_admin_reads_filters_and_verifies_the_log(live_server: LiveServer) -> None:
    admin, dsl = await live_server.in_session(_seed)
    rows = await live_server.in_session(_entries)
    async with live_server.client() as client:
        await log_in(client, admin.email, PASSWORD)
        page = await client.get("/admin/audit")
        assert page.status_code == 200
        assert "Nightly purge" in page.text and "System" in page.text
        newest_dsl = rows[-2]
        when = newest_dsl.at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
        assert when.strftime("%d %b %Y, %H:%M:%S") in page.text  # the viewer's zone
        assert "Concern number 54" in page.text and "Concern number 5<" not in page.text
        assert "Older entries" in page.text
        older = await client.get(f"/admin/audit?before={rows[-50].id}")
        assert "Concern number 5<" in older.text and "Concern number 0<" in older.text
        assert "Older entries" not in older.text

        only_views = await client.get("/admin/audit?action=transcript.view&verify=")
        assert "Concern number 53" in only_views.text
        assert "Concern number 54" not in only_views.text
        by_prefix = await client.get("/admin/audit?action=transcript.")
        assert "Concern number 54" in by_prefix.text and "Nightly purge" not in by_prefix.text
        system = await client.get("/admin/audit?actor=system")
        assert "Nightly purge" in system.text and "Concern number" not in system.text
        by_actor = await client.get(f"/admin/audit?actor={dsl.email.upper()}")
        assert "Concern number 54" in by_actor.text and "Nightly purge" not in by_actor.text
        by_subject = await client.get("/admin/audit?subject_type=retention_policy")
        assert "Nightly purge" in by_subject.text and "Concern number" not in by_subject.text
        day = rows[-1].at.astimezone(zoneinfo.ZoneInfo("America/New_York")).date()
        in_range = await client.get(f"/admin/audit?since={day}&until={day}")
        assert "Nightly purge" in in_range.text
        before = await client.get("/admin/audit?until=2000-01-01")
        assert "No entries match." in before.text

        for query, message in (
            ("since=yesterday", "From: input should be a valid date"),
            ("since=2026-02-01&until=2026-01-01", "must not be after"),
            ("actor=nobody@example.org", "No account has the e-mail address"),
            ("before=0", "Page: input should be greater than or equal to 1"),
            ("colour=red", "colour: unexpected field"),
        ):
            refused = await client.get(f"/admin/audit?{query}")
            assert refused.status_code == 422, query
            assert message in refused.text, query

        intact = await client.get("/admin/audit?verify=1")
        assert "Chain intact" in intact.text

        tampered = rows[3]
        await live_server.call(_tamper(live_server, tampered.id or 0))
        broken = await client.get("/admin/audit?verify=1")
        assert broken.status_code == 200
        assert f"Chain broken at entry {tampered.id}" in broken.text
        assert "the entry was changed" in broken.text

    async def reads(session: AsyncSession) -> list[AuditEntry]:
        query = select(AuditEntry).where(AuditEntry.action == "audit.read")
        return list((await session.exec(query)).all())

    recorded = await live_server.in_session(reads)
    # Every successful page view is recorded, with its filters; refused queries are not.
    assert len(recorded) == 11
    assert all(entry.actor_id == admin.id for entry in recorded)
    assert {"actor": "system"} in [json.loads(entry.detail or "{}") for entry in recorded]


async def _tamper(live_server: LiveServer, entry_id: int) -> None:
    """What someone with direct database access could do: drop the guard, then change a row."""
    engine = live_server.starlette.state.db.engine
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("DROP TRIGGER auditentry_append_only ON auditentry"))
        else:
            await connection.execute(text("DROP TRIGGER auditentry_no_update"))
        await connection.execute(
            text(f"UPDATE auditentry SET reason = 'Routine check' WHERE id = {entry_id}")
        )
