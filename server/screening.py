"""Screening rules for chat messages: pure domain code, no framework imports.

Every chat message is screened *before* delivery (DESIGN.md, decision 2). This module decides,
for one message text, whether it is delivered (``DELIVER``), delivered with the safeguarding lead
alerted (``FLAG``) or held until a DSL approves it (``HOLD``).

Rules
-----
* **Contact details** -- phone numbers (UK and international, spaced / dotted / dashed /
  bracketed, ``+44`` / ``0044`` / ``07…`` / ``01…`` / ``02…``, digits written as words such as "oh
  seven seven double one…", letter O for zero), e-mail addresses (plain and obfuscated: ``name at
  gmail dot com``, ``name(at)gmail(dot)com``, ``name @ gmail . com``), URLs and bare domains
  (``https://…``, ``www.x``, ``example.co.uk``, ``bit.ly/xyz``, ``bit ly / xyz``, ``example dot
  com``), social handles (``@someone``, ``snap: someone``, ``sc ➡️ some.one22``) and invitations
  to move the conversation elsewhere ("add me on snap", "my insta is …", "whatsapp me", "find me
  on discord", "dm me", "text me on …", "what's your number", "I'll ring you on your mobile",
  gaming and streaming names, "name#1234" tags; not what others do: "they'd text me"), a mobile
  number told in pieces ("07700 900, then 468"), and a home address: with a postcode, as "my
  address is …" / "I live at 12 …" / "I'm at 14 Elm Avenue" / "flat 5" / a house number on a named
  street ("it's 7 Oak Avenue", but not a public place's: "the college is at 45 Park Lane",
  "12 Church Street is the library"),
  directions to a door ("onto Hazel Road, I'm number 21"), or asked for. Numbers of organisations
  and helplines (03…, 08…, 09…) are not someone's contact details, nor is a number labelled as a
  reference ("application reference 4471 2093 8812") that does not start with 0 or +, nor a
  public-sector site (gov.uk, nhs.uk, ac.uk …, bare or as a link), nor a helpline's own address
  (jo@samaritans.org); characters spaced out ("s n a p : j o") and platform names in digits
  ("sn4p") are read as written together, and so are "_at_" and "_dot_" and links written
  "hxxps://".
  Verdict: ``HOLD`` when the mentee is under 18, otherwise ``FLAG``.
* **Risk terms** (maintained by the DSL, seeded with :data:`DEFAULT_RISK_TERMS`): a term of
  severity ``SEVERE`` gives ``HOLD``; ``MEDIUM`` or ``LOW`` gives ``FLAG``. Besides words, a
  phrase may hold choices (``mum/dad/parents``: any one of them) and gaps (``*``: up to
  :data:`MAX_GAP_WORDS` other words), e.g. ``don't * tell your mum/dad``. A flagging phrase of
  one or two words that names a topic ("suicide", "self harm") does not count in a message about
  schoolwork on it that says nothing of the writer ("Lady Macbeth's suicide is the theme"; "I",
  "me" and "my" only before a word of study: "I'm comparing studies on self-harm", "my essay").
  In a message that speaks of safety ("red flag", "scam", "safeguarding", "you can report …"),
  the clauses that give advice ("never …", "if anyone asks you to …", "I can't keep …") are not
  screened for risk phrases; its other clauses are. A gift or a meeting declined ("I can't lend
  you money") is none, nor is one the writer's family gives them ("my nan keeps sending me £5").
* **Secrecy around something else** -- a phrase of category ``secrecy`` in the same message as
  one of category ``gifts``, ``meeting`` or ``sexual`` gives ``HOLD`` whatever their severities:
  that is how grooming asks ("keep it between us, I'll bring you a little something"), while
  secrecy alone is often news ("don't tell anyone but I got in!"). Contact details kept secret
  are as contact details are: ``FLAG`` for an adult mentee.
* **The risk model** (:mod:`server.risk_model`, when given) flags a message no listed phrase
  catches that reads like the risky examples, and holds a message with a risk that would be
  flagged (by a phrase or by the model) that reads like the examples a lead would hold.
* Otherwise ``DELIVER``. The strictest verdict found wins (HOLD > FLAG > DELIVER).

Reasons
-------
:attr:`ScreeningResult.reasons` lists every reason found, each once, as short stable strings:

* ``contact:phone`` -- a phone number;
* ``contact:email`` -- an e-mail address (possibly obfuscated);
* ``contact:url`` -- a URL, ``www.`` address or bare domain;
* ``contact:social`` -- a social-media handle or an invitation to connect or move elsewhere
  (including asking for or offering a phone number / e-mail without giving one);
* ``contact:address`` -- a postal address (UK postcode, "my address is", "I live at 12 …");
* ``risk:<category>:<phrase>`` -- a risk term, with the term's category and its phrase exactly
  as configured (whitespace collapsed), e.g. ``risk:secrecy:don't tell anyone``;
* ``risk:<category>:worded like known concerns (<words>)`` -- the risk model's flag, with the
  words that weighed most;
* ``risk:<category>:worded like concerns that are held`` -- the risk model's hold;
* ``risk:secrecy+<what>:together`` -- secrecy around something else, ``<what>`` being
  ``gifts``, ``meeting`` or ``sexual``, joined by ``+`` if more than one, e.g.
  ``risk:secrecy+gifts:together`` (listed phrases' categories cannot hold a ``+``).

Order: the contact reasons in the order above, then risk reasons in the order of the term list
given to :class:`Screener`, then the reason for secrecy around something else, then the model's.
A message with no reason has verdict ``DELIVER`` and ``reasons == ()``.

Matching
--------
Text is normalised once per message: Unicode NFKC, a few look-alike letters (Cyrillic/Greek) and
punctuation variants mapped to ASCII, zero-width characters removed, casefolded, whitespace
collapsed. Risk phrases are normalised the same way and then matched on whole words, with
apostrophe variants and common chat spellings made equal (don't / dont / don’t / do not,
u / you, ur / your, wanna / want to, anybody / anyone, mom / mum, pic / photo / picture …), and
also against a copy with digit-for-letter tricks undone ("s3cret") and with stretched letters
squashed ("secrettt"). Sums of money read as the word "money" ("£20", "50 quid", "a tenner"),
and dying of embarrassment, shame, boredom or laughter as the feeling it is.
A phrase of several words also matches other forms of its words (Snowball stems: "he hits me"
matches "he hit me", "meet up" matches "meeting up"), except a word the phrase gives in an -ing
or -ed form, which must be as written ("self harming" is more specific than "self harm"); a
one-word phrase matches that word only ("nudes" is not "nude"). Every expensive regular
expression is gated by a cheap test (a digit, an ``@``, a dot followed by a letter, or a keyword
among the message's words); a phrase is tried only when its least common word is there.
"""

from __future__ import annotations

import enum
import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

import snowballstemmer

if TYPE_CHECKING:
    from server.risk_model import RiskModel

__all__ = [
    "CONVERSATIONAL_RISK_TERMS",
    "DEFAULT_RISK_TERMS",
    "FIRST_RISK_TERMS",
    "INDIRECT_RISK_TERMS",
    "MODEL_HOLD_PHRASE",
    "MODEL_PHRASE",
    "WIDER_RISK_TERMS",
    "RiskTerm",
    "Screener",
    "ScreeningResult",
    "Severity",
    "Verdict",
    "canonical_words",
    "describe_reason",
    "phrase_words",
    "screen_message",
    "tells_of_harm_to_writer",
]


class Verdict(enum.StrEnum):
    """What happens to a message."""

    DELIVER = "DELIVER"
    FLAG = "FLAG"
    HOLD = "HOLD"


class Severity(enum.StrEnum):
    """How serious a risk term is: SEVERE holds the message, the others flag it."""

    LOW = "low"
    MEDIUM = "medium"
    SEVERE = "severe"


@dataclass(frozen=True)
class RiskTerm:
    """A phrase the DSL wants to see, e.g. ``RiskTerm("our little secret", SEVERE, "secrecy")``."""

    phrase: str
    severity: Severity
    category: str


@dataclass(frozen=True)
class ScreeningResult:
    """The verdict for one message and every reason found (see the module docstring)."""

    verdict: Verdict
    reasons: tuple[str, ...]


_RANK = {Verdict.DELIVER: 0, Verdict.FLAG: 1, Verdict.HOLD: 2}

REASON_PHONE = "contact:phone"
REASON_EMAIL = "contact:email"
REASON_URL = "contact:url"
REASON_SOCIAL = "contact:social"
REASON_ADDRESS = "contact:address"
#: The phrase part of a reason given by the risk model rather than by a listed phrase.
MODEL_PHRASE = "worded like known concerns"
#: The phrase part of the reason a flagged message is held: it reads like those leads hold.
MODEL_HOLD_PHRASE = "worded like concerns that are held"
#: The phrase part of the reason for secrecy asked around a gift, a meeting … (category "a+b").
KEPT_SECRET_PHRASE = "together"


_CONTACT_WORDS = {
    REASON_PHONE: "a phone number",
    REASON_EMAIL: "an e-mail address",
    REASON_URL: "a link or web address",
    REASON_SOCIAL: "a social media name, or an invitation to talk somewhere else",
    REASON_ADDRESS: "a home address",
}


def describe_reason(reason: str) -> str:
    """A screening reason in plain words, for the people reviewing messages."""
    if reason in _CONTACT_WORDS:
        return _CONTACT_WORDS[reason]
    kind, _, rest = reason.partition(":")
    category, _, phrase = rest.partition(":")
    if kind == "risk" and phrase == KEPT_SECRET_PHRASE and "+" in category:
        secrecy, *around = category.split("+")
        return (
            f"{secrecy} asked around {' and '.join(around)} (each alone flags; together they hold)"
        )
    if kind == "risk" and phrase == MODEL_HOLD_PHRASE:
        return f"wording like messages of concern that leads hold, not only flag ({category})"
    if kind == "risk" and phrase.startswith(MODEL_PHRASE):
        evidence = phrase.removeprefix(MODEL_PHRASE).strip(" ()")
        weighed = f", weighing most: {evidence}" if evidence else ""
        return f"wording like known messages of concern ({category}; no listed phrase{weighed})"
    if kind == "risk" and phrase:
        return f"the phrase “{phrase}” ({category})"
    return reason


# Risks to the writer themselves: whoever tells of them is shown where to find help.
_RISKS_TO_THE_WRITER = frozenset({"self-harm", "abuse"})


def tells_of_harm_to_writer(reasons: Iterable[str]) -> bool:
    """Whether the reasons include a risk of self-harm or abuse (listed, or the model's)."""
    return any(
        kind == "risk" and rest.partition(":")[0] in _RISKS_TO_THE_WRITER
        for kind, _, rest in (reason.partition(":") for reason in reasons)
    )


def _t(phrase: str, severity: Severity, category: str) -> RiskTerm:
    return RiskTerm(phrase, severity, category)


_S, _M, _L = Severity.SEVERE, Severity.MEDIUM, Severity.LOW

#: The list first seeded (migration 0003). Phrases are matched on whole words after
#: normalisation, so "don't tell anyone" also matches "dont tell anybody" and "do not tell any1".
FIRST_RISK_TERMS: tuple[RiskTerm, ...] = (
    # secrecy
    _t("don't tell anyone", _M, "secrecy"),
    _t("you can't tell anyone", _M, "secrecy"),
    _t("promise you won't tell", _M, "secrecy"),
    _t("promise not to tell", _M, "secrecy"),
    _t("keep it a secret", _M, "secrecy"),
    _t("keep this a secret", _M, "secrecy"),
    _t("keep it between us", _M, "secrecy"),
    _t("keep this between us", _M, "secrecy"),
    _t("our little secret", _S, "secrecy"),
    _t("it's our secret", _S, "secrecy"),
    _t("this is our secret", _S, "secrecy"),
    _t("keep our secret", _S, "secrecy"),
    _t("no one needs to know", _S, "secrecy"),
    _t("don't tell your parents", _S, "secrecy"),
    _t("don't tell your mum", _S, "secrecy"),
    _t("don't tell your dad", _S, "secrecy"),
    _t("don't tell your family", _S, "secrecy"),
    _t("don't tell your coordinator", _S, "secrecy"),
    _t("delete this chat", _S, "secrecy"),
    _t("delete our chat", _S, "secrecy"),
    _t("delete the chat", _M, "secrecy"),
    _t("delete these messages", _S, "secrecy"),
    _t("delete our messages", _S, "secrecy"),
    _t("delete this conversation", _S, "secrecy"),
    _t("delete this message", _M, "secrecy"),
    # meeting up in person
    _t("meet in person", _M, "meeting"),
    _t("meet up in person", _M, "meeting"),
    _t("meet irl", _M, "meeting"),
    _t("meet up irl", _M, "meeting"),
    _t("let's meet up", _M, "meeting"),
    _t("we should meet up", _M, "meeting"),
    _t("want to meet up", _M, "meeting"),
    _t("meet up just the two of us", _S, "meeting"),
    _t("just the two of us", _M, "meeting"),
    _t("come to my house", _S, "meeting"),
    _t("come round to mine", _S, "meeting"),
    _t("come round mine", _S, "meeting"),
    _t("come over to mine", _S, "meeting"),
    _t("come to my place", _S, "meeting"),
    _t("come to my flat", _S, "meeting"),
    _t("i can pick you up", _M, "meeting"),
    _t("i'll pick you up", _M, "meeting"),
    _t("pick you up from", _M, "meeting"),
    _t("give you a lift", _M, "meeting"),
    _t("where do you live", _M, "meeting"),
    _t("are you home alone", _S, "meeting"),
    _t("are your parents home", _S, "meeting"),
    _t("are you alone", _S, "meeting"),
    _t("without your parents knowing", _S, "meeting"),
    _t("somewhere more private", _S, "meeting"),
    # gifts and money
    _t("i'll buy you", _M, "gifts"),
    _t("can i buy you", _M, "gifts"),
    _t("buy you a present", _M, "gifts"),
    _t("a present for you", _M, "gifts"),
    _t("get you a present", _M, "gifts"),
    _t("lend me money", _M, "gifts"),
    _t("lend me some money", _M, "gifts"),
    _t("send you money", _M, "gifts"),
    _t("lend you money", _M, "gifts"),
    _t("send you a gift card", _M, "gifts"),
    _t("top up your phone", _M, "gifts"),
    _t("send me money", _S, "gifts"),
    _t("your bank details", _S, "gifts"),
    _t("your card details", _S, "gifts"),
    # self-harm
    _t("kill myself", _S, "self-harm"),
    _t("killing myself", _S, "self-harm"),
    _t("end my life", _S, "self-harm"),
    _t("end it all", _S, "self-harm"),
    _t("want to die", _S, "self-harm"),
    _t("better off dead", _S, "self-harm"),
    _t("better off without me", _S, "self-harm"),
    _t("no reason to live", _S, "self-harm"),
    _t("don't want to live", _S, "self-harm"),
    _t("suicidal", _S, "self-harm"),
    _t("cutting myself", _S, "self-harm"),
    _t("want to hurt myself", _S, "self-harm"),
    _t("self harming", _S, "self-harm"),
    _t("suicide", _M, "self-harm"),
    _t("self harm", _M, "self-harm"),
    _t("selfharm", _M, "self-harm"),
    _t("hurting myself", _M, "self-harm"),
    _t("overdose", _M, "self-harm"),
    _t("starving myself", _M, "self-harm"),
    _t("cut myself", _M, "self-harm"),
    _t("been cutting", _M, "self-harm"),
    _t("want to disappear", _M, "self-harm"),
    _t("nobody would care if i", _M, "self-harm"),
    _t("don't want to be here anymore", _M, "self-harm"),
    _t("kms", _M, "self-harm"),
    # abuse
    _t("he hits me", _S, "abuse"),
    _t("she hits me", _S, "abuse"),
    _t("they hit me", _S, "abuse"),
    _t("dad hits me", _S, "abuse"),
    _t("mum hits me", _S, "abuse"),
    _t("stepdad hits me", _S, "abuse"),
    _t("brother hits me", _S, "abuse"),
    _t("boyfriend hits me", _S, "abuse"),
    _t("he hit me", _S, "abuse"),
    _t("she hit me", _S, "abuse"),
    _t("he hurts me", _S, "abuse"),
    _t("she hurts me", _S, "abuse"),
    _t("touched me inappropriately", _S, "abuse"),
    _t("he touched me", _S, "abuse"),
    _t("he touches me", _S, "abuse"),
    _t("she touches me", _S, "abuse"),
    _t("touches me when", _M, "abuse"),
    _t("keeps touching me", _M, "abuse"),
    _t("makes me do things", _S, "abuse"),
    _t("makes me do stuff", _S, "abuse"),
    _t("would hurt me if", _S, "abuse"),
    _t("will hurt me if", _S, "abuse"),
    _t("abusing me", _S, "abuse"),
    _t("abused me", _S, "abuse"),
    _t("not safe at home", _S, "abuse"),
    _t("don't feel safe at home", _S, "abuse"),
    _t("scared to go home", _S, "abuse"),
    _t("don't feel safe", _M, "abuse"),
    _t("beat me up", _M, "abuse"),
    _t("kicked me out", _M, "abuse"),
    _t("being bullied", _L, "abuse"),
    # sexual / grooming
    _t("nudes", _S, "sexual"),
    _t("send me a picture of you", _S, "sexual"),
    _t("send me a picture of yourself", _S, "sexual"),
    _t("what are you wearing", _S, "sexual"),
    _t("what you wearing", _S, "sexual"),
    _t("send me a selfie", _M, "sexual"),
    _t("mature for your age", _M, "sexual"),
    _t("do you have a boyfriend", _L, "sexual"),
    _t("do you have a girlfriend", _L, "sexual"),
    _t("are you a virgin", _S, "sexual"),
    _t("sexy", _M, "sexual"),
)

