"""The platform's side of the live chat engine: sessions/ calls this, this calls the domain."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from server import accounts
from server.chat import conversations
from server.chat.batch import Stored
from server.chat.rules import RateLimiter
from server.chat.screening_rules import ScreeningRules
from server.chat.writer import MessageWriter
from server.credentials import token_digest
from server.db import Database
from server.errors import DomainError
from server.models import User
from server.screening import Verdict
from sessions.contracts import ChatMessage, ConversationAccess, Participant, Refused, SendOutcome

SESSION_COOKIE = "mm_session"


def session_token(cookie_header: str | None) -> str | None:
    if not cookie_header:
        return None
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(cookie_header)
    except CookieError:
        return None
    morsel = cookies.get(SESSION_COOKIE)
    return morsel.value if morsel and len(morsel.value) <= 128 else None


def _refused(error: DomainError) -> Refused:
    return Refused(error.message, field=error.field)


def _wire(stored: Stored, sender_name: str) -> ChatMessage:
    return ChatMessage(
        message_id=stored.message_id,
        conversation_id=stored.conversation_id,
        seq=stored.seq,
        client_id=stored.client_id,
        sender_id=stored.sender_id,
        sender_name=sender_name,
        text=stored.body,
        status=stored.status,
        sent_at=stored.created_at,
        support=conversations.offers_support(stored.status, stored.reasons),
    )


class ChatBackendService:
    def __init__(
        self, db: Database, writer: MessageWriter, rules: ScreeningRules, limiter: RateLimiter
    ) -> None:
        self._db = db
        self._writer = writer
        self._rules = rules
        self._limiter = limiter

    async def authenticate(self, cookie_header: str | None) -> Participant | None:
        token = session_token(cookie_header)
        if token is None:
            return None
        async with self._db.session() as session:
            found = await accounts.user_for_session(session=session, token=token)
        if found is None:
            return None
        user: User = found[0]
        return Participant(
            user_id=user.id or 0,
            display_name=user.display_name,
            role=user.role,
            session_key=token_digest(token),
            rooms=conversations.rooms_for(user),
        )

    async def open_conversation(self, who: Participant, conversation_id: int) -> ConversationAccess:
        try:
            async with self._db.session() as session:
                user = await session.get(User, who.user_id)
                if user is None or not user.is_active:
                    raise Refused("Your account is not active.")
                return await conversations.conversation_access(
                    session=session, user=user, conversation_id=conversation_id
                )
        except DomainError as error:
            raise _refused(error) from None

    async def send(
        self, who: Participant, access: ConversationAccess, client_id: str, text: str
    ) -> SendOutcome:
        try:
            return await self.submit(who, access, client_id, text)
        except DomainError as error:
            raise _refused(error) from None

    async def submit(
        self, who: Participant, access: ConversationAccess, client_id: str, text: str
    ) -> SendOutcome:
        """Sends a message; domain errors propagate (the page and the socket word them)."""
        sent = await conversations.send_message(
            writer=self._writer,
            screener=self._rules.screener,
            limiter=self._limiter,
            access=access,
            sender_id=who.user_id,
            client_id=client_id,
            text=text,
        )
        message = _wire(sent.stored, who.display_name)
        alert = None
        if sent.verdict is not Verdict.DELIVER and not sent.stored.duplicate:
            alert = {
                "message_id": message.message_id,
                "conversation_id": access.conversation_id,
                "pairing_id": access.pairing_id,
                "organisation_id": access.organisation_id,
                "verdict": sent.verdict.value,
                "reasons": list(sent.reasons),
                "sender_name": who.display_name,
                "sent_at": message.sent_at.isoformat(),
            }
        return SendOutcome(
            message=message,
            deliver=sent.verdict is not Verdict.HOLD,
            alert=alert,
            alert_rooms=conversations.alert_rooms(access.organisation_id) if alert else (),
        )

    async def history(
        self, who: Participant, access: ConversationAccess, after_seq: int, limit: int
    ) -> list[ChatMessage]:
        async with self._db.session() as session:
            rows = await conversations.messages_after(
                session=session,
                conversation_id=access.conversation_id,
                viewer_id=who.user_id,
                after_seq=after_seq,
                limit=limit,
            )
        return [
            ChatMessage(
                message_id=m.id or 0,
                conversation_id=m.conversation_id,
                seq=m.seq,
                client_id=m.client_id,
                sender_id=m.sender_id,
                sender_name=name,
                text=m.body,
                status=m.status,
                sent_at=m.created_at,
                review=m.review,
                support=conversations.offers_support(m.status, m.reasons.splitlines()),
            )
            for m, name in rows
        ]

    async def mark_read(self, who: Participant, access: ConversationAccess, seq: int) -> None:
        async with self._db.session() as session:
            await conversations.mark_read(
                session=session,
                conversation_id=access.conversation_id,
                user_id=who.user_id,
                seq=seq,
            )
