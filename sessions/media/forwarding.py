"""Packet-level forwarding from one publisher track (Source) to subscriber slots (Sinks).

Packets are never depacketised or decoded: each is rewritten (SSRC, payload type, sequence
number, timestamp, header-extension ids and mid) for every subscriber and sent on.
"""

import math
import random
import time

from .aiortc_adapter import InboundEndpoint, OutboundEndpoint, RtcpFeedback, RtpPacket
from .codecs import match_payload_types, rtx_payload_types
from .gaps import GapTracker
from .history import PacketHistory
from .keyframes import starts_keyframe

# A keyframe costs several normal frames of bitrate: while a request is unanswered, further
# requests within this interval are served by the same keyframe.
KEYFRAME_REQUEST_INTERVAL = 0.5
REMB_INTERVAL = 1.0


def _older(seq: int, than: int) -> bool:
    return (seq - than) & 0xFFFF >= 0x8000


def _newer(seq: int, than: int) -> bool:
    return 0 < (seq - than) & 0xFFFF < 0x8000


class Source:
    """One published track: intercepts its RTP and fans it out to the attached sinks."""

    def __init__(self, endpoint: InboundEndpoint, owner: str) -> None:
        self.kind = endpoint.kind
        self.owner = owner
        self.codecs = list(endpoint.codecs.values())
        self._endpoint = endpoint
        self._sinks: list[Sink] = []
        self._rtx_of = {rtx: apt for apt, rtx in rtx_payload_types(self.codecs).items()}
        self._media_ssrc: int | None = None
        self._highest_seq: int | None = None
        self._gaps = GapTracker() if self.kind == "video" else None
        self._keyframe_requested_at: float | None = None
        self._last_remb = -math.inf
        self.packets_received = 0
        endpoint.intercept(self._on_rtp)

    def attach(self, sink: "Sink") -> None:
        sink.attach(self)
        self._sinks.append(sink)

    def detach(self, sink: "Sink") -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)
            sink.detach()

    def close(self) -> None:
        for sink in list(self._sinks):
            self.detach(sink)
        self._endpoint.release()

    async def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe, unless a recent request is still unanswered."""
        now = time.monotonic()
        if self.kind != "video" or self._media_ssrc is None:
            return
        pending = self._keyframe_requested_at
        if pending is not None and now - pending < KEYFRAME_REQUEST_INTERVAL:
            return
        self._keyframe_requested_at = now
        await self._endpoint.request_keyframe(self._media_ssrc)

    async def update_remb(self) -> None:
        """Pass the lowest subscriber estimate upstream: the publisher must suit them all."""
        estimates = [s.remb_bps for s in self._sinks if s.remb_bps is not None]
        now = time.monotonic()
        if not estimates or self._media_ssrc is None or now - self._last_remb < REMB_INTERVAL:
            return
        self._last_remb = now
        await self._endpoint.send_remb(self._media_ssrc, min(estimates))

    async def _on_rtp(self, packet: RtpPacket, arrival_time_ms: int) -> None:
        codecs = self._endpoint.codecs
        if packet.payload_type not in codecs:
            return
        self.packets_received += 1
        self._endpoint.count(packet)
        apt = self._rtx_of.get(packet.payload_type)
        if apt is not None:
            # Retransmissions are forwarded as ordinary packets: the subscriber's own
            # sequence numbering decides whether it is a repair.
            if self._media_ssrc is None or len(packet.payload) < 2 or apt not in codecs:
                return
            packet = self._endpoint.unwrap_rtx(packet, apt, self._media_ssrc)
        else:
            self._media_ssrc = packet.ssrc
        if self._gaps is not None:
            lost = self._gaps.add(packet.sequence_number)
            if lost:
                await self._endpoint.send_nack(packet.ssrc, lost)
        # A sink may only start on the newest packet: the ones after a late (repaired)
        # packet were already passed by, and would never reach that sink.
        in_order = self._highest_seq is None or _newer(packet.sequence_number, self._highest_seq)
        if in_order:
            self._highest_seq = packet.sequence_number
        if not self._sinks:
            return
        seq, ts, pt, marker = (
            packet.sequence_number,
            packet.timestamp,
            packet.payload_type,
            bool(packet.marker),
        )
        starts_picture: bool | None = None
        if self._keyframe_requested_at is not None:
            starts_picture = starts_keyframe(codecs[pt].name, packet.payload)
            if starts_picture:
                self._keyframe_requested_at = None
        for sink in tuple(self._sinks):
            if not sink.started:
                if not sink.connected or not in_order:
                    continue
                if starts_picture is None:
                    name = codecs[pt].name
                    starts_picture = self.kind == "audio" or starts_keyframe(name, packet.payload)
                if not starts_picture:
                    await self.request_keyframe()
                    continue
            await sink.forward(packet, seq, ts, pt, marker)


class Sink:
    """One subscriber's outgoing stream; keeps its numbering continuous across sources."""

    def __init__(self, endpoint: OutboundEndpoint) -> None:
        self.kind = endpoint.kind
        self.mid = endpoint.mid
        self.source: Source | None = None
        self.remb_bps: int | None = None
        self._endpoint = endpoint
        self._history = PacketHistory()
        self._rtx_pt = rtx_payload_types(endpoint.codecs)
        self._pt_map: dict[int, int] = {}
        self._clock_rate = 90000 if self.kind == "video" else 48000
        self._started = False
        self._start_seq = 0
        self._seq_offset = 0
        self._ts_offset = 0
        self._last_seq: int | None = None
        self._last_ts = 0
        self._last_sent_at = 0.0
        self._rtx_seq = random.randrange(0x8000)
        endpoint.intercept(self._on_feedback)

    @property
    def started(self) -> bool:
        return self._started

    @property
    def connected(self) -> bool:
        return self._endpoint.connected

    def attach(self, source: Source) -> None:
        self.source = source
        self._pt_map = match_payload_types(source.codecs, self._endpoint.codecs)
        # Wait for the new source's next keyframe (video) before sending anything.
        self._started = False

    def detach(self) -> None:
        self.source = None
        self._started = False

    def close(self) -> None:
        if self.source is not None:
            self.source.detach(self)
        self._endpoint.release()

    async def forward(self, packet: RtpPacket, seq: int, ts: int, pt: int, marker: bool) -> None:
        out_pt = self._pt_map.get(pt)
        if out_pt is None:
            return
        if not self._started:
            self._start(seq, ts)
        elif _older(seq, self._start_seq):
            return
        out_seq = (seq + self._seq_offset) & 0xFFFF
        out_ts = (ts + self._ts_offset) & 0xFFFFFFFF
        data = self._endpoint.serialize(
            packet, payload_type=out_pt, sequence_number=out_seq, timestamp=out_ts
        )
        self._history.put(out_seq, data)
        self._endpoint.record_sent(out_ts, len(packet.payload), marker)
        if self._last_seq is None or _newer(out_seq, self._last_seq):
            self._last_seq, self._last_ts = out_seq, out_ts
            self._last_sent_at = time.monotonic()
        await self._endpoint.send(data)

    def _start(self, seq: int, ts: int) -> None:
        if self._last_seq is None:
            # Lower half of the sequence space, as aiortc does, so SRTP never sees an
            # early rollover.
            first_seq, first_ts = random.randrange(0x8000), random.getrandbits(32)
        else:
            # Same SSRC, new source: continue numbering and advance time by the pause.
            elapsed = max(time.monotonic() - self._last_sent_at, 0.02)
            first_seq = self._last_seq + 1
            first_ts = self._last_ts + int(elapsed * self._clock_rate)
        self._seq_offset = first_seq - seq
        self._ts_offset = first_ts - ts
        self._start_seq = seq
        self._started = True

    async def _on_feedback(self, feedback: RtcpFeedback) -> None:
        for seq in feedback.nack:
            await self._retransmit(seq)
        if feedback.keyframe and self.source is not None:
            await self.source.request_keyframe()
        if feedback.remb_bps is not None:
            self.remb_bps = feedback.remb_bps
            if self.source is not None:
                await self.source.update_remb()

    async def _retransmit(self, seq: int) -> None:
        data = self._history.get(seq)
        if data is None:
            return
        rtx_pt = self._rtx_pt.get(data[1] & 0x7F)
        if rtx_pt is not None:
            data = self._endpoint.wrap_rtx(data, rtx_pt, self._rtx_seq)
            self._rtx_seq = (self._rtx_seq + 1) & 0xFFFF
        await self._endpoint.send(data)