#: Added to the seeded list by migration 0012: the same concerns in more of the ways people
#: write them, using choices ("mum/dad") and gaps ("*"), see `phrase_parts`.
WIDER_RISK_TERMS: tuple[RiskTerm, ...] = (
    # secrecy
    _t("don't/dont need/have to tell your mum/dad/parents/family/carer/carers", _S, "secrecy"),
    _t("your mum/dad/parents/family/carer/carers wouldn't/won't understand", _M, "secrecy"),
    _t("your mum/dad/parents/family/carer/carers * not * know", _S, "secrecy"),
    _t(
        "don't tell * staff/charity/coordinator/programme/office/police/teacher/teachers",
        _S,
        "secrecy",
    ),
    _t(
        "not * mention * staff/coordinator/office/charity/programme/parents/mum/dad/teacher",
        _S,
        "secrecy",
    ),
    _t("not * mention * at home", _M, "secrecy"),
    _t("not * mention our chats/messages/conversations", _S, "secrecy"),
    _t("keep * between me and you", _M, "secrecy"),
    _t("keep * between you and me", _M, "secrecy"),
    _t("stays between us", _M, "secrecy"),
    _t("stays between you and me", _M, "secrecy"),
    _t("just between us", _M, "secrecy"),
    _t("keep it/this/that/these/them/us secret", _M, "secrecy"),
    _t("keep it to yourself", _M, "secrecy"),
    _t("keep * from your mum/dad/parents/family/carer/carers", _S, "secrecy"),
    _t("hide * from your mum/dad/parents/family/carer/carers", _S, "secrecy"),
    _t("no one * needs to know", _S, "secrecy"),
    _t("no one else will/would/can know", _M, "secrecy"),
    _t("so no one sees/finds/reads/knows", _M, "secrecy"),
    _t("won't/will not pass it on", _S, "secrecy"),
    _t(
        "clear/wipe/erase/delete/hide * messages/chat/chats/texts/conversation/history",
        _S,
        "secrecy",
    ),
    _t("don't screenshot", _M, "secrecy"),
    _t("don't show anyone", _M, "secrecy"),
    _t("make sure your mum/dad/parents/family/carer does/do not see", _S, "secrecy"),
    _t("not see these/our messages/chat/chats/texts/conversation", _S, "secrecy"),
    _t("don't ever tell your mum/dad/parents/family/carer/carers/coordinator", _S, "secrecy"),
    _t("never tell your mum/dad/parents/family/carer/carers/coordinator", _S, "secrecy"),
    _t("if your * ask/asks who", _S, "secrecy"),
    _t("if your * ask/asks * just say", _S, "secrecy"),
    _t("not let * staff/coordinator/mum/dad/parents/anyone * read/see", _S, "secrecy"),
    _t("just say it is a/your friend/mate", _S, "secrecy"),
    _t("on the down low", _M, "secrecy"),
    _t("on the dl", _M, "secrecy"),
    _t("not report it/this/you", _S, "secrecy"),
    _t("staff/coordinator/programme/charity/office * not * know", _S, "secrecy"),
    _t("if anyone asks", _M, "secrecy"),
    _t("if anyone asks * just/say", _S, "secrecy"),
    _t("off the record", _M, "secrecy"),
    _t("not * tell * social worker", _S, "secrecy"),
    _t("promise * won't/will not tell", _M, "secrecy"),
    _t("not repeat what i told/said", _M, "secrecy"),
    _t("not mention this/it/us/anything to anyone", _M, "secrecy"),
    # meeting
    _t("come/pop/drop/swing round/over/to/by yours/mine", _S, "meeting"),
    _t("come/pop round/over to my house/place/flat/home", _S, "meeting"),
    _t("crash/stay/sleep/kip at/round/over mine", _S, "meeting"),
    _t("when are/is your parents/mum/dad/family/carer/carers out/away/gone", _S, "meeting"),
    _t("are/is your parents/mum/dad/carer/carers * out/away/home", _S, "meeting"),
    _t("do/does your parents/mum/dad/carer/carers get back/home", _S, "meeting"),
    _t("no one will be in/home/there/around", _S, "meeting"),
    _t("anyone else in the house/home/flat", _S, "meeting"),
    _t("anyone else home", _S, "meeting"),
    _t("are you on your own", _S, "meeting"),
    _t("are you by yourself", _S, "meeting"),
    _t("it is just you", _S, "meeting"),
    _t("don't bring anyone", _S, "meeting"),
    _t("come alone", _S, "meeting"),
    _t("where * do you live", _M, "meeting"),
    _t("what/which area * you live", _M, "meeting"),
    _t("wait for you outside/after", _M, "meeting"),
    _t("outside your school/college/house/home/work", _M, "meeting"),
    _t("see you in person", _M, "meeting"),
    _t("meet * in real life", _M, "meeting"),
    _t("see you in real life", _M, "meeting"),
    _t("not on camera", _M, "meeting"),
    _t(
        "meet me/you/up * park/station/shops/cinema/town/cafe/costa/starbucks/mcdonalds/library"
        "/pub/beach/arcade/bowling",
        _M,
        "meeting",
    ),
    _t(
        "could/can/should/shall meet * park/station/shops/cinema/town/cafe/costa/starbucks"
        "/library/pub/beach/arcade/bowling",
        _M,
        "meeting",
    ),
    _t("meet me/you/up after school/college/work", _M, "meeting"),
    _t("we/us could/can/shall/should * meet up", _M, "meeting"),
    _t("we/us could/can/shall/should hang out", _M, "meeting"),
    _t("hang out sometime", _M, "meeting"),
    _t("take you out/for dinner/lunch/coffee/drinks/food", _M, "meeting"),
    _t("grab/get a coffee/drink/bite * sometime/together", _M, "meeting"),
    _t("no need to * through the programme/charity/coordinator/app", _M, "meeting"),
    _t("without going through the programme/charity/coordinator/app", _M, "meeting"),
    _t("don't need to book/tell/ask * charity/programme/coordinator/scheme/office", _M, "meeting"),
    _t("come see me", _M, "meeting"),
    _t("come and see me", _M, "meeting"),
    _t("fancy * meet * up/coffee/drink/lunch/dinner/bite/food", _M, "meeting"),
    _t(
        "let us * meet * park/station/shops/cinema/town/cafe/costa/starbucks/mcdonalds",
        _M,
        "meeting",
    ),
    _t("just us two", _M, "meeting"),
    _t("just you and me", _M, "meeting"),
    _t("fancy a day out", _M, "meeting"),
    _t("sort the * ticket/tickets", _M, "meeting"),
    _t("when your mum/dad/parents/carer/carers * at work/out/away", _M, "meeting"),
    _t("which/what school * you at", _M, "meeting"),
    _t("no one can hear", _S, "meeting"),
    _t("is your * door shut/locked/closed", _S, "meeting"),
    # gifts
    _t("send/sent/give/gave you * money", _M, "gifts"),
    _t("send/sent you * each/every month/week", _M, "gifts"),
    _t("pay you * money", _S, "gifts"),
    _t("pay me/you back", _M, "gifts"),
    _t("do something for me", _M, "gifts"),
    _t("need any money", _M, "gifts"),
    _t("owe * money", _M, "gifts"),
    _t("sort code", _S, "gifts"),
    _t("your account number", _S, "gifts"),
    _t("card number", _S, "gifts"),
    _t("number on your card", _S, "gifts"),
    _t("digits on the back", _S, "gifts"),
    _t("your pin", _S, "gifts"),
    _t("buy/get/got/bought you a/some new", _M, "gifts"),
    _t("lend you * money", _M, "gifts"),
    _t("no need to pay * back", _M, "gifts"),
    _t("want me to buy you", _M, "gifts"),
    _t("my treat", _M, "gifts"),
    _t("buy you * clothes/trainers/phone/present/gift/something/anything", _M, "gifts"),
    _t("you a little something", _M, "gifts"),
    _t("bought you * clothes/trainers/phone/present/gift/something/anything", _M, "gifts"),
    _t("giftcard/voucher code", _M, "gifts"),
    _t("if you keep talking to me", _S, "gifts"),
    _t("sort you some/out", _M, "gifts"),
    _t("free weed/drugs/vapes/pills", _S, "gifts"),
    _t("your bank card", _S, "gifts"),
    _t("flip money", _M, "gifts"),
    _t("money flip/flipping", _M, "gifts"),
    _t("put money on your", _M, "gifts"),
    _t("send/give/get you * voucher/vouchers/giftcard", _M, "gifts"),
    _t("voucher/vouchers/giftcard * for you", _M, "gifts"),
    _t("something in the post", _M, "gifts"),
    _t("in the post for you", _M, "gifts"),
    _t("cover your * fare/ticket/tickets/travel", _M, "gifts"),
    _t("pay for your * fare/ticket/tickets/travel/taxi/uber/lessons/phone/clothes", _M, "gifts"),
    # self-harm
    _t("too many pills/tablets/paracetamol", _S, "self-harm"),
    _t("a bottle of pills/tablets/paracetamol", _S, "self-harm"),
    _t("loads of pills/tablets/paracetamol", _S, "self-harm"),
    _t("save/stockpile * pills/tablets/paracetamol", _S, "self-harm"),
    _t("point of/in living", _S, "self-harm"),
    _t("what is the point anymore", _S, "self-harm"),
    _t("cannot do this anymore", _M, "self-harm"),
    _t("hurt myself", _M, "self-harm"),
    _t("hurt myself again", _S, "self-harm"),
    _t("jump off * bridge/building/roof/cliff", _S, "self-harm"),
    _t("jump/step/throw myself in front of", _S, "self-harm"),
    _t("burn myself", _S, "self-harm"),
    _t("hang myself", _S, "self-harm"),
    _t("slit/cut my wrists", _S, "self-harm"),
    _t("scars/cuts on my arm/arms/wrist/wrists/leg/legs/thighs", _S, "self-harm"),
    _t("take my own life", _S, "self-harm"),
    _t("not be alive", _S, "self-harm"),
    _t("be alive by", _S, "self-harm"),
    _t("not be around much longer", _S, "self-harm"),
    _t("just not wake up", _S, "self-harm"),
    _t("and not wake up", _S, "self-harm"),
    _t("not wake up again", _S, "self-harm"),
    _t("never wake up again", _S, "self-harm"),
    _t("wish i was/were dead", _S, "self-harm"),
    _t("wish i was/were not here/alive", _S, "self-harm"),
    _t("wish i was/were never born", _S, "self-harm"),
    _t("wish i had never been born", _S, "self-harm"),
    _t("not want to be alive", _S, "self-harm"),
    _t("not deserve food/to eat/to live", _S, "self-harm"),
    _t("not eaten in/for", _M, "self-harm"),
    _t("cannot go on", _S, "self-harm"),
    _t("no one would miss me", _S, "self-harm"),
    _t("better off if i", _S, "self-harm"),
    _t("suicide note", _S, "self-harm"),
    _t("i am not safe", _S, "self-harm"),
    _t("until they/it bleed/bleeds", _S, "self-harm"),
    _t("make myself bleed", _S, "self-harm"),
    _t("scratch my arms/wrists/legs", _M, "self-harm"),
    _t("cutting again", _S, "self-harm"),
    _t("last time you will * hear from me", _S, "self-harm"),
    _t("step/jump/walk in front of * train/bus/car/lorry", _S, "self-harm"),
    _t("not deserve to live/eat/be here", _S, "self-harm"),
    _t("not * eaten * days", _M, "self-harm"),
    _t("most paracetamol/pills/tablets", _S, "self-harm"),
    _t("want * it all to stop", _S, "self-harm"),
    _t("tired of living", _S, "self-harm"),
    _t("tired of everything", _M, "self-harm"),
    _t("how much longer * keep going", _S, "self-harm"),
    _t("cannot keep going", _M, "self-harm"),
    _t("burnt myself", _S, "self-harm"),
    _t("feel like a burden", _S, "self-harm"),
    _t("a burden to", _M, "self-harm"),
    _t("how high * bridge/building/roof", _S, "self-harm"),
    # abuse
    _t("touched me", _S, "abuse"),
    _t("lock me in", _S, "abuse"),
    _t("hit me if/when/for/with/again", _S, "abuse"),
    _t("punch/punches/slap/slaps/choke/chokes/strangle/strangles/stab/stabs me", _S, "abuse"),
    _t("grabbed me by", _S, "abuse"),
    _t("by the neck/throat", _S, "abuse"),
    _t("threw/throws/throw * at me", _M, "abuse"),
    _t("not fed/feed me/us", _S, "abuse"),
    _t("no food in the house/home", _S, "abuse"),
    _t("he/she/they will/would hurt me", _S, "abuse"),
    _t("if i tell anyone", _S, "abuse"),
    _t("if you tell anyone", _S, "abuse"),
    _t("make me deliver/carry/sell/hold/move/drop", _S, "abuse"),
    _t("take/deliver/carry/drop/move * packages/parcels", _S, "abuse"),
    _t("run/sell/carry/deliver/hold * drugs", _S, "abuse"),
    _t("selling for him/them", _S, "abuse"),
    _t("work it off", _S, "abuse"),
    _t("use my bank account", _S, "abuse"),
    _t("gave me a phone", _M, "abuse"),
    _t("gives me stuff/money/presents/gifts", _M, "abuse"),
    _t("bruise/bruises on my", _M, "abuse"),
    _t("sent abroad/away * married/marry", _S, "abuse"),
    _t("me to * to get married", _S, "abuse"),
    _t("married * not want", _S, "abuse"),
    _t("force/forced/forcing/make/making/made me * marry/married", _S, "abuse"),
    _t("forced * to marry/wed", _S, "abuse"),
    _t("is abusive", _S, "abuse"),
    _t(
        "scared/afraid/frightened/terrified of my "
        "dad/mum/stepdad/stepmum/boyfriend/brother/parents/carer/uncle",
        _S,
        "abuse",
    ),
    _t("threaten me", _S, "abuse"),
    _t("had to lock my door", _S, "abuse"),
    _t("does/do/did stuff/things to me", _S, "abuse"),
    _t("say/said/says * owe them/him", _S, "abuse"),
    _t("run for them/him", _S, "abuse"),
    _t("check/checks my phone", _M, "abuse"),
    _t("who i can see/talk", _M, "abuse"),
    _t("send more pictures/nudes", _S, "abuse"),
    _t("mature for my age", _S, "abuse"),
    _t("make me keep/hide/store/stash", _S, "abuse"),
    _t("pick me up * take me to", _S, "abuse"),
    _t("threaten * to share/post/send", _S, "abuse"),
    _t("share * pictures of me", _S, "abuse"),
    _t("unless i send", _S, "abuse"),
    _t("come/comes in/into my room at night", _S, "abuse"),
    _t("not allowed out", _M, "abuse"),
    _t("take/takes * my wages/money/benefits", _S, "abuse"),
    _t("took my phone", _M, "abuse"),
    _t("not let me eat", _S, "abuse"),
    _t("give me weed/drugs", _S, "abuse"),
    _t("hold stuff/things for them/him", _S, "abuse"),
    # sexual
    _t("ever done it", _M, "sexual"),
    _t("see more of you", _S, "sexual"),
    _t("no one * will see it/them/this", _S, "sexual"),
    _t("see a picture of me", _M, "sexual"),
    _t("think about you * night/bed", _S, "sexual"),
    _t("think about you a lot", _M, "sexual"),
    _t("dream/dreamt/dreamed about you", _S, "sexual"),
    _t("you in bed", _S, "sexual"),
    _t("age is just a number", _S, "sexual"),
    _t("show me your body", _S, "sexual"),
    _t("show me * on cam/camera/webcam", _S, "sexual"),
    _t("you got a boyfriend/girlfriend", _L, "sexual"),
    _t("fancy you", _S, "sexual"),
    _t("pay you * pictures/nudes", _S, "sexual"),
    _t("what you are wearing", _S, "sexual"),
    _t("you are so fit/hot/pretty/gorgeous", _S, "sexual"),
    _t("you look/looked * fit/hot/sexy/pretty/gorgeous/beautiful", _S, "sexual"),
    _t("give you a massage", _S, "sexual"),
    _t("naked", _M, "sexual"),
    _t("nude picture/pictures/selfie/selfies", _S, "sexual"),
    _t("send * selfie", _M, "sexual"),
    _t("kiss you", _S, "sexual"),
    _t("sext/sexting", _S, "sexual"),
    _t("special to me", _M, "sexual"),
    _t("than my other mentees", _M, "sexual"),
    _t("good kisser", _S, "sexual"),
    _t("favourite mentee", _M, "sexual"),
    _t("think about you all the time", _S, "sexual"),
    _t("ever kissed", _S, "sexual"),
    _t("your top/shirt off", _S, "sexual"),
    _t("cannot stop thinking about you", _S, "sexual"),
    _t("if i was/were * younger", _S, "sexual"),
    _t("give you a hug/cuddle", _M, "sexual"),
    _t("hug * maybe more", _S, "sexual"),
    _t("how beautiful/pretty/fit/hot/sexy you are", _S, "sexual"),
    _t("appreciate/understand/love/get you like i do", _S, "sexual"),
    _t("you are in bed", _S, "sexual"),
    _t("no one understands you like i do", _S, "sexual"),
    _t("special relationship/friendship", _S, "sexual"),
)

