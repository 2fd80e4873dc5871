"""The risk model beside the phrase list: trained on the shipped examples, scored in Python."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from server.risk_model import (
    CATEGORIES,
    FLAG_AT,
    HOLD_AT,
    Example,
    RiskModel,
    features,
    load_examples,
    trained_risk_model,
)
from server.screening import (
    DEFAULT_RISK_TERMS,
    MODEL_HOLD_PHRASE,
    MODEL_PHRASE,
    RiskTerm,
    Screener,
    ScreeningResult,
    Severity,
    Verdict,
    canonical_words,
    describe_reason,
)


def test_examples_are_labelled_with_the_phrase_lists_categories() -> None:
    examples = load_examples()
    assert len(examples) >= 2000
    kinds = {e.category for e in examples}
    assert kinds == {None, *CATEGORIES.values()}
    risky = sum(e.category is not None for e in examples)
    assert 0.2 < risky / len(examples) < 0.6


def test_plain_python_scores_agree_with_scikit_learn() -> None:
    """The exported weights give the probabilities scikit-learn itself gives."""
    examples = load_examples()
    model = RiskModel.train(examples)
    docs = [features(e.words) for e in examples]
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True)
    reference = LogisticRegression(
        C=16.0, class_weight="balanced", solver="newton-cg", max_iter=1000
    )
    reference.fit(vectorizer.fit_transform(docs), [e.category is not None for e in examples])
    texts = [
        "i wont be a problem for much longer",
        "see you at the session on tuesday, bring your CV",
        "unseen wordz nobody wrote xqzt",
        # words and pieces of words there more than once (sublinear counts)
        "no no no, i said no. tell me, tell me again tomorrow tomorrow",
        "",
    ]
    for text in texts:
        words = canonical_words(text)
        expected = reference.predict_proba(vectorizer.transform([features(words)]))[0][1]
        assert math.isclose(model.probability(words), expected, abs_tol=1e-9), text


def test_a_model_learns_from_its_examples() -> None:
    def example(text: str, category: str | None) -> Example:
        return Example(tuple(canonical_words(text)), category)

    openings = ("honestly", "if you want", "no worries", "remember")
    sleepover = [example(f"{o} you can sleep over at mine tonight", "meeting") for o in openings]
    good_luck = [example(f"{o} good luck with the maths test tomorrow", None) for o in openings]
    one_kind = RiskModel.train(sleepover + good_luck)
    opinion = one_kind.opinion(canonical_words("you can sleep over at mine"), flag_at=0.5)
    assert opinion is not None and opinion.category == "meeting"
    assert one_kind.opinion(canonical_words("good luck with the test"), flag_at=0.5) is None

    top_up = [example(f"{o} i will top up your phone every week", "gifts") for o in openings]
    two_kinds = RiskModel.train(sleepover + top_up + good_luck)
    for text, category in (("sleep over at mine", "meeting"), ("top up your phone", "gifts")):
        opinion = two_kinds.opinion(canonical_words(text), flag_at=0.5)
        assert opinion is not None and opinion.category == category, text

    with pytest.raises(ValueError, match="risky and innocent"):
        RiskModel.train(good_luck)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("i wont be a problem for much longer", "self-harm"),
        ("been giving my stuff away, my sister can have my xbox. i wont need it", "self-harm"),
        ("I'll be waiting in the car round the corner from the school gates at 4", "meeting"),
        ("dont want to go home tonight, his temper is bad again", "abuse"),
        ("what do you wear when you go out with your mates?", "sexual"),
    ],
)
def test_indirect_concerns_are_flagged_with_their_kind(text: str, category: str) -> None:
    screener = Screener(DEFAULT_RISK_TERMS, model=trained_risk_model())
    assert Screener(DEFAULT_RISK_TERMS).screen(text, mentee_under_18=True).reasons == ()
    result = screener.screen(text, mentee_under_18=True)
    reason, *held = result.reasons
    # Flagged, or held when it reads like what leads hold, which the reasons then say.
    assert result.verdict is (Verdict.HOLD if held else Verdict.FLAG)
    assert held in ([], [f"risk:{category}:{MODEL_HOLD_PHRASE}"])
    assert reason.startswith(f"risk:{category}:{MODEL_PHRASE} (")
    # the words that weighed most are named for the lead, and are the message's own
    evidence = reason.removeprefix(f"risk:{category}:{MODEL_PHRASE} (").removesuffix(")")
    assert 1 <= len(evidence.split(", ")) <= 3
    assert all(
        " ".join(canonical_words(said)) in " ".join(canonical_words(text))
        for said in evidence.split(", ")
    )
    assert f"no listed phrase, weighing most: {evidence}" in describe_reason(reason)


@pytest.mark.parametrize(
    "text",
    [
        "see you at the session on tuesday, bring your CV",
        "this homework is literally killing me",
        "well done on your results, you worked so hard for them",
        "can we move next week's session to 5pm? I've got football",
        "Eid Mubarak to you and your family!",
        "my camera wont turn on, ill just do audio if thats ok",
    ],
)
def test_ordinary_messages_are_not_flagged(text: str) -> None:
    model = trained_risk_model()
    assert model.probability(canonical_words(text)) < FLAG_AT, text
    screener = Screener(DEFAULT_RISK_TERMS, model=model)
    assert screener.screen(text, mentee_under_18=True).verdict is Verdict.DELIVER


def test_a_listed_phrase_is_not_seconded_by_the_models_flag() -> None:
    screener = Screener(DEFAULT_RISK_TERMS, model=trained_risk_model())
    result = screener.screen("don't tell anyone but I smashed the exam", mentee_under_18=True)
    assert result == ScreeningResult(Verdict.FLAG, ("risk:secrecy:don't tell anyone",))


def test_a_model_learns_which_risks_a_lead_holds() -> None:
    def example(text: str, category: str | None, hold: bool = False) -> Example:
        return Example(tuple(canonical_words(text)), category, hold)

    openings = ("honestly", "if you want", "no worries", "remember")
    lift = [
        example(f"{o} i can give you a lift home after college", "meeting", True) for o in openings
    ]
    coffee = [example(f"{o} we could get a coffee after the session", "meeting") for o in openings]
    good_luck = [example(f"{o} good luck with the maths test tomorrow", None) for o in openings]
    model = RiskModel.train(lift + coffee + good_luck)
    assert model.holds(canonical_words("i can give you a lift home"))
    assert not model.holds(canonical_words("we could get a coffee"))
    assert not model.holds(canonical_words("i can give you a lift home"), hold_at=1.0)
    assert not model.holds([])
    # Examples that say nothing of holding: the model never holds.
    unsaid = [Example(e.words, e.category) for e in lift]
    assert not RiskModel.train(unsaid + coffee + good_luck).holds(canonical_words("a lift home"))

    # A message a listed phrase flags is held when it reads like those a lead holds; so is one
    # the model flags. The other flags stay flags, and contact details alone are the rules'.
    def screen(terms: list[RiskTerm], text: str) -> ScreeningResult:
        return Screener(terms, model=model).screen(text, mentee_under_18=False)

    after = [RiskTerm("after", Severity.MEDIUM, "meeting")]
    assert screen(after, "i can give you a lift home after college") == ScreeningResult(
        Verdict.HOLD, ("risk:meeting:after", f"risk:meeting:{MODEL_HOLD_PHRASE}")
    )
    assert screen(after, "we could get a coffee after the session") == ScreeningResult(
        Verdict.FLAG, ("risk:meeting:after",)
    )
    held = screen([], "honestly i can give you a lift home")
    assert held.verdict is Verdict.HOLD
    assert held.reasons[-1] == f"risk:meeting:{MODEL_HOLD_PHRASE}"
    contact = screen([], "see you then, ring 07700 900123")
    assert contact == ScreeningResult(Verdict.FLAG, ("contact:phone",))


def test_the_shipped_model_holds_what_leads_hold() -> None:
    assert 0.5 < HOLD_AT < 1.0
    screener = Screener(DEFAULT_RISK_TERMS, model=trained_risk_model())
    held = screener.screen("i dont want to be here anymore", mentee_under_18=False)
    assert held == ScreeningResult(
        Verdict.HOLD,
        (
            "risk:self-harm:don't want to be here anymore",
            f"risk:self-harm:{MODEL_HOLD_PHRASE}",
        ),
    )
    assert "leads hold" in describe_reason(held.reasons[-1])


def test_contact_details_and_the_models_opinion_are_both_reported() -> None:
    screener = Screener(DEFAULT_RISK_TERMS, model=trained_risk_model())
    text = "dont want to go home tonight, his temper is bad again. ring me on 07700 900123"
    result = screener.screen(text, mentee_under_18=False)
    assert result.verdict is not Verdict.DELIVER
    assert result.reasons[0] == "contact:phone"
    assert next(r for r in result.reasons if r.startswith("risk:")).startswith(
        f"risk:abuse:{MODEL_PHRASE}"
    )


def test_training_keeps_scikit_learn_out_of_the_serving_process() -> None:
    """Its import and working memory (about 140 MB) stay in a child that exits."""
    script = (
        "import sys\n"
        "from server.risk_model import trained_risk_model\n"
        "model = trained_risk_model()\n"
        "assert model.probability(['hello']) < 0.5\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'sklearn', 'scipy'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"
