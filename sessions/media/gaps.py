"""Which upstream packets are missing, so the relay can NACK them (RFC 4585)."""

# Older gaps are better repaired by a keyframe than by retransmission; this also bounds
# the NACK message.
MAX_TRACKED = 128


class GapTracker:
    """Tracks missing RTP sequence numbers of one incoming stream."""

    def __init__(self) -> None:
        self._highest: int | None = None
        self._missing: set[int] = set()

    def add(self, seq: int) -> list[int] | None:
        """Record a received packet; return every missing number when a new gap opens."""
        highest = self._highest
        if highest is None:
            self._highest = seq
            return None
        ahead = (seq - highest) & 0xFFFF
        if ahead == 1:  # the common case: next in order
            self._highest = seq
            return None
        if ahead == 0 or ahead >= 0x8000:  # duplicate or late (perhaps a repair)
            self._missing.discard(seq)
            return None
        self._highest = seq
        if ahead > MAX_TRACKED:  # a jump (the sender restarted): nothing worth asking for
            self._missing.clear()
            return None
        self._missing.update((highest + i) & 0xFFFF for i in range(1, ahead))
        oldest = (seq - MAX_TRACKED) & 0xFFFF
        self._missing = {m for m in self._missing if (m - oldest) & 0xFFFF < MAX_TRACKED}
        return sorted(self._missing, key=lambda m: (m - oldest) & 0xFFFF)
