"""ICS invitations and feeds that Google Calendar and Outlook match up by UID and SEQUENCE."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from server.scheduling.ics import CalendarEvent, feed, invitation


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def make_event(**changes: Any) -> CalendarEvent:
    event = CalendarEvent(
        uid="meeting-42@mentormeet.example",
        sequence=0,
        starts_at=utc(2026, 6, 10, 16),
        ends_at=utc(2026, 6, 10, 17),
        summary="Mentoring: Sam and Alex",
        description="Fortnightly catch-up",
        url="https://mentormeet.example/rooms/42",
        organizer=("Priya Shah", "priya@charity.example"),
        attendees=(("Sam Jones", "sam@example.org"), ("Alex Kim", "alex@example.org")),
        updated_at=utc(2026, 6, 1, 9, 15),
    )
    return dataclasses.replace(event, **changes)


def parse(data: bytes) -> tuple[Calendar, list[Any]]:
    calendar = Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def test_request_carries_what_calendar_clients_need() -> None:
    data = invitation([make_event()], method="REQUEST")
    assert isinstance(data, bytes)
    calendar, (event,) = parse(data)
    assert calendar["PRODID"] == "-//mentormeet//EN"
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == "meeting-42@mentormeet.example"
    assert event.decoded("SEQUENCE") == 0
    assert event.decoded("DTSTAMP") == utc(2026, 6, 1, 9, 15)
    assert event.decoded("LAST-MODIFIED") == utc(2026, 6, 1, 9, 15)
    assert event["STATUS"] == "CONFIRMED"
    assert event["URL"] == event["LOCATION"] == "https://mentormeet.example/rooms/42"
    # Start and end are written in UTC (the Z form), so no VTIMEZONE is needed.
    assert b"DTSTART:20260610T160000Z" in data
    assert b"DTEND:20260610T170000Z" in data
    assert event.decoded("DTSTART") == utc(2026, 6, 10, 16)
    assert event.decoded("DTEND") == utc(2026, 6, 10, 17)


def test_update_keeps_the_uid_and_raises_the_sequence() -> None:
    first = make_event()
    moved = dataclasses.replace(
        first,
        sequence=first.sequence + 1,
        starts_at=utc(2026, 6, 11, 16),
        ends_at=utc(2026, 6, 11, 17),
        updated_at=utc(2026, 6, 2, 8),
    )
    _, (before,) = parse(invitation([first], method="REQUEST"))
    _, (after,) = parse(invitation([moved], method="REQUEST"))
    assert after["UID"] == before["UID"]
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE") + 1 == 1
    assert after.decoded("DTSTART") == utc(2026, 6, 11, 16)
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")


def test_cancel_has_method_and_status_cancelled() -> None:
    data = invitation([make_event(sequence=2)], method="CANCEL")
    calendar, (event,) = parse(data)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == "meeting-42@mentormeet.example"
    assert event.decoded("SEQUENCE") == 2
    assert b"METHOD:CANCEL" in data
    assert b"STATUS:CANCELLED" in data


def test_request_for_a_cancelled_event_still_says_cancelled() -> None:
    _, (event,) = parse(invitation([make_event(cancelled=True)], method="REQUEST"))
    assert event["STATUS"] == "CANCELLED"


def test_organizer_and_attendees_have_name_and_mailto() -> None:
    _, (event,) = parse(invitation([make_event()], method="REQUEST"))
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:priya@charity.example"
    assert organizer.params["CN"] == "Priya Shah"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:sam@example.org", "mailto:alex@example.org"]
    for attendee, name in zip(attendees, ["Sam Jones", "Alex Kim"], strict=True):
        assert attendee.params["CN"] == name
        # Coordinators book for people: already accepted, and no RSVP buttons.
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["RSVP"] == "FALSE"
        assert attendee.params["PARTSTAT"] == "ACCEPTED"


def test_awkward_text_and_names_round_trip() -> None:
    summary = "Catch-up, goals; next steps \\ review"
    description = "Line one\nLine two, with commas; and semicolons\n\nZoë says: “café” ✓"
    organizer = ("O'Brien, Zoë; coordinator", "zoe@charity.example")
    attendees = (("Siân Llŷr", "sian@example.org"), ("محمد علي", "m.ali@example.org"))
    event = make_event(
        summary=summary, description=description, organizer=organizer, attendees=attendees
    )
    for data in (invitation([event], method="REQUEST"), feed([event], name="Zoë's meetings")):
        # Folding splits long lines at 75 octets; the parser must undo it without breaking UTF-8.
        assert all(len(line) <= 75 for line in data.split(b"\r\n"))
        _, (parsed,) = parse(data)
        assert str(parsed["SUMMARY"]) == summary
        assert str(parsed["DESCRIPTION"]) == description
        assert parsed["ORGANIZER"].params["CN"] == organizer[0]
        assert str(parsed["ORGANIZER"]) == "mailto:zoe@charity.example"
        assert [a.params["CN"] for a in parsed["ATTENDEE"]] == [name for name, _ in attendees]


def test_feed_lists_events_by_name_and_keeps_cancelled_ones() -> None:
    live = make_event()
    gone = make_event(uid="meeting-43@mentormeet.example", sequence=3, cancelled=True)
    data = feed([live, gone], name="Sam's mentoring")
    calendar, events = parse(data)
    assert "METHOD" not in calendar
    assert calendar["X-WR-CALNAME"] == "Sam's mentoring"
    assert calendar["PRODID"] == "-//mentormeet//EN"
    assert [(e["UID"], e["STATUS"]) for e in events] == [
        ("meeting-42@mentormeet.example", "CONFIRMED"),
        ("meeting-43@mentormeet.example", "CANCELLED"),
    ]


def test_empty_feed_is_a_valid_calendar() -> None:
    calendar, events = parse(feed([], name="Nothing yet"))
    assert events == []
    assert calendar["X-WR-CALNAME"] == "Nothing yet"


def test_same_events_give_the_same_bytes() -> None:
    # Stable output lets the feed endpoint use ETags and keeps e-mails reproducible in tests.
    events = [make_event()]
    assert feed(events, name="Feed") == feed(events, name="Feed")
    assert invitation(events, method="REQUEST") == invitation(events, method="REQUEST")


def test_times_in_other_zones_are_written_in_utc() -> None:
    london = ZoneInfo("Europe/London")
    event = make_event(
        starts_at=dt.datetime(2026, 6, 10, 17, tzinfo=london),
        ends_at=dt.datetime(2026, 6, 10, 18, tzinfo=london),
    )
    data = invitation([event], method="REQUEST")
    assert b"DTSTART:20260610T160000Z" in data
    assert b"DTEND:20260610T170000Z" in data


def test_naive_or_backwards_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_event(starts_at=dt.datetime(2026, 6, 10, 16))
    with pytest.raises(ValueError, match="after"):
        make_event(ends_at=utc(2026, 6, 10, 15))


def test_invitation_needs_an_event() -> None:
    with pytest.raises(ValueError, match="at least one"):
        invitation([], method="REQUEST")
