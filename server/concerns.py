"""Concerns raised by participants or staff. The case workflow lives with safeguarding review."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import authz
from server.emails import compose
from server.errors import NotFound
from server.models import Concern, Meeting, Pairing, Role, User
from server.outbox import enqueue_email
from server.validation import check_text

MAX_CONCERN_LENGTH = 5000


async def raise_concern(
    *,
    session: AsyncSession,
    raised_by: User,
    description: str,
    base_url: str,
    pairing_id: int | None = None,
    meeting_id: int | None = None,
    subject_id: int | None = None,
) -> Concern:
    """Records the concern and e-mails the organisation's safeguarding leads at once.

    Staff may name the person it is about (`subject_id`), within their own scope."""
    description = check_text(
        description, field="description", label="What happened", max_length=MAX_CONCERN_LENGTH
    )
    if meeting_id is not None:
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("No such meeting.", field="meeting_id")
        pairing_id = meeting.pairing_id
    pairing = await session.get(Pairing, pairing_id) if pairing_id is not None else None
    if pairing_id is not None:
        if pairing is None:
            raise NotFound("No such pairing.", field="pairing_id")
        authz.ensure_can_view_pairing(raised_by, pairing)
    about = await session.get(User, subject_id) if subject_id is not None else None
    if subject_id is not None:
        if about is None or authz.role_of(raised_by) not in authz.STAFF_ROLES:
            raise NotFound("No such person.", field="subject_id")
        authz.ensure_can_view_user(raised_by, about)
    organisation_id: int | None
    if pairing is not None:
        organisation_id = pairing.organisation_id
    elif about is not None:
        organisation_id = about.organisation_id
    else:
        organisation_id = raised_by.organisation_id
    concern = Concern(
        organisation_id=organisation_id,
        raised_by_id=raised_by.id or 0,
        pairing_id=pairing_id,
        meeting_id=meeting_id,
        description=description,
        subject_id=subject_id,
    )
    session.add(concern)
    await session.flush()
    leads = (
        await session.exec(
            select(User).where(
                User.role == Role.SAFEGUARDING,
                User.is_active == True,  # noqa: E712 - SQL comparison
                (User.organisation_id == organisation_id) | (User.organisation_id == None),  # noqa: E711
            )
        )
    ).all()
    for lead in leads:
        # The e-mail says a concern exists, not what it says: details stay on the platform.
        subject, body = compose(
            "concern_raised",
            name=lead.display_name,
            raised_by=raised_by.display_name,
            link=f"{base_url.rstrip('/')}/safeguarding/concerns/{concern.id}",
        )
        enqueue_email(session=session, to=lead.email, subject=subject, body=body)
    await session.commit()
    return concern
