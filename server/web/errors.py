"""Errors become clear pages (or JSON under /api/): never a stack trace, never a bare 500."""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.errors import DomainError
from server.web.auth import current_user
from server.web.templating import render

log = logging.getLogger("mentormeet.web")

TITLES = {
    400: "Something in that request was not right",
    401: "Please log in",
    403: "You don't have access to this",
    404: "We couldn't find that",
    405: "That can't be done here",
    409: "That clashes with something that already exists",
    410: "This link no longer works",
    413: "That was too large",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}


async def _respond(
    request: Request, status: int, message: str, field: str | None = None
) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"message": message, "field": field}}, status_code=status)
    if status < 500:
        await _know_viewer(request)
    context = {"status": status, "title": TITLES.get(status, "Error"), "message": message}
    return render(request, "error.html", context, status_code=status)


async def _know_viewer(request: Request) -> None:
    """A logged-in user's error page has their header and a way back to their dashboard.

    Addresses that match no route never looked them up. After a server error it is not tried:
    the database may be what failed.
    """
    try:
        await current_user(request)
    except Exception:
        log.warning(
            "could not look up the user of an error page on %s", request.url.path, exc_info=True
        )


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return await _respond(request, exc.status_code, exc.message, exc.field)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    default = {
        404: "There is no page at this address.",
        405: "This address does not accept that method.",
    }
    message = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else ""
    return await _respond(
        request, exc.status_code, message or default.get(exc.status_code, "Request refused.")
    )


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return await _respond(request, 500, "The error has been logged. Please try again in a moment.")


handlers = {DomainError: domain_error, HTTPException: http_error, Exception: server_error}
