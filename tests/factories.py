"""Test data made through the server's own database session (see LiveServer.in_session)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from server.chat.conversations import conversation_for_pairing
from server.credentials import hash_password
from server.db import utcnow
from server.models import (
    GuardianConsent,
    Meeting,
    MentorVetting,
    Organisation,
    Pairing,
    Role,
    User,
)

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashing is slow on purpose: do it once
_numbers = itertools.count(1)


async def organisation(session: AsyncSession, name: str | None = None) -> Organisation:
    org = Organisation(name=name or f"Organisation {next(_numbers)}")
    session.add(org)
    await session.commit()
    return org


async def user(
    session: AsyncSession,
    role: Role,
    organisation: Organisation | None,
    *,
    name: str | None = None,
    email: str | None = None,
    date_of_birth: dt.date | None = None,
    active: bool = True,
) -> User:
    number = next(_numbers)
    person = User(
        email=(email or f"{role.value}{number}@example.org").casefold(),
        display_name=name or f"{role.value.capitalize()} {number}",
        role=role,
        organisation_id=organisation.id if organisation else None,
        password_hash=_PASSWORD_HASH,
        activated_at=utcnow(),
        date_of_birth=date_of_birth,
        is_active=active,
    )
    session.add(person)
    await session.commit()
    return person


def vet(session: AsyncSession, mentor: User, *, consent_for: User | None = None) -> None:
    """A currently valid vetting record for the mentor (and a guardian's consent, if asked)."""
    today = utcnow().date()
    session.add(
        MentorVetting(
            mentor_id=mentor.id or 0,
            dbs_issue_date=today - dt.timedelta(days=100),
            references_checked=True,
            training_completed=True,
        )
    )
    if consent_for is not None:
        session.add(
            GuardianConsent(
                mentee_id=consent_for.id or 0,
                guardian_name="A Guardian",
                guardian_contact="guardian@example.org",
                consent_date=today,
                method="written",
            )
        )


@dataclass
class Pair:
    organisation: Organisation
    mentor: User
    mentee: User
    pairing: Pairing
    meeting: Meeting


async def pair(
    session: AsyncSession,
    organisation: Organisation,
    *,
    under_18: bool = False,
    starts_in: dt.timedelta = dt.timedelta(minutes=-5),
) -> Pair:
    """A vetted mentor, a mentee (with guardian consent when under 18), their pairing, a meeting."""
    today = utcnow().date()
    mentor = await user(session, Role.MENTOR, organisation)
    mentee = await user(
        session,
        Role.MENTEE,
        organisation,
        date_of_birth=today.replace(year=today.year - (16 if under_18 else 19)),
    )
    vet(session, mentor, consent_for=mentee if under_18 else None)
    pairing = Pairing(
        mentor_id=mentor.id or 0, mentee_id=mentee.id or 0, organisation_id=organisation.id or 0
    )
    session.add(pairing)
    await session.flush()
    meeting = Meeting(pairing_id=pairing.id or 0, starts_at=utcnow() + starts_in)
    session.add(meeting)
    await session.commit()
    return Pair(organisation, mentor, mentee, pairing, meeting)


async def watched_pair(session: AsyncSession, *, lead_email: str) -> tuple[Pair, int]:
    """An under-18 pair with their conversation's id, and a safeguarding lead watching over it."""
    org = await organisation(session)
    watched = await pair(session, org, under_18=True)
    await user(session, Role.SAFEGUARDING, org, email=lead_email)
    conversation = await conversation_for_pairing(
        session=session, pairing_id=watched.pairing.id or 0
    )
    return watched, conversation.id or 0
