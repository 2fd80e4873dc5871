"""Validation of what clients send over the socket: shapes, types and sizes, with clear errors."""

from __future__ import annotations

from typing import Any

from sessions.contracts import Refused


def fields(
    data: Any, *, required: set[str], optional: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Refused("Send an object with the event's fields.")
    unknown = set(data) - required - optional
    if unknown:
        raise Refused(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    missing = required - set(data)
    if missing:
        raise Refused(f"Missing field {sorted(missing)[0]!r}.", field=sorted(missing)[0])
    return data


def integer(data: dict[str, Any], key: str, *, default: int | None = None, minimum: int = 0) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value < 2**53:
        raise Refused(f"{key!r} must be a whole number of at least {minimum}.", field=key)
    return value


def text(data: dict[str, Any], key: str, *, max_length: int) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise Refused(f"{key!r} must be text.", field=key)
    if len(value) > max_length:
        raise Refused(f"{key!r} must be at most {max_length} characters.", field=key)
    return value
