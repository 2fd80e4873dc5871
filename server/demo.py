"""Demo data: an organisation, one account per role, a vetted mentor, a consented mentee,
their pairing, a meeting joinable now and some in the future, the start of their conversation
(with one message held for the safeguarding lead to review), and a finished round of mentoring
with survey answers for the impact report (server/demo_history.py). Safe to run repeatedly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.chat.rules import is_under_18
from server.credentials import hash_password
from server.db import utcnow
from server.demo_history import add_past_round
from server.models import (
    ConsentMethod,
    Conversation,
    GuardianConsent,
    Meeting,
    MeetingStatus,
    MentorVetting,
    Message,
    MessageStatus,
    Organisation,
    OrganisationKind,
    Pairing,
    PairingStatus,
    Role,
    User,
)
from server.screening import Verdict, screen_message

ORGANISATION = "Demo College"
ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("admin@demo.test", "Ada Admin", Role.ADMIN),
    ("coordinator@demo.test", "Chris Coordinator", Role.COORDINATOR),
    ("safeguarding@demo.test", "Sam Safeguarding", Role.SAFEGUARDING),
    ("mentor@demo.test", "Maya Mentor", Role.MENTOR),
    ("mentee@demo.test", "Jordan Mentee", Role.MENTEE),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: Role
    password: str


async def _organisation(session: AsyncSession) -> Organisation:
    found = (
        await session.exec(select(Organisation).where(Organisation.name == ORGANISATION))
    ).first()
    if found is None:
        found = Organisation(name=ORGANISATION, kind=OrganisationKind.COLLEGE)
        session.add(found)
        await session.flush()
    return found


async def _account(
    session: AsyncSession,
    organisation: Organisation,
    email: str,
    name: str,
    role: Role,
    password: str,
) -> User:
    user = (await session.exec(select(User).where(User.email == email))).first()
    if user is None:
        today = utcnow().date()
        user = User(
            email=email,
            display_name=name,
            role=role,
            organisation_id=None if role is Role.ADMIN else organisation.id,
            password_hash=hash_password(password),
            activated_at=utcnow(),
            # The demo mentee is 17: the under-18 protections are visible in the demo.
            date_of_birth=today.replace(year=today.year - 17) - dt.timedelta(days=30)
            if role is Role.MENTEE
            else None,
        )
        session.add(user)
        await session.flush()
    return user


async def holds_real_data(*, session: AsyncSession) -> bool:
    """Accounts exist but the demo organisation does not: a real programme's database."""
    if (await session.exec(select(User.id).limit(1))).first() is None:
        return False
    demo = await session.exec(select(Organisation.id).where(Organisation.name == ORGANISATION))
    return demo.first() is None


async def seed_demo(*, session: AsyncSession, password: str) -> list[DemoLogin]:
    organisation = await _organisation(session)
    users = {
        role: await _account(session, organisation, email, name, role, password)
        for email, name, role in ACCOUNTS
    }
    mentor, mentee, coordinator = users[Role.MENTOR], users[Role.MENTEE], users[Role.COORDINATOR]
    today = utcnow().date()
    if (
        await session.exec(select(MentorVetting).where(MentorVetting.mentor_id == mentor.id))
    ).first() is None:
        session.add(
            MentorVetting(
                mentor_id=mentor.id or 0,
                dbs_issue_date=today - dt.timedelta(days=180),
                references_checked=True,
                training_completed=True,
                recorded_by_id=coordinator.id,
            )
        )
    if (
        await session.exec(select(GuardianConsent).where(GuardianConsent.mentee_id == mentee.id))
    ).first() is None:
        session.add(
            GuardianConsent(
                mentee_id=mentee.id or 0,
                guardian_name="Pat Guardian",
                guardian_contact="guardian@demo.test",
                consent_date=today - dt.timedelta(days=30),
                method=ConsentMethod.ONLINE_FORM,
                recorded_by_id=coordinator.id,
            )
        )
    pairing = (
        await session.exec(
            select(Pairing).where(
                Pairing.mentor_id == mentor.id,
                Pairing.mentee_id == mentee.id,
                Pairing.status == PairingStatus.ACTIVE,
            )
        )
    ).first()
    if pairing is None:
        pairing = Pairing(
            mentor_id=mentor.id or 0,
            mentee_id=mentee.id or 0,
            organisation_id=organisation.id or 0,
            started_at=utcnow() - dt.timedelta(days=14),
        )
        session.add(pairing)
        await session.flush()
    await _meetings(session, pairing)
    await _conversation(session, pairing, mentor, mentee)
    await add_past_round(session, organisation)
    await session.commit()
    return [DemoLogin(email, role, password) for email, _, role in ACCOUNTS]


async def _meetings(session: AsyncSession, pairing: Pairing) -> None:
    """Keeps one meeting open now and three weekly ones ahead, adding only what is missing."""
    now = utcnow().replace(second=0, microsecond=0)
    meetings = (
        await session.exec(
            select(Meeting).where(
                Meeting.pairing_id == pairing.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                col(Meeting.starts_at) > now - dt.timedelta(hours=2),
            )
        )
    ).all()
    if not any(m.starts_at <= now + dt.timedelta(minutes=5) < m.ends_at for m in meetings):
        session.add(
            Meeting(
                pairing_id=pairing.id or 0,
                starts_at=now - dt.timedelta(minutes=5),
                duration_minutes=60,
            )
        )
    future = [m for m in meetings if m.starts_at > now + dt.timedelta(days=1)]
    for week in range(len(future) + 1, 4):
        session.add(
            Meeting(
                pairing_id=pairing.id or 0,
                starts_at=now + dt.timedelta(weeks=week),
                duration_minutes=60,
            )
        )


# The opening of the demo pair's conversation; the mentee's phone number is held for review.
OPENING = (
    (Role.MENTOR, "Hi Jordan! Looking forward to our first proper session. Any questions so far?"),
    (Role.MENTEE, "Is it ok if I text you instead? my number is 07700 900461"),
)


async def _conversation(
    session: AsyncSession, pairing: Pairing, mentor: User, mentee: User
) -> None:
    """Starts the conversation once, screened with the platform's default rules."""
    conversation = (
        await session.exec(select(Conversation).where(Conversation.pairing_id == pairing.id))
    ).first()
    if conversation is None:
        conversation = Conversation(pairing_id=pairing.id or 0)
        session.add(conversation)
        await session.flush()
    if conversation.last_seq:
        return
    under_18 = is_under_18(mentee.date_of_birth, utcnow().date())
    sent_at = utcnow() - dt.timedelta(hours=len(OPENING))
    for seq, (role, text) in enumerate(OPENING, start=1):
        result = screen_message(text, mentee_under_18=under_18)
        sender = mentor if role is Role.MENTOR else mentee
        session.add(
            Message(
                conversation_id=conversation.id or 0,
                seq=seq,
                sender_id=sender.id or 0,
                client_id=f"demo-opening-{seq}",
                body=text,
                status=MessageStatus.HELD
                if result.verdict is Verdict.HOLD
                else MessageStatus.DELIVERED,
                verdict=result.verdict.value,
                reasons="\n".join(result.reasons),
                created_at=sent_at + dt.timedelta(hours=seq - 1),
            )
        )
    conversation.last_seq = len(OPENING)
    session.add(conversation)
