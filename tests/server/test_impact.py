"""Impact statistics (server/impact.py) against a fixture with hand-computed figures.

The fixture is one cohort of mentees (A–H answered at the start and at the end of their pairing;
I and J only at the start, so they are left out of every paired figure), a cohort of 4 that must
be suppressed, and ten mentors' end-of-mentoring fulfilment answers. Every expected figure below
is worked out by hand in the comments, not by calling the code under test.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import pytest

from server.errors import InvalidInput
from server.impact import (
    MIN_GROUP,
    SWEMWBS_METRIC,
    Agreement,
    MeanChange,
    PairedAgreement,
    agreement,
    paired_agreement,
    paired_item_change,
    paired_mean_change,
    response_rate,
    round_half_up,
    swemwbs_change,
    swemwbs_metric,
    swemwbs_raw,
    t_critical,
)

# --- the fixture ---------------------------------------------------------------------------

# "I feel positive about my future" (1–5). Agreeing = 4 or 5.
FUTURE_BASELINE: dict[str, int | None] = {
    "A": 2, "B": 3, "C": 4, "D": 2, "E": 5, "F": 3, "G": 1, "H": 3,
    "I": 4, "J": 5,  # baseline only: excluded from the paired figures
}  # fmt: skip
FUTURE_END: dict[str, int | None] = {
    "A": 4, "B": 4, "C": 5, "D": 3, "E": 5, "F": 2, "G": 4, "H": 3,
}  # fmt: skip
# Paired people: A–H, n = 8.
# Baseline agreeing: C (4), E (5)                      → 2 / 8 = 0.25  = 25 %
# End agreeing:      A (4), B (4), C (5), E (5), G (4) → 5 / 8 = 0.625 = 62.5 %
# Change: 62.5 − 25 = +37.5 percentage points; relative (0.625 − 0.25) / 0.25 × 100 = +150 %.
# (Had I and J been wrongly counted, the baseline would be 4 / 10 = 40 %.)

# "I feel confident about my next steps in education or work" (1–5), treated as a score.
CONFIDENCE_BASELINE: dict[str, int | None] = {
    "A": 2, "B": 3, "C": 3, "D": 2, "E": 4, "F": 3, "G": 1, "H": 3, "I": 5, "J": 1,
}  # fmt: skip
CONFIDENCE_END: dict[str, int | None] = {
    "A": 4, "B": 3, "C": 4, "D": 3, "E": 5, "F": 2, "G": 3, "H": 4,
}  # fmt: skip
# Differences (end − baseline), A–H: +2, 0, +1, +1, +1, −1, +2, +1; Σd = 7, mean = 7 / 8 = 0.875.
# Σd² = 4 + 0 + 1 + 1 + 1 + 1 + 4 + 1 = 13; Σ(d − mean)² = 13 − 8 × 0.875² = 13 − 6.125 = 6.875.
# sd = √(6.875 / 7) = √0.982143 = 0.99103; se = 0.99103 / √8 = 0.99103 / 2.828427 = 0.35038.
# t(0.975, 7) = 2.36462; half-width = 2.36462 × 0.35038 = 0.82852.
# 95 % CI: 0.875 − 0.82852 = 0.04648 → 0.05; 0.875 + 0.82852 = 1.70352 → 1.70.
# Baseline mean (A–H) = (2+3+3+2+4+3+1+3) / 8 = 21 / 8 = 2.625; end mean = 28 / 8 = 3.5.

# SWEMWBS: 7 items each; raw total → metric score from the published table.
SWEMWBS_BASELINE: dict[str, Sequence[int] | None] = {
    "A": [3, 2, 3, 2, 2, 3, 2],  # raw 17 → 16.88
    "B": [3, 3, 3, 3, 3, 3, 2],  # raw 20 → 18.59
    "C": [4, 4, 3, 3, 4, 3, 3],  # raw 24 → 21.54
    "D": [2, 2, 2, 2, 2, 2, 2],  # raw 14 → 15.32
    "E": [4, 4, 4, 4, 4, 4, 4],  # raw 28 → 25.03
    "F": [3, 3, 3, 3, 3, 3, 3],  # raw 21 → 19.25
    "G": [2, 2, 2, 2, 2, 1, 1],  # raw 12 → 14.08
    "H": [4, 3, 3, 3, 3, 4, 3],  # raw 23 → 20.73
    "I": [3, 3, 3, 3, 3, 3, 3],  # raw 21, baseline only
    "J": [5, 5, 5, 5, 5, 5, 5],  # raw 35, baseline only
}
SWEMWBS_END: dict[str, Sequence[int] | None] = {
    "A": [3, 3, 3, 3, 3, 3, 3],  # raw 21 → 19.25; change +2.37
    "B": [4, 3, 3, 3, 3, 3, 3],  # raw 22 → 19.98; change +1.39
    "C": [4, 4, 4, 4, 4, 3, 3],  # raw 26 → 23.21; change +1.67
    "D": [3, 2, 2, 2, 2, 2, 2],  # raw 15 → 15.84; change +0.52
    "E": [5, 4, 4, 4, 4, 4, 3],  # raw 28 → 25.03; change  0.00
    "F": [3, 3, 3, 3, 3, 2, 2],  # raw 19 → 17.98; change −1.27
    "G": [3, 3, 3, 3, 2, 2, 2],  # raw 18 → 17.43; change +3.35
    "H": [4, 4, 4, 3, 3, 4, 3],  # raw 25 → 22.35; change +1.62
}
# Baseline mean = (16.88+18.59+21.54+15.32+25.03+19.25+14.08+20.73) / 8 = 151.42 / 8 = 18.9275.
# End mean = (19.25+19.98+23.21+15.84+25.03+17.98+17.43+22.35) / 8 = 161.07 / 8 = 20.13375.
# Σd = 2.37+1.39+1.67+0.52+0−1.27+3.35+1.62 = 9.65; mean change = 9.65 / 8 = 1.20625 → 1.21.
# Σd² = 5.6169+1.9321+2.7889+0.2704+0+1.6129+11.2225+2.6244 = 26.0681.
# Σ(d − mean)² = 26.0681 − 8 × 1.20625² = 26.0681 − 11.6403125 = 14.4277875.
# sd = √(14.4277875 / 7) = √2.0611125 = 1.43566; se = 1.43566 / 2.828427 = 0.50758.
# half-width = 2.36462 × 0.50758 = 1.20024.
# 95 % CI: 1.20625 − 1.20024 = 0.00601 → 0.01; 1.20625 + 1.20024 = 2.40649 → 2.41.

# A cohort of 4 with complete answers: fewer than MIN_GROUP (5), so everything is suppressed.
SMALL_BASELINE = {"W": 2, "X": 3, "Y": 4, "Z": 1}
SMALL_END = {"W": 5, "X": 5, "Y": 4, "Z": 4}
SMALL_SWEMWBS_BASELINE = {p: [3] * 7 for p in "WXYZ"}
SMALL_SWEMWBS_END = {p: [4] * 7 for p in "WXYZ"}

# Mentors at the end: "Mentoring gave me a sense of personal fulfilment and growth" (1–5).
MENTOR_FULFILMENT = [5, 4, 4, 3, 5, 4, 2, 4, 5, 3]
# Agreeing: 5, 4, 4, 5, 4, 4, 5 → 7 of 10 = 70 % (the seed's "70 %").


def two(value: float | None) -> float:
    assert value is not None
    return round_half_up(value, 2)


# --- SWEMWBS conversion ----------------------------------------------------------------------


def test_conversion_table_covers_every_raw_total_and_rises() -> None:
    assert list(SWEMWBS_METRIC) == list(range(7, 36))
    metrics = list(SWEMWBS_METRIC.values())
    assert all(low < high for low, high in itertools.pairwise(metrics))


@pytest.mark.parametrize(
    ("raw", "metric"),
    [
        (7, 7.00),  # end point: every item "none of the time"
        (8, 9.51),
        (9, 11.25),
        (14, 15.32),
        (21, 19.25),  # middle: every item "some of the time"
        (22, 19.98),
        (28, 25.03),
        (33, 30.70),
        (34, 32.55),
        (35, 35.00),  # end point: every item "all of the time"
    ],
)
def test_published_conversion_values(raw: int, metric: float) -> None:
    assert SWEMWBS_METRIC[raw] == metric


def test_conversion_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        SWEMWBS_METRIC[7] = 8.0  # type: ignore[index]


def test_swemwbs_metric_of_answers() -> None:
    assert swemwbs_metric([1] * 7) == 7.00
    assert swemwbs_metric([5] * 7) == 35.00
    assert swemwbs_metric((3, 3, 3, 3, 3, 3, 3)) == 19.25
    assert swemwbs_raw([4, 4, 3, 3, 4, 3, 3]) == 24
    assert swemwbs_metric([4, 4, 3, 3, 4, 3, 3]) == 21.54


def test_fixture_raw_totals_are_as_commented() -> None:
    expected_baseline = dict(A=17, B=20, C=24, D=14, E=28, F=21, G=12, H=23, I=21, J=35)
    expected_end = dict(A=21, B=22, C=26, D=15, E=28, F=19, G=18, H=25)
    assert {p: swemwbs_raw(i) for p, i in SWEMWBS_BASELINE.items() if i} == expected_baseline
    assert {p: swemwbs_raw(i) for p, i in SWEMWBS_END.items() if i} == expected_end


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([3] * 6, "exactly 7 answers, got 6"),
        ([3] * 8, "exactly 7 answers, got 8"),
        ([], "exactly 7 answers, got 0"),
        ([3, 3, 3, 3, 3, 3, 0], "from 1 to 5, got 0"),
        ([3, 3, 3, 3, 3, 3, 6], "from 1 to 5, got 6"),
        ([3, 3, 3, 3, 3, 3, -1], "from 1 to 5, got -1"),
        ([3, 3, 3, 3, 3, 3, 3.0], "whole number"),
        ([3, 3, 3, 3, 3, 3, True], "whole number"),
        ([3, 3, 3, 3, 3, 3, "3"], "whole number"),
        ([3, 3, 3, 3, 3, 3, None], "whole number"),
        ("3333333", "list of 7"),
        (None, "list of 7"),
        ({1, 2, 3, 4, 5}, "list of 7"),
    ],
)
def test_swemwbs_rejects_bad_answers(items: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        swemwbs_metric(items)  # type: ignore[arg-type]
    assert caught.value.field == "answers"
    assert caught.value.status_code == 422


# --- agreement -------------------------------------------------------------------------------


def test_mentor_fulfilment_is_seventy_percent() -> None:
    result = agreement(MENTOR_FULFILMENT)
    assert result == Agreement(n=10, suppressed=False, agreeing=7, share=0.7)
    assert result.percent == pytest.approx(70.0)


def test_agreement_counts_four_and_five_only() -> None:
    # 1, 2, 3 disagree or neutral; 4, 5 agree → 2 of 5.
    assert agreement([1, 2, 3, 4, 5]) == Agreement(n=5, suppressed=False, agreeing=2, share=0.4)
    assert agreement([3, 3, 3, 3, 3]).share == 0.0
    assert agreement(iter([4, 5, 4, 5, 4])).share == 1.0


def test_agreement_skipped_answers_are_not_respondents() -> None:
    # Seven entries, two skipped: n = 5, agreeing 4 and 5 → 2 / 5 = 0.4.
    assert agreement([4, None, 3, 5, None, 2, 1]) == Agreement(
        n=5, suppressed=False, agreeing=2, share=0.4
    )


def test_agreement_suppressed_under_five() -> None:
    assert MIN_GROUP == 5
    result = agreement([5, 5, 5, 5])
    assert result == Agreement(n=4, suppressed=True, agreeing=None, share=None)
    assert result.percent is None
    assert agreement([]) == Agreement(n=0, suppressed=True, agreeing=None, share=None)
    # Skipped answers do not count towards the five.
    assert agreement([5, 5, 5, 5, None]).suppressed


@pytest.mark.parametrize("bad", [0, 6, 2.5, True, "4"])
def test_agreement_rejects_out_of_range(bad: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        agreement([4, 4, 4, 4, bad])  # type: ignore[list-item]
    assert caught.value.field == "answers"


# --- paired agreement ------------------------------------------------------------------------


def test_paired_agreement_fixture() -> None:
    result = paired_agreement(FUTURE_BASELINE, FUTURE_END)
    assert result.n == 8  # I and J (baseline only) excluded
    assert not result.suppressed
    assert result.baseline_agreeing == 2
    assert result.end_agreeing == 5
    assert result.baseline_share == 0.25
    assert result.end_share == 0.625
    assert result.change_points == pytest.approx(37.5)
    assert result.relative_change_percent == pytest.approx(150.0)


def test_paired_agreement_ignores_end_only_and_skipped() -> None:
    baseline = {**FUTURE_BASELINE, "H": None}  # H skipped the baseline question
    end = {**FUTURE_END, "K": 5}  # K only answered at the end
    result = paired_agreement(baseline, end)
    # A–G: baseline agreeing C, E → 2 / 7; end agreeing A, B, C, E, G → 5 / 7.
    assert (result.n, result.baseline_agreeing, result.end_agreeing) == (7, 2, 5)
    assert result.change_points == pytest.approx(3 / 7 * 100)  # 42.857 pp
    assert result.relative_change_percent == pytest.approx(150.0)  # (5/7 − 2/7) / (2/7) = 1.5


def test_seed_style_relative_change() -> None:
    # 50 mentees: 21 agree at baseline (42 %), 25 at the end (50 %):
    # +8 percentage points; relative (0.50 − 0.42) / 0.42 × 100 = 19.05 % — the seed's "+19 %".
    baseline = {i: (4 if i < 21 else 3) for i in range(50)}
    end = {i: (5 if i < 25 else 2) for i in range(50)}
    result = paired_agreement(baseline, end)
    assert (result.baseline_share, result.end_share) == (0.42, 0.5)
    assert two(result.change_points) == 8.0
    assert two(result.relative_change_percent) == 19.05


def test_relative_change_is_none_from_zero_baseline() -> None:
    # Nobody agreed at baseline (0 / 5); 3 of 5 at the end: +60 pp, relative change undefined.
    result = paired_agreement(dict.fromkeys("abcde", 3), {"a": 4, "b": 5, "c": 4, "d": 2, "e": 1})
    assert result.baseline_share == 0.0
    assert result.end_share == 0.6
    assert result.change_points == pytest.approx(60.0)
    assert result.relative_change_percent is None


def test_relative_change_can_fall() -> None:
    # 4 of 5 agree at baseline, 2 of 5 at the end: −40 pp; (0.4 − 0.8) / 0.8 = −50 %.
    result = paired_agreement(
        {"a": 4, "b": 4, "c": 5, "d": 5, "e": 1}, {"a": 4, "b": 3, "c": 5, "d": 2, "e": 1}
    )
    assert result.change_points == pytest.approx(-40.0)
    assert result.relative_change_percent == pytest.approx(-50.0)


def test_paired_agreement_suppressed_group_of_four() -> None:
    result = paired_agreement(SMALL_BASELINE, SMALL_END)
    assert result == PairedAgreement(
        n=4,
        suppressed=True,
        baseline_agreeing=None,
        end_agreeing=None,
        baseline_share=None,
        end_share=None,
        change_points=None,
        relative_change_percent=None,
    )


def test_exactly_five_is_not_suppressed() -> None:
    baseline = {**SMALL_BASELINE, "V": 4}
    end = {**SMALL_END, "V": 4}
    result = paired_agreement(baseline, end)
    # Baseline agreeing: Y, V → 2 / 5; end: all 5 → 5 / 5. +60 pp, relative +150 %.
    assert not result.suppressed
    assert (result.n, result.baseline_share, result.end_share) == (5, 0.4, 1.0)
    assert result.relative_change_percent == pytest.approx(150.0)


def test_paired_group_of_five_answers_but_four_pairs_is_suppressed() -> None:
    # Five answered the baseline, five the end, but only four people both times.
    baseline = {**SMALL_BASELINE, "V": 4}
    end = {**SMALL_END, "U": 4}
    assert paired_agreement(baseline, end).suppressed


def test_paired_agreement_validates_unpaired_answers_too() -> None:
    with pytest.raises(InvalidInput, match="got 7") as caught:
        paired_agreement({**FUTURE_BASELINE, "J": 7}, FUTURE_END)
    assert caught.value.field == "answers"
    with pytest.raises(InvalidInput, match="got 0"):
        paired_agreement(FUTURE_BASELINE, {**FUTURE_END, "K": 0})


# --- Student's t -----------------------------------------------------------------------------

T_975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
    17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064,
    25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 50: 2.009,
    60: 2.000, 80: 1.990, 100: 1.984, 120: 1.980, 200: 1.972,
}  # fmt: skip  # two-sided 95 % critical values from standard published t tables


@pytest.mark.parametrize(("df", "expected"), sorted(T_975.items()))
def test_t_critical_matches_published_tables(df: int, expected: float) -> None:
    assert round_half_up(t_critical(df), 3) == expected


def test_t_critical_more_precisely() -> None:
    assert t_critical(1) == pytest.approx(12.7062047, abs=1e-6)  # = tan(0.475 π)
    assert t_critical(2) == pytest.approx(4.3026527, abs=1e-6)  # = √(2 / (0.05 (2 − 0.05)) − 2)
    assert t_critical(7) == pytest.approx(2.3646243, abs=1e-6)


def test_t_critical_falls_towards_the_normal_value() -> None:
    values = [t_critical(df) for df in range(1, 201)]
    assert all(a > b for a, b in itertools.pairwise(values))
    assert 1.959964 < t_critical(10_000) < 1.9603


def test_t_critical_other_confidence_levels() -> None:
    assert round_half_up(t_critical(10, 0.90), 3) == 1.812
    assert round_half_up(t_critical(10, 0.99), 3) == 3.169
    assert round_half_up(t_critical(1, 0.90), 3) == 6.314


@pytest.mark.parametrize("df", [0, -1, 2.0, True])
def test_t_critical_rejects_bad_degrees_of_freedom(df: object) -> None:
    with pytest.raises(ValueError, match="Degrees of freedom"):
        t_critical(df)  # type: ignore[arg-type]


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.1])
def test_t_critical_rejects_bad_confidence(confidence: float) -> None:
    with pytest.raises(ValueError, match="Confidence"):
        t_critical(5, confidence)


# --- mean change with a 95 % confidence interval ---------------------------------------------


def test_swemwbs_change_fixture() -> None:
    result = swemwbs_change(SWEMWBS_BASELINE, SWEMWBS_END)
    assert result.n == 8
    assert not result.suppressed
    assert result.baseline_mean == pytest.approx(18.9275)
    assert result.end_mean == pytest.approx(20.13375)
    assert result.mean_change == pytest.approx(1.20625)
    assert result.sd_change == pytest.approx(math.sqrt(14.4277875 / 7))
    assert two(result.sd_change) == 1.44
    assert two(result.standard_error) == 0.51
    assert two(result.t_critical) == 2.36
    assert two(result.mean_change) == 1.21
    assert two(result.ci_low) == 0.01
    assert two(result.ci_high) == 2.41


def test_confidence_item_change_fixture() -> None:
    result = paired_item_change(CONFIDENCE_BASELINE, CONFIDENCE_END)
    assert result.n == 8
    assert result.baseline_mean == 2.625
    assert result.end_mean == 3.5
    assert result.mean_change == 0.875
    assert result.sd_change == pytest.approx(math.sqrt(6.875 / 7))
    assert two(result.standard_error) == 0.35
    assert two(result.ci_low) == 0.05
    assert two(result.ci_high) == 1.70


def test_rounded_copy_for_display() -> None:
    result = paired_item_change(CONFIDENCE_BASELINE, CONFIDENCE_END).rounded()
    assert result == MeanChange(
        n=8,
        suppressed=False,
        baseline_mean=2.63,  # 2.625 rounds half up
        end_mean=3.5,
        mean_change=0.88,  # 0.875 rounds half up
        sd_change=0.99,
        standard_error=0.35,
        t_critical=2.36,
        ci_low=0.05,
        ci_high=1.7,
    )
    future = paired_agreement(FUTURE_BASELINE, FUTURE_END).rounded(1)
    assert (future.baseline_share, future.end_share) == (0.3, 0.6)  # 0.25 → 0.3, 0.625 → 0.6
    assert (future.change_points, future.relative_change_percent) == (37.5, 150.0)
    assert agreement(MENTOR_FULFILMENT).rounded(1).share == 0.7
    suppressed = paired_agreement(SMALL_BASELINE, SMALL_END)
    assert suppressed.rounded() == suppressed


def test_round_half_up() -> None:
    assert round_half_up(2.25, 1) == 2.3  # round() would give 2.2
    assert round_half_up(0.125, 2) == 0.13  # round() would give 0.12
    assert round_half_up(-1.005, 2) == -1.01
    assert round_half_up(37.5, 0) == 38.0


def test_no_change_gives_a_zero_width_interval() -> None:
    scores = {p: 20.0 for p in "abcde"}
    result = paired_mean_change(scores, {p: 22.0 for p in "abcde"})
    assert (result.mean_change, result.sd_change, result.ci_low, result.ci_high) == (
        2.0,
        0.0,
        2.0,
        2.0,
    )


def test_mean_change_suppressed_group_of_four() -> None:
    empty = MeanChange(4, True, None, None, None, None, None, None, None, None)
    assert swemwbs_change(SMALL_SWEMWBS_BASELINE, SMALL_SWEMWBS_END) == empty
    assert paired_item_change(SMALL_BASELINE, SMALL_END) == empty
    assert paired_mean_change({}, {}).suppressed


def test_swemwbs_change_skips_missing_questionnaires() -> None:
    # G skipped the end questionnaire: A–F and H remain, n = 7; Σd = 9.65 − 3.35 = 6.30.
    result = swemwbs_change(SWEMWBS_BASELINE, {**SWEMWBS_END, "G": None})
    assert result.n == 7
    assert result.mean_change == pytest.approx(6.30 / 7)


def test_mean_change_validation() -> None:
    with pytest.raises(InvalidInput, match="exactly 7") as caught:
        swemwbs_change({**SWEMWBS_BASELINE, "I": [3] * 6}, SWEMWBS_END)
    assert caught.value.field == "answers"
    with pytest.raises(InvalidInput, match="got 6"):
        paired_item_change(CONFIDENCE_BASELINE, {**CONFIDENCE_END, "A": 6})
    with pytest.raises(InvalidInput, match="whole number"):
        paired_item_change({**CONFIDENCE_BASELINE, "A": 2.5}, CONFIDENCE_END)  # type: ignore[dict-item]
    for bad in (math.nan, math.inf, "20", True):
        with pytest.raises(InvalidInput, match="finite number") as caught:
            paired_mean_change({"a": bad}, {"a": 20.0})  # type: ignore[dict-item]
        assert caught.value.field == "answers"


# --- response rate ---------------------------------------------------------------------------


def test_response_rate() -> None:
    # The fixture: 10 mentees invited to the end survey, 8 answered → 0.8.
    assert response_rate(8, 10) == 0.8
    assert response_rate(0, 10) == 0.0
    assert response_rate(10, 10) == 1.0
    assert response_rate(0, 0) is None


@pytest.mark.parametrize(
    ("responded", "invited", "field"),
    [(11, 10, "responded"), (1, 0, "responded"), (-1, 5, "responded"), (2, -1, "invited"),
     (True, 5, "responded"), (1, 2.0, "invited")],
)  # fmt: skip
def test_response_rate_rejects_bad_counts(responded: object, invited: object, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        response_rate(responded, invited)  # type: ignore[arg-type]
    assert caught.value.field == field
