"""Errors the media room reports to its caller (signalling turns them into client errors)."""


class MediaError(ValueError):
    """A join or offer was refused; the room itself keeps serving."""


class SdpTooLargeError(MediaError):
    """The offer exceeds the size limit."""


class MalformedSdpError(MediaError):
    """The offer is not a usable WebRTC session description."""


class UnsupportedMediaError(MediaError):
    """The offer asks for media the relay cannot forward (codec, kind or layout)."""


class RoomFullError(MediaError):
    """The room already has its maximum number of publishers."""


class RoomClosedError(MediaError):
    """The room has been closed."""