#: Added to the seeded list by migration 0013: what the fifth to ninth corpora of realistic
#: messages showed people saying without the words above (indirect disclosures, grooming by
#: steps, exploitation).
INDIRECT_RISK_TERMS: tuple[RiskTerm, ...] = (
    # secrecy
    _t(
        "can't/mustn't tell the/your staff/charity/programme/coordinator/coordinators/office/"
        "school/college/carer/carers/mum/dad/parents",
        _S,
        "secrecy",
    ),
    _t(
        "no need to tell the/your staff/charity/programme/coordinator/coordinators/office/"
        "school/college/carer/carers/mum/dad/parents",
        _S,
        "secrecy",
    ),
    _t(
        "rather the/your staff/charity/programme/coordinator/mum/dad/parents didn't/don't",
        _S,
        "secrecy",
    ),
    _t("mum/dad/parents/carer/carers * read/check/see your messages/chats/phone", _M, "secrecy"),
    _t("clear/wipe/delete it/them/this on your side/end", _S, "secrecy"),
    _t("clear/wipe the/this/our chat/chats/messages/history", _S, "secrecy"),
    _t("keep * private from your", _S, "secrecy"),
    _t("keep our chats/messages/conversations private", _M, "secrecy"),
    _t("not * tell/mention * social/support worker", _S, "secrecy"),
    _t("not * tell/mention * keyworker/tutor/college/school/uni", _S, "secrecy"),
    _t("swear * not tell", _M, "secrecy"),
    _t("keep what i said/told", _M, "secrecy"),
    _t("not tell anyone what i said/told", _M, "secrecy"),
    _t("tell anyone * what we talk/talked/say/said", _M, "secrecy"),
    _t("no one will see/know", _S, "secrecy"),
    _t("never report it/this", _S, "secrecy"),
    _t("this is our space", _M, "secrecy"),
    _t("not to tell your mum/dad/parents/partner/carer/carers/family", _S, "secrecy"),
    _t("if anyone * asks * just say", _S, "secrecy"),
    _t("rather you didn't tell", _S, "secrecy"),
    _t("told me not to tell", _S, "secrecy"),
    _t("keep * to yourself", _M, "secrecy"),
    _t("promise not to write", _M, "secrecy"),
    _t("not * mention * to anyone", _M, "secrecy"),
    _t("more mature than the others/other", _S, "secrecy"),
    _t("must not tell my", _S, "secrecy"),
    _t("do other people read", _M, "secrecy"),
    _t("not want my mum/dad/parents/carer/carers/family to know", _M, "secrecy"),
    _t("not say anything if you", _M, "secrecy"),
    _t(
        "no need to mention * staff/charity/programme/coordinator/coordinators/office/"
        "school/college/carer/carers/mum/dad/parents",
        _S,
        "secrecy",
    ),
    # meeting up in person
    _t("what time do/does your mum/dad/parents/carer/carers * get back/home", _S, "meeting"),
    _t("when is your mum/dad/parents/carer/carers * out/away/working", _S, "meeting"),
    _t("are you * by yourself", _S, "meeting"),
    _t("stay over at yours", _S, "meeting"),
    _t("stay the night at", _S, "meeting"),
    _t("i could stay over", _S, "meeting"),
    _t("you could come round/over", _S, "meeting"),
    _t("should/could/can link up", _M, "meeting"),
    _t("let us link up", _M, "meeting"),
    _t("want to link up", _M, "meeting"),
    _t("link up irl", _M, "meeting"),
    _t("meet you after your shift/work", _S, "meeting"),
    _t("wait * in the car park", _S, "meeting"),
    _t("want to come over/round", _M, "meeting"),
    _t("book us a hotel/room", _S, "meeting"),
    _t("outside of/the programme/charity", _M, "meeting"),
    _t("give me a lift", _M, "meeting"),
    _t("no need to use the programme/venue", _M, "meeting"),
    _t("my flat/house/place is only/just", _S, "meeting"),
    _t("meet somewhere quieter/private/else", _S, "meeting"),
    _t("at my hotel", _S, "meeting"),
    _t("stay over at mine", _S, "meeting"),
    _t("say hello in person", _M, "meeting"),
    _t("meet somewhere other than", _M, "meeting"),
    _t("once the programme finishes/ends * we could", _M, "meeting"),
    _t("show you round my office/flat/house/place", _M, "meeting"),
    _t("coffee at mine", _S, "meeting"),
    _t("no one checking", _S, "meeting"),
    _t("swing by", _M, "meeting"),
    _t("tell me where you are", _M, "meeting"),
    _t("up to my room", _S, "meeting"),
    _t("my hotel room", _S, "meeting"),
    _t("sneak out", _S, "meeting"),
    _t("meet you * for a coffee/drink", _M, "meeting"),
    _t("when/after everyone * gone/left", _M, "meeting"),
    _t("meet in town/person instead", _M, "meeting"),
    _t("you live near there", _M, "meeting"),
    _t("wait outside for you", _S, "meeting"),
    _t("not far from you", _M, "meeting"),
    _t("near your college/school/house/flat", _M, "meeting"),
    _t("hang out irl", _M, "meeting"),
    _t("just me and you", _M, "meeting"),
    # gifts and money
    _t("let me buy you", _M, "gifts"),
    _t("get/buy you vapes/vape/alcohol/booze/drink/drinks/weed/fags/cigarettes", _S, "gifts"),
    _t("your paypal/cashapp/monzo/revolut", _M, "gifts"),
    _t("send you a little something", _M, "gifts"),
    _t("drop it/them round/off to you/yours", _S, "gifts"),
    _t("i will pay for your", _M, "gifts"),
    _t("got you a present/gift/giftcard", _M, "gifts"),
    _t("little present/gift for you", _M, "gifts"),
    _t("look after a bag/package/parcel", _S, "gifts"),
    _t("is easy money", _S, "gifts"),
    _t("treat you to something", _M, "gifts"),
    _t("spare laptop/phone/iphone/ps5/xbox/console/bike", _M, "gifts"),
    _t("old laptop/phone/ipad/iphone i do not use", _M, "gifts"),
    _t("ordered/bought you a", _M, "gifts"),
    _t("put * credit on your phone", _M, "gifts"),
    _t("do jobs/things for him/them", _S, "gifts"),
    _t("gave me a/an iphone/phone", _M, "gifts"),
    _t("buy me a top up", _M, "gifts"),
    _t("need money for food/rent/gas", _M, "gifts"),
    _t("give presents", _M, "gifts"),
    _t("gives me cigarettes/vapes/alcohol/weed/drink", _M, "gifts"),
    _t("i can get them/it you", _M, "gifts"),
    _t("get/getting you a * token/voucher/present/gift", _M, "gifts"),
    _t("pay/paid/paying for my lunch/food/dinner", _M, "gifts"),
    _t("paypal/cashapp/monzo me", _M, "gifts"),
    # self-harm
    _t("letter/letters/note/notes * just in case", _S, "self-harm"),
    _t("goodbye letter/letters/note/notes", _S, "self-harm"),
    _t("how much/many paracetamol/pills/tablets", _S, "self-harm"),
    _t("tired of life", _S, "self-harm"),
    _t("better if i die/died", _S, "self-harm"),
    _t("better if i was/were dead/gone", _S, "self-harm"),
    _t("better if i was/were not here/around", _S, "self-harm"),
    _t("everyone would be better off", _S, "self-harm"),
    _t("just disappear", _M, "self-harm"),
    _t("point of being here/alive", _S, "self-harm"),
    _t("wrote letters/notes to my family/mum/dad/parents", _S, "self-harm"),
    _t("not * be around much longer", _S, "self-harm"),
    _t("stand/stood/standing on the bridge", _M, "self-harm"),
    _t("feel like i am drowning", _M, "self-harm"),
    _t("not sure * still be around", _S, "self-harm"),
    _t("how easy it would be", _S, "self-harm"),
    _t("feeling really/so low", _M, "self-harm"),
    _t("going through the motions", _M, "self-harm"),
    _t("wonder what the point", _M, "self-harm"),
    _t("dark patch/place", _M, "self-harm"),
    _t("drinking * to cope", _M, "self-harm"),
    _t("do not * care what happens", _M, "self-harm"),
    _t("better without me", _S, "self-harm"),
    _t("no point anymore", _M, "self-harm"),
    _t("burn/burning my arm/arms/skin/legs", _S, "self-harm"),
    _t("burn/burning myself", _S, "self-harm"),
    _t("not wake up", _S, "self-harm"),
    _t("not ok today", _M, "self-harm"),
    _t("stay in bed all day", _M, "self-harm"),
    _t("dark thoughts/stuff", _M, "self-harm"),
    _t("about ending it", _S, "self-harm"),
    _t("painless way", _S, "self-harm"),
    _t("for when i am gone", _S, "self-harm"),
    _t("not eating much", _M, "self-harm"),
    _t("sleeping all day", _M, "self-harm"),
    _t("crying a lot", _M, "self-harm"),
    _t("see the point * any more/anymore", _M, "self-harm"),
    # abuse and exploitation
    _t("marry my cousin", _S, "abuse"),
    _t("forced to marry", _S, "abuse"),
    _t("make/making me marry", _S, "abuse"),
    _t("unless i pay/send", _S, "abuse"),
    _t("got my pictures/nudes", _S, "abuse"),
    _t("send/post/share them to everyone", _S, "abuse"),
    _t("locked me out", _S, "abuse"),
    _t("slept/sleeping in the park/street/car", _S, "abuse"),
    _t("sleeping rough", _S, "abuse"),
    _t("shot/shotting for them/him", _S, "abuse"),
    _t("stab my brother/sister/mum/family", _S, "abuse"),
    _t("will stab/hurt my brother/sister/mum/family", _S, "abuse"),
    _t("he/she/they will kill me/us/her/him", _S, "abuse"),
    _t("beat/beats/beating my mum/mother", _S, "abuse"),
    _t("dad/father/stepdad/mum/mother * beat/beats me", _S, "abuse"),
    _t("afraid/scared/frightened to go home", _S, "abuse"),
    _t("keeps/took/taken/has my passport", _S, "abuse"),
    _t("share/send/post my pictures/nudes", _S, "abuse"),
    _t("will send them to my/your mum/dad/family/parents/everyone", _S, "abuse"),
    _t("things at home are * bad/tense/hard/difficult/awful", _M, "abuse"),
    _t("angry when he/she * been drinking", _M, "abuse"),
    _t("weird/creepy around me", _M, "abuse"),
    _t("flat/house/place and will not leave", _S, "abuse"),
    _t("scared/afraid to say no", _S, "abuse"),
    _t("with a package/parcel", _M, "abuse"),
    _t("cannot * say no to him/them/her", _S, "abuse"),
    _t("tells/told me i am worthless/useless/nothing", _S, "abuse"),
    _t("kick me out", _M, "abuse"),
    _t("not allowed to leave the house", _S, "abuse"),
    _t("tracks my location/phone", _S, "abuse"),
    _t("never pays it back", _M, "abuse"),
    _t("jealous when i mention/talk", _M, "abuse"),
    _t("shouts a lot", _M, "abuse"),
    _t("asking if i want to earn", _S, "abuse"),
    _t("takes/took my bank card/money/benefits/pip/wages", _S, "abuse"),
    _t("not let me go out/leave", _S, "abuse"),
    _t("check/checks everything", _M, "abuse"),
    _t("have to do things for", _S, "abuse"),
    _t("calls me names", _M, "abuse"),
    _t("shouts at me", _M, "abuse"),
    _t("there is no food", _M, "abuse"),
    _t("do a drop", _M, "abuse"),
    _t("drinking a lot again", _M, "abuse"),
    # sexual and grooming
    _t("ever had sex", _S, "sexual"),
    _t("your virginity", _S, "sexual"),
    _t("if you were/was * older", _S, "sexual"),
    _t("on a proper date", _S, "sexual"),
    _t("take you out on a date", _S, "sexual"),
    _t("our relationship is special", _S, "sexual"),
    _t("more than * mentor and mentee", _S, "sexual"),
    _t("good in bed", _S, "sexual"),
    _t("picture/pictures of what * wearing", _S, "sexual"),
    _t("picture/pictures * just for me", _S, "sexual"),
    _t("ever done stuff with", _S, "sexual"),
    _t("sit in his car", _S, "sexual"),
    _t("video call * from/in bed", _S, "sexual"),
    _t("you are really/so/very/well pretty/beautiful/fit/hot/cute", _M, "sexual"),
    _t("your really/so/very/well pretty/beautiful/fit/hot/cute", _M, "sexual"),
    _t("what is your type", _M, "sexual"),
    _t("are you seeing anyone", _M, "sexual"),
    _t("keep thinking about you", _S, "sexual"),
    _t("ways i * should not", _S, "sexual"),
    _t("been with someone older", _S, "sexual"),
    _t("what do you wear to bed", _S, "sexual"),
    _t("send him/her pictures", _S, "sexual"),
    _t("special connection/bond", _S, "sexual"),
    _t("beyond mentoring", _S, "sexual"),
    _t("picture on your profile is", _M, "sexual"),
    _t("call * in my/your bed", _S, "sexual"),
    _t("saying i am beautiful/pretty/hot/sexy/fit", _S, "sexual"),
    _t("hug and a kiss", _S, "sexual"),
    _t("your sex life", _S, "sexual"),
    _t("night/goodnight gorgeous/beautiful/babe/sexy", _M, "sexual"),
    _t("miss you loads/lots/so", _M, "sexual"),
    _t("ever had a boyfriend/girlfriend", _S, "sexual"),
    _t("boys/lads/guys/girls your age", _S, "sexual"),
    _t("18 stuff/videos/content/pictures", _S, "sexual"),
    _t("see you in your bedroom", _S, "sexual"),
    _t("think i am attractive/fit/hot/sexy", _M, "sexual"),
    _t("did you first have sex", _S, "sexual"),
    _t("your love life", _M, "sexual"),
    _t("gorgeous/beautiful eyes/smile", _M, "sexual"),
)

#: Added to the seeded list by migration 0014: the same concerns as they come up in everyday
#: chat (corpora 29 and 30: a lift, a fee paid, "tilt the camera down", "goes through my phone").
CONVERSATIONAL_RISK_TERMS: tuple[RiskTerm, ...] = (
    # secrecy
    _t("without it/this going in/into/on * report/record/records/notes/file", _S, "secrecy"),
    _t("not pass this/it/that on", _M, "secrecy"),
    _t("rather you did not mention/bring/say", _S, "secrecy"),
    _t("said not to make a big deal", _S, "secrecy"),
    # meeting up in person
    _t("take you out for", _M, "meeting"),
    _t("you come/coming * watch my", _M, "meeting"),
    _t("i come/coming * watch your", _M, "meeting"),
    _t("come/coming to my graduation/party/prom/birthday/house", _M, "meeting"),
    _t("session * costa/starbucks/cafe/mcdonalds/pub/park/nandos", _M, "meeting"),
    _t("session/sessions/meet/meeting * instead of online/video/zoom", _M, "meeting"),
    _t("instead of on here", _M, "meeting"),
    _t("instead of on the app/platform", _M, "meeting"),
    _t("see you irl/offline", _M, "meeting"),
    _t("drove/driven/drive/walked/walk past your house/home/school/college/work", _S, "meeting"),
    _t("i know which/what/where school/college/uni/sixth you", _M, "meeting"),
    _t("surprise you at/outside/after your", _S, "meeting"),
    _t("might surprise you", _M, "meeting"),
    _t("live * close/near/nearby to your", _M, "meeting"),
    _t("i live * near your", _M, "meeting"),
    _t("which/what gym do/does you go", _M, "meeting"),
    # gifts and money
    _t("like/love/happy/want to pay for your", _M, "gifts"),
    _t("let me pay for your", _M, "gifts"),
    _t("let me buy you/your", _M, "gifts"),
    _t("could/can/would you pay/cover * for me", _M, "gifts"),
    _t("you got/have any spare", _M, "gifts"),
    _t("any spare money/cash/change for", _M, "gifts"),
    _t("post you something", _M, "gifts"),
    _t("post you a/some book/books/present/gift/card/sweets", _M, "gifts"),
    _t("give/get/buy you something for/at", _M, "gifts"),
    # self-harm
    _t("planned how i would", _S, "self-harm"),
    _t("a plan * how i would do it", _S, "self-harm"),
    _t("stopped eating properly/much/anything", _M, "self-harm"),
    _t("forgetting/forget/forgot to eat * on purpose", _M, "self-harm"),
    _t("skip/skipping meals", _M, "self-harm"),
    _t("hit/hitting/bang/banging my head against", _S, "self-harm"),
    _t("not left the house in/for", _M, "self-harm"),
    _t("not left my room in/for", _M, "self-harm"),
    # abuse and control
    _t("pushed me down/against/into/over/off", _S, "abuse"),
    _t("bruises where", _S, "abuse"),
    _t("where he/she grabbed me", _S, "abuse"),
    _t("goes/go/went through my phone/messages", _M, "abuse"),
    _t("boyfriend/girlfriend/partner gets/get/is * jealous", _M, "abuse"),
    _t("have to ask my boyfriend/girlfriend/partner before/if", _M, "abuse"),
    _t("will dump/leave me if", _M, "abuse"),
    _t("kicked out of home", _M, "abuse"),
    _t("kicked out of the house", _M, "abuse"),
    _t("nervous/scared/terrified/dread when * gets/comes home", _M, "abuse"),
    _t("home is not * safe", _M, "abuse"),
    # sexual content and grooming
    _t("bra size", _S, "sexual"),
    _t("in a bikini/swimsuit/underwear", _S, "sexual"),
    _t("x rated", _S, "sexual"),
    _t("wear something nice/sexy/revealing/tight", _S, "sexual"),
    _t("dress/dressed up for me", _S, "sexual"),
    _t("tilt/move/point the/your camera down", _S, "sexual"),
    _t("without the app/platform/it recording", _S, "sexual"),
    _t("falling for you/my mentor", _M, "sexual"),
    _t("dreamt/dreamed about us/you", _M, "sexual"),
    _t(
        "you look/looked * good/nice/lovely/amazing/stunning on/in * call/camera/video",
        _M,
        "sexual",
    ),
    _t("lovely/pretty eyes", _M, "sexual"),
    _t("than people/girls/boys/lads your/my own age", _M, "sexual"),
    _t("lads/boys/guys/girls * after you", _M, "sexual"),
    _t("messaging/texting/messages/texts me * late at night", _M, "sexual"),
    _t("rude pics/pictures/photos", _M, "sexual"),
)

