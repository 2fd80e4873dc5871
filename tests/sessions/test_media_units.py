"""Pure helpers of the media relay: keyframe detection, codec mapping, history, offers."""

import pytest
from aiortc import RTCRtpCodecParameters, RTCRtpParameters
from aiortc.codecs import HEADER_EXTENSIONS
from aiortc.rtp import HeaderExtensionsMap, RtpPacket

from sessions.media import MalformedSdpError, SdpTooLargeError, UnsupportedMediaError
from sessions.media.codecs import match_payload_types, rtx_payload_types
from sessions.media.gaps import GapTracker
from sessions.media.history import PacketHistory
from sessions.media.keyframes import starts_keyframe
from sessions.media.offer import check_offer
from sessions.media.rtp_writer import RtpWriter


@pytest.mark.parametrize(
    ("payload", "keyframe"),
    [
        (bytes([0x10, 0x00]), True),  # S=1, PID=0, no extensions, P=0
        (bytes([0x10, 0x01]), False),  # P=1: interframe
        (bytes([0x00, 0x00]), False),  # not the start of a partition
        (bytes([0x90, 0x80, 0x81, 0x23, 0x00]), True),  # X, I with 15-bit picture id
        (bytes([0x90, 0xE0, 0x05, 0x01, 0x20, 0x01]), False),  # X, I, L, T; P=1
        (bytes([0x90]), False),  # truncated
    ],
)
def test_vp8_keyframe_start(payload: bytes, keyframe: bool) -> None:
    assert starts_keyframe("VP8", payload) is keyframe


@pytest.mark.parametrize(
    ("payload", "keyframe"),
    [
        (bytes([0x65, 0x88]), True),  # IDR slice
        (bytes([0x67, 0x42]), True),  # SPS
        (bytes([0x41, 0x9A]), False),  # non-IDR slice
        (bytes([0x7C, 0x85, 0x00]), True),  # FU-A start of IDR
        (bytes([0x7C, 0x05, 0x00]), False),  # FU-A continuation
        (bytes([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE]), True),  # STAP-A
    ],
)
def test_h264_keyframe_start(payload: bytes, keyframe: bool) -> None:
    assert starts_keyframe("H264", payload) is keyframe


def test_opus_is_never_a_keyframe() -> None:
    assert not starts_keyframe("opus", b"\x10\x00")


def _codec(mime: str, pt: int, **parameters: int | str) -> RTCRtpCodecParameters:
    return RTCRtpCodecParameters(
        mimeType=mime, clockRate=90000, payloadType=pt, parameters=dict(parameters)
    )


def test_payload_types_map_by_format() -> None:
    source = [
        _codec("video/VP8", 96),
        _codec("video/rtx", 97, apt=96),
        _codec("video/H264", 102, **{"packetization-mode": "1"}),
    ]
    sink = [
        _codec("video/H264", 100, **{"packetization-mode": "0"}),
        _codec("video/H264", 101, **{"packetization-mode": "1"}),
        _codec("video/VP8", 120),
        _codec("video/rtx", 121, apt=120),
    ]
    assert match_payload_types(source, sink) == {96: 120, 102: 101}
    assert rtx_payload_types(sink) == {120: 121}
    assert match_payload_types(source, [_codec("video/H264", 96)]) == {}


def test_history_returns_only_the_packet_with_that_number() -> None:
    history = PacketHistory(size=4)
    packet = bytes([0x80, 96, 0x12, 0x34]) + bytes(8)
    history.put(0x1234, packet)
    assert history.get(0x1234) == packet
    assert history.get(0x1234 + 4) is None
    assert history.get(0x1235) is None


_OFFER = (
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=recvonly\r\na=rtpmap:96 VP8/90000\r\n"
)


_TWO_VIDEO_SENDERS = _OFFER.replace("BUNDLE 0 1", "BUNDLE 0 1 2").replace(
    "a=recvonly", "a=sendonly"
) + _OFFER[_OFFER.index("m=video") :].replace("a=recvonly", "a=sendrecv")


def test_offer_layout_is_read() -> None:
    sections = check_offer(_OFFER)
    assert [(s.kind, s.sends, s.receives) for s in sections] == [
        ("audio", True, True),
        ("video", False, True),
    ]


@pytest.mark.parametrize(
    ("offer", "error"),
    [
        (None, MalformedSdpError),
        (_OFFER + "a=" + "x" * 20_000 + "\r\n", SdpTooLargeError),
        (_OFFER.replace("a=recvonly", "a=recvonly\r\na=sendonly"), MalformedSdpError),
        (_TWO_VIDEO_SENDERS, UnsupportedMediaError),
        (_OFFER.replace("opus/", "PCMU/"), UnsupportedMediaError),
    ],
)
def test_offer_is_refused(offer: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_offer(offer)


@pytest.mark.parametrize(
    ("kind", "mid", "audio_level"),
    [("video", "1", None), ("audio", "0", (True, 42)), ("audio", "abc", None)],
)
def test_rtp_writer_matches_aiortc_serializer(
    kind: str, mid: str, audio_level: tuple[bool, int] | None
) -> None:
    extensions = HEADER_EXTENSIONS[kind]
    ids = {e.uri: e.id for e in extensions}
    mapping = HeaderExtensionsMap()
    mapping.configure(RTCRtpParameters(headerExtensions=extensions))
    packet = RtpPacket(payload_type=97, marker=1, sequence_number=65535, timestamp=2**32 - 1)
    packet.ssrc, packet.payload = 0xDEADBEEF, b"\x10\x00payload"
    packet.extensions.mid = mid
    packet.extensions.abs_send_time = 0x123456 if kind == "video" else None
    packet.extensions.audio_level = audio_level
    written = RtpWriter(0xDEADBEEF, mid, ids).write(
        marker=1,
        payload_type=97,
        sequence_number=65535,
        timestamp=2**32 - 1,
        payload=b"\x10\x00payload",
        abs_send_time=0x123456,
        audio_level=audio_level,
    )
    assert written == packet.serialize(mapping)


def test_gap_tracker_reports_missing_numbers_until_repaired() -> None:
    gaps = GapTracker()
    assert gaps.add(65533) is None
    assert gaps.add(65534) is None
    assert gaps.add(1) == [65535, 0]  # across the wrap-around
    assert gaps.add(0) is None  # repaired
    assert gaps.add(4) == [65535, 2, 3]
    assert gaps.add(2000) is None  # a jump: nothing worth asking for
    assert gaps.add(2002) == [2001]
