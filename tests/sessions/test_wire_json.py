"""The socket packets' JSON codec: what python-socketio gets from it matches the json module."""

from __future__ import annotations

import json

import pytest

from sessions import wire_json

PAYLOADS = [
    ["message", {"id": "a1", "text": 'café 👋 "quoted" \\ back', "seq": 7, "review": None}],
    [{"ok": True, "seq": 2**63 - 1, "ratio": 0.5, "items": [1, 2, 3]}],
    ["typing", {"conversation_id": 3}],
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_writes_what_the_json_module_reads_back(payload: object) -> None:
    written = wire_json.dumps(payload, separators=(",", ":"))
    assert isinstance(written, str)
    assert json.loads(written) == payload
    assert wire_json.loads(written) == payload
    assert written == json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def test_integers_beyond_64_bits_are_written_by_the_json_module() -> None:
    assert wire_json.dumps({"n": 10**30}, separators=(",", ":")) == '{"n":' + str(10**30) + "}"


def test_what_is_not_json_is_refused_as_the_json_module_would() -> None:
    for text in ["", "[1,", '["send",NaN]', "{'single': 'quotes'}"]:
        with pytest.raises(json.JSONDecodeError):
            wire_json.loads(text)
