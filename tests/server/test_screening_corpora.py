"""The screening rules over whole corpora of realistic messages, risky and innocent.

Each corpus was written by someone who had not seen the rules, one message per line with the
verdict a safeguarding lead would want for an adult and for an under-18 mentee. The rules were
then improved looking at the corpora named "tuned_on" (so their floors are high); those named
"held_out" were only ever measured, never looked at, and their floors record where the rules
stood when they were added. tuned_on_5 was held out first (2026-11-26: 30% of its risky
messages caught before that day's changes, 63% after) and tuned on on 2026-12-03 (100%).
Corpora 6 (casual sixth-form chat) and 7 (older mentees, subtler grooming and disclosures)
were written that day: after tuning on 5 only, 6 went from 51% to 52% of its risky messages
and 7 from 43% to 46%, so phrases fitted to one corpus barely carry over to the next. 6 was
then tuned on (91% of its risky messages, 98% of its contact details, 99% of its innocent
ones delivered); held_out_7 stayed held out (48%, 86% and 96%).

A message counts as right when it is delivered if and only if it should be: a FLAG where a
HOLD was wanted still alerts the safeguarding team, a DELIVER where a FLAG was wanted does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.screening import DEFAULT_RISK_TERMS, Screener, Verdict

CORPORA = Path(__file__).parent / "screening_corpora"

# corpus: (contact details caught, risky messages caught, innocent messages delivered)
FLOORS = {
    "tuned_on_1": (1.0, 0.95, 1.0),
    "tuned_on_2": (1.0, 0.9, 0.97),
    "tuned_on_3": (0.98, 0.95, 0.96),
    "tuned_on_4": (0.97, 0.93, 0.97),
    "tuned_on_5": (0.98, 0.97, 0.96),
    "tuned_on_6": (0.96, 0.89, 0.97),
    "held_out_7": (0.84, 0.46, 0.94),
}


@pytest.mark.parametrize("corpus", sorted(FLOORS))
def test_corpus_is_screened_as_a_safeguarding_lead_would(corpus: str) -> None:
    screener = Screener(DEFAULT_RISK_TERMS)
    right: dict[str, list[bool]] = {"contact": [], "risk": [], "innocent": []}
    for line in (CORPORA / f"{corpus}.jsonl").read_text().splitlines():
        row = json.loads(line)
        group = row["category"].split("-")[0]
        for under_18, expected in ((False, row["expected_adult"]), (True, row["expected_u18"])):
            verdict = screener.screen(row["text"], mentee_under_18=under_18).verdict
            right[group].append((verdict is Verdict.DELIVER) == (expected == "DELIVER"))
    shares = [sum(right[group]) / len(right[group]) for group in ("contact", "risk", "innocent")]
    assert all(len(rows) >= 100 for rows in right.values())
    for share, floor, group in zip(shares, FLOORS[corpus], right, strict=True):
        assert share >= floor, f"{corpus}: {group} {share:.1%} right, below {floor:.0%}"
