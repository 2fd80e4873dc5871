"""Media relay benchmark: server CPU per relayed stream, forwarding vs aiortc's MediaRelay.

``python -m bench.media [--quick]``

K rooms, each with a publishing and a subscribing aiortc client peer in this process; the
server side (mentormeet's ``MediaRoom``, or a ``MediaRelay`` room that decodes and
re-encodes) runs in a child process driven over a pipe, so its CPU time is its own.
Publishers send pre-encoded 640×480 30 fps VP8 (≈ 1 Mbps, a keyframe every 3 s) and Opus,
so the client side stays cheap. Subscribers count frames by RTP timestamp without decoding.
The last line printed is one JSON object; ``ratio`` = MediaRelay CPU per stream ÷ ours.
"""

import argparse
import array
import asyncio
import dataclasses
import fractions
import json
import queue
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import av
from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay
from av.video.frame import PictureType

from sessions.media import MediaRoom

WIDTH, HEIGHT, FPS = 640, 480, 30
VIDEO_BITRATE = 1_000_000
KEYFRAME_EVERY = 3 * FPS
VIDEO_CLOCK = 90_000
AUDIO_RATE, AUDIO_FRAME = 48_000, 960  # 20 ms Opus frames


@dataclass(frozen=True)
class Plan:
    forward_rooms: int
    relay_rooms: int
    warmup: float
    measure: float
    audio: bool = True


QUICK = Plan(forward_rooms=8, relay_rooms=2, warmup=8.0, measure=8.0)
# MediaRelay saturates its process beyond about three rooms here; fewer rooms keep its
# figures honest (a relay that drops frames also spends less CPU per stream).
FULL = Plan(forward_rooms=12, relay_rooms=3, warmup=10.0, measure=20.0)


# --- pre-encoded media -------------------------------------------------------------


def encode_video_loop(frames: int = 2 * KEYFRAME_EVERY) -> list[bytes]:
    """A loop of VP8 frames starting with a keyframe, with one every KEYFRAME_EVERY frames."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    codec.bit_rate = VIDEO_BITRATE
    codec.time_base = fractions.Fraction(1, FPS)
    codec.gop_size = 100_000  # keyframes only where pict_type says so
    codec.qmin, codec.qmax = 2, 56
    codec.options = {
        "deadline": "realtime",
        "cpu-used": "8",
        "lag-in-frames": "0",
        "minrate": str(VIDEO_BITRATE),
        "maxrate": str(VIDEO_BITRATE),
        "bufsize": str(VIDEO_BITRATE),
        "undershoot-pct": "100",
        "overshoot-pct": "15",
    }
    # A scrolling picture of 4×4 random blocks: detailed and moving, so the encoder spends
    # about its whole budget.
    rng = random.Random(1)
    blocks_per_row = 2 * WIDTH // 4
    blocks = [rng.randrange(256) for _ in range(blocks_per_row * HEIGHT // 4)]
    rows = [
        bytes(blocks[(y // 4) * blocks_per_row + x // 4] for x in range(2 * WIDTH))
        for y in range(HEIGHT)
    ]
    grey = bytes([128]) * (WIDTH * HEIGHT // 4)
    encoded: list[bytes] = []
    for index in range(frames):
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        shift = (index * 6) % WIDTH
        frame.planes[0].update(b"".join(row[shift : shift + WIDTH] for row in rows))
        frame.planes[1].update(grey)
        frame.planes[2].update(grey)
        frame.pts = index
        frame.time_base = fractions.Fraction(1, FPS)
        # Synthetic frames would otherwise all be flagged as keyframes.
        keyframe = index % KEYFRAME_EVERY == 0
        frame.pict_type = PictureType.I if keyframe else PictureType.NONE
        encoded.append(b"".join(bytes(p) for p in codec.encode(frame)))
    return encoded


def encode_audio_loop(frames: int = 50) -> list[bytes]:
    """One second of Opus frames (a plain sawtooth tone)."""
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = AUDIO_RATE, "stereo", "s16"
    codec.bit_rate = 32_000
    encoded: list[bytes] = []
    for index in range(frames):
        samples = array.array("h", (((i * 64) % 16384) - 8192 for i in range(AUDIO_FRAME * 2)))
        frame = av.AudioFrame(format="s16", layout="stereo", samples=AUDIO_FRAME)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate = AUDIO_RATE
        frame.pts = index * AUDIO_FRAME
        encoded += [bytes(p) for p in codec.encode(frame)]
    return encoded


class LoopTrack(MediaStreamTrack):
    """Plays pre-encoded frames in a loop, in real time, as ``av.Packet``s (no encoding)."""

    def __init__(self, kind: str, frames: Sequence[bytes], rate: float, clock: int) -> None:
        super().__init__()
        self.kind = kind
        self.sent = 0
        self._frames = frames
        self._rate = rate
        self._clock = clock
        self._start: float | None = None

    async def recv(self) -> "av.Packet[Any]":
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self.sent / self._rate - time.monotonic()))
        packet = av.Packet(self._frames[self.sent % len(self._frames)])
        packet.pts = int(self.sent * self._clock / self._rate)
        packet.time_base = fractions.Fraction(1, self._clock)
        self.sent += 1
        return packet


class FrameCounter(queue.Queue[Any]):
    """Replaces a subscriber receiver's decoder queue: notes each frame, decodes nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[tuple[float, int]] = []

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:  # the receiver stopping its decoder thread
            super().put(item, block, timeout)
        else:
            self.frames.append((time.monotonic(), item[1].timestamp))


