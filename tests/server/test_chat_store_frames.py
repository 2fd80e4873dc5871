"""The frames between the web process and the chat store process carry drafts and results whole."""

from __future__ import annotations

import datetime as dt

import pytest

from server.chat.batch import Draft, Stored
from server.chat.store_process import (
    FrameBuffer,
    decode_jobs,
    decode_outcomes,
    encode_jobs,
    encode_outcomes,
)

DRAFT = Draft(
    conversation_id=3,
    sender_id=7,
    client_id="c-1",
    body="café at 5.30? 👋",
    status="held",
    verdict="HOLD",
    reasons=("contact:phone", "risk:secrecy:don't tell"),
)
AT = dt.datetime(2026, 11, 25, 18, 30, 1, 250, tzinfo=dt.UTC)
# What storing DRAFT gives: its fields after the conversation id, with an id, a seq and a time.
STORED = Stored(41, DRAFT.conversation_id, 9, *DRAFT[1:], created_at=AT, duplicate=False)


def test_jobs_arrive_as_they_were_sent() -> None:
    jobs = [(1, DRAFT), (2, DRAFT._replace(reasons=(), status="delivered", verdict="DELIVER"))]
    [payload] = FrameBuffer().feed(encode_jobs(jobs))
    assert decode_jobs(payload) == jobs
    assert all(type(draft) is Draft for _, draft in decode_jobs(payload))


def test_results_and_refusals_arrive_as_they_were_sent() -> None:
    earlier = STORED._replace(seq=2, created_at=AT - dt.timedelta(days=3), duplicate=True)
    outcomes: list[tuple[int, Stored | str]] = [
        (5, STORED),
        (6, "LookupError: no conversation 987654"),
        (7, earlier),
    ]
    [payload] = FrameBuffer().feed(encode_outcomes(outcomes))
    decoded = decode_outcomes(payload)
    assert decoded == outcomes
    assert decoded[0][1] == STORED and decoded[0][1].created_at.utcoffset() == dt.timedelta(0)


def test_frames_split_or_run_together_are_read_whole() -> None:
    stream = encode_jobs([(1, DRAFT)]) + encode_jobs([(2, DRAFT), (3, DRAFT)])
    buffer = FrameBuffer()
    payloads = [
        payload for byte in range(len(stream)) for payload in buffer.feed(stream[byte : byte + 1])
    ]
    assert [len(decode_jobs(p)) for p in payloads] == [1, 2]


def test_a_value_a_frame_cannot_carry_is_refused_when_sent() -> None:
    with pytest.raises(ValueError):
        encode_jobs([(1, DRAFT._replace(body=object()))])  # type: ignore[arg-type]  # on purpose