#: Seeded default risk terms.
DEFAULT_RISK_TERMS = (
    FIRST_RISK_TERMS + WIDER_RISK_TERMS + INDIRECT_RISK_TERMS + CONVERSATIONAL_RISK_TERMS
)


# ----------------------------------------------------------------------------- normalisation

_APOSTROPHES = "\u2019\u2018\u201b\u0060\u00b4\u02bc\u02b9\u2032\u02bb\uff07"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# Also the variation selector and keycap of emoji digits ("0️⃣7️⃣" is "07").
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\ufe0f\u20e3"
# Pictographs read as spaces: "maya 🌸 at 🌸 example 🌸 dot 🌸 com".
_PICTOGRAPHS = re.compile("[\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]+")
_SMALL_CAPITALS = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ"
_CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u",
    # punctuation that NFKC keeps
    "\u3002": ".", "\uff61": ".", "\u2024": ".", "\u00b7": ".",
}  # fmt: skip
_TRANSLATE: dict[int, str | None] = {ord(c): "'" for c in _APOSTROPHES}
_TRANSLATE.update({ord(c): "-" for c in _DASHES})
_TRANSLATE.update({ord(c): None for c in _ZERO_WIDTH})
_TRANSLATE.update({ord(k): v for k, v in _CONFUSABLES.items()})
_TRANSLATE.update({ord(k.upper()): v for k, v in _CONFUSABLES.items() if k.upper() != k})
_TRANSLATE.update(
    {ord(c): plain for c, plain in zip(_SMALL_CAPITALS, "abcdefghijklmnoprstuvwyz", strict=True)}
)

# Words made equal before matching phrases and invitations (applied to text and phrases alike).
_CANON: dict[str, str] = {
    "u": "you", "ya": "you", "yu": "you", "ur": "your", "yr": "your", "youre": "you are",
    "r": "are", "im": "i am", "ive": "i have", "ill": "i will", "dont": "do not",
    "dnt": "do not", "doesnt": "does not", "didnt": "did not", "cant": "cannot",
    "wont": "will not", "isnt": "is not", "arent": "are not", "wasnt": "was not",
    "wouldnt": "would not", "couldnt": "could not", "shouldnt": "should not",
    "havent": "have not", "aint": "is not", "whats": "what is", "wats": "what is",
    "wots": "what is", "wat": "what", "wot": "what", "wht": "what", "thats": "that is",
    "its": "it is", "hes": "he is", "shes": "she is", "theres": "there is", "heres": "here is",
    "wheres": "where is", "whens": "when is", "lets": "let us", "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to", "gimme": "give me", "lemme": "let me", "dunno": "do not know",
    "pls": "please", "plz": "please", "plez": "please", "msg": "message", "msgs": "messages",
    "mssg": "message", "txt": "text", "anybody": "anyone", "any1": "anyone",
    "nobody": "no one", "noone": "no one", "somebody": "someone", "some1": "someone",
    "everybody": "everyone", "every1": "everyone", "mom": "mum", "mam": "mum", "mummy": "mum",
    "mommy": "mum", "daddy": "dad", "2moro": "tomorrow", "2morrow": "tomorrow",
    "tmrw": "tomorrow", "tmr": "tomorrow", "tomoz": "tomorrow", "2nite": "tonight",
    "tonite": "tonight", "cos": "because", "coz": "because", "cuz": "because",
    "bc": "because", "ppl": "people", "pic": "picture", "pics": "pictures", "piccy": "picture",
    "photo": "picture", "photos": "pictures", "luv": "love",
    "abt": "about", "thru": "through", "instagram": "insta", "snapchat": "snap",
    "ig": "insta", "fb": "facebook", "watsapp": "whatsapp", "whatsap": "whatsapp",
    "numba": "number", "nummber": "number", "del": "delete", "convo": "conversation",
    "convos": "conversations", "rn": "right now", "ad": "add", "snapp": "snap",
    "theyd": "they would", "youd": "you would", "theyll": "they will", "youll": "you will",
    "ull": "you will", "uve": "you have", "urself": "yourself", "bf": "boyfriend",
    "gf": "girlfriend", "noods": "nudes", "nudez": "nudes", "cash": "money", "dosh": "money",
    "wiv": "with", "whereabouts": "where about", "summat": "something", "sumthin": "something",
    "sum1": "someone",
}  # fmt: skip

# Two-word spellings of app names joined before canonicalising ("whats app", "e-mail").
_COMPOUNDS: dict[tuple[str, str], str] = {
    ("whats", "app"): "whatsapp", ("wats", "app"): "whatsapp", ("tik", "tok"): "tiktok",
    ("snap", "chat"): "snapchat", ("e", "mail"): "email", ("face", "time"): "facetime",
    ("face", "book"): "facebook", ("insta", "gram"): "instagram", ("x", "box"): "xbox",
    ("play", "station"): "playstation", ("group", "chat"): "groupchat",
    ("post", "code"): "postcode", ("proton", "mail"): "protonmail", ("gift", "card"): "giftcard",
}  # fmt: skip
_COMPOUND_FIRST = frozenset(first for first, _ in _COMPOUNDS)
_HIT_UP = re.compile(r"\bhit (?:me|us) up\b")
# Dying of embarrassment is an idiom, not a wish to die: read as what it means.
_DIE_OF = re.compile(
    r"\b(?:die|died|dying|dead) (?:of|from) "
    r"(embarrassment|shame|cringe|boredom|laughter|laughing)\b"
)
_DIE_OF_MEANS = {
    "embarrassment": "be embarrassed", "shame": "be embarrassed", "cringe": "be embarrassed",
    "boredom": "be bored", "laughter": "laugh", "laughing": "laugh",
}  # fmt: skip
# Sums of money read as the word "money", so "lend me 50 quid" matches "lend me money".
_MONEY = re.compile(
    r"£\s*[0-9][0-9,]*(?:\.[0-9]+)?(?:k|m)?(?![\w.])"
    r"|\b[0-9][0-9,]*(?:\.[0-9]+)?\s*(?:quid|pounds?|grand|dollars?|euros?|bucks)\b"
    r"|\b(?:an? )?(?:tenner|fiver)s?\b"
    r"|\b(?:a|one|two|three|four|five|ten|fifteen|twenty|thirty|forty|fifty|hundred)"
    r"(?: hundred)? (?:quid|pounds|grand)\b"
)
_CONTRACTED = {"ll": "will", "d": "would", "re": "are", "ve": "have", "m": "am"}
_CONTRACTION = re.compile(r"\b(i|you|he|she|it|we|they|who|that|there)'(ll|d|re|ve|m)\b")
_MONEY_HINT = re.compile("£|quid|pound|grand|dollar|euro|buck|tenner|fiver")
_WORD = re.compile(r"[\w@]+")
_LEET = str.maketrans("013457@$", "oieastas")
_HAS_DIGIT = re.compile(r"[0-9]")
_STRETCH = re.compile(r"(\w)\1{2,}")
_MIXED = re.compile(r"[a-z][0-9]|[0-9][a-z]")


_UNDERSCORED_AT_DOT = re.compile(r"_(at|dot)_")


def _basic(text: str) -> str:
    """NFKC, look-alikes, casefold, collapsed whitespace; punctuation kept."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
        text = _PICTOGRAPHS.sub(" ", text)
    elif "`" in text:
        text = text.replace("`", "'")
    text = text.casefold()
    if "_at_" in text or "_dot_" in text:  # "lily.r_at_icloud_dot_com"
        text = _UNDERSCORED_AT_DOT.sub(r" \1 ", text)
    return " ".join(text.split())


def canonical_words(text: str) -> list[str]:
    """The words of a message as the screener reads them ("u r" -> "you are")."""
    return _words(_basic(text))


_BEFORE_AN_AD = frozenset(("a", "an", "the", "this", "that", "job", "fake", "sponsored"))


def _words(t: str) -> list[str]:
    """Canonical word list of a basic-normalised text (apostrophes dropped, chat spellings)."""
    if "'" in t:
        # "he'll" is "he will": without its apostrophe it would read as "hell"
        t = _CONTRACTION.sub(lambda m: f"{m[1]} {_CONTRACTED[m[2]]}", t)
        t = t.replace("'", "")
    if " up" in t:  # "he hit me up on snap" is an invitation, not a blow
        t = _HIT_UP.sub("hmu", t)
    if ("die" in t or "dying" in t or "dead" in t) and (" of " in t or " from " in t):
        t = _DIE_OF.sub(lambda m: _DIE_OF_MEANS[m[1]], t)  # "i want to die of embarrassment"
    if _MONEY_HINT.search(t) is not None:
        t = _MONEY.sub(" money ", t)
    tokens: list[str] = _WORD.findall(t)
    if not _COMPOUND_FIRST.isdisjoint(tokens):
        joined: list[str] = []
        for tok in tokens:
            compound = _COMPOUNDS.get((joined[-1], tok)) if joined else None
            if compound is None:
                joined.append(tok)
            else:
                joined[-1] = compound
        tokens = joined
    out: list[str] = []
    for tok in tokens:
        c = _CANON.get(tok)
        if c is None or (tok == "ad" and out and out[-1] in _BEFORE_AN_AD):
            out.append(tok)  # "a fake job ad on facebook" is not "add me on facebook"
        elif " " in c:
            out.extend(c.split())
        else:
            out.append(c)
    return out


# Phrase syntax beyond plain words: "mum/dad/parents" is any one of them, and a "*" between
# words stands for up to MAX_GAP_WORDS other words ("don't * tell your mum").
CHOICE = "/"
GAP = "*"
MAX_GAP_WORDS = 4

PhrasePart = tuple[tuple[str, ...], ...] | None  # word sequences to choose from; None: a gap


def phrase_parts(phrase: str) -> list[PhrasePart]:
    """A phrase as the parts it is matched on, normalised as messages are.

    Plain words next to each other are normalised together, so "whats app" still joins up.
    Gaps at either end mean nothing and are dropped; so is a choice with no words in it.
    """
    parts: list[PhrasePart] = []
    plain: list[str] = []

    def end_plain() -> None:
        parts.extend(((word,),) for word in _words(" ".join(plain)))
        plain.clear()

    for token in _basic(phrase).split():
        if token == GAP:
            end_plain()
            if parts and parts[-1] is not None:
                parts.append(None)
        elif CHOICE in token:
            end_plain()
            choices = tuple(
                dict.fromkeys(w for w in (tuple(_words(c)) for c in token.split(CHOICE)) if w)
            )
            if choices:
                parts.append(choices)
        else:
            plain.append(token)
    end_plain()
    while parts and parts[-1] is None:
        parts.pop()
    return parts


def phrase_words(phrase: str) -> list[str]:
    """The words of a phrase, each choice included, after the normalisation messages get."""
    return [word for part in phrase_parts(phrase) for choice in part or () for word in choice]


_STEMMERS = threading.local()  # a Snowball stemmer keeps state while it works: one per thread


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """The word's stem ("hitting" -> "hit"), so phrases match other forms of their words."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


# ----------------------------------------------------------------------------- contact details


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_TLD_STRONG = _wordset(
    "com net org uk co io ly gg xyz info biz edu gov ie eu de fr es nl ca au nz ru cn jp tk ml "
    "ga cf ws cc ee gl gle gd su ch se dk pl pt br mx za"
)
# TLDs that are also common words or abbreviations: only a URL with a path counts (t.me/x).
_TLD_WEAK = _wordset(
    "me tv fm app dev page link site online store shop blog live life club fun one world news "
    "art games chat social so is it in to at be us my am ai sh im no"
)
_TLDS = _TLD_STRONG | _TLD_WEAK
_MAIL_PROVIDERS = _wordset(
    "gmail googlemail hotmail outlook yahoo ymail icloud me mac live msn aol btinternet "
    "protonmail proton pm gmx sky virginmedia talktalk mail"
)
_STRONG_PROVIDERS = _wordset(
    "gmail googlemail hotmail yahoo ymail icloud btinternet protonmail outlook aol"
)
_DOMAIN_STOP = _wordset(
    "the a an this that my your our his her their it is on in at of to and or so school "
    "college uni home work"
)
_HANDLE_STOP = _wordset(
    "home school college uni work the my me you lunch break gym night noon midnight everyone "
    "here all least mentor mentee 2day 2moro 2nite tmrw tomorrow today tonight"
)
_MAIL_PROVIDERS_DOT = _MAIL_PROVIDERS | {"dot"}
_BRACKET_AT = re.compile(r"[(\[{<]\s*at\s*[)\]}>]")
_SPACED_EMAIL = re.compile(  # on words: "jobloggs gmail com", "jo b at hotmail co uk"
    r"\b[a-z0-9_]+ (?:at |@ )?(?:gmail|googlemail|hotmail|yahoo|ymail|icloud|outlook|aol|"
    r"btinternet|protonmail) (?:dot )?(?:com|co (?:dot )?uk|net|me|ch)\b"
)
_EMAIL_CONTEXT = _wordset("email mail address addy contact inbox gmail hotmail")

_AT = r"(?:\s*@\s*|\s*[(\[{<]\s*(?:at|@)\s*[)\]}>]\s*|\s+(?:at|'at'|\"at\")\s+)"
_DOT = r"(?:\s*\.\s*|\s*[(\[{<]\s*(?:dot|\.)\s*[)\]}>]\s*|\s+(?:dot|'dot'|\"dot\")\s+)"
_DOT_OBF = r"(?:\s*[(\[{<]\s*(?:dot|\.)\s*[)\]}>]\s*|\s+dot\s+|\s+\.\s+)"
_EMAIL = re.compile(
    rf"(?<![\w.+-])([a-z0-9][a-z0-9._%+-]*)({_AT})(?=([a-z0-9][a-z0-9-]*(?:{_DOT}[a-z0-9-]+)*))"
)
_DOT_SPLIT = re.compile(_DOT)
_HAS_EMAILISH_LOCAL = re.compile(r"[0-9._]")

_SCHEME = re.compile(r"\b(?:https?|hxxps?|ftp)\s*:\s*/\s*/\S*|\bhttps?\s*:\s*\S+")
_WWW = re.compile(
    r"(?<![\w.])www\d{0,3}\s*(?:\.|\s+dot\s+|[(\[]\s*(?:dot|\.)\s*[)\]])\s*[a-z0-9]\S*"
)
_BARE = re.compile(
    r"(?<![\w@.\-/])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+)([a-z]{2,24})(?![\w-])(/[^\s]*)?"
)
_PUBLIC_SECTOR = ("gov.", "nhs.", "ac.", "sch.", "police.", "parliament.")
_DOTWORD_URL = re.compile(  # possessive: linear time; the last label is checked in code
    rf"(?<![\w.@])([a-z0-9][a-z0-9-]*)(?:{_DOT_OBF}([a-z0-9-]+))++"
)
# Sites a mentor points a young person to for help or careers: not contact details.
# Helplines a mentor points to, whose own addresses are no way to reach the mentor.
_HELPLINES = _wordset("samaritans childline nspcc ceop youngminds papyrus-uk giveusashout kooth")
_SIGNPOSTING_SITES = _wordset(
    "childline nspcc samaritans ucas youngminds themix giveusashout papyrus-uk mind "
    "barnardos kooth bbc ceop thinkuknow victimsupport refuge stonewall brook talktofrank "
    "citizensadvice nationalcareers apprenticeships princes-trust"
)
_URL_HOST = re.compile(  # the site's own name, not "childline.org.uk.example.com"
    r"^(?:[a-z]+\s*:\s*/\s*/)?(?:www\d{0,3}\.)?([a-z0-9-]+)\.(?:org\.uk|co\.uk|com|org|uk|net)"
    r"(?![\w.-])"
)


