"""The one module that reaches into aiortc internals (aiortc 1.16.x is pinned).

aiortc has no public hook for forwarding RTP without decoding it, so this module:
- replaces ``_handle_rtp_packet`` on a publisher-side ``RTCRtpReceiver`` instance,
- replaces ``_handle_rtcp_packet`` on a subscriber-side ``RTCRtpSender`` instance,
- writes packets through ``RTCDtlsTransport._send_rtp`` (SRTP-protects and sends),
- keeps the receiver's RTCP receiver reports and the sender's sender reports truthful by
  feeding the private counters aiortc's own RTCP tasks read.

Everything it relies on is listed in ``check_aiortc_compatibility``, which the media room
calls before creating any peer, so an aiortc upgrade fails at start-up, not mid-call.
"""

import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

import aiortc
from aiortc import RTCRtpCodecParameters, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtcrtpparameters import RTCRtpParameters
from aiortc.rtcrtpreceiver import StreamStatistics
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RTCP_PSFB_FIR,
    RTCP_PSFB_PLI,
    RTCP_RTPFB_NACK,
    AnyRtcpPacket,
    HeaderExtensionsMap,
    RtcpPsfbPacket,
    RtcpRtpfbPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
    unwrap_rtx,
    wrap_rtx,
)

from .rtp_writer import RtpWriter

__all__ = [
    "AiortcCompatibilityError",
    "InboundEndpoint",
    "OutboundEndpoint",
    "RtcpFeedback",
    "RtpPacket",
    "check_aiortc_compatibility",
]

logger = logging.getLogger(__name__)

PacketHandler = Callable[[RtpPacket, int], Coroutine[Any, Any, None]]
RtcpHandler = Callable[[AnyRtcpPacket], Coroutine[Any, Any, None]]

# Seconds between 1900 (NTP epoch) and 1970 (Unix epoch).
_NTP_UNIX_OFFSET = 2_208_988_800

# Private attributes, as name-mangled by CPython, that aiortc's own RTCP tasks read.
_RECEIVER_STREAMS = "_RTCRtpReceiver__remote_streams"
_SENDER_PACKETS = "_RTCRtpSender__packet_count"
_SENDER_OCTETS = "_RTCRtpSender__octet_count"
_SENDER_NTP = "_RTCRtpSender__ntp_timestamp"
_SENDER_RTP_TS = "_RTCRtpSender__rtp_timestamp"


class AiortcCompatibilityError(RuntimeError):
    """The installed aiortc no longer has the internals packet forwarding relies on."""


_METHODS: tuple[tuple[type, str, tuple[str, ...]], ...] = (
    (RTCRtpReceiver, "_handle_rtp_packet", ("self", "packet", "arrival_time_ms")),
    (RTCRtpSender, "_handle_rtcp_packet", ("self", "packet")),
    (RTCDtlsTransport, "_send_rtp", ("self", "data")),
)
_INIT_ATTRIBUTES: tuple[tuple[type, tuple[str, ...]], ...] = (
    (RTCRtpReceiver, (_RECEIVER_STREAMS,)),
    (
        RTCRtpSender,
        ("_ssrc", "_rtx_ssrc", _SENDER_PACKETS, _SENDER_OCTETS, _SENDER_NTP, _SENDER_RTP_TS),
    ),
    (RTCRtpTransceiver, ("_codecs", "_headerExtensions")),
)
_RTP_PACKET_FIELDS = (
    "payload_type",
    "marker",
    "sequence_number",
    "timestamp",
    "ssrc",
    "payload",
    "extensions",
)
_EXTENSION_FIELDS = ("mid", "abs_send_time", "rtp_stream_id", "repaired_rtp_stream_id")


def check_aiortc_compatibility() -> None:
    """Raise ``AiortcCompatibilityError`` naming every internal that changed."""
    problems: list[str] = []
    for cls, name, params in _METHODS:
        method = getattr(cls, name, None)
        where = f"{cls.__name__}.{name}"
        if method is None or not inspect.iscoroutinefunction(method):
            problems.append(f"{where} is missing or no longer a coroutine function")
        elif tuple(inspect.signature(method).parameters) != params:
            found = tuple(inspect.signature(method).parameters)
            problems.append(f"{where} signature changed: expected {params}, found {found}")
    for cls, names in _INIT_ATTRIBUTES:
        # Instance attributes are assigned in __init__: read them from its bytecode, so the
        # check needs no live peer connection.
        assigned = set(_init_code_names(cls))
        problems += [
            f"{cls.__name__}.__init__ no longer sets {name}"
            for name in names
            if name not in assigned
        ]
    packet = RtpPacket()
    problems += [
        f"RtpPacket has no field {f}" for f in _RTP_PACKET_FIELDS if not hasattr(packet, f)
    ]
    problems += [
        f"HeaderExtensions has no field {f}"
        for f in _EXTENSION_FIELDS
        if not hasattr(packet.extensions, f)
    ]
    if not hasattr(StreamStatistics(90000), "add"):
        problems.append("StreamStatistics.add is gone")
    if problems:
        raise AiortcCompatibilityError(
            f"aiortc {aiortc.__version__} is not compatible with mentormeet's packet "
            "forwarding (sessions/media/aiortc_adapter.py): " + "; ".join(problems)
        )