# --- server child process ----------------------------------------------------------


class RelayRoom:
    """The transcoding baseline: aiortc's MediaRelay between a publisher and subscribers."""

    def __init__(self) -> None:
        self._relay = MediaRelay()
        self._tracks: dict[str, MediaStreamTrack] = {}
        self._peers: list[RTCPeerConnection] = []

    async def join(self, participant_id: str, offer_sdp: str, *, receive_only: bool) -> str:
        config = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        pc = RTCPeerConnection(config)
        self._peers.append(pc)
        if receive_only:
            for track in self._tracks.values():
                pc.addTransceiver(self._relay.subscribe(track), "sendonly")
        else:

            @pc.on("track")
            def on_track(track: MediaStreamTrack) -> None:
                self._tracks[track.kind] = track

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        sdp: str = pc.localDescription.sdp
        return sdp

    async def close(self) -> None:
        for pc in self._peers:
            await pc.close()


async def serve(mode: str) -> None:
    """Child process: answer join requests on stdin, one JSON object per line."""
    loop = asyncio.get_running_loop()
    rooms: dict[str, MediaRoom | RelayRoom] = {}
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        request = json.loads(line)
        reply: dict[str, Any] = {}
        if request["op"] == "join":
            room = rooms.get(request["room"])
            if room is None:
                room = rooms[request["room"]] = MediaRoom() if mode == "forward" else RelayRoom()
            reply["sdp"] = await room.join(
                request["participant"], request["sdp"], receive_only=request["receive_only"]
            )
        elif request["op"] == "cpu":
            reply["cpu"] = time.process_time()
        elif request["op"] == "stop":
            break
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    for room in rooms.values():
        await room.close()


def _server_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def server_event_loop() -> str:
    return "asyncio" if _server_loop_factory() is None else "uvloop"


class Server:
    """The parent's handle on a server child process."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls, mode: str) -> "Server":
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.media",
            "--serve",
            mode,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def call(self, **request: Any) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write((json.dumps(request) + "\n").encode())
        await self._process.stdin.drain()
        reply: dict[str, Any] = json.loads(await self._process.stdout.readline())
        return reply

    async def cpu(self) -> float:
        return float((await self.call(op="cpu"))["cpu"])

    async def stop(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(b'{"op": "stop"}\n')
        await self._process.stdin.drain()
        await asyncio.wait_for(self._process.wait(), 20)


# --- client side -------------------------------------------------------------------


class BenchRoom:
    """One room's publishing and subscribing client peers."""

    def __init__(self, name: str, video: Sequence[bytes], audio: Sequence[bytes] | None) -> None:
        self.name = name
        config = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        self.publisher = RTCPeerConnection(config)
        self.subscriber = RTCPeerConnection(config)
        self.video = LoopTrack("video", video, FPS, VIDEO_CLOCK)
        if audio is not None:
            self.publisher.addTransceiver(LoopTrack("audio", audio, 50, AUDIO_RATE), "sendonly")
            self.subscriber.addTransceiver("audio", "recvonly")
        self.publisher.addTransceiver(self.video, "sendonly")
        self.counter = FrameCounter()
        receiver = self.subscriber.addTransceiver("video", "recvonly").receiver
        # Installed before the receiver starts its decoder thread, which reads this queue.
        setattr(receiver, "_RTCRtpReceiver__decoder_queue", self.counter)  # noqa: B010

    async def connect(self, server: Server) -> None:
        for pc, participant, receive_only in (
            (self.publisher, "publisher", False),
            (self.subscriber, "subscriber", True),
        ):
            await pc.setLocalDescription(await pc.createOffer())
            reply = await server.call(
                op="join",
                room=self.name,
                participant=participant,
                sdp=pc.localDescription.sdp,
                receive_only=receive_only,
            )
            await pc.setRemoteDescription(RTCSessionDescription(sdp=reply["sdp"], type="answer"))

    def window(self, start: float, end: float) -> tuple[int, int]:
        """(frames received, frames expected from their RTP timestamps) within [start, end]."""
        # Modulo 2**32: aiortc takes an out-of-order frame for a timestamp wrap-around.
        stamps = sorted({ts % 2**32 for at, ts in self.counter.frames if start <= at <= end})
        if not stamps:
            return 0, 1
        step = VIDEO_CLOCK / FPS  # re-encoded timestamps may be off by a tick
        return len(stamps), round((stamps[-1] - stamps[0]) / step) + 1

    async def close(self) -> None:
        await self.publisher.close()
        await self.subscriber.close()


