"""Media flows between real aiortc peers through a MediaRoom, forwarded without transcoding."""

import asyncio

from aiortc.rtcrtpreceiver import RemoteStreamTrack
from media_peers import FPS, ClientFactory, is_vp8_keyframe, nal_units, wait_for

from sessions.media import MediaRoom


def _contiguous_slice(received: list[bytes], sent: list[bytes]) -> bool:
    """``received`` is a run of consecutive ``sent`` frames, byte for byte."""
    if not received or received[0] not in sent:
        return False
    start = sent.index(received[0])
    return sent[start : start + len(received)] == received


async def test_frames_arrive_byte_identical_at_full_rate(
    room: MediaRoom, make_client: ClientFactory
) -> None:
    mentor, mentee = make_client(), make_client()
    await mentor.join(room, "mentor")
    await mentee.join(room, "mentee")
    assert room.peer_count == 2
    await wait_for(lambda: len(mentee.video_frames()) > 0 and len(mentor.video_frames()) > 0)
    await asyncio.sleep(3)
    for sender, receiver in ((mentor, mentee), (mentee, mentor)):
        assert sender.video is not None
        sent = list(sender.video.sent)
        expected = len(sent) - sent.index(receiver.video_frames()[0])
        assert expected >= 2.5 * FPS
        # On a busy machine frames may still be queued: late is fine, lost is not.
        await wait_for(
            lambda: len(receiver.video_frames()) >= 0.95 * expected,  # noqa: B023
            within=6,
            explain=lambda: (len(receiver.video_frames()), expected),  # noqa: B023
        )
        received = receiver.video_frames()
        assert is_vp8_keyframe(received[0])
        assert _contiguous_slice(received, sender.video.sent)
        audio = receiver.recorders[receiver.mids("audio")[0]].frames
        assert len(audio) > 25  # Opus is forwarded too (its rate is the client's business)
    # Forwarded media never reaches aiortc's (unbounded) remote-track queues on the server.
    for peer in room._peers.values():
        for server_receiver in peer.pc.getReceivers():
            track = server_receiver.track
            assert isinstance(track, RemoteStreamTrack) and track._queue.qsize() == 0


async def test_late_joiner_sees_a_picture_within_a_second(
    room: MediaRoom, make_client: ClientFactory
) -> None:
    mentor = make_client()
    await mentor.join(room, "mentor")
    await asyncio.sleep(1.5)  # the mentor's keyframe is long gone
    mentee = make_client(decode=True)
    await mentee.join(room, "mentee")
    first_picture = await asyncio.wait_for(mentee.first_picture, 3)
    # From handing the offer to the room to a decoded picture.
    assert first_picture - mentee.join_started < 1.0, mentee.timeline()
    assert is_vp8_keyframe(mentee.video_frames()[0])


async def test_observer_gets_both_publishers_labelled_by_mid(
    room: MediaRoom, make_client: ClientFactory
) -> None:
    mentor, mentee = make_client(), make_client()
    observer = make_client(publish=False, slots=2)
    await mentor.join(room, "mentor")
    await mentee.join(room, "mentee")
    await observer.join(room, "dsl", receive_only=True)
    video_mids = observer.mids("video")
    labels = room.assignments("dsl")
    assert {labels[mid] for mid in video_mids} == {"mentor", "mentee"}
    assert room.track_owner("dsl", observer.mids("audio")[0]) == labels[video_mids[0]]
    await wait_for(lambda: all(observer.video_frames(mid) for mid in video_mids))
    await asyncio.sleep(0.5)
    for mid in video_mids:
        publisher = mentor if labels[mid] == "mentor" else mentee
        assert publisher.video is not None
        assert _contiguous_slice(observer.video_frames(mid), publisher.video.sent)
    # The observer publishes nothing: the mentee still sees only the mentor.
    assert set(room.assignments("mentee").values()) == {"mentor"}


async def test_reloading_publisher_is_forwarded_on_the_same_stream(
    room: MediaRoom, make_client: ClientFactory
) -> None:
    mentor, mentee = make_client(), make_client()
    await mentor.join(room, "mentor")
    await mentee.join(room, "mentee")
    await wait_for(lambda: len(mentee.video_frames()) > 10)
    await mentor.close()
    packets_before_reload = room.inbound_packets("mentor")
    assert packets_before_reload > 0
    reloaded = make_client()
    await reloaded.join(room, "mentor")  # same participant: replaces the old peer
    assert room.peer_count == 2
    before = len(mentee.video_frames())
    await wait_for(lambda: len(mentee.video_frames()) > before + 30)
    assert reloaded.video is not None
    # The mentee's receiver accepted the new source's packets on the old SSRC: sequence
    # numbers and timestamps continued (SRTP would drop replays).
    new_frames = mentee.video_frames()[before:]
    sent = set(reloaded.video.sent)
    first_new = next(i for i, frame in enumerate(new_frames) if frame in sent)
    assert first_new <= 2  # at most the old peer's last frames were still in flight
    # Attendance sees media keep flowing across the reload.
    assert room.inbound_packets("mentor") > packets_before_reload
    assert _contiguous_slice(new_frames[first_new:], reloaded.video.sent)


