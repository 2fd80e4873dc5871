"""The screening rules over whole corpora of realistic messages, risky and innocent.

Each corpus was written by someone who had not seen the rules, one message per line with the
verdict a safeguarding lead would want for an adult and for an under-18 mentee. The rules were
then improved looking at the corpora named "tuned_on" (so their floors are high); those named
"held_out" were only ever measured, never looked at, and their floors record where the rules
stood when they were added.

Of the risky messages in each corpus, the share caught when it was first measured has grown
over the rounds (corpus 3: 17%, 4: 21%, 5: 30%, 6: 51%, 7: 43%, 8: 52%, 9: 61%), but phrases
fitted to one corpus carry over to the next only a little. On 2026-12-03 corpora 5 to 9 were
tuned on one after the other, each measured first: 5 (held out since 2026-11-26), 6 (casual
sixth-form chat), 7 (older mentees, subtler grooming and disclosures), 8 (English as an
additional language, voice dictation, youth clubs and care settings) and 9 (regional slang,
mentors of every age, risky asks at the end of innocent messages), then tuned_on_contacts_1,
400 contact details and look-alikes only (82% -> 85% of its contact details before it was
tuned on, 95% after). held_out_10 (written that day by someone asked for every kind of writer)
was only measured: over that day's changes its risky messages caught went 56% -> 68%, its
contact details 88% -> 92%, and 94% of its innocent messages were delivered throughout.

A message counts as right when it is delivered if and only if it should be: a FLAG where a
HOLD was wanted still alerts the safeguarding team, a DELIVER where a FLAG was wanted does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.screening import DEFAULT_RISK_TERMS, Screener, Verdict

CORPORA = Path(__file__).parent / "screening_corpora"

GROUPS = ("contact", "risk", "innocent")
# corpus: (contact details caught, risky messages caught, innocent messages delivered); None
# for a group the corpus does not have
FLOORS: dict[str, tuple[float | None, float | None, float]] = {
    "tuned_on_1": (1.0, 0.95, 1.0),
    "tuned_on_2": (1.0, 0.9, 0.97),
    "tuned_on_3": (0.98, 0.95, 0.96),
    "tuned_on_4": (0.97, 0.93, 0.97),
    "tuned_on_5": (0.98, 0.97, 0.96),
    "tuned_on_6": (0.96, 0.89, 0.97),
    "tuned_on_7": (0.98, 0.97, 0.96),
    "tuned_on_8": (0.96, 0.97, 0.98),
    "tuned_on_9": (0.95, 0.95, 0.96),
    "tuned_on_contacts_1": (0.93, None, 0.96),
    "tuned_on_contacts_2": (0.86, None, 0.98),
    "held_out_10": (0.9, 0.66, 0.93),
}


@pytest.mark.parametrize("corpus", sorted(FLOORS))
def test_corpus_is_screened_as_a_safeguarding_lead_would(corpus: str) -> None:
    screener = Screener(DEFAULT_RISK_TERMS)
    right: dict[str, list[bool]] = {group: [] for group in GROUPS}
    for line in (CORPORA / f"{corpus}.jsonl").read_text().splitlines():
        row = json.loads(line)
        group = row["category"].split("-")[0]
        for under_18, expected in ((False, row["expected_adult"]), (True, row["expected_u18"])):
            verdict = screener.screen(row["text"], mentee_under_18=under_18).verdict
            right[group].append((verdict is Verdict.DELIVER) == (expected == "DELIVER"))
    for group, floor in zip(GROUPS, FLOORS[corpus], strict=True):
        if floor is None:
            assert not right[group], f"{corpus} has {group} rows but no floor for them"
            continue
        assert len(right[group]) >= 100, f"{corpus}: too few {group} rows"
        share = sum(right[group]) / len(right[group])
        assert share >= floor, f"{corpus}: {group} {share:.1%} right, below {floor:.0%}"
