"""Writes a subscriber's RTP packets straight to bytes (RFC 3550 header, RFC 8285 extensions).

The relay forwards every packet once per subscriber; building the header here costs a
fraction of aiortc's generic ``RtpPacket.serialize``.
"""

import struct

MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

_HEADER = struct.Struct("!BBHII")
_ONE_BYTE_PROFILE = 0xBEDE


def _usable(ext_id: int | None) -> bool:
    return ext_id is None or 1 <= ext_id <= 14


class RtpWriter:
    """Serialises packets for one outgoing stream (fixed SSRC, mid and extension ids)."""

    def __init__(self, ssrc: int, mid: str | None, extension_ids: dict[str, int]) -> None:
        self._ssrc = ssrc
        mid_id = extension_ids.get(MID_URI)
        self._abs_id = extension_ids.get(ABS_SEND_TIME_URI)
        self._level_id = extension_ids.get(AUDIO_LEVEL_URI)
        mid_bytes = mid.encode() if mid is not None and mid_id is not None else b""
        self._mid_element = bytes([(mid_id or 0) << 4 | (len(mid_bytes) - 1)]) + mid_bytes
        if not mid_bytes:
            self._mid_element = b""
        # One-byte extension elements only carry ids 1-14 and values of 1-16 bytes.
        self.usable = (
            all(_usable(i) for i in (mid_id, self._abs_id, self._level_id)) and len(mid_bytes) <= 16
        )

    def write(
        self,
        *,
        marker: int,
        payload_type: int,
        sequence_number: int,
        timestamp: int,
        payload: bytes,
        abs_send_time: int,
        audio_level: tuple[bool, int] | None,
    ) -> bytes:
        elements = self._mid_element
        if self._abs_id is not None:
            elements += bytes([self._abs_id << 4 | 2]) + abs_send_time.to_bytes(3, "big")
        if self._level_id is not None and audio_level is not None:
            voice, level = audio_level
            elements += bytes([self._level_id << 4, (0x80 if voice else 0) | (level & 0x7F)])
        first = 0x80
        extension = b""
        if elements:
            first |= 0x10
            elements += bytes(-len(elements) % 4)
            extension = struct.pack("!HH", _ONE_BYTE_PROFILE, len(elements) // 4) + elements
        header = _HEADER.pack(
            first, (marker << 7) | payload_type, sequence_number, timestamp, self._ssrc
        )
        return header + extension + payload