async def test_everyone_leaving_closes_every_peer_and_task(make_client: ClientFactory) -> None:
    baseline = asyncio.all_tasks()
    room = MediaRoom(ice_servers=[])
    mentor, mentee = make_client(), make_client()
    observer = make_client(publish=False, slots=2)
    await mentor.join(room, "mentor")
    await mentee.join(room, "mentee")
    await observer.join(room, "dsl", receive_only=True)
    await wait_for(lambda: len(mentee.video_frames()) > 5)
    for client in (mentor, mentee, observer):
        await client.close()
    await room.leave("mentor")
    await room.leave("mentee")
    await room.leave("dsl")
    assert room.peer_count == 0
    await room.close()
    await wait_for(lambda: not (asyncio.all_tasks() - baseline))


async def test_lost_packets_are_repaired_from_the_relays_history(
    room: MediaRoom, make_client: ClientFactory
) -> None:
    mentor = make_client()
    mentee = make_client(drop_every=25)  # 4 % loss between relay and mentee
    await mentor.join(room, "mentor")
    await mentee.join(room, "mentee")
    await wait_for(lambda: len(mentee.video_frames()) > 0)
    await asyncio.sleep(3)
    assert mentor.video is not None
    sent = list(mentor.video.sent)
    expected = len(sent) - sent.index(mentee.video_frames()[0])
    # Frames behind a repair arrive late, not never.
    await wait_for(lambda: len(mentee.video_frames()) >= 0.95 * expected, within=6)
    assert len(mentee.dropped) >= 4
    # Every frame complete and in order: each lost packet was retransmitted (RTX).
    assert _contiguous_slice(mentee.video_frames(), mentor.video.sent)


async def test_upstream_losses_are_nacked_and_rtx_unwrapped(
    room: MediaRoom, make_client: ClientFactory
) -> None:
    mentor = make_client(drop_sent_every=25)  # 4 % loss between mentor and relay
    mentee = make_client()
    await mentor.join(room, "mentor")
    await mentee.join(room, "mentee")
    await wait_for(lambda: len(mentee.video_frames()) > 0)
    await asyncio.sleep(3)
    assert mentor.video is not None
    sent = list(mentor.video.sent)
    expected = len(sent) - sent.index(mentee.video_frames()[0])
    await wait_for(
        lambda: len(mentee.video_frames()) >= 0.95 * expected,
        within=6,
        explain=lambda: (len(mentee.video_frames()), expected, sorted(mentor.dropped)),
    )
    assert len(mentor.dropped) >= 4
    # The relay asked the mentor again (NACK), got RTX and forwarded the original packet.
    assert _contiguous_slice(mentee.video_frames(), mentor.video.sent)


async def test_subscriber_bitrate_estimate_reaches_the_publisher(
    room: MediaRoom, make_client: ClientFactory
) -> None:
    mentor, mentee = make_client(), make_client()
    await mentor.join(room, "mentor")
    await mentee.join(room, "mentee")
    await wait_for(lambda: bool(mentor.remb), within=8)
    assert all(bitrate > 0 for bitrate in mentor.remb)


async def test_label_changes_are_announced(make_client: ClientFactory) -> None:
    announced: list[tuple[str, dict[str, str]]] = []
    room = MediaRoom(on_assignments=lambda pid, labels: announced.append((pid, labels)))
    try:
        mentor, mentee = make_client(), make_client()
        await mentor.join(room, "mentor")
        await mentee.join(room, "mentee")
        video_mid = mentee.mids("video")[0]
        assert ("mentee", room.assignments("mentee")) in announced
        assert room.track_owner("mentee", video_mid) == "mentor"
        announced.clear()
        await room.leave("mentor")
        assert announced == [("mentee", {})]
    finally:
        await room.close()


async def test_h264_is_forwarded_nal_unit_for_nal_unit(
    room: MediaRoom, make_client: ClientFactory
) -> None:
    mentor = make_client(codec="H264")
    observer = make_client(publish=False)  # offers VP8 and H.264: the relay picks H.264
    await mentor.join(room, "mentor")
    await observer.join(room, "dsl", receive_only=True)
    await wait_for(lambda: len(observer.video_frames()) > 0)
    await asyncio.sleep(2)
    assert mentor.video is not None
    sent = [nal_units(frame) for frame in mentor.video.sent]
    received = [nal_units(frame) for frame in observer.video_frames()]
    # The first forwarded frame is the keyframe the relay asked for (SPS, PPS, IDR).
    assert {unit[0] & 0x1F for unit in received[0]} >= {5, 7, 8}
    assert received[0] in sent
    start = sent.index(received[0])
    assert received == sent[start : start + len(received)]
    assert len(received) >= 0.9 * (len(sent) - start - 2), (len(received), len(sent) - start)
