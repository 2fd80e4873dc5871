"""Recognise the first RTP packet of a video keyframe without depacketising the frame.

A subscriber that starts mid-picture can only show garbage until the next keyframe, so a
new subscriber's video starts exactly at a keyframe's first packet.
"""

_H264_IDR = 5
_H264_SPS = 7
_H264_STAP_A = 24
_H264_FU_A = 28


def starts_keyframe(codec_name: str, payload: bytes) -> bool:
    """True if ``payload`` (an RTP payload of ``codec_name``) begins a keyframe."""
    name = codec_name.upper()
    if name == "VP8":
        return _vp8_starts_keyframe(payload)
    if name == "H264":
        return _h264_starts_keyframe(payload)
    return False


def _vp8_starts_keyframe(payload: bytes) -> bool:
    # RFC 7741 payload descriptor: X|R|N|S|R|PID, then optional extension octets.
    if not payload:
        return False
    first = payload[0]
    if not first & 0x10 or first & 0x0F:  # must start partition 0
        return False
    pos = 1
    if first & 0x80:
        if len(payload) <= pos:
            return False
        ext = payload[pos]
        pos += 1
        if ext & 0x80:  # I: picture id, 7 or 15 bits
            if len(payload) <= pos:
                return False
            pos += 2 if payload[pos] & 0x80 else 1
        if ext & 0x40:  # L: TL0PICIDX
            pos += 1
        if ext & 0x30:  # T or K: TID/KEYIDX octet
            pos += 1
    # VP8 payload header: P bit (inverse keyframe flag) is bit 0 of the first octet.
    return len(payload) > pos and not payload[pos] & 0x01


def _h264_starts_keyframe(payload: bytes) -> bool:
    # RFC 6184: a keyframe starts with SPS or IDR, possibly aggregated or fragmented.
    if not payload:
        return False
    nal_type = payload[0] & 0x1F
    if nal_type in (_H264_IDR, _H264_SPS):
        return True
    if nal_type == _H264_FU_A:
        return len(payload) > 1 and bool(payload[1] & 0x80) and payload[1] & 0x1F == _H264_IDR
    if nal_type == _H264_STAP_A:
        pos = 1
        while pos + 2 < len(payload):
            size = int.from_bytes(payload[pos : pos + 2], "big")
            if payload[pos + 2] & 0x1F in (_H264_IDR, _H264_SPS):
                return True
            pos += 2 + size
    return False
