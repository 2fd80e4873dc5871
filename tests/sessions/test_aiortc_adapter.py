"""Pins the aiortc internals packet forwarding relies on (aiortc 1.16.x)."""

import pytest
from aiortc import RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc.rtcdtlstransport import RTCDtlsTransport

from sessions.media import AiortcCompatibilityError, MediaRoom, check_aiortc_compatibility


def test_installed_aiortc_is_compatible() -> None:
    check_aiortc_compatibility()


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        (RTCRtpReceiver, "_handle_rtp_packet"),
        (RTCRtpSender, "_handle_rtcp_packet"),
        (RTCDtlsTransport, "_send_rtp"),
    ],
)
def test_missing_method_fails_loudly(
    monkeypatch: pytest.MonkeyPatch, owner: type, name: str
) -> None:
    monkeypatch.delattr(owner, name)
    with pytest.raises(AiortcCompatibilityError, match=f"{owner.__name__}.{name}"):
        check_aiortc_compatibility()
    with pytest.raises(AiortcCompatibilityError):
        MediaRoom()


def test_changed_signature_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    async def handle(self: RTCRtpReceiver, packet: object) -> None: ...

    monkeypatch.setattr(RTCRtpReceiver, "_handle_rtp_packet", handle)
    with pytest.raises(AiortcCompatibilityError, match="signature changed"):
        check_aiortc_compatibility()


def test_renamed_private_attribute_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    def init(self: RTCRtpTransceiver, *args: object, **kwargs: object) -> None:
        self.codecs = []  # type: ignore[attr-defined]

    monkeypatch.setattr(RTCRtpTransceiver, "__init__", init)
    with pytest.raises(AiortcCompatibilityError, match="no longer sets _codecs"):
        check_aiortc_compatibility()
