"""Calendar files for meetings: iTIP invitations for e-mail and a subscribable feed.

Clients match events by UID and take the highest SEQUENCE, so a reschedule or cancel sent with
the same UID and a bigger SEQUENCE updates the event people already have (RFC 5545/5546).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from icalendar import Calendar, Event, vCalAddress
from icalendar.enums import STATUS

PRODID = "-//mentormeet//EN"
# Suggested polling interval for feed subscribers (RFC 7986); clients may poll less often.
FEED_REFRESH = dt.timedelta(hours=1)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable across reschedules, e.g. "meeting-42@mentormeet.example"
    sequence: int  # incremented on every change
    starts_at: dt.datetime  # aware
    ends_at: dt.datetime  # aware
    summary: str
    description: str
    url: str  # link to the meeting room
    organizer: tuple[str, str]  # (name, email)
    attendees: tuple[tuple[str, str], ...]  # (name, email)
    updated_at: dt.datetime  # aware; becomes DTSTAMP and LAST-MODIFIED
    cancelled: bool = False

    def __post_init__(self) -> None:
        # A naive datetime would be written as "floating" local time and land at a different
        # instant in every reader's zone, so refuse it outright.
        for name in ("starts_at", "ends_at", "updated_at"):
            value: dt.datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"CalendarEvent.{name} must be timezone-aware")
        if self.ends_at <= self.starts_at:
            raise ValueError("CalendarEvent.ends_at must be after starts_at")


def invitation(events: Sequence[CalendarEvent], *, method: Literal["REQUEST", "CANCEL"]) -> bytes:
    """The .ics attached to a booking, reschedule or cancellation e-mail."""
    if not events:
        raise ValueError("an invitation needs at least one event")
    calendar = _calendar()
    calendar.method = method
    for event in events:
        calendar.add_component(_vevent(event, cancelled=method == "CANCEL" or event.cancelled))
    return bytes(calendar.to_ical())


def feed(events: Sequence[CalendarEvent], *, name: str) -> bytes:
    """A subscribable calendar; cancelled events stay in it so subscribers remove them."""
    calendar = _calendar()
    calendar.calendar_name = name  # written as both NAME (RFC 7986) and X-WR-CALNAME
    calendar.refresh_interval = FEED_REFRESH
    for event in events:
        calendar.add_component(_vevent(event, cancelled=event.cancelled))
    return bytes(calendar.to_ical())


def _calendar() -> Calendar:
    # Not Calendar.new(): in icalendar 7 it stamps a random UID on the VCALENDAR, which would
    # make the same meetings produce different bytes each time.
    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    return calendar


def _vevent(event: CalendarEvent, *, cancelled: bool) -> Event:
    updated = _utc(event.updated_at)
    organizer_name, organizer_email = event.organizer
    return Event.new(
        uid=event.uid,
        sequence=event.sequence,
        stamp=updated,
        last_modified=updated,
        start=_utc(event.starts_at),
        end=_utc(event.ends_at),
        summary=event.summary,
        description=event.description,
        url=event.url,
        location=event.url,  # shown by clients that ignore URL (Outlook among them)
        organizer=vCalAddress.new(organizer_email, cn=organizer_name),
        attendees=[
            # Coordinators book for people, so attendance is already agreed: no RSVP buttons.
            vCalAddress.new(email, cn=name, role="REQ-PARTICIPANT", rsvp=False, partstat="ACCEPTED")
            for name, email in event.attendees
        ],
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)
