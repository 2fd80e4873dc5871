"""What people tell us for matching, and the suggestions coordinators see for a mentee."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import authz
from server.db import utcnow
from server.errors import InvalidInput, NotFound
from server.matching import (
    MenteeProfile,
    MentorProfile,
    Suggestion,
    describe_hours,
    normalise_tags,
    suggest,
    weekly_hours,
)
from server.models import Organisation, Pairing, PairingStatus, Profile, Role, User
from server.pairing import eligibility_of

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SLOT = re.compile(r"^\s*([a-z]+)\s+(\d{1,2})(?::00)?\s*[-–to ]+\s*(\d{1,2})(?::00)?\s*$", re.I)
MAX_TAGS_TEXT = 1000


def parse_tags(text: str, *, field: str) -> str:
    if len(text) > MAX_TAGS_TEXT:
        raise InvalidInput(f"Keep this under {MAX_TAGS_TEXT} characters.", field=field)
    return "\n".join(sorted(normalise_tags(re.split(r"[,\n;]", text))))


def parse_availability(text: str) -> list[tuple[int, int, int]]:
    """Lines like "Tuesday 17-19" or "tue 17:00 - 19:00" (24-hour clock, the person's zone)."""
    slots = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        match = _SLOT.match(line)
        day = match and next(
            (i for i, name in enumerate(DAYS) if name.startswith(match[1].lower()[:3])), None
        )
        if not match or day is None or len(match[1]) < 3:
            raise InvalidInput(
                f'Write each time like "Tuesday 17-19", one per line: {line[:40]!r} is unclear.',
                field="availability",
            )
        start, end = int(match[2]), int(match[3])
        if not 0 <= start < end <= 24:
            raise InvalidInput(
                f"{line[:40]!r}: the end must come after the start.", field="availability"
            )
        slots.append((day, start, end))
    return slots


def slots_of(profile: Profile | None) -> list[tuple[int, int, int]]:
    if profile is None or not profile.availability:
        return []
    return [tuple(int(part) for part in line.split()) for line in profile.availability.splitlines()]  # type: ignore[misc]


def describe_slots(profile: Profile | None) -> str:
    return "\n".join(f"{DAYS[d].capitalize()} {s}-{e}" for d, s, e in slots_of(profile))


async def profile_of(*, session: AsyncSession, user_id: int) -> Profile | None:
    return (await session.exec(select(Profile).where(Profile.user_id == user_id))).first()


async def update_profile(
    *,
    session: AsyncSession,
    actor: User,
    user_id: int,
    interests: str,
    sectors: str,
    goals: str,
    languages: str,
    availability: str,
    capacity: int | None,
) -> Profile:
    """People edit their own profile; coordinators may edit their participants'."""
    person = await session.get(User, user_id)
    if person is None or authz.role_of(person) not in authz.PARTICIPANT_ROLES:
        raise NotFound("No such person.")
    if actor.id != person.id:
        authz.ensure_can_manage_user(actor, person)
    slots = parse_availability(availability)
    weekly_hours(slots, person.timezone, reference=utcnow().date())  # validates the zone too
    if capacity is not None and not 1 <= capacity <= 5:
        raise InvalidInput("A mentor can have between 1 and 5 mentees.", field="capacity")
    profile = await profile_of(session=session, user_id=user_id) or Profile(user_id=user_id)
    profile.interests = parse_tags(interests, field="interests")
    profile.sectors = parse_tags(sectors, field="sectors")
    profile.goals = parse_tags(goals, field="goals")
    profile.languages = parse_tags(languages, field="languages") or "english"
    profile.availability = "\n".join(f"{d} {s} {e}" for d, s, e in slots)
    if capacity is not None and authz.role_of(person) is Role.MENTOR:
        profile.capacity = capacity
    profile.updated_at = utcnow()
    session.add(profile)
    await session.commit()
    return profile


async def set_message_alerts(*, session: AsyncSession, user_id: int, enabled: bool) -> None:
    """Whether the person is e-mailed when their partner's messages wait unread."""
    person = await session.get(User, user_id)
    if person is None:
        raise NotFound("No such person.")
    person.message_alerts = enabled
    session.add(person)
    await session.commit()


async def shared_times(
    *, session: AsyncSession, mentor: User, mentee: User, display_timezone: str, today: dt.date
) -> str | None:
    """When both are usually free, in words, for suggesting meeting slots; None if unknown."""
    hours = []
    for person in (mentor, mentee):
        profile = await profile_of(session=session, user_id=person.id or 0)
        hours.append(weekly_hours(slots_of(profile), person.timezone, reference=today))
    if not hours[0] or not hours[1]:
        return None
    common = hours[0] & hours[1]
    if not common:
        return "none: their weekly availability does not overlap"
    return describe_hours(common, display_timezone, reference=today)


def _tags(text: str) -> frozenset[str]:
    return frozenset(filter(None, text.splitlines()))


async def suggestions_for(
    *, session: AsyncSession, actor: User, mentee_id: int, today: dt.date | None = None
) -> list[Suggestion]:
    """Eligible mentors for this mentee, best first, each with the reasons why."""
    today = today or utcnow().date()
    mentee = await session.get(User, mentee_id)
    if mentee is None or authz.role_of(mentee) is not Role.MENTEE:
        raise NotFound("No such mentee.")
    authz.ensure_can_view_user(actor, mentee)
    organisation = await session.get(Organisation, mentee.organisation_id)
    network = bool(organisation and organisation.network_matching)
    mentee_profile = await profile_of(session=session, user_id=mentee_id)
    query = select(User).where(User.role == Role.MENTOR, col(User.is_active).is_(True))
    if not network:
        query = query.where(User.organisation_id == mentee.organisation_id)
    mentors = (await session.exec(query)).all()
    active = dict(
        (
            await session.exec(
                select(Pairing.mentor_id, func.count())
                .where(Pairing.status == PairingStatus.ACTIVE)
                .group_by(col(Pairing.mentor_id))
            )
        ).all()
    )
    candidates = []
    for mentor in mentors:
        if not (
            await eligibility_of(session=session, mentor_id=mentor.id or 0, today=today)
        ).eligible:
            continue  # never suggest someone who may not be paired
        profile = await profile_of(session=session, user_id=mentor.id or 0)
        candidates.append(
            MentorProfile(
                user_id=mentor.id or 0,
                name=mentor.display_name,
                organisation_id=mentor.organisation_id or 0,
                interests=_tags(profile.interests) if profile else frozenset(),
                sectors=_tags(profile.sectors) if profile else frozenset(),
                helps_with=_tags(profile.goals) if profile else frozenset(),
                languages=_tags(profile.languages) if profile else frozenset({"english"}),
                availability=weekly_hours(slots_of(profile), mentor.timezone, reference=today),
                capacity=profile.capacity if profile else 2,
                active_mentees=active.get(mentor.id or 0, 0),
            )
        )
    wanted = MenteeProfile(
        user_id=mentee_id,
        organisation_id=mentee.organisation_id or 0,
        interests=_tags(mentee_profile.interests) if mentee_profile else frozenset(),
        sectors=_tags(mentee_profile.sectors) if mentee_profile else frozenset(),
        goals=_tags(mentee_profile.goals) if mentee_profile else frozenset(),
        languages=_tags(mentee_profile.languages) if mentee_profile else frozenset({"english"}),
        availability=weekly_hours(slots_of(mentee_profile), mentee.timezone, reference=today),
    )
    return suggest(
        wanted, candidates, network_wide=network, display_timezone=mentee.timezone, reference=today
    )