def _init_code_names(cls: type) -> Iterable[str]:
    init = cls.__dict__.get("__init__")
    code = getattr(init, "__code__", None)
    return code.co_names if code is not None else ()


def _abs_send_time() -> int:
    # 6.18 fixed-point seconds, 24 bits (abs-send-time header extension).
    return int((time.time() + _NTP_UNIX_OFFSET) * (1 << 18)) & 0xFFFFFF


def _ntp_now() -> int:
    return int((time.time() + _NTP_UNIX_OFFSET) * (1 << 32))


@dataclass(frozen=True)
class RtcpFeedback:
    """What a subscriber asked for, decoded from one RTCP packet."""

    nack: tuple[int, ...] = ()
    keyframe: bool = False
    remb_bps: int | None = None


def _decode_feedback(packet: AnyRtcpPacket) -> RtcpFeedback | None:
    if isinstance(packet, RtcpRtpfbPacket) and packet.fmt == RTCP_RTPFB_NACK:
        return RtcpFeedback(nack=tuple(packet.lost))
    if isinstance(packet, RtcpPsfbPacket) and packet.fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR):
        return RtcpFeedback(keyframe=True)
    if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
        try:
            bitrate, _ssrcs = unpack_remb_fci(packet.fci)
        except ValueError:
            return None
        return RtcpFeedback(remb_bps=bitrate)
    return None


class InboundEndpoint:
    """A publisher's incoming track: intercepts its RTP and sends feedback upstream."""

    def __init__(self, transceiver: RTCRtpTransceiver) -> None:
        self.kind: str = transceiver.kind
        self._receiver: RTCRtpReceiver = transceiver.receiver
        # aiortc sends a receiver's RTCP with the SSRC of its transceiver's sender.
        self._rtcp_ssrc: int = transceiver.sender._ssrc
        self.codecs: dict[int, RTCRtpCodecParameters] = {
            c.payloadType: c for c in transceiver._codecs if c.payloadType is not None
        }
        self._stats: dict[int, StreamStatistics] = getattr(self._receiver, _RECEIVER_STREAMS)

    def intercept(self, handler: PacketHandler) -> None:
        """Route every RTP packet to ``handler`` instead of aiortc's depacketiser/decoder.

        Nothing reaches the remote track's (unbounded) queue any more.
        """

        async def handle(packet: RtpPacket, arrival_time_ms: int) -> None:
            try:
                await handler(packet, arrival_time_ms)
            except Exception:
                # An exception here would end aiortc's transport loop: the whole peer.
                logger.exception("dropped an RTP packet that could not be forwarded")

        setattr(self._receiver, "_handle_rtp_packet", handle)  # noqa: B010 (shadows the method)

    def release(self) -> None:
        self._receiver.__dict__.pop("_handle_rtp_packet", None)

    def count(self, packet: RtpPacket) -> None:
        """Feed the statistics aiortc's receiver reports (RTCP RR) are built from."""
        stats = self._stats.get(packet.ssrc)
        if stats is None:
            codec = self.codecs[packet.payload_type]
            stats = self._stats[packet.ssrc] = StreamStatistics(codec.clockRate)
        stats.add(packet)

    @staticmethod
    def unwrap_rtx(packet: RtpPacket, payload_type: int, ssrc: int) -> RtpPacket:
        return unwrap_rtx(packet, payload_type=payload_type, ssrc=ssrc)

    async def request_keyframe(self, media_ssrc: int) -> None:
        await self._send(
            RtcpPsfbPacket(fmt=RTCP_PSFB_PLI, ssrc=self._rtcp_ssrc, media_ssrc=media_ssrc)
        )

    async def send_nack(self, media_ssrc: int, lost: list[int]) -> None:
        packet = RtcpRtpfbPacket(fmt=RTCP_RTPFB_NACK, ssrc=self._rtcp_ssrc, media_ssrc=media_ssrc)
        packet.lost = lost
        await self._send(packet)

    async def send_remb(self, media_ssrc: int, bitrate: int) -> None:
        fci = pack_remb_fci(bitrate, [media_ssrc])
        await self._send(
            RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=self._rtcp_ssrc, media_ssrc=0, fci=fci)
        )

    async def _send(self, packet: AnyRtcpPacket) -> None:
        with contextlib.suppress(ConnectionError):
            await self._receiver.transport._send_rtp(bytes(packet))