async def run_mode(
    mode: str, rooms: int, plan: Plan, video: list[bytes], audio: list[bytes]
) -> dict[str, Any]:
    server = await Server.start(mode)
    bench_rooms = [
        BenchRoom(f"room-{i}", video, audio if plan.audio else None) for i in range(rooms)
    ]
    try:
        for room in bench_rooms:
            await room.connect(server)
        # Every subscriber waits for a keyframe (pre-encoded: one every 3 s) and settles.
        await asyncio.sleep(plan.warmup)
        cpu_start, start, own_start = await server.cpu(), time.monotonic(), time.process_time()
        await asyncio.sleep(plan.measure)
        cpu_end, end, own_end = await server.cpu(), time.monotonic(), time.process_time()
    finally:
        for room in bench_rooms:
            await room.close()
        await server.stop()
    seconds = end - start
    counts = [room.window(start, end) for room in bench_rooms]
    fps = [received / seconds for received, _ in counts]
    received = sum(r for r, _ in counts)
    expected = sum(e for _, e in counts)
    cpu_per_stream = (cpu_end - cpu_start) / seconds / rooms
    mean_fps = sum(fps) / len(fps)
    return {
        "rooms": rooms,
        "cpu_per_stream": round(cpu_per_stream, 5),
        # A saturated relay delivers fewer frames and so spends less per stream: compare
        # the cost of a full-rate stream.
        "cpu_per_stream_at_30fps": round(cpu_per_stream * FPS / mean_fps, 5) if mean_fps else None,
        "streams_per_core": round(1 / cpu_per_stream, 1) if cpu_per_stream > 0 else None,
        "fps_mean": round(mean_fps, 2),
        "fps_min": round(min(fps), 2),
        "frames_lost": expected - received,
        "loss": round(1 - received / expected, 5) if expected else None,
        # The clients share this process: if it saturates, delivered fps says so.
        "client_cpu_per_room": round((own_end - own_start) / seconds / rooms, 5),
    }


async def run(plan: Plan, quick: bool) -> dict[str, Any]:
    video, audio = encode_video_loop(), encode_audio_loop()
    bitrate = sum(map(len, video)) * 8 * FPS / len(video)
    forward = await run_mode("forward", plan.forward_rooms, plan, video, audio)
    relay = await run_mode("relay", plan.relay_rooms, plan, video, audio)
    ratio = relay["cpu_per_stream_at_30fps"] / forward["cpu_per_stream_at_30fps"]
    return {
        "bench": "media",
        "quick": quick,
        "stream": (
            f"{WIDTH}x{HEIGHT} {FPS} fps VP8 {bitrate / 1e6:.2f} Mbps, keyframe every "
            f"{KEYFRAME_EVERY // FPS} s{', plus Opus' if plan.audio else ''}; "
            "one publisher to one subscriber"
        ),
        "cpu_per_stream": "fraction of one core used by the server process per relayed stream",
        "ratio_definition": "MediaRelay / mentormeet cpu_per_stream_at_30fps",
        "server_event_loop": server_event_loop(),
        "mentormeet_forwarding": forward,
        "aiortc_mediarelay": relay,
        "ratio": round(ratio, 2),
        "ratio_unnormalised": round(relay["cpu_per_stream"] / forward["cpu_per_stream"], 2),
        "goal_met": {
            "ratio_at_least_6": ratio >= 6,
            "50_streams_per_core": (forward["streams_per_core"] or 0) >= 50,
            "29_fps": forward["fps_min"] >= 29,
            "no_frame_loss": forward["frames_lost"] == 0,
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="finish within 60 seconds")
    parser.add_argument("--serve", choices=("forward", "relay"), help=argparse.SUPPRESS)
    parser.add_argument("--rooms", type=int, help="rooms for mentormeet's forwarding")
    parser.add_argument("--video-only", action="store_true", help="publish no audio")
    args = parser.parse_args(argv)
    if args.serve:
        # The same event loop uvicorn picks in production ("auto": uvloop when installed).
        with asyncio.Runner(loop_factory=_server_loop_factory()) as runner:
            runner.run(serve(args.serve))
        return
    plan = QUICK if args.quick else FULL
    plan = dataclasses.replace(
        plan, forward_rooms=args.rooms or plan.forward_rooms, audio=not args.video_only
    )
    print(json.dumps(asyncio.run(run(plan, args.quick))))


if __name__ == "__main__":
    main()
