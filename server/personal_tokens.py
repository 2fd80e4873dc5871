"""Secrets a person holds: API tokens and private calendar feed addresses.

Only a hash is stored; the token itself is shown once, when it is made. A person may hold
several API tokens (named), but only one calendar feed address: making a new one revokes the old.
"""

from __future__ import annotations

import enum

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.credentials import new_token, token_digest
from server.db import utcnow
from server.errors import NotFound
from server.models import PersonalToken, User
from server.validation import check_text


class Purpose(enum.StrEnum):
    API = "api"
    CALENDAR = "calendar"


async def create_token(
    *, session: AsyncSession, user: User, purpose: Purpose, name: str = ""
) -> tuple[str, PersonalToken]:
    """Returns the secret (shown once) and its record."""
    if purpose is Purpose.API:
        name = check_text(name, field="name", label="Token name", max_length=100)
    else:
        await _revoke_where(session, user_id=user.id or 0, purpose=purpose)
    secret = new_token()
    record = PersonalToken(
        user_id=user.id or 0, purpose=purpose, name=name, token_hash=token_digest(secret)
    )
    session.add(record)
    await session.commit()
    return secret, record


async def _revoke_where(session: AsyncSession, *, user_id: int, purpose: Purpose) -> None:
    await session.exec(
        update(PersonalToken)
        .where(
            col(PersonalToken.user_id) == user_id,
            col(PersonalToken.purpose) == purpose,
            col(PersonalToken.revoked_at).is_(None),
        )
        .values(revoked_at=utcnow())
    )


async def revoke_token(*, session: AsyncSession, user: User, token_id: int) -> None:
    record = await session.get(PersonalToken, token_id)
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        raise NotFound("No such token.", field="token_id")
    record.revoked_at = utcnow()
    session.add(record)
    await session.commit()


async def user_for_token(*, session: AsyncSession, secret: str, purpose: Purpose) -> User | None:
    """The active user a live token belongs to; notes when it was last used."""
    if not secret or len(secret) > 128:
        return None
    row = (
        await session.exec(
            select(PersonalToken, User)
            .join(User, col(User.id) == col(PersonalToken.user_id))
            .where(
                PersonalToken.token_hash == token_digest(secret),
                PersonalToken.purpose == purpose,
                col(PersonalToken.revoked_at).is_(None),
                col(User.is_active).is_(True),
            )
        )
    ).first()
    if row is None:
        return None
    record, user = row
    record.last_used_at = utcnow()
    session.add(record)
    await session.commit()
    return user


async def tokens_of(*, session: AsyncSession, user: User, purpose: Purpose) -> list[PersonalToken]:
    rows = await session.exec(
        select(PersonalToken)
        .where(
            PersonalToken.user_id == user.id,
            PersonalToken.purpose == purpose,
            col(PersonalToken.revoked_at).is_(None),
        )
        .order_by(col(PersonalToken.created_at).desc())
    )
    return list(rows.all())
