"""Accounts: logging in, login sessions, invitations, password resets, organisations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import authz
from server.credentials import (
    hash_password_off_loop,
    new_token,
    token_digest,
    verify_password_off_loop,
)
from server.db import utcnow
from server.emails import compose
from server.errors import Conflict, Gone, InvalidInput, NotAuthenticated, NotFound, Throttled
from server.models import (
    AccountToken,
    AuthSession,
    LoginFailure,
    Organisation,
    OrganisationKind,
    Role,
    TokenPurpose,
    User,
)
from server.outbox import enqueue_email
from server.validation import check_password, check_text, check_timezone, normalise_email


@dataclass(frozen=True)
class AccountPolicy:
    session_ttl: dt.timedelta = dt.timedelta(hours=12)
    invitation_ttl: dt.timedelta = dt.timedelta(hours=72)
    password_reset_ttl: dt.timedelta = dt.timedelta(hours=2)
    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    throttle_window: dt.timedelta = dt.timedelta(minutes=15)


GENERIC_LOGIN_ERROR = "That e-mail and password don't match an account. Check them and try again."


def _minutes(delta: dt.timedelta) -> int:
    return max(1, int(delta.total_seconds() // 60) + (1 if delta.total_seconds() % 60 else 0))


async def _throttle_wait(
    *, session: AsyncSession, email: str, ip_address: str, policy: AccountPolicy, now: dt.datetime
) -> str | None:
    """A message naming the wait when too many recent failures came for this account or address."""
    since = now - policy.throttle_window
    for column, key, limit, whose in (
        (LoginFailure.email, email, policy.max_failures_per_account, "this account"),
        (LoginFailure.ip_address, ip_address, policy.max_failures_per_address, "your network"),
    ):
        count, oldest = (
            await session.exec(
                select(func.count(), func.min(LoginFailure.at)).where(
                    col(column) == key, col(LoginFailure.at) > since
                )
            )
        ).one()
        if count >= limit and oldest is not None:
            wait = oldest + policy.throttle_window - now
            return (
                f"Too many failed log-in attempts for {whose}. "
                f"Try again in {_minutes(wait)} minutes, or reset your password."
            )
    return None


async def authenticate(
    *,
    session: AsyncSession,
    email: str,
    password: str,
    ip_address: str,
    policy: AccountPolicy,
    now: dt.datetime | None = None,
) -> User:
    now = now or utcnow()
    key = email.strip().casefold()[:254]
    if message := await _throttle_wait(
        session=session, email=key, ip_address=ip_address, policy=policy, now=now
    ):
        raise Throttled(message)
    user = (await session.exec(select(User).where(User.email == key))).first()
    ok = await verify_password_off_loop(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        session.add(LoginFailure(email=key, ip_address=ip_address, at=now))
        await session.commit()
        raise NotAuthenticated(GENERIC_LOGIN_ERROR)
    await session.exec(delete(LoginFailure).where(col(LoginFailure.email) == key))
    await session.commit()
    return user


async def start_session(
    *,
    session: AsyncSession,
    user: User,
    policy: AccountPolicy,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Creates a login session and returns the token for the cookie (only its hash is stored)."""
    token = new_token()
    session.add(
        AuthSession(
            token_hash=token_digest(token),
            user_id=user.id or 0,
            expires_at=utcnow() + policy.session_ttl,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    await session.commit()
    return token


async def user_for_session(
    *, session: AsyncSession, token: str, now: dt.datetime | None = None
) -> tuple[User, AuthSession] | None:
    now = now or utcnow()
    row = (
        await session.exec(
            select(User, AuthSession)
            .join(AuthSession, col(AuthSession.user_id) == col(User.id))
            .where(
                AuthSession.token_hash == token_digest(token),
                col(AuthSession.revoked_at).is_(None),
                col(AuthSession.expires_at) > now,
                col(User.is_active).is_(True),
            )
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def end_session(*, session: AsyncSession, token: str) -> None:
    await session.exec(
        update(AuthSession)
        .where(col(AuthSession.token_hash) == token_digest(token))
        .values(revoked_at=utcnow())
    )
    await session.commit()


async def revoke_sessions(*, session: AsyncSession, user_id: int) -> None:
    await session.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    await session.commit()


async def create_organisation(
    *,
    session: AsyncSession,
    name: str,
    kind: str,
    timezone: str = "Europe/London",
    network_matching: bool = False,
) -> Organisation:
    name = check_text(name, field="name", label="Organisation name", max_length=200)
    if kind not in set(OrganisationKind):
        raise InvalidInput("Choose the kind of organisation.", field="kind")
    check_timezone(timezone)
    existing = (
        await session.exec(
            select(Organisation).where(func.lower(Organisation.name) == name.casefold())
        )
    ).first()
    if existing is not None:
        raise Conflict(f"An organisation called {name!r} already exists.", field="name")
    organisation = Organisation(
        name=name, kind=kind, timezone=timezone, network_matching=network_matching
    )
    session.add(organisation)
    await session.commit()
    return organisation


async def set_network_matching(
    *, session: AsyncSession, organisation_id: int, enabled: bool
) -> Organisation:
    """Lets (or stops) the organisation's mentees be matched with other organisations' mentors."""
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.", field="organisation_id")
    organisation.network_matching = enabled
    session.add(organisation)
    await session.commit()
    return organisation


async def create_user(
    *,
    session: AsyncSession,
    email: str,
    display_name: str,
    role: Role,
    organisation_id: int | None,
    password: str | None = None,
    timezone: str = "Europe/London",
    date_of_birth: dt.date | None = None,
    commit: bool = True,
) -> User:
    email = normalise_email(email)
    display_name = check_text(display_name, field="display_name", label="Name", max_length=100)
    check_timezone(timezone)
    if role in authz.ORGANISATION_ROLES and organisation_id is None:
        raise InvalidInput("This person needs an organisation.", field="organisation_id")
    if organisation_id is not None and await session.get(Organisation, organisation_id) is None:
        raise NotFound("No such organisation.", field="organisation_id")
    if date_of_birth is not None and not (dt.date(1900, 1, 1) < date_of_birth < utcnow().date()):
        raise InvalidInput("Enter a real date of birth.", field="date_of_birth")
    if password is not None:
        check_password(password, email=email)
    if (await session.exec(select(User.id).where(User.email == email))).first() is not None:
        raise Conflict("Someone already has an account with that e-mail address.", field="email")
    user = User(
        email=email,
        display_name=display_name,
        role=role,
        organisation_id=organisation_id,
        timezone=timezone,
        date_of_birth=date_of_birth,
        password_hash=await hash_password_off_loop(password) if password is not None else None,
        activated_at=utcnow() if password is not None else None,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:  # a concurrent request took the address between the check and here
        await session.rollback()
        raise Conflict(
            "Someone already has an account with that e-mail address.", field="email"
        ) from None
    if commit:
        await session.commit()
    return user


async def _issue_link(
    *,
    session: AsyncSession,
    user: User,
    purpose: TokenPurpose,
    ttl: dt.timedelta,
    created_by: User | None,
) -> str:
    token = new_token()
    session.add(
        AccountToken(
            token_hash=token_digest(token),
            purpose=purpose,
            user_id=user.id or 0,
            created_by_id=created_by.id if created_by else None,
            expires_at=utcnow() + ttl,
        )
    )
    return token


async def invite_user(
    *,
    session: AsyncSession,
    inviter: User,
    email: str,
    display_name: str,
    role: Role,
    base_url: str,
    policy: AccountPolicy,
    organisation_id: int | None = None,
    date_of_birth: dt.date | None = None,
) -> User:
    """Creates the account without a password and e-mails a single-use link to choose one."""
    organisation_id = authz.invitation_organisation(inviter, role, organisation_id)
    user = await create_user(
        session=session,
        email=email,
        display_name=display_name,
        role=role,
        organisation_id=organisation_id,
        date_of_birth=date_of_birth,
        commit=False,
    )
    token = await _issue_link(
        session=session,
        user=user,
        purpose=TokenPurpose.INVITATION,
        ttl=policy.invitation_ttl,
        created_by=inviter,
    )
    organisation = (
        await session.get(Organisation, organisation_id) if organisation_id is not None else None
    )
    subject, body = compose(
        "invitation",
        name=user.display_name,
        inviter=inviter.display_name,
        role=role.value,
        organisation=organisation.name if organisation else None,
        link=f"{base_url.rstrip('/')}/invitations/{token}",
        ttl_hours=int(policy.invitation_ttl.total_seconds() // 3600),
    )
    enqueue_email(session=session, to=user.email, subject=subject, body=body)
    await session.commit()
    return user


async def _valid_link(
    *, session: AsyncSession, token: str, purpose: TokenPurpose, now: dt.datetime
) -> tuple[AccountToken, User]:
    row = (
        await session.exec(
            select(AccountToken, User)
            .join(User, col(User.id) == col(AccountToken.user_id))
            .where(AccountToken.token_hash == token_digest(token), AccountToken.purpose == purpose)
        )
    ).first()
    if row is None:
        raise NotFound("This link is not valid. Check you copied all of it.")
    link, user = row
    if link.used_at is not None:
        raise Gone("This link has already been used. Log in, or ask for a new link.")
    if link.expires_at <= now:
        raise Gone("This link has expired. Ask for a new one.")
    if not user.is_active:
        raise Gone("This account has been disabled. Contact your coordinator.")
    return link, user


async def check_link(*, session: AsyncSession, token: str, purpose: TokenPurpose) -> User:
    """The user a still-valid link belongs to (for showing the set-password form)."""
    return (await _valid_link(session=session, token=token, purpose=purpose, now=utcnow()))[1]


async def redeem_link(
    *, session: AsyncSession, token: str, purpose: TokenPurpose, password: str
) -> User:
    """Sets the password through an invitation or reset link; the link then never works again."""
    now = utcnow()
    link, user = await _valid_link(session=session, token=token, purpose=purpose, now=now)
    check_password(password, email=user.email)
    # Conditional update: of two simultaneous uses of one link, only one succeeds.
    used = await session.exec(
        update(AccountToken)
        .where(col(AccountToken.id) == link.id, col(AccountToken.used_at).is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:
        await session.rollback()
        raise Gone("This link has already been used. Log in, or ask for a new link.")
    user.password_hash = await hash_password_off_loop(password)
    user.activated_at = user.activated_at or now
    session.add(user)
    await session.commit()
    if purpose is TokenPurpose.PASSWORD_RESET:
        await revoke_sessions(session=session, user_id=user.id or 0)
    return user


async def request_password_reset(
    *, session: AsyncSession, email: str, base_url: str, policy: AccountPolicy
) -> None:
    """E-mails a reset link if the account exists; says nothing either way (no account probing)."""
    key = email.strip().casefold()[:254]
    user = (await session.exec(select(User).where(User.email == key))).first()
    if user is None or not user.is_active:
        return
    token = await _issue_link(
        session=session,
        user=user,
        purpose=TokenPurpose.PASSWORD_RESET,
        ttl=policy.password_reset_ttl,
        created_by=None,
    )
    subject, body = compose(
        "password_reset",
        name=user.display_name,
        link=f"{base_url.rstrip('/')}/password-reset/{token}",
        ttl_hours=int(policy.password_reset_ttl.total_seconds() // 3600),
    )
    enqueue_email(session=session, to=user.email, subject=subject, body=body)
    await session.commit()


async def set_active(*, session: AsyncSession, actor: User, target: User, active: bool) -> User:
    """Disables or re-enables an account; disabling ends its sessions at once."""
    authz.ensure_can_manage_user(actor, target)
    target.is_active = active
    session.add(target)
    await session.commit()
    if not active:
        await revoke_sessions(session=session, user_id=target.id or 0)
    return target
