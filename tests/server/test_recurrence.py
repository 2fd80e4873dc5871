"""Recurring meetings keep their local wall-clock time across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from server.errors import InvalidInput
from server.scheduling.ics import CalendarEvent, feed
from server.scheduling.recurrence import MAX_OCCURRENCES, Frequency, Recurrence, occurrences

LONDON = ZoneInfo("Europe/London")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def test_weekly_london_series_stays_at_1700_across_both_changes_and_the_feed_agrees() -> None:
    # Mondays from mid-March to early November 2026: clocks go forward on Sunday 29 March and
    # back on Sunday 25 October.
    starts = occurrences(
        dt.datetime(2026, 3, 16, 17, 0),
        "Europe/London",
        Recurrence(Frequency.WEEKLY, until=dt.date(2026, 11, 2)),
    )
    assert len(starts) == 34
    assert starts[0] == utc(2026, 3, 16, 17)  # GMT
    assert starts[2] == utc(2026, 3, 30, 16)  # first Monday of BST
    assert starts[-3] == utc(2026, 10, 19, 16)  # last Monday of BST
    assert starts[-2] == utc(2026, 10, 26, 17)  # GMT again
    assert starts[-1] == utc(2026, 11, 2, 17)

    events = [
        CalendarEvent(
            uid=f"meeting-{i}@mentormeet.example",
            sequence=0,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            summary="Mentoring",
            description="Weekly catch-up",
            url=f"https://mentormeet.example/rooms/{i}",
            organizer=("Coordinator", "coordinator@example.org"),
            attendees=(("Mentor", "mentor@example.org"), ("Mentee", "mentee@example.org")),
            updated_at=utc(2026, 3, 1, 9),
        )
        for i, start in enumerate(starts)
    ]
    parsed = Calendar.from_ical(feed(events, name="Mentoring"))
    parsed_starts = [event.decoded("DTSTART") for event in parsed.walk("VEVENT")]
    assert parsed_starts == starts
    for start in parsed_starts:
        local = start.astimezone(LONDON)
        assert local.time() == dt.time(17, 0)
        summer = local.utcoffset() == dt.timedelta(hours=1)
        assert start.astimezone(dt.UTC).hour == (16 if summer else 17)
    summer_flags = [s.astimezone(LONDON).dst() != dt.timedelta(0) for s in parsed_starts]
    assert summer_flags == [False] * 2 + [True] * 30 + [False] * 2


def test_once_is_a_single_occurrence() -> None:
    assert occurrences(
        dt.datetime(2026, 7, 1, 9, 30), "Europe/London", Recurrence(Frequency.ONCE)
    ) == [utc(2026, 7, 1, 8, 30)]


def test_fortnightly_until_is_inclusive_of_the_last_date() -> None:
    start = dt.datetime(2026, 1, 5, 10, 0)
    fortnightly = Frequency.FORTNIGHTLY
    on_date = occurrences(
        start, "Europe/London", Recurrence(fortnightly, until=dt.date(2026, 2, 16))
    )
    assert on_date == [utc(2026, 1, 5, 10), utc(2026, 1, 19, 10), utc(2026, 2, 2, 10),
                       utc(2026, 2, 16, 10)]  # fmt: skip
    day_before = occurrences(
        start, "Europe/London", Recurrence(fortnightly, until=dt.date(2026, 2, 15))
    )
    assert day_before == on_date[:3]
    same_day = occurrences(start, "Europe/London", Recurrence(fortnightly, until=start.date()))
    assert same_day == on_date[:1]


def test_fortnightly_across_the_spring_change_keeps_local_time() -> None:
    starts = occurrences(
        dt.datetime(2026, 3, 18, 16, 15),
        "Europe/London",
        Recurrence(Frequency.FORTNIGHTLY, count=3),
    )
    assert starts == [utc(2026, 3, 18, 16, 15), utc(2026, 4, 1, 15, 15), utc(2026, 4, 15, 15, 15)]


def test_count_limits() -> None:
    start = dt.datetime(2026, 1, 1, 12, 0)
    assert len(occurrences(start, "Europe/London", Recurrence(Frequency.WEEKLY, count=1))) == 1
    most = occurrences(start, "Europe/London", Recurrence(Frequency.WEEKLY, count=MAX_OCCURRENCES))
    assert len(most) == 52
    assert most[-1].astimezone(LONDON).replace(tzinfo=None) == start + dt.timedelta(weeks=51)
    # An end date giving exactly 52 meetings is fine; one more week is refused.
    last = (start + dt.timedelta(weeks=51)).date()
    weekly_until = Recurrence(Frequency.WEEKLY, until=last)
    assert occurrences(start, "Europe/London", weekly_until) == most
    with pytest.raises(InvalidInput) as error:
        occurrences(
            start, "Europe/London", Recurrence(Frequency.WEEKLY, until=last + dt.timedelta(7))
        )
    assert error.value.field == "until"
    assert "53" in error.value.message


def test_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    # 01:30 on Sunday 29 March 2026 does not exist in London: clocks jump 01:00 GMT -> 02:00 BST.
    starts = occurrences(
        dt.datetime(2026, 3, 22, 1, 30), "Europe/London", Recurrence(Frequency.WEEKLY, count=3)
    )
    assert starts == [utc(2026, 3, 22, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 4, 5, 0, 30)]
    assert starts[1].astimezone(LONDON).time() == dt.time(2, 30)
    # Only the occurrence in the gap moves; the next is back at 01:30.
    assert starts[2].astimezone(LONDON).time() == dt.time(1, 30)


def test_ambiguous_autumn_time_takes_the_first_instance() -> None:
    # 01:30 on Sunday 25 October 2026 happens twice in London; the first is BST (00:30Z).
    starts = occurrences(
        dt.datetime(2026, 10, 18, 1, 30), "Europe/London", Recurrence(Frequency.WEEKLY, count=3)
    )
    assert starts == [utc(2026, 10, 18, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 11, 1, 1, 30)]
    assert starts[1].astimezone(LONDON).dst() == dt.timedelta(hours=1)


def test_new_york_changes_on_different_dates() -> None:
    weekly = Recurrence(Frequency.WEEKLY, count=3)
    spring = occurrences(dt.datetime(2026, 3, 1, 9, 0), "America/New_York", weekly)
    assert spring == [utc(2026, 3, 1, 14), utc(2026, 3, 8, 13), utc(2026, 3, 15, 13)]
    autumn = occurrences(dt.datetime(2026, 10, 25, 9, 0), "America/New_York", weekly)
    assert autumn == [utc(2026, 10, 25, 13), utc(2026, 11, 1, 14), utc(2026, 11, 8, 14)]


def test_sydney_daylight_saving_runs_the_other_way() -> None:
    weekly = Recurrence(Frequency.WEEKLY, count=3)
    # Summer time (AEDT, +11) ends on Sunday 5 April 2026 ...
    april = occurrences(dt.datetime(2026, 3, 29, 18, 0), "Australia/Sydney", weekly)
    assert april == [utc(2026, 3, 29, 7), utc(2026, 4, 5, 8), utc(2026, 4, 12, 8)]
    # ... and starts again on Sunday 4 October 2026.
    october = occurrences(dt.datetime(2026, 9, 27, 18, 0), "Australia/Sydney", weekly)
    assert october == [utc(2026, 9, 27, 8), utc(2026, 10, 4, 7), utc(2026, 10, 11, 7)]
    sydney = ZoneInfo("Australia/Sydney")
    assert {s.astimezone(sydney).time() for s in april + october} == {dt.time(18, 0)}


@pytest.mark.parametrize(
    ("recurrence", "field"),
    [
        (Recurrence(Frequency.WEEKLY, count=0), "count"),
        (Recurrence(Frequency.WEEKLY, count=53), "count"),
        (Recurrence(Frequency.WEEKLY, count=-1), "count"),
        (Recurrence(Frequency.WEEKLY, count=True), "count"),
        (Recurrence(Frequency.FORTNIGHTLY, count=4, until=dt.date(2026, 6, 1)), "until"),
        (Recurrence(Frequency.WEEKLY), "count"),
        (Recurrence(Frequency.FORTNIGHTLY), "count"),
        (Recurrence(Frequency.WEEKLY, until=dt.date(2026, 4, 30)), "until"),
        (Recurrence(Frequency.ONCE, count=1), "count"),
        (Recurrence(Frequency.ONCE, until=dt.date(2026, 6, 1)), "until"),
        (Recurrence("monthly", count=3), "frequency"),  # type: ignore[arg-type]
    ],
)
def test_invalid_recurrence_is_refused_with_the_field(recurrence: Recurrence, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        occurrences(dt.datetime(2026, 5, 1, 17, 0), "Europe/London", recurrence)
    assert error.value.field == field
    assert error.value.message


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus_Mons", "Europe", "europe/london", "", "localtime", "../etc/passwd",
     "Europe/London\x00", "GMT+25", "Factory"],
)  # fmt: skip
def test_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(InvalidInput) as error:
        occurrences(dt.datetime(2026, 5, 1, 17, 0), zone, Recurrence(Frequency.ONCE))
    assert error.value.field == "timezone"


def test_aware_start_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="naive"):
        occurrences(utc(2026, 5, 1, 17), "Europe/London", Recurrence(Frequency.ONCE))
