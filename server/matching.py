"""Matching suggestions: which mentors to suggest for a young person, and why.

Pure domain code (no database, no web framework). The score is transparent: five components,
each a fraction of a fixed weight (``WEIGHTS``, summing to 100), and every suggestion carries
the points per component (``parts``) and short plain-English reasons.

How each component is scored:

- **sectors**, **goals**, **interests**: the share of the mentee's tags that the mentor has
  (mentor's ``sectors``, ``helps_with`` and ``interests`` respectively). Tags are normalised
  (stripped, case-folded, inner whitespace collapsed) so ``"Law "`` matches ``"law"``.
- **availability**: shared UTC hours of the week relative to ``min(mentee's hours, 3)`` —
  one regular hour together is what a pair needs, so three or more shared hours is full marks.
- **language**: any shared language gives full marks; none shared gives nothing and a caveat
  ("No shared language listed").

Neutral rule: when the mentee has said nothing for a component (no sectors, no goals, no
interests, no availability or no languages), that component scores **half** its weight for every
mentor. It cannot tell mentors apart, so it adds no reason line; ``parts`` still shows the
points so the arithmetic is complete.

Eligibility: only mentors with spare capacity (``active_mentees < capacity``), and only from the
mentee's organisation unless ``network_wide``. Vetting is checked elsewhere (server.vetting);
callers pass only mentors who may be paired.

Ranking: score (highest first), then more shared availability hours, then name, then user id.
``score`` is ``parts`` summed and rounded half up, so the shown arithmetic always adds up.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from server.errors import InvalidInput

HOURS_PER_WEEK = 168
FULL_AVAILABILITY_HOURS = 3  # shared weekly hours that earn full availability marks
NEUTRAL_FRACTION = 0.5  # what a component scores when the mentee has said nothing for it
MAX_TIMES_SHOWN = 3  # availability runs spelled out in a reason before "and N more times"

WEIGHTS: dict[str, int] = {
    "sectors": 30,
    "goals": 25,
    "interests": 15,
    "availability": 20,
    "language": 10,
}

_DAYS_PLURAL = (
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
)


@dataclass(frozen=True)
class MentorProfile:
    user_id: int
    name: str
    organisation_id: int
    interests: frozenset[str]  # lower-case tags, e.g. {"football", "music production"}
    sectors: frozenset[str]  # career sectors they work/worked in, e.g. {"law", "engineering"}
    helps_with: frozenset[str]  # goals they can help with, e.g. {"university applications"}
    languages: frozenset[str]  # e.g. {"english", "polish"}
    availability: frozenset[int]  # UTC hours of the week: 0 = Monday 00:00–01:00 UTC … 167
    capacity: int  # maximum active mentees
    active_mentees: int


@dataclass(frozen=True)
class MenteeProfile:
    user_id: int
    organisation_id: int
    interests: frozenset[str]
    sectors: frozenset[str]  # career sectors they're curious about
    goals: frozenset[str]  # same vocabulary as MentorProfile.helps_with
    languages: frozenset[str]
    availability: frozenset[int]


@dataclass(frozen=True)
class Suggestion:
    mentor: MentorProfile
    score: int  # 0..100, rounded half up from the sum of parts
    reasons: tuple[str, ...]  # plain English: why this mentor is suggested, then any caveats
    parts: dict[str, float] = field(hash=False)  # points per component (keys as in WEIGHTS)
    shared_hours: int = 0  # UTC hours of the week both are free (the first tie-breaker)


# ---------------------------------------------------------------------------------------------
# Tags


def normalise_tag(tag: str) -> str:
    """``"  Music   Production "`` → ``"music production"``."""
    return " ".join(tag.split()).casefold()


def normalise_tags(tags: Iterable[str]) -> frozenset[str]:
    """Normalise every tag and drop any that are empty afterwards."""
    return frozenset(t for t in (normalise_tag(tag) for tag in tags) if t)


def _join(items: Iterable[str]) -> str:
    """``["a"]`` → "a"; ``["a", "b"]`` → "a and b"; ``["a", "b", "c"]`` → "a, b and c".

    When an item itself contains " and " (e.g. "cv and interviews") a serial comma keeps the
    list readable: "cv and interviews, and university applications".
    """
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    if len(words) == 2 and not any(" and " in w for w in words):
        return f"{words[0]} and {words[1]}"
    last_sep = ", and " if any(" and " in w for w in words) else " and "
    return ", ".join(words[:-1]) + last_sep + words[-1]


def _language_name(tag: str) -> str:
    return " ".join(word.capitalize() for word in tag.split())


# ---------------------------------------------------------------------------------------------
# Time zones and weekly hours


def _zone(name: str, *, field: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: names such as "Europe" that are directories in the tz database.
        raise InvalidInput(f"Unknown time zone {name[:64]!r}.", field=field) from None


def _week_start(reference: dt.date) -> dt.date:
    day = dt.date(reference.year, reference.month, reference.day)  # a datetime counts as its date
    return day - dt.timedelta(days=day.weekday())


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def weekly_hours(
    slots: Iterable[tuple[int, int, int]], timezone: str, *, reference: dt.date
) -> frozenset[int]:
    """Weekly availability in local time → UTC hours of the week (0 = Monday 00:00 UTC … 167).

    Each slot is ``(weekday, start_hour, end_hour)`` with weekday 0 = Monday, start 0–23 and an
    exclusive end 1–24 (24 = midnight at the end of the day), in ``timezone``. Each slot is
    placed on its actual date in the week containing ``reference`` and converted with the UTC
    offset in force then, so the current week's BST or GMT is right (and a week with a clocks
    change is converted day by day). A UTC hour counts only if the slot covers all of it, which
    matters only for zones with a half-hour offset. Hours before Monday 00:00 UTC wrap round to
    the end of the week (Monday 00:00 BST is hour 167, Sunday 23:00 UTC).

    Raises InvalidInput (field "availability") for a malformed slot or an end not after its
    start, and (field "timezone") for an unknown time zone.
    """
    zone = _zone(timezone, field="timezone")
    monday = _week_start(reference)
    hours: set[int] = set()
    for slot in slots:
        if not isinstance(slot, tuple | list) or len(slot) != 3 or not all(map(_is_int, slot)):
            raise InvalidInput(
                "Give each available time as a day of the week, a start hour and an end hour.",
                field="availability",
            )
        weekday, start, end = slot
        if not 0 <= weekday <= 6:
            raise InvalidInput(
                "The day of the week must be 0 (Monday) to 6 (Sunday).", field="availability"
            )
        if not 0 <= start <= 23 or not 0 <= end <= 24:
            raise InvalidInput(
                "Hours must be whole hours from 00:00 to 24:00.", field="availability"
            )
        if end <= start:
            raise InvalidInput(
                f"An available time must end after it starts "
                f"({start:02d}:00–{end:02d}:00 on {_DAYS_PLURAL[weekday]}).",
                field="availability",
            )
        day = dt.datetime.combine(monday + dt.timedelta(days=weekday), dt.time())
        begins = (day + dt.timedelta(hours=start)).replace(tzinfo=zone).astimezone(dt.UTC)
        ends = (day + dt.timedelta(hours=end)).replace(tzinfo=zone).astimezone(dt.UTC)
        week_utc = dt.datetime.combine(monday, dt.time(), tzinfo=dt.UTC)
        first = -(-(begins - week_utc) // dt.timedelta(hours=1))  # round up to a whole hour
        last = (ends - week_utc) // dt.timedelta(hours=1)  # round down
        hours.update(h % HOURS_PER_WEEK for h in range(first, last))
    return frozenset(hours)


def _runs(hours: frozenset[int]) -> list[tuple[int, int]]:
    """Shared hours → (first hour, length) runs, joining across the end of the week."""
    if len(hours) >= HOURS_PER_WEEK:
        return [(0, HOURS_PER_WEEK)]
    runs: list[tuple[int, int]] = []
    for h in sorted(hours):
        if runs and runs[-1][0] + runs[-1][1] == h:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((h, 1))
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][0] + runs[-1][1] == HOURS_PER_WEEK:
        start, length = runs.pop()
        runs[0] = (start, length + runs[0][1])
    return runs


def _zone_label(name: str) -> str:
    return "UK time" if name == "Europe/London" else f"{name} time"


def describe_hours(hours: frozenset[int], display_timezone: str, *, reference: dt.date) -> str:
    """UTC hours of the week → "Tuesdays 17:00–19:00 and Thursdays 18:00–19:00 (UK time)".

    Rendered with the offset in force in the week containing ``reference``.
    """
    zone = _zone(display_timezone, field="timezone")
    week_utc = dt.datetime.combine(_week_start(reference), dt.time(), tzinfo=dt.UTC)
    shown: list[tuple[tuple[int, dt.time], str]] = []
    for start, length in _runs(hours):
        begins = (week_utc + dt.timedelta(hours=start)).astimezone(zone)
        ends = (week_utc + dt.timedelta(hours=start + length)).astimezone(zone)
        if length >= HOURS_PER_WEEK:
            text = "any time"
        else:
            text = f"{_DAYS_PLURAL[begins.weekday()]} {begins:%H:%M}–{ends:%H:%M}"
        shown.append(((begins.weekday(), begins.time()), text))
    shown.sort()
    texts = [text for _, text in shown]
    if len(texts) > MAX_TIMES_SHOWN:
        more = len(texts) - MAX_TIMES_SHOWN
        texts = [*texts[:MAX_TIMES_SHOWN], f"{more} more time{'s' if more != 1 else ''}"]
    return f"{_join(texts)} ({_zone_label(display_timezone)})"


# ---------------------------------------------------------------------------------------------
# Scoring


def _tag_fraction(asked: frozenset[str], offered: frozenset[str]) -> tuple[float, list[str]]:
    """Share of what the mentee asked for that the mentor offers, and the shared tags."""
    if not asked:
        return NEUTRAL_FRACTION, []
    shared = sorted(asked & offered)
    return len(shared) / len(asked), shared


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _score_one(
    mentee: MenteeProfile,
    mentor: MentorProfile,
    *,
    display_timezone: str,
    reference: dt.date,
) -> Suggestion:
    reasons: list[str] = []
    caveats: list[str] = []
    fractions: dict[str, float] = {}

    fractions["sectors"], sectors = _tag_fraction(
        normalise_tags(mentee.sectors), normalise_tags(mentor.sectors)
    )
    if sectors:
        reasons.append(f"Works in {_join(sectors)}, which you're curious about")

    fractions["goals"], goals = _tag_fraction(
        normalise_tags(mentee.goals), normalise_tags(mentor.helps_with)
    )
    if goals:
        reasons.append(f"Can help with {_join(goals)}")

    fractions["interests"], interests = _tag_fraction(
        normalise_tags(mentee.interests), normalise_tags(mentor.interests)
    )
    if interests:
        reasons.append(f"Both into {_join(interests)}")

    together = mentee.availability & mentor.availability
    if not mentee.availability:
        fractions["availability"] = NEUTRAL_FRACTION
    else:
        needed = min(len(mentee.availability), FULL_AVAILABILITY_HOURS)
        fractions["availability"] = min(len(together) / needed, 1.0)
        if together:
            hours = describe_hours(together, display_timezone, reference=reference)
            reasons.append(f"Free together on {hours}")
        else:
            caveats.append("No time free together in the week")

    mentee_languages = normalise_tags(mentee.languages)
    languages = sorted(mentee_languages & normalise_tags(mentor.languages))
    if not mentee_languages:
        fractions["language"] = NEUTRAL_FRACTION
    elif languages:
        fractions["language"] = 1.0
        reasons.append(f"Both speak {_join(_language_name(lang) for lang in languages)}")
    else:
        fractions["language"] = 0.0
        caveats.append("No shared language listed")

    room = mentor.capacity - mentor.active_mentees
    reasons.append(f"Has room for {room} more mentee{'s' if room != 1 else ''}")
    if mentor.organisation_id != mentee.organisation_id:
        reasons.append("From another organisation in the network")

    parts = {name: round(weight * fractions[name], 2) for name, weight in WEIGHTS.items()}
    score = _half_up(sum((Decimal(str(points)) for points in parts.values()), Decimal(0)))
    return Suggestion(
        mentor=mentor,
        score=score,
        reasons=(*reasons, *caveats),
        parts=parts,
        shared_hours=len(together),
    )


def suggest(
    mentee: MenteeProfile,
    mentors: Iterable[MentorProfile],
    *,
    network_wide: bool = False,
    limit: int = 10,
    display_timezone: str = "Europe/London",
    reference: dt.date | None = None,
) -> list[Suggestion]:
    """The best ``limit`` mentors for ``mentee``, highest score first, each with reasons.

    ``display_timezone`` is the zone availability reasons are written in; ``reference`` is a
    date in the week whose UTC offset they use (default: today, UTC).
    """
    _zone(display_timezone, field="timezone")
    if limit <= 0:
        return []
    when = reference if reference is not None else dt.datetime.now(dt.UTC).date()
    suggestions = [
        _score_one(mentee, mentor, display_timezone=display_timezone, reference=when)
        for mentor in mentors
        if mentor.active_mentees < mentor.capacity
        and mentor.user_id != mentee.user_id
        and (network_wide or mentor.organisation_id == mentee.organisation_id)
    ]
    suggestions.sort(
        key=lambda s: (-s.score, -s.shared_hours, s.mentor.name.casefold(), s.mentor.user_id)
    )
    return suggestions[:limit]
