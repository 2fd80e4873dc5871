"""Who is asking: the session cookie (or an API token later) resolved to a user, and role gates."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server import accounts
from server.errors import Forbidden, NotAuthenticated
from server.models import Role, User

SESSION_COOKIE = "mm_session"

Endpoint = Callable[[Request], Awaitable[Response]]


async def current_user(request: Request) -> User | None:
    """The logged-in user, looked up once per request."""
    if hasattr(request.state, "user"):
        user: User | None = request.state.user
        return user
    user = None
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) <= 128:
        async with request.app.state.db.session() as session:
            found = await accounts.user_for_session(session=session, token=token)
        user = found[0] if found else None
    request.state.user = user
    return user


def requires(*roles: Role) -> Callable[[Endpoint], Endpoint]:
    """Declares the roles that may use a route; anyone else gets 403, strangers the login page."""
    allowed = frozenset(roles)

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            user = await current_user(request)
            if user is None:
                if request.method == "GET" and not request.url.path.startswith("/api/"):
                    target = quote(request.url.path, safe="/")
                    return RedirectResponse(f"/login?next={target}", status_code=303)
                raise NotAuthenticated("Log in to continue.")
            if Role(user.role) not in allowed:
                raise Forbidden("Your role does not give you access to this page.")
            return await endpoint(request)

        guarded.allowed_roles = allowed  # type: ignore[attr-defined]
        return guarded

    return decorate


def signed_in_user(request: Request) -> User:
    """The user a `requires` guard has already resolved."""
    user: User | None = request.state.user
    assert user is not None, "route is missing its @requires guard"
    return user


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
