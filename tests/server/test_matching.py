"""Table-driven tests for matching suggestions (server/matching.py).

The cohort is a small, realistic one: a 17-year-old curious about law and finance who wants help
with university applications and CV/interviews, and the volunteer mentors a coordinator in one
organisation might have on their books. Availability is entered the way people give it — local
wall-clock hours in their own zone — and converted with weekly_hours for a fixed week.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from server.errors import InvalidInput
from server.matching import (
    WEIGHTS,
    MenteeProfile,
    MentorProfile,
    Suggestion,
    describe_hours,
    normalise_tag,
    normalise_tags,
    suggest,
    weekly_hours,
)

JULY = dt.date(2025, 7, 15)  # a Tuesday in BST (UTC+1)
JANUARY = dt.date(2025, 1, 14)  # a Tuesday in GMT (UTC+0)
SPRING_CHANGE_WEEK = dt.date(2025, 3, 26)  # clocks go forward on Sunday 30 March 2025
AUTUMN_CHANGE_WEEK = dt.date(2025, 10, 22)  # clocks go back on Sunday 26 October 2025
LONDON = "Europe/London"
TUE, THU, SAT, SUN = 1, 3, 5, 6
HOME_ORG, OTHER_ORG = 1, 2


def tags(*words: str) -> frozenset[str]:
    return frozenset(words)


def hours(*slots: tuple[int, int, int], zone: str = LONDON, week: dt.date = JULY) -> frozenset[int]:
    return weekly_hours(slots, zone, reference=week)


def mentor(user_id: int, name: str, **overrides: Any) -> MentorProfile:
    values: dict[str, Any] = {
        "organisation_id": HOME_ORG,
        "interests": tags(),
        "sectors": tags(),
        "helps_with": tags(),
        "languages": tags("english"),
        "availability": frozenset(),
        "capacity": 2,
        "active_mentees": 0,
    }
    values.update(overrides)
    return MentorProfile(user_id=user_id, name=name, **values)


def mentee(**overrides: Any) -> MenteeProfile:
    values: dict[str, Any] = {
        "user_id": 100,
        "organisation_id": HOME_ORG,
        "interests": tags(),
        "sectors": tags(),
        "goals": tags(),
        "languages": tags(),
        "availability": frozenset(),
    }
    values.update(overrides)
    return MenteeProfile(**values)


AISHA = mentee(
    interests=tags("football", "music production"),
    sectors=tags("law", "finance"),
    goals=tags("university applications", "cv and interviews"),
    languages=tags("english", "urdu"),
    availability=hours((TUE, 17, 20), (THU, 18, 20)),  # 5 hours a week
)

PRIYA = mentor(
    1,
    "Priya Shah",
    sectors=tags("law", "finance"),
    helps_with=tags("university applications", "cv and interviews"),
    interests=tags("football", "baking"),
    languages=tags("english", "urdu"),
    availability=hours((TUE, 17, 19)),
    capacity=3,
    active_mentees=1,
)
TOM = mentor(
    2,
    "Tom Okafor",
    sectors=tags("engineering"),
    helps_with=tags("cv and interviews", "apprenticeships"),
    interests=tags("football", "music production"),
    availability=hours((TUE, 17, 20), (THU, 18, 20)),
    capacity=1,
)
SAM = mentor(
    3,
    "Sam Reid",
    sectors=tags("finance"),
    helps_with=tags("cv and interviews"),
    interests=tags("running"),
    availability=hours((THU, 18, 19)),
)
MAREK = mentor(
    4,
    "Marek Nowak",
    sectors=tags("law"),
    helps_with=tags("university applications"),
    languages=tags("polish"),
    availability=hours((SAT, 10, 12)),
)
GRACE_FULL = mentor(  # would top the list, but has no room
    5,
    "Grace Adeyemi",
    sectors=tags("law", "finance"),
    helps_with=tags("university applications", "cv and interviews"),
    interests=tags("football", "music production"),
    languages=tags("english"),
    availability=hours((TUE, 17, 20)),
    capacity=2,
    active_mentees=2,
)
DEV_ELSEWHERE = mentor(  # a strong match in a partner organisation
    6,
    "Dev Patel",
    organisation_id=OTHER_ORG,
    sectors=tags("law"),
    helps_with=tags("university applications", "cv and interviews"),
    interests=tags("music production"),
    languages=tags("english", "urdu"),
    availability=hours((THU, 18, 20)),
    capacity=4,
    active_mentees=1,
)
OWEN_NO_ROOM = mentor(7, "Owen Price", capacity=0, sectors=tags("law"))

COHORT = (PRIYA, TOM, SAM, MAREK, GRACE_FULL, DEV_ELSEWHERE, OWEN_NO_ROOM)


def names(result: list[Suggestion]) -> list[str]:
    return [s.mentor.name for s in result]


# --- ranking and eligibility ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("network_wide", "limit", "expected"),
    [
        (
            False,
            10,
            [("Priya Shah", 86), ("Tom Okafor", 58), ("Sam Reid", 44), ("Marek Nowak", 28)],
        ),
        (
            True,
            10,
            [
                ("Priya Shah", 86),
                ("Dev Patel", 71),
                ("Tom Okafor", 58),
                ("Sam Reid", 44),
                ("Marek Nowak", 28),
            ],
        ),
        (False, 2, [("Priya Shah", 86), ("Tom Okafor", 58)]),
        (True, 1, [("Priya Shah", 86)]),
        (False, 0, []),
    ],
)
def test_cohort_ranking(network_wide: bool, limit: int, expected: list[tuple[str, int]]) -> None:
    result = suggest(AISHA, COHORT, network_wide=network_wide, limit=limit, reference=JULY)
    assert [(s.mentor.name, s.score) for s in result] == expected


@pytest.mark.parametrize(
    ("candidate", "network_wide", "included"),
    [
        (GRACE_FULL, False, False),  # at capacity
        (GRACE_FULL, True, False),  # at capacity anywhere
        (OWEN_NO_ROOM, False, False),  # takes no mentees at the moment
        (mentor(8, "Over", capacity=1, active_mentees=3), False, False),  # over capacity
        (DEV_ELSEWHERE, False, False),  # another organisation
        (DEV_ELSEWHERE, True, True),  # ... unless network-wide
        (mentor(9, "Last Place", capacity=5, active_mentees=4), False, True),  # one place left
        (mentor(AISHA.user_id, "Self"), False, False),  # never suggested to themselves
    ],
)
def test_eligibility(candidate: MentorProfile, network_wide: bool, included: bool) -> None:
    result = suggest(AISHA, [candidate], network_wide=network_wide, reference=JULY)
    assert (candidate in [s.mentor for s in result]) is included


def test_no_mentors_gives_no_suggestions() -> None:
    assert suggest(AISHA, [], reference=JULY) == []


def test_mentors_can_be_any_iterable() -> None:
    result = suggest(AISHA, (m for m in COHORT), reference=JULY)
    assert names(result)[0] == "Priya Shah"


# --- tie-breaking --------------------------------------------------------------------------

SIX_HOURS = hours((TUE, 16, 20), (THU, 18, 20))


@pytest.mark.parametrize(
    ("mentors", "expected"),
    [
        # Same score (3+ shared hours is full marks), more shared hours first despite the name.
        (
            [
                mentor(1, "Alex", availability=hours((TUE, 16, 19))),
                mentor(2, "Zoe", availability=hours((TUE, 16, 20), (THU, 18, 19))),
            ],
            ["Zoe", "Alex"],
        ),
        # Same score and same hours: by name, case-insensitively.
        (
            [
                mentor(1, "bea", availability=hours((TUE, 16, 19))),
                mentor(2, "Abi", availability=hours((THU, 18, 20), (TUE, 16, 17))),
                mentor(3, "Cal", availability=hours((TUE, 17, 20))),
            ],
            ["Abi", "bea", "Cal"],
        ),
        # Same name too: by user id, so the order is always the same.
        (
            [
                mentor(12, "Jo", availability=hours((TUE, 16, 19))),
                mentor(11, "Jo", availability=hours((TUE, 16, 19))),
            ],
            ["Jo#11", "Jo#12"],
        ),
        # A higher score always wins over more hours.
        (
            [
                mentor(1, "Hours", availability=SIX_HOURS),
                mentor(2, "Goals", availability=hours((TUE, 16, 19)), helps_with=tags("cv")),
            ],
            ["Goals", "Hours"],
        ),
    ],
)
def test_tie_breaking(mentors: list[MentorProfile], expected: list[str]) -> None:
    young_person = mentee(availability=SIX_HOURS, goals=tags("cv"), languages=tags("english"))
    result = suggest(young_person, mentors, reference=JULY)
    shown = [
        f"{s.mentor.name}#{s.mentor.user_id}" if s.mentor.name == "Jo" else s.mentor.name
        for s in result
    ]
    assert shown == expected
    if expected[0] != "Goals":
        assert len({s.score for s in result}) == 1  # they really are tied on score


# --- reasons -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("young", "offered", "expected"),
    [
        (
            {"sectors": tags("law", "finance")},
            {"sectors": tags("law", "finance", "engineering")},
            "Works in finance and law, which you're curious about",
        ),
        (
            {"sectors": tags("law", "finance", "nhs")},
            {"sectors": tags("law")},
            "Works in law, which you're curious about",
        ),
        (
            {"goals": tags("university applications")},
            {"helps_with": tags("university applications", "apprenticeships")},
            "Can help with university applications",
        ),
        (
            {"goals": tags("university applications", "cv and interviews")},
            {"helps_with": tags("university applications", "cv and interviews")},
            "Can help with cv and interviews, and university applications",
        ),
        (
            {"interests": tags("football")},
            {"interests": tags("football", "chess")},
            "Both into football",
        ),
        (
            {"interests": tags("football", "gaming", "music production")},
            {"interests": tags("football", "gaming", "music production")},
            "Both into football, gaming and music production",
        ),
        (
            {"availability": hours((TUE, 16, 20))},
            {"availability": hours((TUE, 17, 19))},
            "Free together on Tuesdays 17:00–19:00 (UK time)",
        ),
        (
            {"availability": hours((TUE, 17, 19), (THU, 18, 21), (SAT, 10, 11))},
            {"availability": hours((TUE, 12, 22), (THU, 20, 21), (SAT, 9, 12))},
            "Free together on Tuesdays 17:00–19:00, Thursdays 20:00–21:00 "
            "and Saturdays 10:00–11:00 (UK time)",
        ),
        (
            {"availability": hours((SUN, 22, 24), (0, 0, 1))},
            {"availability": hours((SUN, 20, 24), (0, 0, 2))},
            "Free together on Sundays 22:00–01:00 (UK time)",  # across midnight and week's end
        ),
        (
            {"availability": hours((0, 18, 19), (TUE, 18, 19), (2, 18, 19), (THU, 18, 19))},
            {"availability": hours((0, 18, 19), (TUE, 18, 19), (2, 18, 19), (THU, 18, 19))},
            "Free together on Mondays 18:00–19:00, Tuesdays 18:00–19:00, "
            "Wednesdays 18:00–19:00 and 1 more time (UK time)",
        ),
        (
            {"availability": hours((TUE, 17, 19))},
            {"availability": hours((SAT, 10, 12))},
            "No time free together in the week",
        ),
        ({"languages": tags("english")}, {"languages": tags("english")}, "Both speak English"),
        (
            {"languages": tags("polish", "english", "british sign language")},
            {"languages": tags("polish", "british sign language")},
            "Both speak British Sign Language and Polish",
        ),
        (
            {"languages": tags("english")},
            {"languages": tags("welsh")},
            "No shared language listed",
        ),
        ({}, {"capacity": 3, "active_mentees": 1}, "Has room for 2 more mentees"),
        ({}, {"capacity": 1, "active_mentees": 0}, "Has room for 1 more mentee"),
        ({}, {"organisation_id": OTHER_ORG}, "From another organisation in the network"),
    ],
)
def test_reason_wording(young: dict[str, Any], offered: dict[str, Any], expected: str) -> None:
    young_person, candidate = mentee(**young), mentor(1, "M", **offered)
    [result] = suggest(young_person, [candidate], network_wide=True, reference=JULY)
    assert expected in result.reasons


def test_reasons_in_full_with_caveats_last() -> None:
    [marek] = suggest(AISHA, [MAREK], reference=JULY)
    assert marek.reasons == (
        "Works in law, which you're curious about",
        "Can help with university applications",
        "Has room for 2 more mentees",
        "No time free together in the week",
        "No shared language listed",
    )
    [priya] = suggest(AISHA, [PRIYA], reference=JULY)
    assert priya.reasons == (
        "Works in finance and law, which you're curious about",
        "Can help with cv and interviews, and university applications",
        "Both into football",
        "Free together on Tuesdays 17:00–19:00 (UK time)",
        "Both speak English and Urdu",
        "Has room for 2 more mentees",
    )


def test_nothing_in_common_but_room_says_only_that() -> None:
    young = mentee(
        sectors=tags("law"),
        goals=tags("cv"),
        interests=tags("chess"),
        languages=tags("english"),
        availability=hours((TUE, 17, 18)),
    )
    [result] = suggest(young, [mentor(1, "M", languages=tags("french"), capacity=1)])
    assert result.score == 0
    assert result.reasons == (
        "Has room for 1 more mentee",
        "No time free together in the week",
        "No shared language listed",
    )


def test_mentee_who_said_nothing_gets_neutral_half_marks_and_no_reasons() -> None:
    [result] = suggest(mentee(), [PRIYA], reference=JULY)
    assert result.parts == {name: weight / 2 for name, weight in WEIGHTS.items()}
    assert result.score == 50
    assert result.reasons == ("Has room for 2 more mentees",)


def test_availability_reason_in_another_display_zone() -> None:
    young = mentee(availability=hours((TUE, 17, 19)))
    [result] = suggest(
        young,
        [mentor(1, "M", availability=hours((TUE, 17, 19)))],
        display_timezone="Europe/Dublin",
        reference=JULY,
    )
    assert "Free together on Tuesdays 17:00–19:00 (Europe/Dublin time)" in result.reasons


@pytest.mark.parametrize("week", [JULY, JANUARY])
def test_mentor_abroad_is_shown_in_uk_time(week: dt.date) -> None:
    # A mentor in Warsaw free Tue 18:00–20:00 their time is free 17:00–19:00 UK time,
    # in summer and in winter alike (both countries change clocks on the same dates).
    young = mentee(availability=hours((TUE, 16, 21), week=week))
    warsaw = mentor(1, "M", availability=hours((TUE, 18, 20), zone="Europe/Warsaw", week=week))
    [result] = suggest(young, [warsaw], reference=week)
    assert "Free together on Tuesdays 17:00–19:00 (UK time)" in result.reasons


# --- the arithmetic ------------------------------------------------------------------------


def test_weights_are_transparent_and_sum_to_100() -> None:
    assert WEIGHTS == {
        "sectors": 30,
        "goals": 25,
        "interests": 15,
        "availability": 20,
        "language": 10,
    }
    assert sum(WEIGHTS.values()) == 100


def half_up(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("candidate", [m for m in COHORT if m.active_mentees < m.capacity])
def test_parts_add_up_to_the_score(candidate: MentorProfile) -> None:
    [result] = suggest(AISHA, [candidate], network_wide=True, reference=JULY)
    assert set(result.parts) == set(WEIGHTS)
    for name, points in result.parts.items():
        assert 0 <= points <= WEIGHTS[name]
    assert result.score == half_up(round(sum(result.parts.values()), 2))
    assert 0 <= result.score <= 100


@pytest.mark.parametrize(
    ("candidate", "expected_parts"),
    [
        (
            PRIYA,  # 2 of 5 hours shared, full marks need 3
            {
                "sectors": 30.0,
                "goals": 25.0,
                "interests": 7.5,
                "availability": 13.33,
                "language": 10.0,
            },
        ),
        (
            TOM,  # 1 of 2 goals; all hours shared
            {
                "sectors": 0.0,
                "goals": 12.5,
                "interests": 15.0,
                "availability": 20.0,
                "language": 10.0,
            },
        ),
        (
            MAREK,  # 27.5 points: the score rounds half up to 28
            {
                "sectors": 15.0,
                "goals": 12.5,
                "interests": 0.0,
                "availability": 0.0,
                "language": 0.0,
            },
        ),
    ],
)
def test_parts_arithmetic(candidate: MentorProfile, expected_parts: dict[str, float]) -> None:
    [result] = suggest(AISHA, [candidate], reference=JULY)
    assert result.parts == expected_parts


@pytest.mark.parametrize(
    ("mentee_hours", "mentor_hours", "expected_points"),
    [
        (hours((TUE, 17, 18)), hours((TUE, 17, 18)), 20.0),  # 1 hour asked, 1 shared: full
        (hours((TUE, 17, 19)), hours((TUE, 18, 19)), 10.0),  # 1 of 2
        (hours((TUE, 17, 20)), hours((TUE, 17, 18)), 6.67),  # 1 of 3
        (hours((TUE, 12, 22)), hours((TUE, 17, 18)), 6.67),  # 1 of min(10, 3)
        (hours((TUE, 12, 22)), hours((TUE, 17, 19)), 13.33),  # 2 of min(10, 3)
        (hours((TUE, 12, 22)), hours((TUE, 15, 21)), 20.0),  # 6 shared: capped at full
        (hours((TUE, 12, 22)), frozenset(), 0.0),  # mentor gave no hours
        (frozenset(), hours((TUE, 15, 21)), 10.0),  # mentee gave no hours: neutral
    ],
)
def test_availability_points(
    mentee_hours: frozenset[int], mentor_hours: frozenset[int], expected_points: float
) -> None:
    [result] = suggest(
        mentee(availability=mentee_hours), [mentor(1, "M", availability=mentor_hours)]
    )
    assert result.parts["availability"] == expected_points


# --- tag normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Law ", "law"),
        ("  Music   Production\t", "music production"),
        ("CV and\ninterviews", "cv and interviews"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # casefold, not just lower
        ("   ", ""),
    ],
)
def test_normalise_tag(raw: str, expected: str) -> None:
    assert normalise_tag(raw) == expected


def test_normalise_tags_drops_empty_and_merges_duplicates() -> None:
    assert normalise_tags(["Law ", "law", " ", "LAW"]) == frozenset({"law"})


def test_untidy_tags_still_match() -> None:
    young = mentee(
        sectors=tags("Law ", "  FINANCE"),
        goals=tags("University  Applications"),
        interests=tags("Music Production"),
        languages=tags("English "),
    )
    offered = mentor(
        1,
        "M",
        sectors=tags("law", "finance"),
        helps_with=tags("university applications"),
        interests=tags(" music   production"),
        languages=tags("ENGLISH"),
    )
    [result] = suggest(young, [offered])
    assert result.parts["sectors"] == 30.0
    assert result.parts["goals"] == 25.0
    assert result.parts["interests"] == 15.0
    assert result.parts["language"] == 10.0
    assert "Works in finance and law, which you're curious about" in result.reasons
    assert "Both into music production" in result.reasons


# --- weekly hours and the clocks -----------------------------------------------------------


def hour_of_week(weekday: int, hour: int) -> int:
    return weekday * 24 + hour


@pytest.mark.parametrize(
    ("slots", "zone", "week", "expected"),
    [
        # The brief's example: Tue 17–19 in London is 16:00–18:00 UTC in summer, 17–19 in winter.
        ([(TUE, 17, 19)], LONDON, JULY, {hour_of_week(TUE, 16), hour_of_week(TUE, 17)}),
        ([(TUE, 17, 19)], LONDON, JANUARY, {hour_of_week(TUE, 17), hour_of_week(TUE, 18)}),
        # Any day of the reference week gives the same week.
        ([(TUE, 17, 19)], LONDON, dt.date(2025, 7, 20), {hour_of_week(TUE, 16), 41}),
        # A datetime counts as its date.
        ([(TUE, 17, 19)], LONDON, dt.datetime(2025, 1, 19, 23, 0), {41, 42}),
        # The week the clocks go forward: Tuesday is still GMT, Sunday evening is BST.
        ([(TUE, 17, 19)], LONDON, SPRING_CHANGE_WEEK, {41, 42}),
        ([(SUN, 17, 19)], LONDON, SPRING_CHANGE_WEEK, {hour_of_week(SUN, 16), 161}),
        # The week the clocks go back: Tuesday is still BST, Sunday evening is GMT.
        ([(TUE, 17, 19)], LONDON, AUTUMN_CHANGE_WEEK, {40, 41}),
        ([(SUN, 17, 19)], LONDON, AUTUMN_CHANGE_WEEK, {hour_of_week(SUN, 17), 162}),
        # Through the night of the change, counting real hours: 2 in spring, 4 in autumn.
        ([(SUN, 0, 3)], LONDON, SPRING_CHANGE_WEEK, {144, 145}),
        ([(SUN, 0, 3)], LONDON, AUTUMN_CHANGE_WEEK, {143, 144, 145, 146}),
        # Monday just after midnight BST is Sunday night UTC: wraps to the end of the week.
        ([(0, 0, 2)], LONDON, JULY, {167, 0}),
        # Up to midnight (end 24) and a slot that covers a whole day.
        ([(SUN, 22, 24)], "UTC", JULY, {166, 167}),
        ([(THU, 0, 24)], "UTC", JULY, set(range(72, 96))),
        # Overlapping slots merge.
        ([(TUE, 17, 19), (TUE, 18, 20)], "UTC", JULY, {41, 42, 43}),
        # Elsewhere: New York (EDT, UTC-4) and Kolkata (UTC+5:30: only whole UTC hours count).
        ([(TUE, 17, 19)], "America/New_York", JULY, {hour_of_week(TUE, 21), 46}),
        ([(TUE, 17, 19)], "Asia/Kolkata", JULY, {hour_of_week(TUE, 12)}),
        ([], LONDON, JULY, set()),
    ],
)
def test_weekly_hours(
    slots: list[tuple[int, int, int]], zone: str, week: dt.date, expected: set[int]
) -> None:
    assert weekly_hours(slots, zone, reference=week) == frozenset(expected)


@pytest.mark.parametrize("week", [JULY, JANUARY, SPRING_CHANGE_WEEK, AUTUMN_CHANGE_WEEK])
def test_local_hours_read_back_the_same(week: dt.date) -> None:
    utc_hours = weekly_hours([(TUE, 17, 19), (SAT, 9, 12)], LONDON, reference=week)
    assert describe_hours(utc_hours, LONDON, reference=week) == (
        "Tuesdays 17:00–19:00 and Saturdays 09:00–12:00 (UK time)"
    )


@pytest.mark.parametrize(
    ("slots", "zone", "field", "message_part"),
    [
        ([(TUE, 19, 17)], LONDON, "availability", "must end after it starts"),
        ([(TUE, 17, 17)], LONDON, "availability", "must end after it starts"),
        ([(7, 17, 19)], LONDON, "availability", "day of the week"),
        ([(-1, 17, 19)], LONDON, "availability", "day of the week"),
        ([(TUE, 24, 25)], LONDON, "availability", "whole hours"),
        ([(TUE, -1, 3)], LONDON, "availability", "whole hours"),
        ([(TUE, 17)], LONDON, "availability", "start hour and an end hour"),
        ([(TUE, 17.5, 19)], LONDON, "availability", "start hour and an end hour"),
        ([(TUE, "17", "19")], LONDON, "availability", "start hour and an end hour"),
        ([(True, 17, 19)], LONDON, "availability", "start hour and an end hour"),
        ([(TUE, 17, 19)], "Mars/Olympus_Mons", "timezone", "Unknown time zone"),
        ([(TUE, 17, 19)], "Europe", "timezone", "Unknown time zone"),
        ([(TUE, 17, 19)], "", "timezone", "Unknown time zone"),
        ([(TUE, 17, 19)], "../../etc/passwd", "timezone", "Unknown time zone"),
        ([(TUE, 17, 19)], "BST", "timezone", "Unknown time zone"),
    ],
)
def test_bad_availability_input(slots: list[Any], zone: str, field: str, message_part: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        weekly_hours(slots, zone, reference=JULY)
    assert caught.value.field == field
    assert message_part in caught.value.message


def test_bad_display_timezone_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        suggest(AISHA, COHORT, display_timezone="Nowhere/Special")
    assert caught.value.field == "timezone"
