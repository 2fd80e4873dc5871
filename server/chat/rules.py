"""Plain rules for chat messages: what a valid message is, how fast one may send, who is a minor."""

from __future__ import annotations

import collections
import datetime as dt
import re
import time

from server.errors import InvalidInput, Throttled

MAX_MESSAGE_LENGTH = 2000
# C0 and C1 control characters, but for tab and line feed.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_message_text(text: str) -> str:
    """Trimmed text of 1–2,000 characters, without control characters other than line breaks."""
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise InvalidInput("Write a message before sending.", field="text")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            f"Messages can be at most {MAX_MESSAGE_LENGTH:,} characters "
            f"(this one has {len(text):,}).",
            field="text",
        )
    if _CONTROL.search(text):
        raise InvalidInput("Messages cannot contain control characters.", field="text")
    return text


def is_under_18(date_of_birth: dt.date | None, today: dt.date) -> bool:
    """Unknown age counts as under 18: the safer assumption for a youth programme."""
    if date_of_birth is None:
        return True
    birthday_passed = (today.month, today.day) >= (date_of_birth.month, date_of_birth.day)
    age = today.year - date_of_birth.year - (0 if birthday_passed else 1)
    return age < 18


class RateLimiter:
    """At most `limit` events per `window` seconds per key (sliding window, in memory)."""

    def __init__(self, limit: int = 10, window: float = 10.0) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[int, collections.deque[float]] = {}

    def check(self, key: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        events = self._events.setdefault(key, collections.deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            wait = events[0] + self.window - now
            raise Throttled(
                f"You're sending messages very fast. Wait {max(1, round(wait))} "
                f"second{'s' if round(wait) > 1 else ''} and try again.",
                field="text",
            )
        events.append(now)