_PUBLIC_SECTOR_URL = re.compile(  # "https://www.gov.uk/apply-apprenticeship", as "gov.uk/…" is
    r"^(?:[a-z]+\s*:\s*/\s*/)?(?:[a-z0-9-]+\.)*(?:gov|nhs|ac|sch|police|parliament)\.uk"
    r"(?![\w.-])"
)


def _signposting(url: str) -> bool:
    host = _URL_HOST.match(url)
    if host is not None and host.group(1) in _SIGNPOSTING_SITES:
        return True
    return _PUBLIC_SECTOR_URL.match(url) is not None


# "twitch tv slash jaydenlive"
_SLASH_URL = re.compile(
    r"\b[a-z0-9]+ (?:dot )?(?:com|tv|ee|gg|io|me|ly|co uk|org|net) slash [a-z0-9]"
)
# "bit ly / 2Kf9Xr", "tinyurl dot com slash x": a link shortener is only ever a link
_SHORTENED = re.compile(
    r"\b(?:bit (?:dot )?ly|tinyurl (?:dot )?com|cutt (?:dot )?ly|rb (?:dot )?gy|ow (?:dot )?ly"
    r"|is (?:dot )?gd|t (?:dot )?ly|shorturl (?:dot )?at)(?: slash)? [a-z0-9]*[0-9][a-z0-9]*\b"
)
_SHORTENER_WORDS = _wordset("ly tinyurl gy gd shorturl")
_SPACED_TLDS = _wordset("com net org")  # "example . com": only unmistakable endings
_DOT_LETTER = re.compile(r"[a-z0-9]\.[a-z]")

_HANDLE = re.compile(r"(?<![\w.@+-])@([a-z0-9_](?:[a-z0-9_.]*[a-z0-9_])?)")
# "username is harper.22" (the words alone lose the dot)
_LABELLED_HANDLE = re.compile(
    r"\b(?:user ?name|handle|gamertag|gamer tag|tag) (?:is|=|:)\s*"
    r"@?[a-z][a-z0-9_.]*[0-9_][a-z0-9_.]*"
)
_DISCORD_TAG = re.compile(r"[a-z][a-z0-9_.]{1,31}#[0-9]{4}(?![0-9])")  # "ghostrider#4421"
_TIMEISH = re.compile(r"^\d+(?:[.:]\d+)?(?:am|pm|ish|h|hrs|mins?)?$")
_HAS_LETTER = re.compile(r"[a-z]")

_PLAT_COLON = (
    r"snapchat|snap|sc|instagram|insta|ig|tiktok|discord|telegram|twitter|kik|wickr|whatsapp|"
    r"facebook|fb|psn|xbox|gamertag|gamer ?tag|skype|bereal|steam|roblox|threads|signal|gram|"
    r"twitch|epic"
)
# Platforms whose name alone, followed by a handle-shaped word, gives an account ("sc jo_b")
_PLAT_SPACE = r"snapchat|snap|sc|instagram|insta|ig|tiktok|discord|telegram|kik|psn|xbox|twitch"
_COLON_HANDLE = re.compile(
    rf"(?<![\w@])(?:{_PLAT_COLON})(?:\s*(?:name|handle|user(?:name)?|id|tag|acc(?:ount)?))?"
    r"(?:\s*[:=]\s*@?[a-z0-9_][a-z0-9_.]+"  # snap: jo_b
    r"|\s*-?\s*@[a-z0-9_][a-z0-9_.]+"  # insta @jo / ig - @jo
    r"|(?:'s|\s*-)\s+@?[a-z0-9_]*[0-9_.][a-z0-9_.]*[a-z0-9_]"  # my insta's jo.b / snap - jo_b
    r"|\s*-\s*[a-z0-9_][a-z0-9_.]+$)"  # snap - jobloggs (at the end)
)
# "sc ➡️ megan.r22", "insta -> jo_b": an arrow, or nothing, between a platform and a handle
_SPACE_HANDLE = re.compile(
    rf"(?<![\w@])(?:{_PLAT_SPACE})\s*(?:->|=>|>)?\s+@?[a-z][a-z0-9_]*"
    r"(?:[._][a-z0-9_.]*[a-z0-9]|[0-9]{2,})(?![\w.])"
)
_PLAT_COLON_WORDS = frozenset(
    word + suffix for word in _PLAT_COLON.replace(" ?", "").split("|") for suffix in ("", "s")
) | {"gamer", "insta", "snap", "facebook"}  # (also the canonical spellings)