class OutboundEndpoint:
    """A subscriber's outgoing stream: writes rewritten RTP and intercepts its feedback."""

    def __init__(self, transceiver: RTCRtpTransceiver) -> None:
        self.kind: str = transceiver.kind
        self.mid: str | None = transceiver.mid
        self._sender: RTCRtpSender = transceiver.sender
        self.ssrc: int = self._sender._ssrc
        self.rtx_ssrc: int = self._sender._rtx_ssrc
        self.codecs: list[RTCRtpCodecParameters] = list(transceiver._codecs)
        extensions = transceiver._headerExtensions
        self._extensions = HeaderExtensionsMap()
        self._extensions.configure(RTCRtpParameters(headerExtensions=extensions))
        self._writer = RtpWriter(self.ssrc, self.mid, {e.uri: e.id for e in extensions})
        self._own_rtcp: RtcpHandler = self._sender._handle_rtcp_packet
        # Sender-report counters, handed to aiortc's sender once per frame.
        self._packets = 0
        self._octets = 0

    def intercept(self, on_feedback: Callable[[RtcpFeedback], Awaitable[None]]) -> None:
        """Answer NACK/PLI/FIR/REMB ourselves; other RTCP (reports) still reaches aiortc."""

        async def handle(packet: AnyRtcpPacket) -> None:
            feedback = _decode_feedback(packet)
            try:
                if feedback is None:
                    await self._own_rtcp(packet)
                else:
                    await on_feedback(feedback)
            except Exception:
                # As for RTP: never let one bad packet end the subscriber's transport.
                logger.exception("dropped RTCP feedback that could not be handled")

        setattr(self._sender, "_handle_rtcp_packet", handle)  # noqa: B010 (shadows the method)

    def release(self) -> None:
        self._sender.__dict__.pop("_handle_rtcp_packet", None)

    @property
    def connected(self) -> bool:
        return bool(self._sender.transport.state == "connected")

    def serialize(
        self,
        packet: RtpPacket,
        *,
        payload_type: int,
        sequence_number: int,
        timestamp: int,
    ) -> bytes:
        """This subscriber's wire bytes for ``packet`` (which may be modified)."""
        ext = packet.extensions
        if self._writer.usable and not packet.csrc and not packet.padding_size:
            return self._writer.write(
                marker=packet.marker,
                payload_type=payload_type,
                sequence_number=sequence_number,
                timestamp=timestamp,
                payload=packet.payload,
                abs_send_time=_abs_send_time(),
                audio_level=ext.audio_level,
            )
        # Rare shapes (CSRCs, padding, two-byte extension ids): aiortc's own serializer.
        packet.ssrc = self.ssrc
        packet.payload_type = payload_type
        packet.sequence_number = sequence_number
        packet.timestamp = timestamp
        ext.mid = self.mid
        ext.abs_send_time = _abs_send_time()
        ext.rtp_stream_id = None
        ext.repaired_rtp_stream_id = None
        data: bytes = packet.serialize(self._extensions)
        return data

    def wrap_rtx(self, data: bytes, rtx_payload_type: int, rtx_sequence_number: int) -> bytes:
        """Turn a previously sent packet into its RTX retransmission (RFC 4588)."""
        original = RtpPacket.parse(data, self._extensions)
        rtx = wrap_rtx(
            original,
            payload_type=rtx_payload_type,
            sequence_number=rtx_sequence_number,
            ssrc=self.rtx_ssrc,
        )
        wrapped: bytes = rtx.serialize(self._extensions)
        return wrapped

    def record_sent(self, timestamp: int, octets: int, marker: bool) -> None:
        """Keep the counters of aiortc's RTCP sender reports in step with what we send."""
        self._packets += 1
        self._octets += octets
        if marker:
            sender = self._sender
            setattr(sender, _SENDER_PACKETS, self._packets & 0xFFFFFFFF)
            setattr(sender, _SENDER_OCTETS, self._octets & 0xFFFFFFFF)
            setattr(sender, _SENDER_NTP, _ntp_now())
            setattr(sender, _SENDER_RTP_TS, timestamp)

    async def send(self, data: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            await self._sender.transport._send_rtp(data)
