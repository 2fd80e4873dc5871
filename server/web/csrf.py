"""CSRF protection by double submission: a random cookie must come back in the form."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import Response

from server.credentials import new_token
from server.errors import Forbidden

CSRF_COOKIE = "mm_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token_for(request: Request) -> str:
    """The browser's token; a new one is made (and set by `render`) when it has none."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_token", None)
    if token is None:
        token = new_token()
        request.state.csrf_token = token
    return token


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden(
            "This form has expired or was not sent from mentormeet. Reload the page and try again.",
            field=CSRF_FIELD,
        )
