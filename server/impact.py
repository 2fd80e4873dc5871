"""Impact report statistics: wellbeing scores, agreement shares, paired change, suppression.

Pure domain code (no database, no web framework). Callers gather survey answers keyed by
person (any hashable id) and get back small frozen result objects; every figure is kept at full
precision and rounded only for display (``rounded()``, ``round_half_up``).

- **SWEMWBS**: the Short Warwick-Edinburgh Mental Wellbeing Scale has 7 items scored 1–5; the raw
  total (7–35) is converted to a metric score with the published conversion table
  (``SWEMWBS_METRIC``). Means and changes are always computed on metric scores.
- **Agreement**: the share answering 4 or 5 ("agree"/"strongly agree", "often"/"all of the time")
  on a 1–5 item.
- **Paired change**: only people with both a baseline and an end answer count (``paired_*``).
  For agreement shares the change is given both in percentage points and as a relative change
  (end − baseline) / baseline × 100 — the seed's "+19 %" is a relative change. For continuous
  scores (SWEMWBS metric, the confidence item) the mean of the differences comes with a 95 %
  confidence interval: mean ± t(0.975, n − 1) × sd / √n.
- **Suppression**: any group with fewer than ``MIN_GROUP`` (5) respondents is suppressed to
  protect young people: the result has ``suppressed=True`` and every figure ``None``; only ``n``
  (the respondent count, also visible as the response count) is kept so the report can say why.
- **Response rate**: responded / invited, ``None`` when nobody was invited.

Answers may be skipped (never forced): a skipped answer is simply absent, or ``None``.
Out-of-range answers raise ``server.errors.InvalidInput`` with ``field="answers"``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Self, TypeVar

from server.errors import InvalidInput

MIN_GROUP = 5  # groups with fewer respondents than this are suppressed
ITEM_MIN, ITEM_MAX = 1, 5  # every survey item is answered on a 1–5 scale
AGREE_FROM = 4  # 4 or 5 counts as agreeing
SWEMWBS_ITEMS = 7
CONFIDENCE = 0.95  # the level of every confidence interval in the report
FIELD = "answers"

K = TypeVar("K", bound=Hashable)

# SWEMWBS raw total (7–35) → metric score: the Rasch-based conversion table published by the
# scale's developers, Stewart-Brown S, Tennant A, Tennant R, Platt S, Parkinson J, Weich S (2009)
# "Internal construct validity of the Warwick-Edinburgh Mental Well-being Scale (WEMWBS): a Rasch
# analysis using data from the Scottish Health Education Population Survey", Health and Quality of
# Life Outcomes 7:15, doi:10.1186/1477-7525-7-15 ("a raw score-interval scale transformation"),
# and distributed with the SWEMWBS user guides by Warwick Medical School
# (https://warwick.ac.uk/fac/sci/med/research/platform/wemwbs/using/howto: "raw scores need to be
# transformed"). Values checked one by one against an independently published copy of the table
# (raw 7 → 7.00 … raw 35 → 35.00). Beware other tables circulating online (e.g. one ending
# raw 35 → 29.41): they are not the published SWEMWBS conversion.
SWEMWBS_METRIC: Mapping[int, float] = MappingProxyType(
    {
        7: 7.00,
        8: 9.51,
        9: 11.25,
        10: 12.40,
        11: 13.33,
        12: 14.08,
        13: 14.75,
        14: 15.32,
        15: 15.84,
        16: 16.36,
        17: 16.88,
        18: 17.43,
        19: 17.98,
        20: 18.59,
        21: 19.25,
        22: 19.98,
        23: 20.73,
        24: 21.54,
        25: 22.35,
        26: 23.21,
        27: 24.11,
        28: 25.03,
        29: 26.02,
        30: 27.03,
        31: 28.13,
        32: 29.31,
        33: 30.70,
        34: 32.55,
        35: 35.00,
    }
)


# --- rounding for display -------------------------------------------------------------------


def round_half_up(value: float, digits: int = 1) -> float:
    """Round for display the way people do by hand (2.25 → 2.3), not banker's rounding."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round_half_up(value, digits)


# --- validation ------------------------------------------------------------------------------


