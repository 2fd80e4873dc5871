"""Real aiortc client peers for media-room tests: synthetic VP8 senders and frame recorders.

(A module of its own, not conftest.py, so tests can import it by a unique name.)
"""

import asyncio
import fractions
import queue
import time
from collections.abc import Callable
from typing import Any

import av
from aiortc import (
    AudioStreamTrack,
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import RTCP_PSFB_APP, AnyRtcpPacket, RtcpPsfbPacket, RtpPacket, unpack_remb_fci
from av.video.frame import PictureType

from sessions.media import MediaRoom

ClientFactory = Callable[..., "Client"]

FPS = 30
WIDTH, HEIGHT = 320, 240
VIDEO_TIME_BASE = fractions.Fraction(1, 90000)


class SyntheticVideoTrack(MediaStreamTrack):
    """Encodes a moving test pattern itself and hands aiortc pre-encoded VP8 or H.264.

    Keeping the encoded bytes lets tests prove the relay forwards them unchanged.
    """

    kind = "video"

    def __init__(self, codec_name: str = "VP8") -> None:
        super().__init__()
        if codec_name == "H264":
            codec = av.CodecContext.create("libx264", "w")
            codec.options = {
                "preset": "ultrafast",
                "tune": "zerolatency",
                "profile": "baseline",
                "forced-idr": "1",
            }
        else:
            codec = av.CodecContext.create("libvpx", "w")
            codec.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
        codec.width, codec.height, codec.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        codec.bit_rate = 300_000
        codec.time_base = fractions.Fraction(1, FPS)
        codec.gop_size = 10_000  # keyframes only on request
        self._codec = codec
        self._pattern = bytes(range(256)) * ((WIDTH * HEIGHT) // 256 + 2)
        self._start: float | None = None
        self._keyframe_wanted = True
        self.sent: list[bytes] = []

    def request_keyframe(self) -> None:
        self._keyframe_wanted = True

    async def recv(self) -> "av.Packet[Any]":
        index = len(self.sent)
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + index / FPS - time.monotonic()))
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        for plane in frame.planes:
            # Shift the pattern every frame so every encoded frame differs.
            offset = (index * 7) % 256
            plane.update(self._pattern[offset : offset + plane.buffer_size])
        frame.pts = index
        frame.time_base = fractions.Fraction(1, FPS)
        frame.pict_type = PictureType.I if self._keyframe_wanted else PictureType.NONE
        self._keyframe_wanted = False
        data = b"".join(bytes(p) for p in self._codec.encode(frame))
        self.sent.append(data)
        packet = av.Packet(data)
        packet.pts = index * (90000 // FPS)
        packet.time_base = VIDEO_TIME_BASE
        return packet


class FrameRecorder(queue.Queue[Any]):
    """Stands in for a client receiver's decoder queue: records each reassembled frame.

    Frames are passed on to the decoder only when ``decode`` is set.
    """

    def __init__(self, decode: bool) -> None:
        super().__init__()
        self.decode = decode
        self.frames: list[bytes] = []
        self.arrivals: list[float] = []

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is not None:
            self.frames.append(bytes(item[1].data))
            self.arrivals.append(time.monotonic())
            if not self.decode:
                return
        super().put(item, block, timeout)


class Client:
    """An aiortc peer as a browser would use it: fixed transceivers, one offer."""

    def __init__(
        self,
        *,
        publish: bool = True,
        slots: int = 1,
        decode: bool = False,
        drop_every: int = 0,
        drop_sent_every: int = 0,
        codec: str = "VP8",
    ) -> None:
        # max-bundle, as browsers effectively do: aiortc's "balanced" policy breaks a second
        # transceiver of the same kind once BUNDLE is negotiated.
        config = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        self.pc = RTCPeerConnection(config)
        self.video: SyntheticVideoTrack | None = None
        self.recorders: dict[str, FrameRecorder] = {}
        self.first_picture: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._receiving: list[tuple[RTCRtpTransceiver, FrameRecorder]] = []
        self._publishing: RTCRtpTransceiver | None = None
        self._decode = decode
        self._tasks: list[asyncio.Task[None]] = []
        self._drop_every = drop_every
        self._drop_sent_every = drop_sent_every
        self.remb: list[int] = []
        self.join_started = 0.0
        self.answered = 0.0
        self.connected = 0.0
        self.pc.on("connectionstatechange", self._on_state)
        self.dropped: set[int] = set()
        if publish:
            self.video = SyntheticVideoTrack(codec)
            self._add("audio", AudioStreamTrack(), "sendrecv")
            video = self._add("video", self.video, "sendrecv")
            video.setCodecPreferences(
                [
                    c
                    for c in RTCRtpSender.getCapabilities("video").codecs
                    if c.mimeType in (f"video/{codec}", "video/rtx")
                ]
            )
            # Our pre-encoded source honours the relay's keyframe requests (PLI).
            video.sender._send_keyframe = self.video.request_keyframe  # type: ignore[method-assign]
            self._publishing = video
            self._note_remb(video.sender)
        else:
            for _ in range(slots):
                self._add("audio", None, "recvonly")
                self._add("video", None, "recvonly")

    def _add(self, kind: str, track: MediaStreamTrack | None, direction: str) -> RTCRtpTransceiver:
        transceiver = self.pc.addTransceiver(track or kind, direction=direction)
        recorder = FrameRecorder(decode=self._decode and kind == "video")
        # Installed before the receiver starts its decoder thread, which reads this queue.
        setattr(transceiver.receiver, "_RTCRtpReceiver__decoder_queue", recorder)  # noqa: B010
        self._receiving.append((transceiver, recorder))
        return transceiver

    async def join(
        self, room: MediaRoom, participant_id: str, *, receive_only: bool = False
    ) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        self.join_started = time.monotonic()
        answer = await room.join(
            participant_id, self.pc.localDescription.sdp, receive_only=receive_only
        )
        self.answered = time.monotonic()
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        if self._drop_sent_every and self._publishing is not None:
            self._lose_sent_packets(self._publishing)
        for transceiver, recorder in self._receiving:
            assert transceiver.mid is not None
            self.recorders[transceiver.mid] = recorder
            if self._drop_every and transceiver.kind == "video":
                self._lose_packets(transceiver)
            if self._decode and transceiver.kind == "video":
                self._tasks.append(asyncio.create_task(self._watch(transceiver.receiver.track)))

    def _on_state(self) -> None:
        if self.pc.connectionState == "connected":
            self.connected = time.monotonic()

    def timeline(self) -> dict[str, float]:
        """Seconds from handing the offer to the room to each step of a (late) join."""
        video = self.recorders[self.mids("video")[0]]
        steps = {"answered": self.answered, "connected": self.connected}
        if video.arrivals:
            steps["first frame"] = video.arrivals[0]
        if self.first_picture.done():
            steps["first picture"] = self.first_picture.result()
        return {name: round(at - self.join_started, 3) for name, at in steps.items()}

    def _note_remb(self, sender: RTCRtpSender) -> None:
        """Record the bitrate estimates (REMB) the relay passes up to this publisher."""
        handle = sender._handle_rtcp_packet

        async def noting(packet: AnyRtcpPacket) -> None:
            if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
                self.remb.append(unpack_remb_fci(packet.fci)[0])
            await handle(packet)

        setattr(sender, "_handle_rtcp_packet", noting)  # noqa: B010

    def _lose_sent_packets(self, transceiver: RTCRtpTransceiver) -> None:
        """Lose every n-th video packet this publisher sends (first copy only)."""
        transport = transceiver.sender.transport
        send = transport._send_rtp
        media = {c.payloadType for c in transceiver._codecs if c.mimeType.lower() == "video/vp8"}
        seen = 0

        async def lossy(data: bytes) -> None:
            nonlocal seen
            seq = int.from_bytes(data[2:4], "big")
            if data[1] & 0x7F in media and not 192 <= data[1] <= 223 and seq not in self.dropped:
                seen += 1
                if seen % self._drop_sent_every == 0:
                    self.dropped.add(seq)
                    return
            await send(data)

        setattr(transport, "_send_rtp", lossy)  # noqa: B010

    def _lose_packets(self, transceiver: RTCRtpTransceiver) -> None:
        """Lose every n-th media packet once on the way in (its RTX repair gets through)."""
        receiver = transceiver.receiver
        handle = receiver._handle_rtp_packet
        rtx = {c.payloadType for c in transceiver._codecs if c.mimeType.lower() == "video/rtx"}
        seen = 0

        async def lossy(packet: RtpPacket, arrival_time_ms: int) -> None:
            nonlocal seen
            if packet.payload_type not in rtx and packet.sequence_number not in self.dropped:
                seen += 1
                if seen % self._drop_every == 0:
                    self.dropped.add(packet.sequence_number)
                    return
            await handle(packet, arrival_time_ms)

        setattr(receiver, "_handle_rtp_packet", lossy)  # noqa: B010

    def video_frames(self, mid: str | None = None) -> list[bytes]:
        """Frames received on ``mid`` (default: the first video transceiver)."""
        if mid is None:
            mid = self.mids("video")[0]
        return self.recorders[mid].frames

    def mids(self, kind: str) -> list[str]:
        return [t.mid for t, _ in self._receiving if t.kind == kind and t.mid is not None]

    async def _watch(self, track: MediaStreamTrack) -> None:
        try:
            await track.recv()
            if not self.first_picture.done():
                self.first_picture.set_result(time.monotonic())
            while True:
                await track.recv()
        except MediaStreamError:
            pass

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.pc.close()


async def wait_for(
    predicate: Callable[[], bool],
    within: float = 10.0,
    explain: Callable[[], object] = lambda: "",
) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in time {explain()}")
        await asyncio.sleep(0.02)


def nal_units(data: bytes) -> list[bytes]:
    """The H.264 NAL units of an Annex B byte stream, without their start codes."""
    # A 4-byte start code leaves a zero at the end of the previous unit: NAL units never end
    # in a zero byte, so it is padding.
    units = (unit.rstrip(b"\x00") for unit in data.split(b"\x00\x00\x01"))
    return [unit for unit in units if unit]


def is_vp8_keyframe(frame: bytes) -> bool:
    return bool(frame) and not frame[0] & 0x01
