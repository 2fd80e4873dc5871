"""Live chat: rooms per conversation, persist-then-acknowledge sending, resync, typing."""

from sessions.chat.engine import ChatEngine

__all__ = ["ChatEngine"]
