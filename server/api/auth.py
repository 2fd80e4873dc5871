"""Who is asking the API: a personal API token (`Authorization: Bearer …`) or the session cookie.

Bearer requests carry their own proof, so they need no CSRF token; requests that rely on the
session cookie and change something must echo the `mm_csrf` cookie in the `X-CSRF-Token` header,
as a page's form would. Routes declare the roles that may call them, like the pages' `requires`.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.errors import Forbidden, NotAuthenticated
from server.models import Role, User
from server.personal_tokens import Purpose, user_for_token
from server.web.auth import Endpoint, current_user
from server.web.csrf import CSRF_COOKIE, CSRF_HEADER, check_csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Via(enum.StrEnum):
    BEARER = "bearer"
    COOKIE = "cookie"


def _unauthenticated(message: str) -> Response:
    """401 with the challenge RFC 6750 asks for, in the API's error shape."""
    return JSONResponse(
        {"error": {"message": message, "field": None}},
        status_code=NotAuthenticated.status_code,
        headers={"WWW-Authenticate": 'Bearer realm="mentormeet"'},
    )


async def api_caller(request: Request) -> tuple[User, Via] | Response:
    """The user behind the request and how they proved it, or the 401 to send back."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _unauthenticated("Send a personal API token as 'Authorization: Bearer TOKEN'.")
        async with request.app.state.db.session() as session:
            user = await user_for_token(session=session, secret=secret.strip(), purpose=Purpose.API)
        if user is None:
            return _unauthenticated("This API token is not valid, or it has been revoked.")
        request.state.user = user  # so signed_in_user() works as it does for pages
        return user, Via.BEARER
    user = await current_user(request)
    if user is None:
        return _unauthenticated("Log in, or send a personal API token as a Bearer token.")
    return user, Via.COOKIE


def api_requires(*roles: Role) -> Callable[[Endpoint], Endpoint]:
    """Declares the roles that may call an API route; others get 403, strangers 401."""
    allowed = frozenset(roles)

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            caller = await api_caller(request)
            if isinstance(caller, Response):
                return caller
            user, via = caller
            request.state.api_via = via
            if via is Via.COOKIE and request.method not in SAFE_METHODS:
                try:
                    check_csrf(request, request.headers.get(CSRF_HEADER))
                except Forbidden:
                    raise Forbidden(
                        f"Send the X-CSRF-Token header with the value of the {CSRF_COOKIE} "
                        "cookie, or use a personal API token.",
                        field=CSRF_HEADER,
                    ) from None
            if Role(user.role) not in allowed:
                raise Forbidden("Your role does not allow this.")
            return await endpoint(request)

        guarded.allowed_roles = allowed  # type: ignore[attr-defined]
        return guarded

    return decorate


def called_with_bearer(request: Request) -> bool:
    return getattr(request.state, "api_via", None) is Via.BEARER
