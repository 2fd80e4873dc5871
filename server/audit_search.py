"""Reading the audit log: filtered, newest first, for the admin's audit log page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit import ENTRIES_MAX_LIMIT
from server.errors import InvalidInput
from server.models import AuditEntry, User

SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None  # exact, or a prefix ending in "." ("transcript." finds them all)
    actor: str | None = None  # an e-mail address, or "system"
    subject_type: str | None = None
    since: dt.datetime | None = None  # inclusive, UTC
    until: dt.datetime | None = None  # exclusive, UTC


async def search(
    *, session: AsyncSession, filters: AuditFilters, limit: int, before_id: int | None = None
) -> list[AuditEntry]:
    """Entries matching every filter given, newest first; page on with `before_id`."""
    if not 1 <= limit <= ENTRIES_MAX_LIMIT:
        raise InvalidInput(f"Show between 1 and {ENTRIES_MAX_LIMIT} entries.", field="limit")
    if filters.since and filters.until and filters.since >= filters.until:
        raise InvalidInput("The 'from' date must not be after the 'to' date.", field="until")
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if before_id is not None:
        query = query.where(col(AuditEntry.id) < before_id)
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(col(AuditEntry.action).startswith(filters.action, autoescape=True))
        else:
            query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        if filters.actor == SYSTEM_ACTOR:
            query = query.where(col(AuditEntry.actor_id).is_(None))
        else:
            email = filters.actor.strip().casefold()
            actor = (await session.exec(select(User).where(User.email == email))).first()
            if actor is None:
                raise InvalidInput(f"No account has the e-mail address {email}.", field="actor")
            query = query.where(AuditEntry.actor_id == actor.id)
    if filters.subject_type:
        query = query.where(AuditEntry.subject_type == filters.subject_type)
    if filters.since:
        query = query.where(col(AuditEntry.at) >= filters.since)
    if filters.until:
        query = query.where(col(AuditEntry.at) < filters.until)
    return list((await session.exec(query)).all())


async def actors_of(*, session: AsyncSession, entries: list[AuditEntry]) -> dict[int, User]:
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    if not ids:
        return {}
    users = (await session.exec(select(User).where(col(User.id).in_(ids)))).all()
    return {user.id or 0: user for user in users}


__all__ = ["SYSTEM_ACTOR", "AuditFilters", "actors_of", "search"]
