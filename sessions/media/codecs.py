"""Which codecs the relay forwards, and how a publisher's payload types map to a subscriber's."""

from aiortc import RTCRtpCodecCapability, RTCRtpCodecParameters, RTCRtpSender

# Forwarding never transcodes, so only codecs every browser can decode are negotiated.
SUPPORTED_MIME_TYPES: dict[str, tuple[str, ...]] = {
    "audio": ("audio/opus",),
    "video": ("video/vp8", "video/h264"),
}
_RTX = "video/rtx"


def preferred_codecs(kind: str) -> list[RTCRtpCodecCapability]:
    """aiortc's capabilities for ``kind`` restricted to the forwardable codecs (and RTX)."""
    allowed = (*SUPPORTED_MIME_TYPES[kind], _RTX)
    capabilities = RTCRtpSender.getCapabilities(kind).codecs
    return [c for c in capabilities if c.mimeType.lower() in allowed]


def _is_rtx(codec: RTCRtpCodecParameters) -> bool:
    return codec.mimeType.lower() == _RTX


def _same_format(a: RTCRtpCodecParameters, b: RTCRtpCodecParameters) -> bool:
    if a.mimeType.lower() != b.mimeType.lower():
        return False
    # H.264 packetization modes are not interchangeable on the wire.
    mode_a = str(a.parameters.get("packetization-mode", "0"))
    return mode_a == str(b.parameters.get("packetization-mode", "0"))


def match_payload_types(
    source: list[RTCRtpCodecParameters], sink: list[RTCRtpCodecParameters]
) -> dict[int, int]:
    """Map each publisher payload type to the subscriber's payload type for the same format.

    Formats the subscriber did not negotiate are absent: their packets are not forwarded.
    """
    mapping: dict[int, int] = {}
    sink_media = [c for c in sink if not _is_rtx(c) and c.payloadType is not None]
    for codec in source:
        if _is_rtx(codec) or codec.payloadType is None:
            continue
        matches = [c for c in sink_media if _same_format(codec, c)]
        same_pt = [c for c in matches if c.payloadType == codec.payloadType]
        chosen = same_pt or matches
        if chosen and chosen[0].payloadType is not None:
            mapping[codec.payloadType] = chosen[0].payloadType
    return mapping


def rtx_payload_types(codecs: list[RTCRtpCodecParameters]) -> dict[int, int]:
    """Map each media payload type to its RTX payload type (the RTX ``apt`` relation)."""
    result: dict[int, int] = {}
    for codec in codecs:
        apt = codec.parameters.get("apt")
        if _is_rtx(codec) and isinstance(apt, int) and codec.payloadType is not None:
            result[apt] = codec.payloadType
    return result
