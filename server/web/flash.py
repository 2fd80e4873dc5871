"""One-off notices carried across a redirect (post/redirect/get) in a short-lived cookie."""

from __future__ import annotations

from starlette.responses import RedirectResponse

FLASH_COOKIE = "mm_flash"


def redirect_with_notice(url: str, notice: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(FLASH_COOKIE, notice[:300], max_age=60, httponly=True, samesite="lax")
    return response
