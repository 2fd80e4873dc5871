"""Bounded history of packets sent to one subscriber, for answering its NACKs."""

# ≈ 2 s of 1 Mbps video (about 4 packets per frame at 30 fps): older losses are better
# repaired by a keyframe than by retransmission.
HISTORY_SIZE = 256


class PacketHistory:
    """Ring buffer of serialized RTP packets keyed by their outgoing sequence number."""

    def __init__(self, size: int = HISTORY_SIZE) -> None:
        self._slots: list[bytes | None] = [None] * size

    def put(self, sequence_number: int, data: bytes) -> None:
        self._slots[sequence_number % len(self._slots)] = data

    def get(self, sequence_number: int) -> bytes | None:
        data = self._slots[sequence_number % len(self._slots)]
        if data is None or int.from_bytes(data[2:4], "big") != sequence_number:
            return None
        return data