# Phone numbers: runs of digits / number words joined by phone-ish separators.
_NUMWORD = {
    "zero": "0", "oh": "0", "nought": "0", "nil": "0", "one": "1", "two": "2", "three": "3",
    "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_MULT = {"double": 2, "triple": 3, "treble": 3}
_ITEM = (
    r"(?:[0-9]+|(?:zero|oh|o+|nought|nil|one|two|three|four|five|six|seven|eight|nine"
    r"|double|triple|treble|hundred)(?![a-z])|[li](?=[0-9]))"  # "l23": letter l / i for one
)
_PHONE_RUN = re.compile(rf"(?<![a-z0-9])(?:\+\s*)?[(\[]?\s*{_ITEM}(?:[\s.()\[\]-]*{_ITEM})*")
_WORD_COMMA = re.compile(r"(?<=[a-z]),(?=\s*[a-z])|(?<=[a-z0-9]),(?=\s+[a-z0-9])")
_RUN_TOKEN = re.compile(r"[0-9]+|[a-z]+")
# A stretch of digits, separators and O / l look-alikes long enough to hold a phone number.
_PHONE_PREFILTER = re.compile(r"[0-9o][0-9oli\s.()\[\]-]{6,}")
_PHONE_WORD_GATE = frozenset(_NUMWORD) | frozenset(_MULT) | {"o", "oo", "ooo", "hundred"}

# Postal addresses.
_POSTCODE_AREAS = _wordset(
    "ab al b ba bb bd bh bl bn br bs bt ca cb cf ch cm co cr ct cv cw da dd de dg dh dl dn dt "
    "dy e ec eh en ex fk fy g gl gu gy ha hd hg hp hr hs hu hx ig im ip iv je ka kt kw ky l la "
    "ld le ll ln ls lu m me mk ml n ne ng nn np nr nw ol ox pa pe ph pl po pr rg rh rm s sa se "
    "sg sk sl sm sn so sp sr ss st sw sy ta td tf tn tq tr ts tw ub w wa wc wd wf wn wr ws wv "
    "yo ze"
)
# The part after the area letters ("1 1ae" of "m1 1ae"); the letters are checked in code.
_POSTCODE_TAIL = re.compile(r"[0-9][a-z0-9]?\s*[0-9]([abd-hjlnp-uw-z]{2})(?![a-z0-9])")


def _reads_as_ordinal(t: str, suffix_at: int) -> bool:
    """Whether the letters at suffix_at end an ordinal ("m1 1st" is a date, "ng7 2rd" not)."""
    digit, before = t[suffix_at - 1], t[suffix_at - 2 : suffix_at - 1]
    teen = before == "1"
    expected = "th" if teen else {"1": "st", "2": "nd", "3": "rd"}.get(digit, "th")
    return t[suffix_at : suffix_at + 2] == expected


_STREET_WORDS = _wordset(
    "road rd street st lane avenue ave close drive way crescent grove gardens terrace place "
    "court walk row hill mews view square parade"
)
_STREET_KIND = "(?:" + "|".join(sorted(_STREET_WORDS)) + ")"
# A house number in words, from ten up ("one way street" is not an address).
_HOUSE_NUMBER_WORDS = (
    "(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    "|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    "(?: (?:one|two|three|four|five|six|seven|eight|nine))?)"
)
_ADDRESS = re.compile(
    r"\bmy (?:home |house )?address is\b"
    r"|\b(?:what is|send me|give me|giving me|need|tell me|know) your (?:home |house )?"
    r"(?:address|postcode)\b"
    r"|\b(?:which|what) (?:street|road|estate|house number)(?: [a-z]+){0,3} live\b"
    r"|\b(?:which|what) (?:street|road|estate) (?:are )?you on\b"
    r"|\baddress and postcode\b|\bwhat is your postcode\b"
    r"|\b(?:i|we) (?:live|stay) (?:at|on) (?:flat |apartment |number |no )?[0-9]"
    # "I'm at number 14 Elm Avenue", "I'm at flat 3, 14 Carrow Road": a house number on a
    # named street, said of oneself
    r"|\b(?:i am|we are|i live|we live|i stay|we stay|i am staying|we are staying)(?: at| on)? "
    r"(?:(?:flat|apartment|room) [0-9]+[a-z]? )?"
    rf"(?:flat |apartment |number |no )?[0-9]+[a-z]? (?:[a-z]+ ){{1,4}}{_STREET_KIND}\b"
    # "9b Peckham High St, SE15": a house number, a street and a postcode district
    rf"|\b[0-9]+[a-z]? (?:[a-z]+ ){{1,3}}{_STREET_KIND} [a-z]{{1,2}}[0-9]{{1,2}}\b"
    # "I'm on Glenview Terrace, the blue door"
    rf"|\b(?:i am|we are|i live|we live) on (?:[a-z]+ ){{1,2}}{_STREET_KIND} the [a-z]+ "
    r"(?:door|house|flat|one)\b"
    # "I live in the home at the top of Wellington Street, number 42", "I live on Mill Street",
    # "my carers' house is next to the Co-op on Stanley Road, number 88"
    r"|\b(?:i|we) (?:live|stay)\b(?: [^ ]+){0,10}? (?:[a-z]+ ){1,2}"
    rf"{_STREET_KIND} (?:number|no|flat) [0-9a-z]+"
    rf"|\b(?:i|we) live (?:on|in) (?:[a-z]+ ){{1,2}}{_STREET_KIND}\b"
    # "we're in flat 5 on the 3rd floor", "block C, flat 19", "mine's the third house"
    r"|\b(?:i am|we are|i live|we live|i stay|we stay) (?:in|at) (?:flat|apartment) "
    r"[0-9a-z]+\b|\bblock [a-z0-9] flat [0-9]+"
    r"|\bmine is the (?:[a-z]+ ){1,2}(?:house|door|flat|bungalow|cottage)\b"
    # "house number is sixteen, road is cedar way"
    rf"|\bhouse (?:number|no) is (?:[0-9]+|{_HOUSE_NUMBER_WORDS}|one|two|three|four|five|six|seven"
    r"|eight|nine)\b"
    # "what number house are you?", "what's your house number", "my postcode is"
    r"|\bwhat (?:number )?house (?:number )?are you\b|\byour house number\b|\bmy postcode is\b"
    r"|\bmy (?:[a-z]+ ){0,2}(?:house|home|flat)\b(?: [^ ]+){0,10}? (?:[a-z]+ ){1,2}"
    rf"{_STREET_KIND} (?:(?:number|no) )?[0-9]+"
    # "I stay in a B and B, room 6, above the chip shop on Market Street"
    r"|\b(?:i|we) (?:live|stay)\b(?: [^ ]+){0,10}? (?:flat|room|number) [0-9]+(?: [^ ]+){0,8}? "
    rf"(?:on|in) (?:[a-z]+ ){{1,2}}{_STREET_KIND}\b"
    # "I'm on Harrow Close, number 9"
    r"|\b(?:i am|we are|i live|we live) on (?:[a-z]+ ){1,2}"
    rf"{_STREET_KIND} (?:(?:number|no|flat) [a-z]+|(?:number |no |flat )?[0-9])"
    # "I'm the house with the red door on Station Road", "mine is the first house on Mill Lane",
    # "we live above the barbers on Market Street"
    r"|\b(?:i am|we are|mine is|ours is|my (?:house|home|flat) is|our (?:house|home|flat) is"
    r"|(?:i|we) live in) the (?:[a-z]+ ){0,2}(?:house|flat|bungalow|terrace|cottage|farm)\b"
    rf"(?: [a-z]+){{0,6}}? (?:on|off|of|in) (?:[a-z]+ ){{1,2}}{_STREET_KIND}\b"
    r"|\b(?:i|we) live (?:above|below|behind|next to|opposite|at the end of|round the corner from)"
    rf"(?: [a-z]+){{1,5}}? (?:on|off|of|in) (?:[a-z]+ ){{1,2}}{_STREET_KIND}\b"
    r"|\b(?:my|our) (?:house|home|flat)(?: is|s) (?:on|in|off|at|near|above|below|behind"
    r"|opposite|next to)(?: [a-z]+){0,4}? "
    rf"(?:[a-z]+ ){{1,2}}{_STREET_KIND}\b"
    # "flat 3b above the chippy on Mill Lane", "I'm at 9 Kingsway, flat 12", "number 8 on the
    # Kingsway estate": a flat or house number given with where it is
    r"|(?:^|\b(?:i am|we are|it is|mine is) (?:at |in )?)(?:flat|apartment|number|no) [0-9]+[a-z]? "
    rf"(?:above|below|on|off|in|at|behind|opposite|next to)\b(?: [a-z]+){{0,5}}? "
    rf"(?:{_STREET_KIND}|estate)\b"
    r"|\b(?:i am|we are|i live|we live) at [0-9]+[a-z]? [a-z]+ (?:flat|apartment) [0-9]+"
    # "second left onto Hazel Road, I'm number 21": directions to a door
    rf"|\b{_STREET_KIND}(?: [a-z]+){{0,3}} (?:i am|we are|it is|mine is|ours is) (?:at )?"
    r"(?:number|no) [0-9]+[a-z]?\b(?! (?:bus|on the|route|stop)\b)"
    r"|\b(?:first|second|third|fourth|fifth|last|end|corner) (?:house|flat|bungalow|cottage) "
    rf"(?:on|in|of|along) (?:[a-z]+ ){{1,2}}{_STREET_KIND}\b"
    r"|\b(?:it is|mine is|i am|we are) the (?:first|second|third|fourth|fifth|last|end) "
    r"(?:house|flat|door|bungalow|cottage)\b"
)
_ADDRESS_WORDS = _wordset(
    "address postcode street road estate rd st lane avenue ave crescent grove gardens terrace mews "
    "flat block house mine"
)
_ADDRESS_WITH_NUMBER = _wordset("live stay am are")
# "come round, it's 7 Oak Avenue": a house number on a named street is someone's address,
# unless it is that of a public place named just before ("the college is at 45 Park Lane").
_HOUSE_ON_STREET = re.compile(
    rf"(?<![\w.])(?:[0-9]{{1,4}}[a-z]?|{_HOUSE_NUMBER_WORDS}) "
    # not "2 bed terrace", nor "the 8 on Station Road" (a bus): a house number is not followed
    # by a preposition
    rf"(?!(?:bed|beds|bedroom|bedroomed|storey|story|car|bath|year|min|minute|mins"
    rf"|on|in|at|off|near|by|from|to|along|up|down)\b)"
    rf"(?:[a-z]+ ){{1,2}}{_STREET_KIND}\b"
)


def _a_public_place(joined: str, street: re.Match[str]) -> bool:
    """The place at a house number on a street is named just before it ("the college is at 45
    Park Lane") or just after ("12 Church Street is the library", "1 Station Road, the sixth
    form centre"); not one described by what is near it ("7 Oak Avenue by the library")."""
    if not _PUBLIC_PLACES.isdisjoint(joined[: street.start()].split()[-6:]):
        return True
    after = joined[street.end() :].split()[:5]
    named = after[1:4] if after[:1] == ["the"] else after[2:5] if after[:2] == ["is", "the"] else []
    return not _PUBLIC_PLACES.isdisjoint(named)


# Words of a story or a set text: "the detective lives at 221B Baker Street"
_FICTION = _wordset(
    "book novel story chapter character characters detective assignment essay fiction poem "
    "play film series episode author"
)
# "///apples.river.orange", "what3words: table.chair.lamp"
_WHAT3WORDS = re.compile(r"///[a-z]+\.[a-z]+\.[a-z]+|\b(?:w3w|what3words)\W+[a-z]+\.[a-z]+\.[a-z]+")
_COORDINATES = re.compile(r"-?[0-9]{1,2}\.[0-9]{3,}\s*,\s*-?[0-9]{1,3}\.[0-9]{3,}")
_HOME_WORDS = _wordset("house home flat live mine address door")
_PUBLIC_PLACES = _wordset(
    "college school uni university campus centre center office library venue club hall "
    "museum station gym cafe clinic surgery hospital church mosque temple shop store "
    "cinema theatre stadium council programme charity building reception event session bus "
    "buses route academy"
)

# Invitations to connect or move elsewhere (matched on the canonical word string).
_P_ALL = (
    r"snap|sc|insta|whatsapp|wa|telegram|tele|discord|tiktok|tt|facebook|messenger|twitter|x|"
    r"signal|kik|wickr|threads|bereal|skype|viber|wechat|imessage|facetime|reddit|youtube|yt|"
    r"twitch|steam|xbox|xbl|psn|playstation|ps4|ps5|roblox|fortnite|minecraft|omegle|yubo|wizz|"
    r"tinder|hinge|bumble|grindr|zoom|teams|hangouts|google meet|email|gmail|hotmail|outlook|"
    r"phone|mobile|mob|cell|landline|text|sms|my number|whatsapp|socials|linkedin"
)
_P_MOVE = (
    r"snap|insta|whatsapp|telegram|discord|tiktok|facebook|messenger|twitter|signal|kik|wickr|"
    r"skype|viber|wechat|imessage|facetime|zoom|omegle|yubo|email|sms|text"
)
_P_STRICT = (
    r"snap|sc|insta|whatsapp|telegram|discord|tiktok|facebook|twitter|kik|wickr|bereal|skype|"
    r"viber|wechat|reddit|psn|xbox|xbl|gamertag|gamer tag|steam|roblox|number|phone number|"
    r"phone no|mobile number|mobile no|mob no|mob number|whatsapp number|digits|num|email|"
    r"email address|gmail|hotmail|handle|username|user name|@|snap name|snap code|socials|"
    r"insta name|discord tag|gram|epic name|epic id|playstation name|psn name|xbox name|"
    r"friend code|switch code|switch friend code"
)
_P_ASK = (
    _P_STRICT + r"|mobile|mob|cell|personal number|home number|cell number|addy|personal email|"
    r"personal email address|private email|private number"
)
_P_HAVE = (
    r"snap|sc|insta|whatsapp|telegram|discord|tiktok|facebook|twitter|kik|wickr|bereal|skype|"
    r"viber|wechat|imessage|facetime|socials|gamertag|signal|imo|linktree"
)
_VIA_VERBS = (
    r"whatsapp|snap|insta|dm|pm|inbox|facetime|ft|text|telegram|discord|kik|email|sms|bell|"
    r"imessage"
)
_NOT_HERE = (  # "text me on here", "text me a reminder on here" (but not "not on here")
    r"(?!(?: (?!not\b|instead\b|than\b)[a-z]+){0,3} (?:on|in|at|through|via) "
    r"(?:here|this|the (?:chat|app|platform|site|session|call|meeting)|mentormeet)\b"
    r"| here\b| in the chat\b| through the)"
)
# "my email is so embarrassing", "my insta is private": an account spoken of, not given
_NOT_GIVEN = (
    r"(?! (?:so|too|really|very|not|full|broken|down|dead|cringe|embarrassing|private|blocked|"
    r"hacked|banned|deleted|off|gone|old|weird|rubbish|awful|a mess|a joke)\b)"
)
_OBJ_PREP_PLAT = (
    rf"(?:me|us|you) (?:on|at|via|over|through) (?:(?:my|the|your) )?(?:{_P_ALL})(?!\w)"
)

# (first words, pattern): each pattern is tried only where one of its first words starts.
_INVITE_PATTERNS: tuple[tuple[str, str], ...] = (
    # add me on snap / find me on tiktok / call me on my mobile
    (
        "add added follow followed find search message messaged dm pm inbox text call ring "
        "facetime ft contact reach catch get friend snap vc ping accept",
        rf"(?:add|added|follow|followed|find|search|message|messaged|dm|pm|inbox|text|call|ring|"
        rf"facetime|ft|contact|reach|catch|get|friend|snap|vc|ping|accept) {_OBJ_PREP_PLAT}",
    ),
    (
        "talk chat speak video connect",
        rf"(?:talk to|chat to|chat with|talk with|speak to|speak with|video call|connect with) "
        rf"{_OBJ_PREP_PLAT}",
    ),
    # hmu on insta / add on snap
    (
        "add follow hmu dm pm inbox hit",
        rf"(?:add|follow|hmu|dm|pm|inbox|hit (?:me|us) up|hit up) (?:on|at|via|over) "
        rf"(?:(?:my|the) )?(?:{_P_ALL})(?!\w)",
    ),
    # let's talk on snap / move this to whatsapp
    (
        "talk talking chat chatting speak message move moving switch swap continue continued "
        "continuing carry carried carrying meet",
        rf"(?:talk|talking|chat|chatting|speak|message|move|moving|switch|swap|continue|continued|"
        rf"continuing|carry on|carried on|carrying on|meet)"
        rf"(?: (?:this|it|our|the)(?: (?:conversation|conversations|chat|chats))?)? "
        rf"(?:on|onto|over to|over on|to|via|over) (?:(?:my|the|your) )?(?:{_P_MOVE})(?!\w)",
    ),
    # whatsapp me / dm me / text me / email me (not "on here")
    (
        "whatsapp snap insta dm pm inbox facetime ft text telegram discord kik email sms bell "
        "imessage",
        rf"(?:{_VIA_VERBS}) (?:me|us)(?!\w){_NOT_HERE}",
    ),
    # I'll text you / shall i whatsapp you
    (
        "i shall let",
        rf"(?:i (?:will|can|could|would|shall|am going to)|shall i|let me|(?:can|could|may) i)"
        rf"(?: just)? (?:{_VIA_VERBS}|ring|phone) you"
        rf"(?!\w){_NOT_HERE}",
    ),
    # I'll add you (not "add you to the list")
    (
        "i shall let",
        r"(?:i (?:will|can|could|would|shall|am going to)|shall i|let me) add you"
        r"(?! (?:to|into|onto|in|as|on here|here)\b)(?!\w)",
    ),
    # "my mobile starts 07700, then …" / "the best number to get you on" / "on there"
    ("my", r"my (?:mobile|number|phone|cell)(?: number)? (?:starts|begins)\b"),
    (
        "best",
        r"best (?:number|email|mobile) to (?:get hold of|get|reach|contact|call|text|message) "
        r"you\b",
    ),
    ("what", r"what (?:email |e mail )?address do you (?:use|have)\b"),
    (
        "is have do can could what",
        r"(?:is there|have you got|do you have|can i have|could i have|what is) (?:a |an |your )?"
        r"(?:personal|private|other|different) (?:email|number|phone|mobile|account)\b",
    ),
    (
        "message text add find dm call contact",
        r"(?:message|text|add|find|dm|call|contact) (?:me|us) (?:on|over) there\b",
    ),
    # "straight to your hotmail" / "give you my home email" / "I have telegram" / "my tag is"
    (
        "send sending email forward",
        r"(?:send|sending|email|forward)(?: [a-z]+){0,4}? to your (?:hotmail|gmail|googlemail|"
        r"outlook|yahoo|icloud|protonmail)\b",
    ),
    (
        "give giving send sending use add",
        r"(?:give|giving|send|sending|use|add) (?:you |me )?(?:my|your) (?:home|personal|"
        r"private|own|other) (?:email|number|mobile)\b",
    ),
    (
        "i we",
        rf"(?:i|we) (?:have|have got|got|use|am on|are on) (?:{_P_HAVE})"
        r"(?: (?:and|but|if|too|as|or|now|account|acc)\b|$)",
    ),
    ("my", r"my (?:gamer )?(?:tag|gamertag) is\b|my linktree\b"),
    # "scan my qr", "sending you my snapcode" (not "scan the qr code on the poster")
    ("scan", r"scan my (?:qr|snapcode|snap code)\b"),
    ("my", r"my (?:snapcode|snap code|qr code)\b"),
    # "I'm on there as lewis_r07", "on psn I'm called Lil_Dwayne", "I'm known as kez on tiktok"
    (
        "i",
        rf"i am on (?:there|{_P_HAVE}|{_P_STRICT}|twitch|youtube) as "
        r"(?!(?:well|a|an|the|much|often|usual|normal|always|long|soon|such|if|though)\b)[a-z0-9_]",
    ),
    ("on", rf"on (?:{_P_HAVE}|{_P_STRICT}) i am (?:called|known as)\b"),
    ("i", rf"i am (?:called|known as) [a-z0-9_]+ on (?:{_P_ALL})(?!\w)"),
    # "signal me, username kieran.71" (the words alone lose the dot)
    (
        "username gamertag handle",
        r"(?:username|user name|gamertag|handle)(?: is| it is)? [a-z][a-z0-9_]*"
        r"(?:_[a-z0-9_]*|[0-9]{2,}| [0-9]{2,})(?!\w)",
    ),
    (
        "psn xbox steam roblox twitch user username gamertag",
        r"(?:psn|xbox|steam|roblox|twitch|user|username|gamertag)(?: [a-z]+){0,5}? (?:is|it is) "
        r"[a-z][a-z0-9_.]*(?:_[a-z0-9_.]*|[0-9]{2,})(?!\w)",
    ),
    (
        "send give share",
        r"(?:send|give|share) (?:you|u) (?:a |the )?link to my (?:youtube|channel|page|profile|"
        rf"account|{_P_HAVE})\b",
    ),
    # join my discord / join our whatsapp group
    ("join", rf"join (?:my|our|the) (?:{_P_HAVE}|server|groupchat|gc)(?!\w)"),
    # we could just facetime instead / shall we snap
    (
        "we let shall can could",
        r"(?:we (?:could|can|should)|let us|shall we|can we|could we)(?: just)? "
        rf"(?:facetime|ft|snap|whatsapp|text|phone|ring|dm)(?!\w){_NOT_HERE}",
    ),
    # look me up on insta / search my name on facebook / google me
    (
        "look search find",
        rf"(?:look (?:me|us) up|look up my (?:full )?name|(?:search|look|find) (?:for )?"
        rf"(?:me|us|my (?:full |real )?name)) (?:on|in) (?:{_P_ALL})(?!\w)",
    ),
    ("google", r"google (?:me|my (?:full |real )?name)(?!\w)"),
    # sent you a follow request, sending you a friend request
    (
        "sent send sending follow",
        r"(?:sent you a |send you a |send me a )?follow request"
        r"|(?:sent|send|sending) (?:you|me) a friend request",
    ),
    # my insta is … / my snap jo_b123 / my number is … / my phone number / my dms
    (
        "my",
        rf"my (?:{_P_STRICT})s?(?: (?:name|handle|username|user|id|tag|account|acc|addy|"
        rf"address|number|no|num|code))? is\b{_NOT_GIVEN}",
    ),
    # "my snap's the same as my insta": one handle given as another
    ("my", rf"my (?:{_P_STRICT})s?(?: is)? the same (?:as|on) (?:my )?(?:{_P_ALL})(?!\w)"),
    ("follow", r"follow my (?:[a-z]+ )?(?:account|acc|page|insta|tiktok|snap|story|stories)\b"),
    (
        "my",
        rf"my (?:{_P_HAVE})s?(?: (?:name|handle|username|user|id|tag|account|acc|code))? "
        rf"(?:@|[a-z_][a-z0-9_.]*[0-9_][a-z0-9_.]*(?!\w))",
    ),
    (
        "my",
        r"my (?:phone|mobile|mob|personal|cell|whatsapp|private|house|new|home|work) "
        r"(?:number|no|num)(?: then| x+| please)?$|my digits\b",
    ),
    # what's your snap / can i have your number / drop your insta
    (
        "what send give giving drop pass tell can could may let need want got swap exchange trade "
        "share sharing fire",
        rf"(?:what is|what are|send me|give me|giving me|drop me|drop|pass me|tell me|share|fire|"
        rf"sharing|can i get|can i have|"
        rf"can i grab|could i get|could i have|may i have|let me get|let me have|let me take|"
        rf"need|want|got|swap|exchange|trade) (?:your|you|ur)"
        r"(?: (?:mums|dads|parents|carers|nans|sisters|brothers))? "
        rf"(?:{_P_ASK})(?!\w)"
        r"(?! (?:one|two|three|1|2|3|choice|of|plate|in the)\b)",
    ),
    # do you have snap / are you on insta / you got whatsapp
    ("do does did", rf"(?:do|does|did) you (?:have|got|use) (?:a |an )?(?:{_P_HAVE})(?!\w)"),
    ("have", rf"have you got (?:a |an )?(?:{_P_HAVE})(?!\w)"),
    ("you", rf"you got (?:{_P_HAVE})(?!\w)"),
    (
        "do does you have",
        r"(?:(?:do|does) you (?:have|got)|you got|have you got) (?:a |an |another )?"
        r"(?:number|phone number|mobile number|mobile|personal email|email) (?:i|we) can\b",
    ),
    ("are is", rf"(?:are|is) you on (?:{_P_HAVE})(?!\w)"),
    ("you", rf"you on (?:{_P_HAVE})(?: too| then| yet| still| at all)?$"),
    (
        "send",
        r"send (?:your|you) (?:number|digits|snap|insta|whatsapp|mobile number|phone number|"
        r"socials|@)(?! to\b)(?!\w)",
    ),
    ("i am", rf"(?:i am|am) on (?:{_P_HAVE}) (?:if|as|it is|under|@|add|follow|dm)(?!\w)"),
    # add me / follow me (not "add me to the list")
    ("add", r"add (?:me|us)(?! (?:to|into|onto|in|as|on here|here|back in)\b)(?!\w)"),
    # "add my personal facebook", "add my xbox"
    (
        "add",
        r"add my (?:personal |private |other |main |second |spam |real |new )?"
        rf"(?:{_P_HAVE}|xbox|psn|steam|roblox|twitch|gamertag|account)"
        r"(?! (?:to|into|onto)\b)(?!\w)",
    ),
    (
        "follow",
        r"follow (?:me|us)(?! (?:to|into|here|there|through|along|in|out|on here|up)\b)(?!\w)",
    ),
    (
        "follow check sub subscribe",
        rf"(?:follow|check out|sub to|subscribe to) my (?:{_P_HAVE}|youtube|twitch|channel|"
        rf"page|account|profile)(?!\w)",
    ),
    # dms
    (
        "your in slide slid dms",
        r"(?:your|in my|in your|slide into|slid into) dms\b|dms (?:are )?open\b",
    ),
    # offering a number
    (
        "here take save have got use give giving send text pass drop",
        r"(?:here is|take|save|have|got|use|give you|send you|text you|pass you|drop you) "
        r"my (?:phone |mobile |mob |personal |home |cell |whatsapp |private |work |new )?"
        r"(?:number|no|num|digits)(?!\w)"
        r"|(?:give you|send you|pass you|drop you) my (?:email|gmail|hotmail|outlook|icloud|"
        rf"{_P_HAVE})(?!\w)"
        r"|(?:give|giving|send|pass) (?:you )?my (?:mobile|mob)"
        r"(?! (?:phone )?(?:charger|case|screen))(?!\w)",
    ),
    # text me on 07… (partial numbers) / give me a text
    (
        "text call ring phone bell whatsapp message reach contact get",
        r"(?:text|call|ring|phone|bell|whatsapp|message|reach|contact|get) (?:me|us) (?:on|at) "
        r"(?:0[0-9]{4}|0[0-9]{1,3} [0-9]{2}|(?:00)?44 [0-9]|zero |oh |o[0-9])",
    ),
    ("give", r"give (?:me|us) a (?:text|bell|buzz|missed call)(?!\w)"),
    ("give", r"give you a (?:quick )?(?:ring|bell|buzz|phone call|text)(?!\w)"),
    # I'll ring you on your mobile
    (
        "ring call phone text bell facetime",
        r"(?:ring|call|phone|text|bell|facetime) you(?: [a-z]+){0,3} on your "
        r"(?:mobile|phone|number|mob|cell|landline|personal)(?!\w)",
    ),
    # move somewhere else
    (
        "talk chat speak message text contact continue carry",
        r"(?:talk|chat|speak|message|text|contact|continue|carry on)(?: to)?(?: me| you| us)?"
        r" (?:outside (?:of )?(?:here|this|the app|the platform|mentormeet|the sessions?)|"
        r"off (?:here|the app|this app|the platform)|somewhere (?:else|more private|private))",
    ),
)


def _invite_index() -> dict[str, re.Pattern[str]]:
    by_word: dict[str, list[str]] = {}
    for firsts, pattern in _INVITE_PATTERNS:
        for word in firsts.split():
            by_word.setdefault(word, []).append(pattern)
    return {word: re.compile("|".join(pats)) for word, pats in by_word.items()}


_INVITE_BY_WORD = _invite_index()
# A message that is only "your number?" / "ok your snap then".
_INVITE_WHOLE = re.compile(
    rf"(?:(?:and|so|ok|okay|hey|hi|oi|yo) )?your (?:{_P_ASK})(?: please| then)?"
)
_INVITE_WHOLE_FIRST = _wordset("and so ok okay hey hi oi yo your")


def _is_invitation(words: list[str]) -> bool:
    """Whether the canonical words invite the other person to connect or move elsewhere."""
    joined = " ".join(words)
    if not words:
        return False
    if words[0] in _INVITE_WHOLE_FIRST and _INVITE_WHOLE.fullmatch(joined):
        return True
    pos = 0
    for i, word in enumerate(words):
        pattern = _INVITE_BY_WORD.get(word)
        if (
            pattern is not None
            and pattern.match(joined, pos)
            and not _said_of_others(words, i)
            and not _declined(words, i)
        ):
            return True
        pos += len(word) + 1
    return False


_MODAL_VERBS = _wordset("will would shall should must could can may might")
_AUXILIARIES = _MODAL_VERBS | _wordset("do does did am is are was")


def _declined(words: list[str], i: int, auxiliaries: Set[str] = _AUXILIARIES) -> bool:
    """Whether words[i] is refused ("I can't give you my number", "please don't send me yours").

    Not "why not add me on snap": only "cannot", "never" and "not" after a verb like "do".
    """
    before = words[max(0, i - 2) : i]
    if not before:
        return False
    if before[-1] in ("cannot", "never"):
        return True
    return before[-1] == "not" and len(before) == 2 and before[0] in auxiliaries


# Family, whose lifts and pocket money are no offer from a mentor ("my uncle's giving me a lift")
_FAMILY = _wordset(
    "mum dad parents mums dads nan nans gran grans grandad grandads grandma grandmas grandpa "
    "grandpas nana nanas granny grannys aunt aunts auntie aunties uncle uncles brother brothers "
    "sister sisters cousin cousins stepmum stepmums stepdad stepdads carer carers"
)
_MINE = _wordset("my our")
# Between "my" and a relative: "my big sister", "my step dad" (not "my ex's uncle": not kin).
_KIN_WORDS = _wordset("older younger elder eldest oldest youngest big little baby twin step other")
_WRITER = _wordset("me")  # not "us": "my dad can give us a lift" may be the mentor and mentee


def _given_by_family(words: list[str], i: int, n: int) -> bool:
    """Whether words[i : i + n] is what the writer's family does for them: "my grandad keeps
    sending me £5", "my older cousin gives me a lift" (but "my mum will give you a lift" is an
    offer to meet)."""
    before = words[max(0, i - 4) : i]
    return not _WRITER.isdisjoint(words[i : i + n]) and any(
        word in _FAMILY
        and k
        and (
            before[k - 1] in _MINE
            or (k > 1 and before[k - 1] in _KIN_WORDS and before[k - 2] in _MINE)
        )
        for k, word in enumerate(before)
    )


_OTHERS = _wordset("they he she it school college uni ucas teacher tutor mum dad parents who")
_MODALS = _wordset("will would can could should might may")


def _said_of_others(words: list[str], i: int) -> bool:
    """Whether words[i] is what someone else does ("they would text me"), not an invitation."""
    before = words[max(0, i - 2) : i]
    if before and before[-1] in _OTHERS:
        return True
    return len(before) == 2 and before[1] in _MODALS and before[0] in _OTHERS


@dataclass(frozen=True)
class _CompiledTerm:
    """A phrase ready to match: by its word alone (one-word phrases) or on the tagged words."""

    anchors: tuple[str, ...]  # words (one-word phrases) or stems: one is in every match
    pattern: re.Pattern[str] | None  # None: a one-word phrase, there when its word is
    verdict: Verdict
    reason: str
    category: str
    names_a_topic: bool  # a flagging phrase of one or two words ("suicide", "self harm")
    # An offer of gifts or meeting can be declined: "I can't lend you money" offers nothing.
    refusable: bool
    # Per part of a phrase of several words: stems one of which every match has among its
    # words. Checked before the pattern, which is then searched for a small share of messages.
    needs: tuple[frozenset[str], ...] = ()
    reach: int = 1  # the most words a match covers


def _compile_term(term: RiskTerm) -> _CompiledTerm:
    """Compiles a phrase (see `phrase_parts`).

    A phrase of several words matches other forms of its words ("he hits me" matches "he hit
    me", "meet up" matches "meeting up"), except a word written in an -ing or -ed form, which
    matches as written: "self harming" is more specific than "self harm", "cut myself" than
    "cutting myself". A one-word phrase matches that word only.
    """
    parts = phrase_parts(term.phrase)
    if not parts:
        raise ValueError(f"risk term phrase has no words: {term.phrase!r}")
    severity = Severity(term.severity)
    verdict = Verdict.HOLD if severity is Severity.SEVERE else Verdict.FLAG
    reason = f"risk:{term.category}:{' '.join(term.phrase.split())}"
    first = parts[0]
    if len(parts) == 1 and first is not None and all(len(choice) == 1 for choice in first):
        return _CompiledTerm(
            tuple(choice[0] for choice in first),
            None,
            verdict,
            reason,
            term.category,
            verdict is Verdict.FLAG,
            False,
        )
    body = " ".join(
        rf"(?:\S+ ){{0,{MAX_GAP_WORDS}}}"
        if part is None
        else "(?:" + "|".join(" ".join(map(_tagged_word_pattern, c)) for c in part) + ")"
        for part in parts
    ).replace("} ", "}")  # a gap brings its own spaces
    names_a_topic = verdict is Verdict.FLAG and len(phrase_words(term.phrase)) <= 2
    return _CompiledTerm(
        _anchors(parts),
        re.compile(rf"(?<= ){body}(?= )"),
        verdict,
        reason,
        term.category,
        names_a_topic,
        term.category in _REFUSABLE_CATEGORIES,
        tuple(frozenset(_stem(choice[0]) for choice in part) for part in parts if part is not None),
        sum(MAX_GAP_WORDS if part is None else max(map(len, part)) for part in parts),
    )


_REFUSABLE_CATEGORIES = frozenset({"gifts", "meeting"})

# Secrecy asked around a gift, a meeting or sexual talk is how grooming goes: together they
# hold the message, though each alone only flags it ("don't tell anyone but I got in!" is news;
# "keep it between us, I'll bring you a little something" is not).
_SECRECY = "secrecy"
_KEPT_SECRET_WITH = ("gifts", "meeting", "sexual")


def _kept_secret(categories: Set[str]) -> str | None:
    """The reason a message asking for secrecy around something else is held, if it is."""
    if _SECRECY not in categories:
        return None
    around = [c for c in _KEPT_SECRET_WITH if c in categories]
    # "+" is not allowed in a listed phrase's category: this reason is told apart from theirs.
    return f"risk:{'+'.join([_SECRECY, *around])}:{KEPT_SECRET_PHRASE}" if around else None


# A flagging phrase that only names a topic is left out when the message is about schoolwork
# on it and says nothing of the writer ("I", "me"); a phrase of three or more words ("been
# self harming") or a severe one still counts.
_SCHOOLWORK = _wordset(
    "essay essays theme themes topic topics lesson lessons pshe rse psychology sociology "
    "dissertation epq coursework assignment novel poem chapter lecture module research "
    "prevention awareness statistics character characters macbeth inspector unit units biology "
    "chemistry science homework textbook syllabus literature review poster presentation "
    "placement report book books film films movie series storyline plot episode documentary "
    "podcast author villain"
)
_I = _wordset("i me my myself mine kms")
# "I'm comparing studies on self-harm", "my essay": the writer speaks of their work, not of
# themselves, when a study word follows "I", "me" or "my" within three words.
_I_OF_STUDY = _wordset("i me my")
_STUDY = _SCHOOLWORK | _wordset(
    "doing writing reading studying researching comparing presenting revising analysing "
    "analyzing learning"
)


def _about_schoolwork(words: list[str], word_set: set[str]) -> bool:
    """Schoolwork on a topic, where the writer says nothing of themselves."""
    if word_set.isdisjoint(_SCHOOLWORK):
        return False
    return all(
        word in _I_OF_STUDY and not _STUDY.isdisjoint(words[i + 1 : i + 4])
        for i, word in enumerate(words)
        if word in _I
    )


# Safety advice quotes what it warns against ("never give your bank details to anyone, it's a
# scam"; "if someone asks you to keep secrets from your parents, that's a red flag"). In a
# message that speaks of safety, the clauses that give such advice are not screened for risk
# phrases; its other clauses are ("… red flag. but don't tell your mum about us").
_SAFETY = re.compile(
    r"red flag|scam|trusted adult|safeguarding|warning sign|childline|ceop|dangerous|get help"
    r"|\b(?:you can|can always|always) report\b|\breport (?:them|it to|to)\b"
)
_SAFETY_WORDS = _wordset(
    "flag scam adult safeguarding warning childline ceop dangerous help report"
)
_CLAUSE_END = re.compile(r"[.!?;]+|\bbut\b|\s-\s")
_ADVICE = re.compile(
    r"(?<!i will )(?<!i'll )(?<!we will )(?<!we'll )(?<!i would )(?<!i'd )\bnever\b"
    r"|\b(?:don't|dont|do not) ever\b"
    r"|\bif (?:anyone|anybody|someone|somebody|a stranger|people|a person|an adult)\b"
    r"(?: [^ ]+){0,4}? (?:asks?|tells?|wants?|offers?|says?|pressures?)\b"
    r"|\b(?:can't|cant|cannot|can not|won't|wont|will not)(?: promise to)? keep\b"
)


def _outside_advice(t: str, words: list[str], word_set: set[str]) -> list[str]:
    """The words to screen for risk phrases: all but the clauses of safety advice."""
    if word_set.isdisjoint(_SAFETY_WORDS) or _SAFETY.search(t) is None:
        return words
    clauses = _CLAUSE_END.split(t)
    kept = [clause for clause in clauses if _ADVICE.search(clause) is None]
    return words if len(kept) == len(clauses) else _words(" ".join(kept))


# Words too common to look a phrase up by: "you are so fit" is looked up when "fit" is there.
_COMMON = _wordset(
    "i me my you your he she it we they him her us them his their our a an the to of in on at "
    "for with and or so if not no do does did is are am was were be been have has had will "
    "would can could should shall may might this that these those there what who when where "
    "how just up out get got go come one"
)


def _anchors(parts: list[PhrasePart]) -> tuple[str, ...]:
    """Stems to look a phrase up by: one for each choice of its least common part."""

    def rarity(choice: tuple[str, ...]) -> int:
        return max((len(word) for word in choice if word not in _COMMON), default=0)

    def anchor(choice: tuple[str, ...]) -> str:
        return _stem(max(choice, key=lambda word: (word not in _COMMON, len(word))))

    rarest = max(
        (part for part in parts if part is not None), key=lambda part: min(map(rarity, part))
    )
    return tuple(dict.fromkeys(anchor(choice) for choice in rarest))


def _tagged_word_pattern(word: str) -> str:
    stem = _stem(word)
    if stem != word and word.endswith(("ing", "ed")):
        return rf"[^ {_TAG}]+{_TAG}{re.escape(word)}"
    return rf"{re.escape(stem)}{_TAG}\S+"


_TAG = ":"  # joins a word's stem and the word itself in the tagged text ("hit:hitting")


def _tagged(stems: list[str], words: list[str]) -> str:
    """The space-padded text of "stem:word" tokens that phrases of several words match."""
    return (
        " " + " ".join(f"{stem}{_TAG}{word}" for stem, word in zip(stems, words, strict=True)) + " "
    )


class _Near:
    """Stretches of a long message's tagged text around each word of a stem, `reach` words
    either side: every match of a phrase holds one of its anchors, so it lies in one of them."""

    def __init__(self, stems: list[str], words: list[str], reach: int) -> None:
        self._reach = reach
        self._starts: list[int] = []  # where each "stem:word" token starts in the tagged text
        self._ends: list[int] = []
        at = 1
        for stem, word in zip(stems, words, strict=True):
            self._starts.append(at)
            at += len(stem) + len(_TAG) + len(word)
            self._ends.append(at)
            at += 1
        self._where: dict[str, list[int]] = {}
        for index, stem in enumerate(stems):
            self._where.setdefault(stem, []).append(index)

    def spans(self, stem: str) -> list[tuple[int, int]]:
        """(start, end) of the stretches around the stem, merged, with the spaces around them."""
        last = len(self._starts) - 1
        spans: list[tuple[int, int]] = []
        for index in self._where.get(stem, ()):
            start = self._starts[max(0, index - self._reach)] - 1
            end = self._ends[min(last, index + self._reach)] + 1
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        return spans


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _phone_chunks(run: str) -> tuple[list[str], bool]:
    """The digit chunks of a phone-ish run (one per token) and whether number words were used."""
    chunks: list[str] = []
    words = False
    mult = 1
    for tok in _RUN_TOKEN.findall(run):
        if tok[0] <= "9":
            d = tok[0] * mult + tok[1:] if mult > 1 else tok
        elif tok in _MULT:
            mult = _MULT[tok]
            words = True
            continue
        elif tok == "hundred":  # "nine hundred" is 900
            if chunks:
                chunks[-1] += "00"
            words = True
            continue
        else:
            d = "0" * len(tok) if tok.strip("o") == "" else _NUMWORD.get(tok, "")
            if tok in ("l", "i"):
                d = "1"
            d = d[0] * mult + d[1:] if mult > 1 and d else d
            words = True
        mult = 1
        if d:
            chunks.append(d)
    return chunks, words


def _classify_phone(digits: str, plus: bool, groups: list[int], words: bool) -> bool:
    """Whether the digits (grouped as typed) read as a UK or international phone number."""
    n = len(digits)
    if n < 8:
        return False
    if plus or digits.startswith("00"):
        d = digits if plus else digits[2:]
        if d.startswith("440"):
            d = "44" + d[3:]
        return 8 <= len(d) <= 15 and not d.startswith("0")
    if digits.startswith("44") and n in (12, 13):
        d = digits[2:]
        if d.startswith("0"):
            d = d[1:]
        return len(d) == 10 and d[0] in "1237"
    plausible_groups = words or len(groups) <= 1 or groups[0] >= 2 or max(groups) == 1
    if digits[0] == "0":
        if digits[1] == "7":  # mobiles; one digit too many is still a number
            return (n in (10, 11) or (n == 12 and (words or len(groups) <= 3))) and plausible_groups
        # Not 03, 08 or 09: those belong to public bodies, charities, helplines and businesses.
        return n in (10, 11) and digits[1] in "125" and plausible_groups
    if digits[0] == "7" and n == 10:  # a mobile without its leading zero
        return words or (len(groups) <= 3 and groups[0] >= 3)
    return False


# "My application reference is 4471 2093 8812": a number so labelled, not written with a
# leading 0 or + as phone numbers are, is a reference.
_REFERENCE_LABEL = re.compile(
    r"\b(?:ref|reference|candidate|order|booking|tracking|account|student|application|ticket|"
    r"case|policy|invoice|uln|uci|id)(?: (?:no|number|num|id|code))?"
    r"(?:(?: [a-z]+){0,6}? (?:is|was))?[\s:#.-]*$"
)


# "Ring the college reception on 01632 960000": a landline named as a public body's, with
# nothing personal between the name and the number, is that body's, not a contact detail.
_ORGANISATIONS = _wordset(
    "school college uni university academy reception switchboard admissions surgery gp doctors "
    "dentist pharmacy hospital clinic council library helpline charity centre center police nhs "
    "jobcentre museum theatre cinema gym station"
)
_PERSONAL = _wordset(
    "my mine me personal private home direct mobile mob your ur his her their mum dad nan "
    "brother sister cousin aunt uncle friend mate"
)


def _organisation_landline(t: str, start: int, run: str) -> bool:
    digits = "".join(_phone_chunks(run)[0])
    if not (digits.startswith(("01", "02")) or (run.startswith("+") and digits[2:3] in "12")):
        return False
    for word in reversed(_WORD.findall(t, max(0, start - 80), start)[-6:]):
        if word in _PERSONAL:
            return False
        if word in _ORGANISATIONS or (word.endswith("s") and word[:-1] in _ORGANISATIONS):
            return True
    return False


_NUMBER_WORDS = "zero|oh|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|hundred"
_GLUED_PART = re.compile(rf"{_NUMBER_WORDS}|[0-9]+")
# A word of number words written together, with digits or not ("fourfivefour", "zero7seven").
_GLUED_NUMBER_WORDS = re.compile(
    rf"(?<![a-z])(?=[a-z0-9]*[a-z]{{3}})(?:(?:{_NUMBER_WORDS}|[0-9]+)){{2,}}(?![a-z0-9])"
)
_FILLERS = _wordset("then and after that next last bit end is it plus")


def _mobile_in_pieces(words: list[str]) -> bool:
    """A UK mobile number told in pieces with words between them.

    After a filler or two ("07700 then nine oh oh then four two seven") any piece may follow;
    after up to four other words ("07700 900, my old one was 468"), only 3 or 4 digits.
    """
    for i, word in enumerate(words):
        if not (word.startswith("07") and word.isdigit() and 3 <= len(word) < 11):
            continue
        digits, gap, fillers_only = word, 0, True
        for tok in words[i + 1 :]:
            if tok.isdigit() and (fillers_only or 3 <= len(tok) <= 4):
                digits, gap, fillers_only = digits + tok, 0, True
            elif fillers_only and (tok in _NUMWORD or (tok.strip("o") == "" and len(tok) <= 3)):
                digits, gap = digits + _NUMWORD.get(tok, "0" * len(tok)), 0
            elif gap < 4:  # "07700 and the rest is 900 6 1 9"
                gap += 1
                fillers_only = fillers_only and tok in _FILLERS and gap < 3
            else:
                break
            if len(digits) >= 11:
                break
        if len(digits) == 11:
            return True
    return False


def _is_phone(run: str) -> bool:
    chunks, words = _phone_chunks(run)
    digits = "".join(chunks)
    groups = [len(c) for c in chunks]
    if _classify_phone(digits, run.startswith("+"), groups, words):
        return True
    # "my personal one 07700900944": the number starts where a chunk starts with 0
    start = next((i for i, c in enumerate(chunks) if i and c[0] == "0" and len(c) >= 3), None)
    if start is not None and _classify_phone("".join(chunks[start:]), False, groups[start:], words):
        return True
    if words or len(digits) <= 12 or len(chunks) < 2:
        return False
    # A number glued to other digits ("07700900123 07700900456"): try runs of 1-4 chunks
    # that start like a number and are grouped like one.
    for i, first in enumerate(chunks):
        if len(first) < 3 or first[0] not in "047":
            continue
        d = ""
        for j in range(i, min(i + 4, len(chunks))):
            d += chunks[j]
            if len(d) > 13:
                break
            if _classify_phone(d, False, groups[i : j + 1], False):
                return True
    return False


def _email_ok(local: str, at: str, domain: str, words: set[str]) -> bool:
    labels = [lab for lab in _DOT_SPLIT.split(domain) if lab]
    if not labels:
        return False
    has_tld = any(lab in _TLDS for lab in labels[1:])
    provider = labels[0] in _MAIL_PROVIDERS
    if not (has_tld or provider):
        return False
    if labels[0] in _HELPLINES and has_tld:  # "samaritans also do email, jo@samaritans.org"
        return False
    if at.strip() != "at":  # "@", "(at)", "[at]" …
        # "lol @ me thinking": a spaced @ before a provider's name alone is an "at"
        return has_tld or at == "@" or labels[0] in _STRONG_PROVIDERS
    if labels[0] in _DOMAIN_STOP:
        return False
    if not has_tld:  # "jo.b at gmail"
        return labels[0] in _STRONG_PROVIDERS and (
            _HAS_EMAILISH_LOCAL.search(local) is not None or not words.isdisjoint(_EMAIL_CONTEXT)
        )
    # plain " at ": an e-mail when the domain is a mail provider or written with "dot"
    return provider or " dot " in f" {domain} " or "dot" in domain.split()


class Screener:
    """Screens chat messages against the contact-detail rules and a list of risk terms.

    Build one per risk-term list (everything is precompiled in ``__init__``) and reuse it:
    :meth:`screen` is safe to call concurrently and has no side effects. With a ``model``, a
    message no listed phrase catches is flagged when the model reads it as risky, and a risky
    message that would be flagged is held when the model reads it as one leads hold.
    """

    def __init__(self, risk_terms: Iterable[RiskTerm], *, model: RiskModel | None = None) -> None:
        self._model = model
        compiled: list[_CompiledTerm] = []
        seen: set[str] = set()
        self._risk_terms: tuple[RiskTerm, ...] = tuple(risk_terms)
        for term in self._risk_terms:
            ct = _compile_term(term)
            if ct.reason not in seen:
                seen.add(ct.reason)
                compiled.append(ct)
        self._terms = tuple(compiled)
        # The most words a match of any phrase can cover: a long message is searched only
        # this far either side of a phrase's anchor, not end to end once per phrase.
        self._reach = max((ct.reach for ct in compiled), default=0)
        # By anchor: only phrases whose anchor is among the words are tested.
        by_word: dict[str, list[int]] = {}
        by_stem: dict[str, list[tuple[int, re.Pattern[str], tuple[frozenset[str], ...]]]] = {}
        for i, ct in enumerate(compiled):
            for anchor in ct.anchors:
                if ct.pattern is None:
                    by_word.setdefault(anchor, []).append(i)
                else:
                    by_stem.setdefault(anchor, []).append((i, ct.pattern, ct.needs))
        self._by_word = {word: tuple(found) for word, found in by_word.items()}
        self._by_stem = {stem: tuple(found) for stem, found in by_stem.items()}

    @property
    def risk_terms(self) -> tuple[RiskTerm, ...]:
        """The risk terms this screener was built with."""
        return self._risk_terms

    def screen(self, text: str, *, mentee_under_18: bool) -> ScreeningResult:
        """Screen one message; ``mentee_under_18`` is about the mentee of the pair."""
        t = _basic(text)
        if not t:
            return ScreeningResult(Verdict.DELIVER, ())
        words = _words(t)
        word_set = set(words)
        has_digit = _HAS_DIGIT.search(t) is not None
        reasons = _contact_reasons(t, words, word_set, has_digit)
        if sum(len(word) == 1 for word in words) >= 4 and (joined := _unspaced(t)) != t:
            # "s n a p : j o 0 9": the same rules over the letters written together
            joined_words = _words(joined)
            more = _contact_reasons(joined, joined_words, set(joined_words), has_digit)
            reasons = [r for r in _CONTACT_ORDER if r in reasons or r in more]
        verdict = Verdict.DELIVER
        if reasons:
            verdict = Verdict.HOLD if mentee_under_18 else Verdict.FLAG
        risk_category: str | None = None  # of the first risk found
        if self._terms:
            schoolwork = _about_schoolwork(words, word_set)
            categories: set[str] = set()
            for term in self._matching_terms(_outside_advice(t, words, word_set), has_digit):
                if schoolwork and term.names_a_topic:
                    continue  # "our PSHE lesson on self-harm", "suicide as a theme in Macbeth"
                reasons.append(term.reason)
                categories.add(term.category)
                risk_category = risk_category or term.category
                if _RANK[term.verdict] > _RANK[verdict]:
                    verdict = term.verdict
            if kept_secret := _kept_secret(categories):
                reasons.append(kept_secret)
                verdict = Verdict.HOLD
        if self._model is None:
            return ScreeningResult(verdict, tuple(reasons))
        if risk_category is None:
            opinion = self._model.opinion(words)
            if opinion is not None:
                evidence = f" ({', '.join(opinion.evidence)})" if opinion.evidence else ""
                reasons.append(f"risk:{opinion.category}:{MODEL_PHRASE}{evidence}")
                risk_category = opinion.category
                if verdict is Verdict.DELIVER:
                    verdict = Verdict.FLAG
        # A risk that would only be flagged, worded like those leads hold ("i dont want to be
        # here anymore"): held. Contact details alone are the rules' business.
        if verdict is Verdict.FLAG and risk_category is not None and self._model.holds(words):
            reasons.append(f"risk:{risk_category}:{MODEL_HOLD_PHRASE}")
            verdict = Verdict.HOLD
        return ScreeningResult(verdict, tuple(reasons))

    def _matching_terms(self, words: list[str], has_digit: bool) -> list[_CompiledTerm]:
        """Terms whose phrase occurs in the words (or a de-leeted / de-stretched copy)."""
        w = " ".join(words)
        variants = [words]
        if has_digit and _MIXED.search(w) is not None:  # "s3cret", "any1"
            leet = [
                _CANON.get(lt, lt)
                for tok in words
                for lt in (tok.translate(_LEET) if _MIXED.search(tok) else tok,)
            ]
            if leet != words:
                variants.append(leet)
        if _STRETCH.search(w) is not None:  # "secrettt", "pleeease"
            variants.extend(_STRETCH.sub(repl, w).split() for repl in (r"\1", r"\1\1"))
        hits: set[int] = set()
        for vwords in variants:
            for word in vwords:  # a one-word phrase is there when its word is
                hits.update(self._by_word.get(word, ()))
            stems = [_stem(word) for word in vwords]
            stem_set = set(stems)
            tagged: str | None = None
            near: _Near | None = None
            for stem in stem_set:
                for i, pattern, needs in self._by_stem.get(stem, ()):
                    if i in hits or any(map(stem_set.isdisjoint, needs)):
                        continue
                    if tagged is None:
                        tagged = _tagged(stems, vwords)
                        if len(vwords) > 4 * self._reach:  # windows pay off on long messages
                            near = _Near(stems, vwords, self._reach)
                    spans = [(0, len(tagged))] if near is None else near.spans(stem)
                    if not self._terms[i].refusable:
                        if any(pattern.search(tagged, a, b) for a, b in spans):
                            hits.add(i)
                    elif any(  # "I won't lend you money" declines; "I didn't want to meet up" tells
                        not _declined(vwords, at, _MODAL_VERBS)
                        and not _given_by_family(vwords, at, m.group().count(" ") + 1)
                        for a, b in spans
                        for m in pattern.finditer(tagged, a, b)
                        # the word index of a match: the spaces before it, less one
                        for at in (tagged.count(" ", 0, m.start()) - 1,)
                    ):
                        hits.add(i)
        return [self._terms[i] for i in sorted(hits)]


_CONTACT_ORDER = (REASON_PHONE, REASON_EMAIL, REASON_URL, REASON_SOCIAL, REASON_ADDRESS)
# Four or more characters each standing alone ("h t t p s : / /"), a letter among them.
_SPACED_OUT = re.compile(r"(?<!\S)(?:\S[^\w\s]? ){3,}\S[^\w\s]?(?!\S)")


def _unspaced(t: str) -> str:
    """The text with runs of lone characters written together ("s n a p" -> "snap")."""
    return _SPACED_OUT.sub(
        lambda m: m.group().replace(" ", "") if _HAS_LETTER.search(m.group()) else m.group(), t
    )


def _email_spans(t: str, word_set: set[str], has_at_sign: bool) -> list[tuple[int, int]]:
    """Where the text gives e-mail addresses ("jo.b@x.com", "jo b at gmail dot com")."""
    if not has_at_sign and not (
        "at" in word_set
        and (
            not word_set.isdisjoint(_MAIL_PROVIDERS_DOT)
            or _BRACKET_AT.search(t) is not None
            or "'at'" in t
        )
    ):
        return []
    return [
        (m.start(), m.end(3))
        for m in _EMAIL.finditer(t)
        if _email_ok(m.group(1), m.group(2), m.group(3), word_set)
    ]


_NAME_AT_PROVIDER = re.compile(
    r"\b(?:name|same|username)\b(?: [a-z]+){0,8}? at (?:gmail|googlemail|hotmail|outlook|yahoo|"
    r"icloud|btinternet|protonmail)\b"
)
# Words that give an e-mail address away when written in digits ("gma1l d0t c0m").
_EMAIL_LEET_WORDS = _MAIL_PROVIDERS_DOT | _TLD_STRONG | {"at"}


def _unleeted(t: str, words: list[str], vocabulary: Set[str]) -> tuple[str, list[str]] | None:
    """Text and words with the vocabulary's words written in digits spelt out ("sn4p" -> "snap").

    Each swap keeps the text's length, so spans found in the result hold for the text.
    """
    swaps = {
        word: plain
        for word in words
        if _MIXED.search(word) and (plain := word.translate(_LEET)) in vocabulary
    }
    if not swaps:
        return None
    for word, plain in swaps.items():
        t = re.sub(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", plain, t)
    return t, [swaps.get(word, word) for word in words]


def _contact_reasons(t: str, words: list[str], word_set: set[str], has_digit: bool) -> list[str]:
    """Contact-detail reasons for a basic-normalised text (in the documented order)."""
    has_at_sign = "@" in t
    taken: list[tuple[int, int]] = []  # spans of e-mails and URLs (digits there are not phones)

    taken.extend(_email_spans(t, word_set, has_at_sign))
    if not taken and has_digit and _MIXED.search(t) is not None:  # "sam at gma1l d0t c0m"
        unleeted = _unleeted(t, words, _EMAIL_LEET_WORDS)
        if unleeted is not None:
            taken.extend(_email_spans(unleeted[0], set(unleeted[1]), has_at_sign))
    if not taken and "at" in word_set and not word_set.isdisjoint(_STRONG_PROVIDERS):
        email = _NAME_AT_PROVIDER.search(" ".join(words)) is not None  # "my name but at outlook"
    else:
        email = bool(taken)
    if not email and not word_set.isdisjoint(_STRONG_PROVIDERS):
        email = _SPACED_EMAIL.search(" ".join(words)) is not None

    url = False
    if "://" in t or "http" in t or "hxxp" in t:
        for m in _SCHEME.finditer(t):
            url = url or not _signposting(m.group())
            taken.append(m.span())
    if "www" in t:
        for m in _WWW.finditer(t):
            url = url or not _signposting(m.group())
            taken.append(m.span())
    if _DOT_LETTER.search(t) is not None:
        for m in _BARE.finditer(t):
            span = (m.start(), m.end())
            if _overlaps(span, taken):
                continue
            tld = m.group(2)
            if (tld == "uk" and m.group(1).endswith(_PUBLIC_SECTOR)) or _signposting(
                m.group()
            ):  # gov.uk, nhs.uk, childline.org.uk …
                taken.append(span)
                continue
            if tld in _TLD_STRONG or (tld in _TLD_WEAK and m.group(3)):
                url = True
                taken.append(span)
    if (
        "dot" in word_set
        or "[.]" in t
        or "(.)" in t
        or (" . " in t and not word_set.isdisjoint(_SPACED_TLDS))
    ):
        for m in _DOTWORD_URL.finditer(t):
            span = (m.start(), m.end())
            if (
                m.group(1) in _DOMAIN_STOP
                or _overlaps(span, taken)
                or t[span[1] : span[1] + 1] == "_"
            ):
                continue
            spaced_only = "dot" not in m.group() and "[" not in m.group() and "(" not in m.group()
            if m.group(2) in (_SPACED_TLDS if spaced_only else _TLD_STRONG):
                url = True
                taken.append(span)

    if not url and "slash" in word_set:
        url = _SLASH_URL.search(" ".join(words)) is not None
    if not url and not word_set.isdisjoint(_SHORTENER_WORDS):
        url = _SHORTENED.search(" ".join(words)) is not None

    phone = False
    if not word_set.isdisjoint(_PHONE_WORD_GATE):  # "oh seven seven double one …"
        # Five number tokens, or three with digits among them ("07700 nine hundred 579").
        tokens = sum(1 for w in words if w in _PHONE_WORD_GATE or w.isdigit())
        scan = tokens >= 5 or (
            has_digit and (tokens >= 3 or _PHONE_PREFILTER.search(t) is not None)
        )
    else:
        scan = has_digit and _PHONE_PREFILTER.search(t) is not None
    if scan:
        if "," in t:  # "oh seven seven, double oh nine" (same length: spans stay valid)
            t = _WORD_COMMA.sub(" ", t)
        for m in _PHONE_RUN.finditer(t):
            run = m.group()
            if (
                len(run) >= 8
                and not _overlaps(m.span(), taken)
                and not (run[0] not in "0+" and _REFERENCE_LABEL.search(t, 0, m.start()))
                and _is_phone(run)
                and not _organisation_landline(t, m.start(), run)
            ):
                phone = True
                break
    if not phone and "07" in t:
        phone = _mobile_in_pieces(words)
    if not phone and _GLUED_NUMBER_WORDS.search(t) is not None:  # "07700 ninehundred fourfivefour"
        spaced = _GLUED_NUMBER_WORDS.sub(lambda m: " ".join(_GLUED_PART.findall(m.group())), t)
        phone = any(
            len(m.group()) >= 8 and _is_phone(m.group()) for m in _PHONE_RUN.finditer(spaced)
        )

    social = False
    if has_at_sign:
        for m in _HANDLE.finditer(t):
            handle = m.group(1)
            if _overlaps(m.span(), taken) or handle in _HANDLE_STOP:
                continue
            if _HAS_LETTER.search(handle) is None or _TIMEISH.match(handle) is not None:
                continue
            social = True
            break
    if (
        not social
        and not word_set.isdisjoint(_PLAT_COLON_WORDS)
        and (_COLON_HANDLE.search(t) or _SPACE_HANDLE.search(t))
    ):
        social = True
    if not social and "#" in t and _DISCORD_TAG.search(t) is not None:
        social = True
    if not social and has_digit and _LABELLED_HANDLE.search(t) is not None:
        social = True
    if not social:
        social = _is_invitation(words)
    if (
        not social
        and has_digit
        and _MIXED.search(t) is not None
        and (unleeted := _unleeted(t, words, _PLAT_COLON_WORDS)) is not None
    ):
        social = _COLON_HANDLE.search(unleeted[0]) is not None or _is_invitation(unleeted[1])

    address = False
    if has_digit:
        for m in _POSTCODE_TAIL.finditer(t):
            start = m.start()
            area = t[max(0, start - 2) : start]
            area = area[1:] if not area[:1].isalpha() else area
            if (
                area.isalpha()
                and area.isascii()
                and (start - len(area) == 0 or not t[start - len(area) - 1].isalnum())
                and area in _POSTCODE_AREAS
                and (not _reads_as_ordinal(t, m.start(1)) or "postcode" in word_set)
            ):
                address = True
                break
    if not address and "." in t:
        address = _WHAT3WORDS.search(t) is not None or (
            has_digit
            and not word_set.isdisjoint(_HOME_WORDS)
            and _COORDINATES.search(t) is not None
        )
    if not address and (
        not word_set.isdisjoint(_ADDRESS_WORDS)
        or (
            (has_digit or "number" in word_set)  # "number nineteen"
            and not word_set.isdisjoint(_ADDRESS_WITH_NUMBER)
        )
        or (has_digit and not word_set.isdisjoint(_STREET_WORDS))
    ):
        joined = " ".join(words)
        address = _ADDRESS.search(joined) is not None or (
            word_set.isdisjoint(_FICTION)
            and not all(_a_public_place(joined, m) for m in _HOUSE_ON_STREET.finditer(joined))
        )

    reasons: list[str] = []
    if phone:
        reasons.append(REASON_PHONE)
    if email:
        reasons.append(REASON_EMAIL)
    if url:
        reasons.append(REASON_URL)
    if social:
        reasons.append(REASON_SOCIAL)
    if address:
        reasons.append(REASON_ADDRESS)
    return reasons


@functools.lru_cache(maxsize=8)
def _cached_screener(terms: tuple[RiskTerm, ...], model: RiskModel | None) -> Screener:
    return Screener(terms, model=model)


def screen_message(
    text: str,
    *,
    mentee_under_18: bool,
    risk_terms: Iterable[RiskTerm] = DEFAULT_RISK_TERMS,
    model: RiskModel | None = None,
) -> ScreeningResult:
    """Screen one message with a (cached) :class:`Screener` for ``risk_terms`` and ``model``."""
    terms = risk_terms if isinstance(risk_terms, tuple) else tuple(risk_terms)
    return _cached_screener(terms, model).screen(text, mentee_under_18=mentee_under_18)
