"""Background work: meeting reminders, unread-message alerts, concern escalations, e-mail
delivery and the nightly retention purge."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from urllib.parse import urlsplit

from server.chat.alerts import send_message_alerts
from server.concern_cases import escalate_overdue
from server.db import Database, utcnow
from server.outbox import Transport, deliver_due
from server.retention import run_nightly_purge
from server.scheduling.reminders import send_due_reminders
from server.settings import Settings
from server.smtp import transport_for
from server.surveys import send_survey_reminders
from server.vetting_warnings import send_lapse_warnings

log = logging.getLogger("mentormeet.worker")


class Worker:
    """Runs the delivery loop; `wake()` makes it look at the outbox at once."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        transport: Transport | None = None,
        poll_seconds: float = 5.0,
    ) -> None:
        self._db = db
        self._base_url = settings.base_url
        self._sender = settings.mail_from
        self._message_domain = urlsplit(settings.base_url).hostname or "mentormeet.invalid"
        self._transport = transport or transport_for(settings.smtp_url)
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._warned_on: dt.date | None = None
        self._purge_hour = settings.retention_purge_hour_utc
        self._purged_on: dt.date | None = None
        self._escalate_after = dt.timedelta(hours=settings.concern_escalation_hours)
        self._alert_after = dt.timedelta(minutes=settings.message_alert_minutes)

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Queues due meeting and survey reminders, unread-message alerts, concern escalations
        (and, daily, vetting warnings), purges what is past its retention period (nightly), then
        delivers what is due; returns the e-mails sent."""
        now = utcnow()
        await send_due_reminders(self._db, now=now, base_url=self._base_url)
        await send_message_alerts(
            self._db, now=now, base_url=self._base_url, delay=self._alert_after
        )
        await send_survey_reminders(self._db, now=now, base_url=self._base_url)
        if self._warned_on != now.date():  # checks lapse by the day: look once a day
            await send_lapse_warnings(self._db, today=now.date(), base_url=self._base_url)
            self._warned_on = now.date()
        await escalate_overdue(
            self._db, now=now, escalate_after=self._escalate_after, base_url=self._base_url
        )
        if self._purged_on != now.date() and now.hour >= self._purge_hour:
            # One attempt a night (the day's job_run row stops other workers running it again);
            # a failure must not hold up e-mail, and tomorrow's run catches up.
            self._purged_on = now.date()
            try:
                await run_nightly_purge(self._db, now=now, hour_utc=self._purge_hour)
            except Exception:
                log.exception("retention purge failed; it runs again tomorrow")
        return await deliver_due(
            self._db, self._transport, sender=self._sender, message_domain=self._message_domain
        )

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # keep the worker alive through a database hiccup
                log.exception("outbox delivery failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="mentormeet-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
