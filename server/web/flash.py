"""One-off notices carried across a redirect (post/redirect/get) in a short-lived cookie."""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import RedirectResponse

FLASH_COOKIE = "mm_flash"
MAX_NOTICE = 300


def redirect_with_notice(url: str, notice: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    # Percent-encoded: cookie values are Latin-1 only, and notices quote people's words.
    value = quote(notice[:MAX_NOTICE], safe=" .,:;!?'()-")
    response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax")
    return response


def notice_of(request: Request) -> str | None:
    value = request.cookies.get(FLASH_COOKIE)
    return unquote(value) if value is not None else None
