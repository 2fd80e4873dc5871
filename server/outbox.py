"""E-mail outbox: messages are stored in the sender's transaction and delivered by the worker.

Delivery claims one message at a time with a conditional UPDATE, so two workers never send the
same message; failures are retried with exponential backoff and give up after MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from email.message import EmailMessage

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import Database, utcnow
from server.models import OutboxEmail, OutboxStatus

log = logging.getLogger("mentormeet.outbox")

MAX_ATTEMPTS = 8
CLAIM_LEASE = dt.timedelta(minutes=5)

Transport = Callable[[EmailMessage], Awaitable[None]]


def enqueue_email(
    *,
    session: AsyncSession,
    to: str,
    subject: str,
    body: str,
    calendar: bytes | None = None,
    calendar_method: str | None = None,
) -> OutboxEmail:
    """Adds the message to the caller's transaction: it is sent only if that commits."""
    email = OutboxEmail(
        to_address=to,
        subject=subject,
        body_text=body,
        calendar=calendar.decode() if calendar is not None else None,
        calendar_method=calendar_method,
    )
    session.add(email)
    return email


def retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def build_message(email: OutboxEmail, *, sender: str, message_domain: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    # Stable id: should a retry after a crash ever repeat a message, mail systems de-duplicate it.
    message["Message-ID"] = f"<outbox-{email.id}@{message_domain}>"
    message.set_content(email.body_text)
    if email.calendar is not None:
        # Calendar programs read the method from the part's parameters as well as the file.
        message.add_attachment(
            email.calendar.encode(),
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": email.calendar_method or "PUBLISH"},
        )
    return message


async def _claim_next(db: Database, now: dt.datetime) -> OutboxEmail | None:
    async with db.session() as session:
        due = or_(
            (col(OutboxEmail.status) == OutboxStatus.PENDING)
            & (col(OutboxEmail.next_attempt_at) <= now),
            # A worker that died mid-send leaves its lease behind; take the message over.
            (col(OutboxEmail.status) == OutboxStatus.SENDING)
            & (col(OutboxEmail.claimed_until) < now),
        )
        candidate = (
            await session.exec(
                select(OutboxEmail).where(due).order_by(col(OutboxEmail.id)).limit(1)
            )
        ).first()
        if candidate is None:
            return None
        claimed = await session.exec(
            update(OutboxEmail)
            .where(col(OutboxEmail.id) == candidate.id, due)
            .values(
                status=OutboxStatus.SENDING,
                claimed_until=now + CLAIM_LEASE,
                attempts=OutboxEmail.attempts + 1,
            )
        )
        await session.commit()
        if claimed.rowcount != 1:
            return None  # another worker took it first
        await session.refresh(candidate)
        return candidate


async def _record_result(db: Database, email: OutboxEmail, error: str | None) -> None:
    async with db.session() as session:
        row = await session.get(OutboxEmail, email.id)
        assert row is not None
        now = utcnow()
        row.claimed_until = None
        if error is None:
            row.status = OutboxStatus.SENT
            row.sent_at = now
            row.last_error = None
        elif row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.FAILED
            row.last_error = error[:500]
        else:
            row.status = OutboxStatus.PENDING
            row.next_attempt_at = now + retry_delay(row.attempts)
            row.last_error = error[:500]
        await session.commit()


async def deliver_due(
    db: Database, transport: Transport, *, sender: str, message_domain: str
) -> int:
    """Sends every message that is due; returns how many were sent."""
    sent = 0
    while (email := await _claim_next(db, utcnow())) is not None:
        try:
            await transport(build_message(email, sender=sender, message_domain=message_domain))
        except Exception as error:  # any transport failure is retried later
            log.warning("e-mail %s to %s failed: %s", email.id, email.to_address, error)
            await _record_result(db, email, f"{type(error).__name__}: {error}")
        else:
            await _record_result(db, email, None)
            sent += 1
    return sent
