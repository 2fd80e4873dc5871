"""Warns a mentor and their coordinators 60 days before the mentor's checks lapse, once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from server.db import Database
from server.emails import compose
from server.models import MentorVetting, Role, User, VettingWarning
from server.outbox import enqueue_email
from server.vetting import WARN_BEFORE, mentor_eligibility


async def send_lapse_warnings(db: Database, *, today: dt.date, base_url: str) -> int:
    """Queues warnings for checks lapsing within the warning period; returns how many mentors."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(MentorVetting, User)
                .join(User, col(User.id) == col(MentorVetting.mentor_id))
                .where(col(User.is_active).is_(True))
            )
        ).all()
    warned = 0
    for vetting, mentor in rows:
        lapses_on = mentor_eligibility(vetting, today).lapses_on
        if lapses_on is None or not today <= lapses_on <= today + WARN_BEFORE:
            continue
        async with db.session() as session:
            # The unique (mentor, date) row is the "sent" mark: a second worker's insert fails.
            session.add(VettingWarning(mentor_id=mentor.id or 0, lapses_on=lapses_on))
            try:
                await session.flush()
            except IntegrityError:
                await session.rollback()
                continue
            coordinators = (
                await session.exec(
                    select(User).where(
                        User.role == Role.COORDINATOR,
                        User.organisation_id == mentor.organisation_id,
                        col(User.is_active).is_(True),
                    )
                )
            ).all()
            for person in [mentor, *coordinators]:
                subject, body = compose(
                    "vetting_lapsing",
                    name=person.display_name,
                    mentor=mentor.display_name,
                    is_mentor=person.id == mentor.id,
                    lapses_on=lapses_on.strftime("%d %B %Y"),
                    link=f"{base_url.rstrip('/')}/dashboard",
                )
                enqueue_email(session=session, to=person.email, subject=subject, body=body)
            await session.commit()
            warned += 1
    return warned
