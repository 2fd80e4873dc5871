"""A track that never yields a frame: it parks aiortc's sender loop while we send packets."""

import asyncio

from aiortc import MediaStreamTrack
from av.frame import Frame


class IdleTrack(MediaStreamTrack):
    """Without a track aiortc's sender polls every 20 ms; with this one it simply waits."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    async def recv(self) -> Frame:
        # Cancelled when the sender stops.
        await asyncio.Event().wait()
        raise AssertionError("unreachable")
