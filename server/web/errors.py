"""Errors become clear pages (or JSON under /api/): never a stack trace, never a bare 500."""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.errors import DomainError
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


def _respond(request: Request, status: int, message: str, field: str | None = None) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"message": message, "field": field}}, status_code=status)
    context = {"status": status, "title": TITLES.get(status, "Error"), "message": message}
    return render(request, "error.html", context, status_code=status)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return _respond(request, exc.status_code, exc.message, exc.field)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    default = {
        404: "There is no page at this address.",
        405: "This address does not accept that method.",
    }
    message = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else ""
    return _respond(
        request, exc.status_code, message or default.get(exc.status_code, "Request refused.")
    )


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _respond(request, 500, "The error has been logged. Please try again in a moment.")


handlers = {DomainError: domain_error, HTTPException: http_error, Exception: server_error}
