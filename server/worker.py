"""Background work: meeting reminders and e-mail delivery."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from urllib.parse import urlsplit

from server.db import Database, utcnow
from server.outbox import Transport, deliver_due
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

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Queues due meeting and survey reminders (and, daily, vetting warnings), then
        delivers what is due; returns the e-mails sent."""
        now = utcnow()
        await send_due_reminders(self._db, now=now, base_url=self._base_url)
        await send_survey_reminders(self._db, now=now, base_url=self._base_url)
        if self._warned_on != now.date():  # checks lapse by the day: look once a day
            await send_lapse_warnings(self._db, today=now.date(), base_url=self._base_url)
            self._warned_on = now.date()
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