def check_item(value: object) -> int:
    """One answer to a 1–5 item, or InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            f"Each answer must be a whole number from {ITEM_MIN} to {ITEM_MAX}, got {value!r}.",
            field=FIELD,
        )
    if not ITEM_MIN <= value <= ITEM_MAX:
        raise InvalidInput(
            f"Each answer must be from {ITEM_MIN} to {ITEM_MAX}, got {value}.", field=FIELD
        )
    return value


def _check_score(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"Each score must be a finite number, got {value!r}.", field=FIELD)
    return float(value)


# --- SWEMWBS ---------------------------------------------------------------------------------


def swemwbs_raw(items: Sequence[int]) -> int:
    """The raw SWEMWBS total (7–35) of exactly 7 answers, each 1–5."""
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise InvalidInput("SWEMWBS answers must be a list of 7 numbers.", field=FIELD)
    if len(items) != SWEMWBS_ITEMS:
        raise InvalidInput(
            f"SWEMWBS needs exactly {SWEMWBS_ITEMS} answers, got {len(items)}.", field=FIELD
        )
    return sum(check_item(item) for item in items)


def swemwbs_metric(items: Sequence[int]) -> float:
    """The SWEMWBS metric score of exactly 7 answers (1–5 each), via the published table."""
    return SWEMWBS_METRIC[swemwbs_raw(items)]


# --- agreement -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """How many of ``n`` respondents agreed (answered 4 or 5); ``share`` is a fraction 0–1."""

    n: int
    suppressed: bool
    agreeing: int | None
    share: float | None

    @property
    def percent(self) -> float | None:
        return None if self.share is None else self.share * 100

    def rounded(self, digits: int = 3) -> Self:
        """A copy with the share rounded half up (for display and CSV)."""
        return dataclasses.replace(self, share=_r(self.share, digits))


def _agreeing(value: int) -> bool:
    return value >= AGREE_FROM


def agreement(values: Iterable[int | None]) -> Agreement:
    """Share answering 4 or 5 on a 1–5 item; skipped answers (None) are not counted."""
    answers = [check_item(value) for value in values if value is not None]
    n = len(answers)
    if n < MIN_GROUP:
        return Agreement(n=n, suppressed=True, agreeing=None, share=None)
    agreeing = sum(1 for value in answers if _agreeing(value))
    return Agreement(n=n, suppressed=False, agreeing=agreeing, share=agreeing / n)


def _paired(
    baseline: Mapping[K, float | None], end: Mapping[K, float | None]
) -> list[tuple[float, float]]:
    """Baseline and end values of the people who have both, in the baseline's order."""
    pairs = []
    for person, before in baseline.items():
        after = end.get(person)
        if before is not None and after is not None:
            pairs.append((before, after))
    return pairs


@dataclass(frozen=True)
class PairedAgreement:
    """Agreement at baseline and at the end in the same ``n`` people.

    Shares are fractions 0–1; ``change_points`` is in percentage points (end − baseline) × 100;
    ``relative_change_percent`` is (end − baseline) / baseline × 100, None when the baseline
    share is 0 (no relative change from nothing).
    """

    n: int
    suppressed: bool
    baseline_agreeing: int | None
    end_agreeing: int | None
    baseline_share: float | None
    end_share: float | None
    change_points: float | None
    relative_change_percent: float | None

    def rounded(self, digits: int = 3) -> Self:
        """A copy with every figure rounded half up (for display and CSV)."""
        return dataclasses.replace(
            self,
            baseline_share=_r(self.baseline_share, digits),
            end_share=_r(self.end_share, digits),
            change_points=_r(self.change_points, digits),
            relative_change_percent=_r(self.relative_change_percent, digits),
        )


def paired_agreement(
    baseline: Mapping[K, int | None], end: Mapping[K, int | None]
) -> PairedAgreement:
    """Agreement (4–5) at baseline and at the end, only in people who answered both times."""
    for answers in (baseline, end):
        for value in answers.values():
            if value is not None:
                check_item(value)
    pairs = _paired(baseline, end)
    n = len(pairs)
    if n < MIN_GROUP:
        return PairedAgreement(n, True, None, None, None, None, None, None)
    before = sum(1 for b, _ in pairs if _agreeing(int(b)))
    after = sum(1 for _, e in pairs if _agreeing(int(e)))
    before_share, after_share = before / n, after / n
    relative = None if before == 0 else (after_share - before_share) / before_share * 100
    return PairedAgreement(
        n=n,
        suppressed=False,
        baseline_agreeing=before,
        end_agreeing=after,
        baseline_share=before_share,
        end_share=after_share,
        change_points=(after_share - before_share) * 100,
        relative_change_percent=relative,
    )


# --- Student's t -----------------------------------------------------------------------------


