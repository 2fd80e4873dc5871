"""Attendance statuses from measured media time."""

from __future__ import annotations

import datetime as dt

import pytest

from server.models import Attendance, Meeting
from server.rooms.attendance import AttendanceStatus, status_of

START = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
MEETING = Meeting(id=1, pairing_id=1, starts_at=START, duration_minutes=60)


@pytest.mark.parametrize(
    ("first_media_minutes", "media_seconds", "now_minutes", "expected"),
    [
        (None, 0, -10, AttendanceStatus.UPCOMING),
        (None, 0, 30, AttendanceStatus.NOT_JOINED_YET),  # still running: not yet a no-show
        (2, 30, 30, AttendanceStatus.NOT_JOINED_YET),
        (None, 0, 61, AttendanceStatus.NO_SHOW),
        (2, 30, 61, AttendanceStatus.NO_SHOW),  # thirty seconds is not attending
        (-3, 3000, 61, AttendanceStatus.ATTENDED),  # arrived early
        (5, 3000, 61, AttendanceStatus.ATTENDED),  # five minutes' grace
        (6, 2000, 61, AttendanceStatus.LATE),
    ],
)
def test_status_from_media_time(
    first_media_minutes: int | None,
    media_seconds: float,
    now_minutes: int,
    expected: AttendanceStatus,
) -> None:
    row = None
    if first_media_minutes is not None:
        row = Attendance(
            meeting_id=1,
            user_id=1,
            first_media_at=START + dt.timedelta(minutes=first_media_minutes),
            media_seconds=media_seconds,
        )
    now = START + dt.timedelta(minutes=now_minutes)
    assert status_of(MEETING, row, now) == expected
