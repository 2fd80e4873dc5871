"""Jinja2 pages: one environment, time shown in the reader's zone, CSRF token on every form."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from server.chat.conversations import offers_support
from server.screening import describe_reason
from server.web.csrf import CSRF_COOKIE, csrf_token_for, set_csrf_cookie
from server.web.flash import FLASH_COOKIE, notice_of

WEBCLIENT = Path(__file__).resolve().parents[2] / "webclient"

templates = Jinja2Templates(directory=WEBCLIENT / "templates")


def _local(
    moment: dt.datetime | None, timezone: str = "Europe/London", fmt: str = "%a %d %b %Y, %H:%M"
) -> str:
    if moment is None:
        return ""
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).strftime(fmt)


templates.env.filters["local"] = _local
templates.env.filters["reason"] = describe_reason
templates.env.globals["offers_support"] = offers_support


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    token = csrf_token_for(request)
    context = {
        "request": request,
        "csrf_token": token,
        "user": getattr(request.state, "user", None),
        "notice": notice_of(request),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    if request.cookies.get(CSRF_COOKIE) != token:
        set_csrf_cookie(request, response, token)
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE)  # shown once
    return response
