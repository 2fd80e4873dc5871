"""Expand a meeting's recurrence into UTC instants that keep the local wall-clock time.

Occurrences are stepped on the naive local clock and only then resolved in the zone, so a weekly
17:00 meeting stays at 17:00 for the people in it when the clocks change (DESIGN.md decision 5).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import zoneinfo
from dataclasses import dataclass

from server.errors import InvalidInput

MAX_OCCURRENCES = 52


class Frequency(enum.StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"


_STEP = {
    Frequency.ONCE: dt.timedelta(0),
    Frequency.WEEKLY: dt.timedelta(weeks=1),
    Frequency.FORTNIGHTLY: dt.timedelta(weeks=2),
}


@dataclass(frozen=True)
class Recurrence:
    frequency: Frequency
    count: int | None = None  # number of occurrences (1..MAX_OCCURRENCES)
    until: dt.date | None = None  # last local date (inclusive)


def occurrences(
    local_start: dt.datetime, timezone: str, recurrence: Recurrence
) -> list[dt.datetime]:
    """Aware UTC start times, one per occurrence, all at `local_start`'s wall-clock time.

    `local_start` is naive and read in `timezone`. A time that falls in a spring-forward gap moves
    forward by the gap; an ambiguous autumn time takes its first (summer-time) instance.
    """
    if local_start.tzinfo is not None:
        # A programming error, not bad input: callers must hand over the wall-clock time.
        raise ValueError("local_start must be a naive wall-clock datetime")
    zone = zone_named(timezone)
    step = _STEP[_frequency(recurrence.frequency)]
    total = _count(local_start.date(), step, recurrence)
    return [_to_utc(local_start + step * i, zone) for i in range(total)]


def zone_named(timezone: str) -> zoneinfo.ZoneInfo:
    """The IANA zone called `timezone`, or InvalidInput for anything else."""
    # Checking the list (rather than catching ZoneInfo's errors) refuses wrong case, directory
    # names like "Europe" (ZoneInfo raises IsADirectoryError) and path tricks in one place.
    if timezone not in _known_zones():
        raise InvalidInput(
            "Choose a time zone from the list, e.g. Europe/London.", field="timezone"
        )
    return zoneinfo.ZoneInfo(timezone)


@functools.cache
def _known_zones() -> frozenset[str]:
    # "localtime" is a system symlink to the server's own zone, and "Factory" is a placeholder
    # zone: neither names a place, and the former would mean different things on different hosts.
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory"}


def _frequency(value: str) -> Frequency:
    # Accept the plain string too: values arriving from forms and JSON may not be the enum yet.
    try:
        return Frequency(value)
    except ValueError:
        raise InvalidInput(
            "Choose how often: once, weekly or fortnightly.", field="frequency"
        ) from None


def _count(first_date: dt.date, step: dt.timedelta, recurrence: Recurrence) -> int:
    count, until = recurrence.count, recurrence.until
    if not step:
        if count is not None:
            raise InvalidInput("A one-off meeting has no number of repeats.", field="count")
        if until is not None:
            raise InvalidInput("A one-off meeting has no end date.", field="until")
        return 1
    if count is not None and until is not None:
        raise InvalidInput("Choose a number of meetings or an end date, not both.", field="until")
    if count is not None:
        # bool is an int; True must not sneak through as "1 meeting".
        if isinstance(count, bool) or not 1 <= count <= MAX_OCCURRENCES:
            raise InvalidInput(f"Choose how many meetings (1 to {MAX_OCCURRENCES}).", field="count")
        return count
    if until is None:
        raise InvalidInput("Choose how many meetings or the date of the last one.", field="count")
    if until < first_date:
        raise InvalidInput("The end date must be on or after the first meeting.", field="until")
    total = (until - first_date).days // step.days + 1
    if total > MAX_OCCURRENCES:
        # Refuse rather than silently cut the series short of the date the person chose.
        raise InvalidInput(
            f"That end date gives {total} meetings; the most is {MAX_OCCURRENCES}.",
            field="until",
        )
    return total


def _to_utc(local: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    # With fold=0 zoneinfo applies the offset in force *before* a transition (PEP 495). For an
    # ambiguous autumn time that is the first instance (BST); for a non-existent spring time it
    # is the winter offset, which lands the instant exactly one gap later (01:30 -> 02:30 BST).
    return local.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)
