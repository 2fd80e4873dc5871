"""Data rights through the real app: an admin's subject access export and erasure."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import factories
from factories import PASSWORD
from livesite import LiveServer, csrf_from, log_in, submit
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.data_rights import REMOVED_MESSAGE
from server.db import utcnow
from server.models import (
    AuditEntry,
    AuthSession,
    Concern,
    Conversation,
    Message,
    Pairing,
    PairingStatus,
    Profile,
    Role,
    SurveyAnswer,
    SurveyInvitation,
    SurveyKind,
    User,
)

CONCERN_ABOUT = "The mentor worries about what the mentee said at home"
CONCERN_OWN = "I felt uncomfortable in the last session"


@dataclass
class World:
    admin: User
    mentee: User
    held_pairing: int  # a concern names it
    free_pairing: int  # ended, no concern


async def _conversation(
    session: AsyncSession, pairing: Pairing, lines: list[tuple[User, str, str]]
) -> None:
    conversation = Conversation(pairing_id=pairing.id or 0, last_seq=len(lines))
    session.add(conversation)
    await session.flush()
    for seq, (sender, body, status) in enumerate(lines, start=1):
        session.add(
            Message(
                conversation_id=conversation.id or 0,
                seq=seq,
                sender_id=sender.id or 0,
                client_id=f"p{pairing.id}-{seq}",
                body=body,
                status=status,
                verdict="DELIVER" if status == "delivered" else "HOLD",
            )
        )


async def _world(session: AsyncSession) -> World:
    organisation = await factories.organisation(session)
    admin = await factories.user(session, Role.ADMIN, None)
    held = await factories.pair(session, organisation, under_18=True)
    mentee, mentor = held.mentee, held.mentor
    session.add(Profile(user_id=mentee.id or 0, interests="football\nmusic"))
    await _conversation(
        session,
        held.pairing,
        [
            (mentor, "Held pair: hello from the mentor", "delivered"),
            (mentee, "Held pair: hello from the mentee", "delivered"),
        ],
    )
    other_mentor = await factories.user(session, Role.MENTOR, organisation)
    factories.vet(session, other_mentor)
    free = Pairing(
        mentor_id=other_mentor.id or 0,
        mentee_id=mentee.id or 0,
        organisation_id=organisation.id or 0,
        status=PairingStatus.COMPLETED,
        ended_at=utcnow() - dt.timedelta(days=30),
    )
    session.add(free)
    await session.flush()
    await _conversation(
        session,
        free,
        [
            (other_mentor, "Free pair: delivered from the mentor", "delivered"),
            (mentee, "Free pair: my own message", "delivered"),
            (other_mentor, "Free pair: held from the mentor", "held"),
            (mentee, "Free pair: my own held message", "held"),
        ],
    )
    session.add(
        Concern(
            organisation_id=organisation.id,
            raised_by_id=mentor.id or 0,
            pairing_id=held.pairing.id,
            description=CONCERN_ABOUT,
        )
    )
    session.add(
        Concern(
            organisation_id=organisation.id, raised_by_id=mentee.id or 0, description=CONCERN_OWN
        )
    )
    survey = SurveyInvitation(
        key=f"start:{free.id}",
        kind=SurveyKind.MENTEE_START,
        pairing_id=free.id or 0,
        user_id=mentee.id or 0,
        organisation_id=organisation.id or 0,
        due_at=utcnow() - dt.timedelta(days=60),
        closes_at=utcnow() - dt.timedelta(days=40),
        answered_at=utcnow() - dt.timedelta(days=59),
    )
    session.add(survey)
    await session.flush()
    session.add(SurveyAnswer(invitation_id=survey.id or 0, item="future", value=4))
    session.add(SurveyAnswer(invitation_id=survey.id or 0, item="confidence", value=None))
    await session.commit()
    return World(admin, mentee, held.pairing.id or 0, free.id or 0)


async def test_subject_access_export(live_server: LiveServer) -> None:
    world = await live_server.in_session(_world)
    person = f"/people/{world.mentee.id}"
    async with live_server.client() as client:
        await log_in(client, world.admin.email, PASSWORD)
        page = await client.get(person)
        assert "Subject access export" in page.text and "Erase personal data" in page.text
        refused = await submit(client, person, f"{person}/export", {"reason": "   "})
        assert refused.status_code == 422
        assert "Reason: string should have at least 1 character" in refused.text
        response = await submit(
            client, person, f"{person}/export", {"reason": "Subject access request by e-mail"}
        )
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    today = utcnow().date().isoformat()
    assert response.headers["content-disposition"] == (
        f'attachment; filename="mentormeet-person-{world.mentee.id}-{today}.json"'
    )
    archive = response.json()
    text = response.text
    assert archive["person_id"] == world.mentee.id
    assert archive["account"]["email"] == world.mentee.email
    assert archive["account"]["message_alerts"] is True  # a preference they set is theirs too
    assert "password" not in text and "$argon2" not in text
    assert archive["profile"]["interests"] == ["football", "music"]
    assert archive["guardian_consents"][0]["guardian_name"] == "A Guardian"
    assert {p["id"] for p in archive["pairings"]} == {world.held_pairing, world.free_pairing}
    assert len(archive["meetings"]) == 1
    bodies = {m["text"] for m in archive["messages"]}
    assert bodies == {
        "Held pair: hello from the mentor",
        "Held pair: hello from the mentee",
        "Free pair: delivered from the mentor",
        "Free pair: my own message",
        "Free pair: my own held message",
    }  # the other member's undelivered message is not theirs to see
    own = [m for m in archive["messages"] if m["text"] == "Free pair: my own message"]
    assert own[0]["from"] == "this person"
    assert [c["description"] for c in archive["concerns_raised"]] == [CONCERN_OWN]
    answered = [s for s in archive["surveys"] if s["answered_at"]]
    assert [(s["kind"], s["answers"]) for s in answered] == [
        ("mentee_start", {"future": 4, "confidence": None})
    ]
    assert CONCERN_ABOUT not in text
    notes = " ".join(archive["notes"])
    assert "other member's delivered messages" in notes
    assert "withheld under the safeguarding exemption" in notes

    async def entries(session: AsyncSession) -> list[AuditEntry]:
        query = select(AuditEntry).where(AuditEntry.action == "subject_access.export")
        return list((await session.exec(query)).all())

    [entry] = await live_server.in_session(entries)
    assert entry.actor_id == world.admin.id and entry.subject_id == world.mentee.id
    assert entry.reason == "Subject access request by e-mail"
    assert json.loads(entry.detail or "{}")["sections"]["messages"] == 5


async def test_erasure_removes_what_may_go_and_keeps_what_is_held(
    live_server: LiveServer,
) -> None:
    world = await live_server.in_session(_world)
    person = f"/people/{world.mentee.id}"
    email = world.mentee.email
    async with live_server.client() as mentee_client, live_server.client() as client:
        await log_in(mentee_client, email, PASSWORD)
        await log_in(client, world.admin.email, PASSWORD)
        for data, message in (
            ({"reason": "Asked by e-mail", "confirmation": "someone@else.org"}, "Type the person"),
            ({"reason": "", "confirmation": email}, "Reason: string should have"),
            ({"reason": "Asked by e-mail"}, "Their e-mail address is required"),
        ):
            refused = await submit(client, person, f"{person}/erase", data)
            assert refused.status_code == 422, refused.text[:300]
            assert message in refused.text
        own = f"/people/{world.admin.id}"
        refused = await submit(
            client, own, f"{own}/erase", {"reason": "Test", "confirmation": world.admin.email}
        )
        assert refused.status_code == 409 and "your own account" in refused.text
        assert (await mentee_client.get("/dashboard")).status_code == 200  # nothing changed yet

        result = await submit(
            client,
            person,
            f"{person}/erase",
            {"reason": "Erasure request of 20 Nov", "confirmation": email.upper()},
        )
        assert result.status_code == 200, result.text[:300]
        assert "Kept, and why" in result.text
        assert "Keeping Children Safe in Education" in result.text
        assert "Pairings under safeguarding hold (1)" in result.text
        assert "Audit log" in result.text and "append-only" in result.text
        assert "2 replaced with" in result.text  # their delivered and held ones, unheld pair

        assert (await mentee_client.get("/dashboard")).status_code == 303  # signed out
    async with live_server.client() as again:
        opened = await again.get("/login")
        refused_login = await again.post(
            "/login",
            data={"csrf_token": csrf_from(opened.text), "email": email, "password": PASSWORD},
        )
        assert refused_login.status_code == 401

    async def state(session: AsyncSession) -> dict[str, object]:
        mentee = await session.get(User, world.mentee.id)
        assert mentee is not None
        messages = (
            await session.exec(
                select(Message, Conversation.pairing_id)
                .join(Conversation, col(Conversation.id) == Message.conversation_id)
                .order_by(col(Conversation.pairing_id), col(Message.seq))
            )
        ).all()
        erased = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "person.erase"))
        ).one()
        return {
            "mentee": mentee,
            "messages": [(pairing, m.seq, m.sender_id, m.body) for m, pairing in messages],
            "sessions": len(
                (
                    await session.exec(
                        select(AuthSession).where(AuthSession.user_id == world.mentee.id)
                    )
                ).all()
            ),
            "profile": (
                await session.exec(select(Profile).where(Profile.user_id == world.mentee.id))
            ).first(),
            "concerns": sorted((await session.exec(select(Concern.description))).all()),
            "audit": erased,
        }

    after = await live_server.in_session(state)
    mentee = after["mentee"]
    assert isinstance(mentee, User)
    assert mentee.email == f"erased-{mentee.id}@erased.invalid"
    assert mentee.display_name == f"Erased person {mentee.id}"
    assert mentee.password_hash is None and not mentee.is_active
    assert mentee.date_of_birth is not None  # kept: the anchor of the concern records' period
    assert after["sessions"] == 0 and after["profile"] is None
    assert after["concerns"] == sorted([CONCERN_ABOUT, CONCERN_OWN])
    mentee_id = world.mentee.id
    bodies = {(pairing, seq): body for pairing, seq, _, body in after["messages"]}  # type: ignore[attr-defined]
    assert bodies[(world.held_pairing, 2)] == "Held pair: hello from the mentee"  # held: kept
    assert bodies[(world.free_pairing, 1)] == "Free pair: delivered from the mentor"
    assert bodies[(world.free_pairing, 2)] == REMOVED_MESSAGE
    assert bodies[(world.free_pairing, 4)] == REMOVED_MESSAGE
    seqs = [seq for pairing, seq, _, _ in after["messages"] if pairing == world.free_pairing]  # type: ignore[attr-defined]
    assert seqs == [1, 2, 3, 4]  # rows kept: the numbering stays gap-free
    entry = after["audit"]
    assert isinstance(entry, AuditEntry)
    assert entry.actor_id == world.admin.id and entry.subject_id == mentee_id
    assert entry.reason == "Erasure request of 20 Nov"
    detail = json.loads(entry.detail or "{}")
    assert detail["removed"]["messages they sent"] == 2
    assert detail["removed"]["login sessions"] >= 1
    assert detail["held_pairings"] == [world.held_pairing]
    assert "Safeguarding concerns" in detail["kept"] and "Audit log" in detail["kept"]
