"""Path parameters: ids are 32-bit integers in every database we run on."""

from __future__ import annotations

from starlette.requests import Request

from server.errors import NotFound

MAX_ID = 2**31 - 1


def path_id(request: Request, name: str, thing: str = "page") -> int:
    """The positive id in the path, or 404 (a bigger number cannot name anything)."""
    value = request.path_params[name]
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise NotFound(f"No such {thing}.")
    return value
