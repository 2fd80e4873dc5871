"""Cheap structural checks on an SDP offer before aiortc parses it.

Hostile or accidental input must cost little and end in a clear ``MediaError``; aiortc's
parser is only trusted with offers that passed these checks.
"""

import re
from dataclasses import dataclass

from .codecs import SUPPORTED_MIME_TYPES
from .errors import MalformedSdpError, SdpTooLargeError, UnsupportedMediaError

MAX_SDP_BYTES = 20_000
# Audio + video for each of two publishers, plus slack for one reconnecting peer.
MAX_MEDIA_SECTIONS = 6

_LINE = re.compile(r"[a-z]=[^\x00\r\n]*")
_MEDIA = re.compile(r"m=(\w+) \d+ \S+(?: \S+)*")
_RTPMAP = re.compile(r"a=rtpmap:\d+ ([^/\s]+)/\d+")
_FINGERPRINT = re.compile(
    r"a=fingerprint:sha-(?:1|224|256|384|512) [0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+"
)
_DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")


@dataclass(frozen=True)
class MediaSection:
    kind: str
    direction: str

    @property
    def sends(self) -> bool:
        """The client sends media on this section."""
        return self.direction in ("sendrecv", "sendonly")

    @property
    def receives(self) -> bool:
        """The client receives media on this section."""
        return self.direction in ("sendrecv", "recvonly")


def check_offer(sdp: object) -> list[MediaSection]:
    """Validate an offer's size and layout; return its media sections in order."""
    if not isinstance(sdp, str):
        raise MalformedSdpError("the offer must be SDP text")
    if len(sdp.encode("utf-8", "surrogatepass")) > MAX_SDP_BYTES:
        raise SdpTooLargeError(f"the offer is larger than {MAX_SDP_BYTES} bytes")
    lines = [line for line in re.split(r"\r?\n", sdp) if line]
    if not lines or lines[0] != "v=0":
        raise MalformedSdpError("the offer does not start with v=0")
    bad = next((line for line in lines if not _LINE.fullmatch(line)), None)
    if bad is not None:
        raise MalformedSdpError(f"malformed SDP line: {bad[:40]!r}")
    fingerprints = [line for line in lines if line.startswith("a=fingerprint:")]
    if not fingerprints or not all(_FINGERPRINT.fullmatch(line) for line in fingerprints):
        raise MalformedSdpError("the offer needs a well-formed DTLS fingerprint")
    sections = _split_sections(lines)
    if not sections:
        raise MalformedSdpError("the offer has no media sections")
    if len(sections) > MAX_MEDIA_SECTIONS:
        raise UnsupportedMediaError(f"the offer has more than {MAX_MEDIA_SECTIONS} media sections")
    result = [_check_section(section) for section in sections]
    bundle = next((line.split()[1:] for line in lines if line.startswith("a=group:BUNDLE")), [])
    if len(bundle) != len(sections):
        raise UnsupportedMediaError("every media section must be in one BUNDLE group")
    for kind in SUPPORTED_MIME_TYPES:
        if sum(1 for s in result if s.kind == kind and s.sends) > 1:
            raise UnsupportedMediaError(f"a participant may send only one {kind} track")
    return result


def _split_sections(lines: list[str]) -> list[list[str]]:
    sections: list[list[str]] = []
    for line in lines:
        if line.startswith("m="):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
    return sections


def _check_section(lines: list[str]) -> MediaSection:
    media = _MEDIA.fullmatch(lines[0])
    if media is None:
        raise MalformedSdpError(f"malformed media line: {lines[0][:40]!r}")
    kind = media.group(1)
    if kind not in SUPPORTED_MIME_TYPES:
        raise UnsupportedMediaError(f"unsupported media section {kind!r} (audio and video only)")
    names = {
        f"{kind}/{m.group(1)}".lower() for line in lines if (m := _RTPMAP.match(line)) is not None
    }
    if not names.intersection(SUPPORTED_MIME_TYPES[kind]):
        wanted = ", ".join(SUPPORTED_MIME_TYPES[kind])
        raise UnsupportedMediaError(f"no supported {kind} codec offered (supported: {wanted})")
    directions = [line[2:] for line in lines if line[2:] in _DIRECTIONS]
    if len(directions) > 1:
        raise MalformedSdpError(f"a {kind} section has several directions")
    return MediaSection(kind=kind, direction=directions[0] if directions else "sendrecv")
