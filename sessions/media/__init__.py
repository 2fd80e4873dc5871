"""Media relay: aiortc peers per participant, media forwarded at RTP packet level."""

from .aiortc_adapter import AiortcCompatibilityError, check_aiortc_compatibility
from .errors import (
    MalformedSdpError,
    MediaError,
    RoomClosedError,
    RoomFullError,
    SdpTooLargeError,
    UnsupportedMediaError,
)
from .room import MediaRoom

__all__ = [
    "AiortcCompatibilityError",
    "MalformedSdpError",
    "MediaError",
    "MediaRoom",
    "RoomClosedError",
    "RoomFullError",
    "SdpTooLargeError",
    "UnsupportedMediaError",
    "check_aiortc_compatibility",
]
