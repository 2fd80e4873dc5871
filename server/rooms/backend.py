"""The platform's side of the live room engine: admission and attendance."""

from __future__ import annotations

import datetime as dt

from server.db import Database
from server.errors import DomainError
from server.models import User
from server.rooms import attendance
from server.rooms.admission import RoomRole, admit
from sessions.contracts import Participant, Refused, RoomAccess


class RoomBackendService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def admit(self, who: Participant, meeting_id: int) -> RoomAccess:
        try:
            async with self._db.session() as session:
                user = await session.get(User, who.user_id)
                if user is None or not user.is_active:
                    raise Refused("Your account is not active.")
                admission = await admit(session=session, user=user, meeting_id=meeting_id)
        except DomainError as error:
            raise Refused(error.message, field=error.field) from None
        return RoomAccess(
            meeting_id=meeting_id,
            observer=admission.role is RoomRole.OBSERVER,
            closes_at=admission.closes_at,
        )

    async def record_presence(self, who: Participant, access: RoomAccess, joined: bool) -> None:
        async with self._db.session() as session:
            await attendance.record_presence(
                session=session,
                meeting_id=access.meeting_id,
                user_id=who.user_id,
                joined=joined,
                observer=access.observer,
            )

    async def record_media(
        self, who: Participant, access: RoomAccess, started: dt.datetime, seconds: float
    ) -> None:
        async with self._db.session() as session:
            await attendance.record_media(
                session=session,
                meeting_id=access.meeting_id,
                user_id=who.user_id,
                started=started,
                seconds=seconds,
            )
