"""Hostile or unsupported offers are refused with a MediaError; the room keeps serving."""

import re
from collections.abc import Callable

import pytest
from aiortc import RTCSessionDescription
from media_peers import ClientFactory, wait_for

from sessions.media import (
    MalformedSdpError,
    MediaError,
    MediaRoom,
    RoomFullError,
    SdpTooLargeError,
    UnsupportedMediaError,
)


async def _real_offer(make_client: ClientFactory) -> str:
    client = make_client()
    await client.pc.setLocalDescription(await client.pc.createOffer())
    sdp: str = client.pc.localDescription.sdp
    return sdp


def _only_codec(sdp: str, kind: str, name: str) -> str:
    """Rename every ``kind`` codec to ``name`` (an offer of a codec we cannot forward)."""
    out, in_kind = [], False
    for line in sdp.splitlines():
        if line.startswith("m="):
            in_kind = line.startswith(f"m={kind}")
        if in_kind:
            line = re.sub(r"^(a=rtpmap:\d+ )[^/]+/", rf"\g<1>{name}/", line)
        out.append(line)
    return "\r\n".join(out) + "\r\n"


@pytest.mark.parametrize(
    ("mangle", "error"),
    [
        (lambda sdp: "garbage", MalformedSdpError),
        (lambda sdp: "v=0\r\n", MalformedSdpError),
        (lambda sdp: sdp + "a=x:" + "y" * 21_000 + "\r\n", SdpTooLargeError),
        (lambda sdp: sdp.replace("m=audio", "m=text"), UnsupportedMediaError),
        (lambda sdp: _only_codec(sdp, "video", "H265"), UnsupportedMediaError),
        (lambda sdp: sdp.replace("a=group:BUNDLE", "a=group:LS"), UnsupportedMediaError),
        (lambda sdp: sdp.replace("a=ice-ufrag", "a=ice-ufrag-gone"), MediaError),
        (lambda sdp: re.sub(r"fingerprint:\S+ \S+", "fingerprint:sha-256 zz", sdp), MediaError),
        (lambda sdp: sdp.replace("\r\na=", "\r\na=\x00", 1), MalformedSdpError),
        (lambda sdp: sdp + sdp[sdp.index("m=video") :] * 3, MediaError),
    ],
)
async def test_bad_offer_is_refused_and_room_keeps_serving(
    room: MediaRoom,
    make_client: ClientFactory,
    mangle: Callable[[str], str],
    error: type[MediaError],
) -> None:
    with pytest.raises(error):
        await room.join("intruder", mangle(await _real_offer(make_client)))
    assert room.peer_count == 0
    mentor, mentee = make_client(), make_client()
    await mentor.join(room, "mentor")
    await mentee.join(room, "mentee")
    await wait_for(lambda: len(mentee.video_frames()) > 3)


async def test_third_publisher_is_refused(room: MediaRoom, make_client: ClientFactory) -> None:
    await make_client().join(room, "mentor")
    await make_client().join(room, "mentee")
    with pytest.raises(RoomFullError):
        await make_client().join(room, "stranger")
    assert room.peer_count == 2


async def test_closed_room_refuses_joins(room: MediaRoom, make_client: ClientFactory) -> None:
    await room.close()
    with pytest.raises(MediaError):
        await make_client().join(room, "mentor")


async def test_peer_whose_connection_fails_is_dropped(
    room: MediaRoom, make_client: ClientFactory
) -> None:
    impostor = make_client()
    await impostor.pc.setLocalDescription(await impostor.pc.createOffer())
    # A well-formed fingerprint of some other certificate: DTLS fails after ICE.
    offer = re.sub(
        r"(a=fingerprint:sha-256 )\S+",
        r"\g<1>" + ":".join(["AB"] * 32),
        impostor.pc.localDescription.sdp,
    )
    answer = await room.join("impostor", offer)
    assert room.peer_count == 1
    await impostor.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    await wait_for(lambda: room.peer_count == 0, within=10)
