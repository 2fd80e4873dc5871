"""Pairing people, and the safeguarding gates in front of it: vetting and guardian consent."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import authz
from server.chat.rules import is_under_18
from server.db import utcnow
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.models import (
    ConsentMethod,
    DBSCheckType,
    GuardianConsent,
    Meeting,
    MeetingStatus,
    MentorVetting,
    Organisation,
    Pairing,
    PairingStatus,
    Profile,
    Role,
    User,
)
from server.validation import check_text
from server.vetting import Eligibility, has_guardian_consent, mentor_eligibility


async def _person(session: AsyncSession, actor: User, user_id: int, role: Role) -> User:
    person = await session.get(User, user_id)
    if person is None or authz.role_of(person) is not role:
        raise NotFound(f"No such {role.value}.", field=f"{role.value}_id")
    authz.ensure_can_manage_user(actor, person)
    return person


async def eligibility_of(*, session: AsyncSession, mentor_id: int, today: dt.date) -> Eligibility:
    vetting = (
        await session.exec(select(MentorVetting).where(MentorVetting.mentor_id == mentor_id))
    ).first()
    return mentor_eligibility(vetting, today)


async def consent_missing(*, session: AsyncSession, mentee: User, today: dt.date) -> bool:
    if not is_under_18(mentee.date_of_birth, today):
        return False
    consents = await session.exec(
        select(GuardianConsent).where(GuardianConsent.mentee_id == mentee.id)
    )
    return not has_guardian_consent(list(consents.all()))


async def record_vetting(
    *,
    session: AsyncSession,
    actor: User,
    mentor_id: int,
    check_type: DBSCheckType,
    dbs_issue_date: dt.date | None,
    update_service: bool,
    update_service_checked_on: dt.date | None,
    references_checked: bool,
    training_completed: bool,
    today: dt.date | None = None,
) -> MentorVetting:
    """Coordinators record the checks; the certificate itself is never stored."""
    today = today or utcnow().date()
    await _person(session, actor, mentor_id, Role.MENTOR)
    for field, date in (
        ("dbs_issue_date", dbs_issue_date),
        ("update_service_checked_on", update_service_checked_on),
    ):
        if date is not None and not dt.date(1990, 1, 1) <= date <= today:
            raise InvalidInput("Enter a date that is not in the future.", field=field)
    if update_service and update_service_checked_on is None:
        raise InvalidInput(
            "Enter when the Update Service status was last checked.",
            field="update_service_checked_on",
        )
    vetting = (
        await session.exec(select(MentorVetting).where(MentorVetting.mentor_id == mentor_id))
    ).first() or MentorVetting(mentor_id=mentor_id)
    vetting.check_type = check_type
    vetting.dbs_issue_date = dbs_issue_date
    vetting.update_service = update_service
    vetting.update_service_checked_on = update_service_checked_on
    vetting.references_checked = references_checked
    vetting.training_completed = training_completed
    vetting.recorded_by_id = actor.id
    vetting.updated_at = utcnow()
    session.add(vetting)
    await session.commit()
    return vetting


async def record_consent(
    *,
    session: AsyncSession,
    actor: User,
    mentee_id: int,
    guardian_name: str,
    guardian_contact: str,
    consent_date: dt.date,
    method: ConsentMethod,
    today: dt.date | None = None,
) -> GuardianConsent:
    today = today or utcnow().date()
    await _person(session, actor, mentee_id, Role.MENTEE)
    if consent_date > today:
        raise InvalidInput("The consent date cannot be in the future.", field="consent_date")
    consent = GuardianConsent(
        mentee_id=mentee_id,
        guardian_name=check_text(
            guardian_name, field="guardian_name", label="Guardian's name", max_length=100
        ),
        guardian_contact=check_text(
            guardian_contact, field="guardian_contact", label="Guardian's contact", max_length=254
        ),
        consent_date=consent_date,
        method=method,
        recorded_by_id=actor.id,
    )
    session.add(consent)
    await session.commit()
    return consent


async def active_mentee_count(*, session: AsyncSession, mentor_id: int) -> int:
    count: int = (
        await session.exec(
            select(func.count()).where(
                Pairing.mentor_id == mentor_id, Pairing.status == PairingStatus.ACTIVE
            )
        )
    ).one()
    return count


async def create_pairing(
    *, session: AsyncSession, actor: User, mentor_id: int, mentee_id: int
) -> Pairing:
    """Pairs a vetted mentor with a mentee (with guardian consent if under 18)."""
    today = utcnow().date()
    mentee = await _person(session, actor, mentee_id, Role.MENTEE)
    mentor = await session.get(User, mentor_id)
    if mentor is None or authz.role_of(mentor) is not Role.MENTOR or not mentor.is_active:
        raise NotFound("No such mentor.", field="mentor_id")
    if mentor.organisation_id != mentee.organisation_id:
        organisation = await session.get(Organisation, mentee.organisation_id)
        if organisation is None or not organisation.network_matching:
            raise Forbidden(
                "This mentor belongs to another organisation, and yours does not match "
                "across the network.",
                field="mentor_id",
            )
    eligibility = await eligibility_of(session=session, mentor_id=mentor_id, today=today)
    if not eligibility.eligible:
        raise Forbidden(
            f"{mentor.display_name} cannot be paired yet: " + " ".join(eligibility.reasons),
            field="mentor_id",
        )
    if await consent_missing(session=session, mentee=mentee, today=today):
        raise Forbidden(
            f"{mentee.display_name} is under 18: record a parent or guardian's consent first.",
            field="mentee_id",
        )
    existing = await session.exec(
        select(Pairing).where(
            Pairing.mentee_id == mentee_id, Pairing.status == PairingStatus.ACTIVE
        )
    )
    if existing.first() is not None:
        raise Conflict(f"{mentee.display_name} already has a mentor.", field="mentee_id")
    profile = (await session.exec(select(Profile).where(Profile.user_id == mentor_id))).first()
    capacity = profile.capacity if profile else 2
    if await active_mentee_count(session=session, mentor_id=mentor_id) >= capacity:
        raise Conflict(
            f"{mentor.display_name} already mentors {capacity} young people, their maximum.",
            field="mentor_id",
        )
    pairing = Pairing(
        mentor_id=mentor_id, mentee_id=mentee_id, organisation_id=mentee.organisation_id or 0
    )
    session.add(pairing)
    await session.commit()
    return pairing


async def end_pairing(
    *, session: AsyncSession, actor: User, pairing_id: int, outcome: PairingStatus, reason: str
) -> Pairing:
    """Ends a pairing as completed (even early) or withdrawn, with the reason recorded."""
    pairing = await session.get(Pairing, pairing_id)
    if pairing is None:
        raise NotFound("No such pairing.", field="pairing_id")
    authz.ensure_can_view_pairing(actor, pairing)
    if authz.role_of(actor) not in (Role.COORDINATOR, Role.ADMIN):
        raise Forbidden("Only a coordinator can end a pairing.")
    if outcome not in (PairingStatus.COMPLETED, PairingStatus.WITHDRAWN):
        raise InvalidInput("A pairing ends as completed or withdrawn.", field="outcome")
    if pairing.status != PairingStatus.ACTIVE:
        raise Conflict("This pairing has already ended.")
    pairing.status = outcome
    pairing.ended_at = utcnow()
    pairing.end_reason = check_text(reason, field="reason", label="Reason", max_length=500)
    session.add(pairing)
    await session.commit()
    return pairing


async def pairings_quiet_since(
    *, session: AsyncSession, organisation_id: int, days: int = 21
) -> list[Pairing]:
    """Active pairs with no meeting in the last `days` days and none booked ahead."""
    now = utcnow()
    recent = (
        select(Meeting.pairing_id)
        .where(
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) > now - dt.timedelta(days=days),
        )
        .distinct()
    )
    query = select(Pairing).where(
        Pairing.organisation_id == organisation_id,
        Pairing.status == PairingStatus.ACTIVE,
        col(Pairing.id).not_in(recent),
        col(Pairing.started_at) < now - dt.timedelta(days=days),
    )
    return list((await session.exec(query)).all())
