"""The live screener: built from the phrase list in the database and rebuilt when it changes."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.models import RiskTermRow
from server.screening import DEFAULT_RISK_TERMS, RiskTerm, Screener, Severity


async def stored_risk_terms(*, session: AsyncSession) -> tuple[RiskTerm, ...]:
    rows = (await session.exec(select(RiskTermRow).order_by(RiskTermRow.phrase))).all()
    return tuple(RiskTerm(row.phrase, Severity(row.severity), row.category) for row in rows)


class ScreeningRules:
    """Holds the current screener; compiling happens once per change, never per message."""

    def __init__(self) -> None:
        self.screener = Screener(DEFAULT_RISK_TERMS)

    async def reload(self, *, session: AsyncSession) -> None:
        self.screener = Screener(await stored_risk_terms(session=session))
