"""The server's packet class: the library's packets, found binary or not exactly as it would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from socketio.packet import ACK, EVENT, Packet

from sessions.wire_packet import WirePacket

DATA: list[Any] = [
    None,
    "text",
    b"bytes",
    bytearray(b"a bytearray"),
    [],
    {},
    ["message", {"id": "a1", "text": "hi", "seq": 7, "review": None, "ok": True, "n": 0.5}],
    ["upload", {"name": "cv.pdf", "content": b"%PDF"}],
    [{"deep": [1, [2, [3, {"x": [b"\x00"]}]]]}],
    [{"deep": [1, [2, [3, {"x": ["\x00"]}]]]}],
    [(b"in a tuple",)],  # tuples are not searched by the library either
    [{b"key": "keys are not searched, only values"}],
]


@pytest.mark.parametrize("data", DATA)
def test_it_finds_binary_parts_where_the_library_does(data: Any) -> None:
    assert WirePacket.data_is_binary(data) is Packet.data_is_binary(data)


def test_a_broadcast_and_an_ack_encode_as_the_library_writes_them() -> None:
    # The server's codec may escape differently (orjson keeps "é"); the packets read the same.
    event = ["message", {"id": "a1", "text": 'café "quoted"', "seq": 7, "review": None}]
    ours, theirs = (cls(EVENT, data=event, namespace="/").encode() for cls in (WirePacket, Packet))
    assert ours[:1] == theirs[:1] == "2"
    assert json.loads(ours[1:]) == json.loads(theirs[1:]) == event
    ack = [{"ok": True, "id": "a1", "seq": 7}]
    assert WirePacket(ACK, data=ack, id=12).encode() == Packet(ACK, data=ack, id=12).encode()


def test_binary_data_still_goes_as_attachments() -> None:
    data = ["upload", {"content": b"%PDF"}]
    encoded = WirePacket(EVENT, data=data, namespace="/").encode()
    assert encoded == Packet(EVENT, data=data, namespace="/").encode()
    assert encoded[0].startswith("51-") and encoded[1:] == [b"%PDF"]  # one attachment
