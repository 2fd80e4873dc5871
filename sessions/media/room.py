"""A media room: one aiortc peer per participant, publishers' packets forwarded to the others.

Designed for 1:1 mentoring: at most two publishers, plus receive-only observers. Each
client offers fixed transceivers (a publisher: sendrecv audio + video, sending its own and
receiving the other's; an observer: recvonly audio + video per publisher), so nobody
renegotiates when the other side arrives late or reconnects: the room re-wires forwarding
and asks the publisher for a keyframe.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)

from .aiortc_adapter import InboundEndpoint, OutboundEndpoint, check_aiortc_compatibility
from .codecs import preferred_codecs
from .errors import MediaError, RoomClosedError, RoomFullError
from .forwarding import Sink, Source
from .idle_track import IdleTrack
from .offer import MediaSection, check_offer

logger = logging.getLogger(__name__)

MAX_PUBLISHERS = 2

AssignmentListener = Callable[[str, dict[str, str]], None]


@dataclass
class _Peer:
    participant_id: str
    pc: RTCPeerConnection
    sources: dict[str, Source] = field(default_factory=dict)
    sinks: list[Sink] = field(default_factory=list)

    def packets_received(self) -> int:
        return sum(source.packets_received for source in self.sources.values())

    def assignments(self) -> dict[str, str]:
        return {
            sink.mid: sink.source.owner
            for sink in self.sinks
            if sink.mid is not None and sink.source is not None
        }


class MediaRoom:
    """Forwards media between the participants of one meeting, without transcoding."""

    def __init__(
        self,
        *,
        ice_servers: Sequence[RTCIceServer] = (),
        max_publishers: int = MAX_PUBLISHERS,
        on_assignments: AssignmentListener | None = None,
    ) -> None:
        check_aiortc_compatibility()
        self._ice_servers = list(ice_servers)
        self._max_publishers = max_publishers
        self._on_assignments = on_assignments
        self._peers: dict[str, _Peer] = {}
        # Packets from earlier peers of a participant, so counts survive re-joins.
        self._earlier_packets: dict[str, int] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def peer_count(self) -> int:
        return len(self._peers)

    def assignments(self, participant_id: str) -> dict[str, str]:
        """Which publisher each of this participant's receiving transceivers (by mid) shows."""
        peer = self._peers.get(participant_id)
        return peer.assignments() if peer is not None else {}

    def inbound_packets(self, participant_id: str) -> int:
        """RTP packets received from this participant so far (grows while media flows)."""
        peer = self._peers.get(participant_id)
        current = peer.packets_received() if peer is not None else 0
        return self._earlier_packets.get(participant_id, 0) + current

    def track_owner(self, participant_id: str, mid: str) -> str | None:
        """The publisher whose media arrives on ``mid`` for ``participant_id``, if any."""
        return self.assignments(participant_id).get(mid)

    async def join(self, participant_id: str, offer_sdp: str, *, receive_only: bool = False) -> str:
        """Accept a participant's offer and return the answer SDP.

        Joining again with the same id (a reload or network change) replaces the old peer.
        """
        sections = check_offer(offer_sdp)
        async with self._lock:
            if self._closed:
                raise RoomClosedError("the room is closed")
            publishes = not receive_only and any(s.sends for s in sections)
            others = [p for pid, p in self._peers.items() if pid != participant_id]
            if publishes and sum(1 for p in others if p.sources) >= self._max_publishers:
                raise RoomFullError(f"the room already has {self._max_publishers} publishers")
            before = self._snapshot()
            await self._remove(participant_id)
            try:
                peer, answer = await self._negotiate(
                    participant_id, offer_sdp, sections, receive_only
                )
                self._peers[participant_id] = peer
            finally:
                self._rewire(before)
            return answer

    async def leave(self, participant_id: str) -> None:
        async with self._lock:
            before = self._snapshot()
            await self._remove(participant_id)
            self._rewire(before)

    async def close(self) -> None:
        async with self._lock:
            self._closed = True
            for participant_id in list(self._peers):
                await self._remove(participant_id)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _negotiate(
        self,
        participant_id: str,
        offer_sdp: str,
        sections: list[MediaSection],
        receive_only: bool,
    ) -> tuple[_Peer, str]:
        # max-bundle: aiortc's "balanced" policy leaves a second transceiver of a kind on a
        # transport that BUNDLE negotiation then discards.
        config = RTCConfiguration(
            iceServers=list(self._ice_servers), bundlePolicy=RTCBundlePolicy.MAX_BUNDLE
        )
        pc = RTCPeerConnection(config)
        # Created in m-line order, so aiortc pairs them with the offer's sections. The
        # direction is capped here; the offer narrows it further.
        transceivers: list[RTCRtpTransceiver] = []
        for section in sections:
            transceiver = pc.addTransceiver(
                IdleTrack(section.kind), direction="sendonly" if receive_only else "sendrecv"
            )
            transceiver.setCodecPreferences(preferred_codecs(section.kind))
            transceivers.append(transceiver)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:
            # aiortc raises assorted exception types on hostile SDP: all mean "bad offer".
            await pc.close()
            raise MediaError(f"the offer could not be negotiated: {exc}") from exc
        peer = _Peer(participant_id, pc)
        for transceiver in transceivers:
            direction = transceiver.currentDirection or "inactive"
            if direction in ("recvonly", "sendrecv") and transceiver.kind not in peer.sources:
                peer.sources[transceiver.kind] = Source(
                    InboundEndpoint(transceiver), owner=participant_id
                )
            if direction in ("sendonly", "sendrecv"):
                peer.sinks.append(Sink(OutboundEndpoint(transceiver)))
        pc.on("connectionstatechange", lambda: self._on_state(participant_id, pc))
        return peer, pc.localDescription.sdp

    def _on_state(self, participant_id: str, pc: RTCPeerConnection) -> None:
        if pc.connectionState == "failed" and not self._closed:
            task = asyncio.get_running_loop().create_task(self._drop(participant_id, pc))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _drop(self, participant_id: str, pc: RTCPeerConnection) -> None:
        async with self._lock:
            peer = self._peers.get(participant_id)
            if peer is not None and peer.pc is pc:
                logger.info("media peer of %s failed; removing it", participant_id)
                before = self._snapshot()
                await self._remove(participant_id)
                self._rewire(before)

    async def _remove(self, participant_id: str) -> None:
        peer = self._peers.pop(participant_id, None)
        if peer is None:
            return
        earlier = self._earlier_packets.get(participant_id, 0)
        self._earlier_packets[participant_id] = earlier + peer.packets_received()
        # Closed first: a released hook would hand packets back to aiortc's decoder.
        try:
            await peer.pc.close()
        except Exception:
            logger.exception("closing the media peer of %s failed", participant_id)
        for source in peer.sources.values():
            source.close()
        for sink in peer.sinks:
            sink.close()

    def _snapshot(self) -> dict[str, dict[str, str]]:
        return {pid: peer.assignments() for pid, peer in self._peers.items()}

    def _rewire(self, before: dict[str, dict[str, str]]) -> None:
        """Give every free receiving slot a publisher, in join order; keep working pairs.

        Listeners hear of every participant whose mid → publisher labels changed.
        """
        for peer in self._peers.values():
            for kind in ("audio", "video"):
                publishers = [
                    other.sources[kind]
                    for other in self._peers.values()
                    if other is not peer and kind in other.sources
                ]
                sinks = [s for s in peer.sinks if s.kind == kind]
                shown = {s.source for s in sinks if s.source is not None}
                waiting = [p for p in publishers if p not in shown]
                for sink in sinks:
                    if sink.source is None and waiting:
                        waiting.pop(0).attach(sink)
            after = peer.assignments()
            if after != before.get(peer.participant_id) and self._on_assignments is not None:
                self._on_assignments(peer.participant_id, after)
