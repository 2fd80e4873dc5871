"""The live screener: built from the phrase list in the database and rebuilt when it changes."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import Database
from server.models import RiskTermRow
from server.risk_model import RiskModel, trained_risk_model
from server.screening import DEFAULT_RISK_TERMS, RiskTerm, Screener, Severity

log = logging.getLogger("mentormeet.screening")

Fingerprint = tuple[int, dt.datetime | None]


async def stored_risk_terms(*, session: AsyncSession) -> tuple[RiskTerm, ...]:
    rows = (await session.exec(select(RiskTermRow).order_by(RiskTermRow.phrase))).all()
    return tuple(RiskTerm(row.phrase, Severity(row.severity), row.category) for row in rows)


async def _fingerprint(session: AsyncSession) -> Fingerprint:
    """Changes whenever a phrase is added, edited or removed (one cheap query)."""
    count, latest = (
        await session.exec(select(func.count(), func.max(RiskTermRow.updated_at)))
    ).one()
    return count, latest


class ScreeningRules:
    """Holds the current screener; compiling happens once per change, never per message."""

    def __init__(self) -> None:
        self._model: RiskModel | None = None
        self.screener = Screener(DEFAULT_RISK_TERMS)
        self._loaded: Fingerprint | None = None

    async def load_model(self) -> None:
        """Trains the risk model (about 2 s, once per process, in a child) off the event loop.

        The screener uses it from the next :meth:`reload` on (compiling the phrases takes ~65 ms:
        once at start-up is enough).
        """
        self._model = await asyncio.to_thread(trained_risk_model)

    async def reload(self, *, session: AsyncSession) -> None:
        self._loaded = await _fingerprint(session)
        self.screener = Screener(await stored_risk_terms(session=session), model=self._model)

    async def refresh_if_changed(self, *, session: AsyncSession) -> bool:
        if await _fingerprint(session) == self._loaded:
            return False
        await self.reload(session=session)
        return True

    async def keep_fresh(self, db: Database, *, every: float) -> None:
        """Picks up phrase-list changes made through another process (several web processes)."""
        while True:
            await asyncio.sleep(every)
            try:
                async with db.session() as session:
                    if await self.refresh_if_changed(session=session):
                        log.info("phrase list changed elsewhere: screener rebuilt")
            except Exception:  # a database hiccup must not stop screening with the last list
                log.exception("could not check the phrase list; keeping the current one")