def _t_central_probability(t: float, df: int) -> float:
    """P(|T| ≤ t) for Student's t with integer ``df`` (Abramowitz & Stegun 26.7.3–26.7.4).

    With θ = atan(t / √df): for odd df, (2/π)(θ + sin θ cos θ Σ), for even df, sin θ Σ, where Σ is
    a finite series in cos²θ — exact, no tables, no SciPy.
    """
    theta = math.atan(t / math.sqrt(df))
    cos2 = math.cos(theta) ** 2
    if df % 2 == 1:
        # Σ = 1 + (2/3)cos²θ + (2·4)/(3·5)cos⁴θ + … up to cos^(df−3)θ
        total, term = 0.0, 1.0
        for k in range(1, (df - 1) // 2 + 1):
            total += term
            term *= (2 * k) / (2 * k + 1) * cos2
        return (2 / math.pi) * (theta + math.sin(theta) * math.cos(theta) * total)
    # Σ = 1 + (1/2)cos²θ + (1·3)/(2·4)cos⁴θ + … up to cos^(df−2)θ
    total, term = 0.0, 1.0
    for k in range(1, df // 2 + 1):
        total += term
        term *= (2 * k - 1) / (2 * k) * cos2
    return math.sin(theta) * total


def t_critical(df: int, confidence: float = CONFIDENCE) -> float:
    """Two-sided critical value of Student's t: t(1 − (1 − confidence)/2, df).

    ``t_critical(7)`` is t(0.975, 7) ≈ 2.365. Found by bisection on the exact distribution
    function to well below 1e-9, for any whole number of degrees of freedom ≥ 1.
    """
    if isinstance(df, bool) or not isinstance(df, int) or df < 1:
        raise ValueError(f"Degrees of freedom must be a whole number ≥ 1, got {df!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"Confidence must be between 0 and 1, got {confidence!r}.")
    return _t_critical(df, float(confidence))


@functools.lru_cache(maxsize=512)
def _t_critical(df: int, confidence: float) -> float:
    low, high = 0.0, 1.0
    while _t_central_probability(high, df) < confidence:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if _t_central_probability(middle, df) < confidence:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


# --- mean change with a confidence interval --------------------------------------------------


@dataclass(frozen=True)
class MeanChange:
    """Mean change (end − baseline) in the same ``n`` people, with a 95 % confidence interval.

    ``sd_change`` is the sample standard deviation of the differences (n − 1), ``standard_error``
    is sd / √n, ``t_critical`` is t(0.975, n − 1) and the interval is mean ± t × se.
    """

    n: int
    suppressed: bool
    baseline_mean: float | None
    end_mean: float | None
    mean_change: float | None
    sd_change: float | None
    standard_error: float | None
    t_critical: float | None
    ci_low: float | None
    ci_high: float | None

    def rounded(self, digits: int = 2) -> Self:
        """A copy with every figure rounded half up (for display and CSV)."""
        return dataclasses.replace(
            self,
            baseline_mean=_r(self.baseline_mean, digits),
            end_mean=_r(self.end_mean, digits),
            mean_change=_r(self.mean_change, digits),
            sd_change=_r(self.sd_change, digits),
            standard_error=_r(self.standard_error, digits),
            t_critical=_r(self.t_critical, digits),
            ci_low=_r(self.ci_low, digits),
            ci_high=_r(self.ci_high, digits),
        )


def paired_mean_change(
    baseline: Mapping[K, float | None], end: Mapping[K, float | None]
) -> MeanChange:
    """Mean change of a continuous score in people with both a baseline and an end score."""
    for scores in (baseline, end):
        for value in scores.values():
            if value is not None:
                _check_score(value)
    pairs = _paired(baseline, end)
    n = len(pairs)
    if n < MIN_GROUP:
        return MeanChange(n, True, None, None, None, None, None, None, None, None)
    differences = [after - before for before, after in pairs]
    mean = math.fsum(differences) / n
    variance = math.fsum((d - mean) ** 2 for d in differences) / (n - 1)
    sd = math.sqrt(variance)
    se = sd / math.sqrt(n)
    t = t_critical(n - 1)
    return MeanChange(
        n=n,
        suppressed=False,
        baseline_mean=math.fsum(b for b, _ in pairs) / n,
        end_mean=math.fsum(e for _, e in pairs) / n,
        mean_change=mean,
        sd_change=sd,
        standard_error=se,
        t_critical=t,
        ci_low=mean - t * se,
        ci_high=mean + t * se,
    )


def paired_item_change(baseline: Mapping[K, int | None], end: Mapping[K, int | None]) -> MeanChange:
    """Mean change of a single 1–5 item (e.g. the confidence item), answers validated."""
    for answers in (baseline, end):
        for value in answers.values():
            if value is not None:
                check_item(value)
    return paired_mean_change(baseline, end)


def swemwbs_change(
    baseline: Mapping[K, Sequence[int] | None], end: Mapping[K, Sequence[int] | None]
) -> MeanChange:
    """Mean change in SWEMWBS metric score; each person's 7 answers converted first."""

    def metric_scores(answers: Mapping[K, Sequence[int] | None]) -> dict[K, float]:
        return {
            person: swemwbs_metric(items) for person, items in answers.items() if items is not None
        }

    return paired_mean_change(metric_scores(baseline), metric_scores(end))


# --- response rate ---------------------------------------------------------------------------


def response_rate(responded: int, invited: int) -> float | None:
    """responded / invited as a fraction 0–1; None when nobody was invited."""
    for name, count in (("responded", responded), ("invited", invited)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidInput(f"{name} must be a whole number ≥ 0, got {count!r}.", field=name)
    if responded > invited:
        raise InvalidInput(
            f"More responses ({responded}) than people invited ({invited}).", field="responded"
        )
    if invited == 0:
        return None
    return responded / invited
