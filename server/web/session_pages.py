"""Logging in and out, invitation links and password resets."""

from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server import accounts
from server.credentials import token_digest
from server.errors import DomainError
from server.models import TokenPurpose, User
from server.web.auth import SESSION_COOKIE, client_ip, current_user
from server.web.forms import FormErrors, FormModel, read_form
from server.web.templating import render


class LoginForm(FormModel):
    email: str = Field(max_length=254, title="Email")
    password: str = Field(max_length=200, title="Password")
    next: str = Field(default="", max_length=500)


class SetPasswordForm(FormModel):
    password: str = Field(max_length=200, title="Password")
    password_again: str = Field(max_length=200, title="Password (again)")


class ResetRequestForm(FormModel):
    email: str = Field(max_length=254, title="Email")


def _safe_next(target: str) -> str:
    # Only same-site paths: never redirect to another host after logging in.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard"


async def _signed_in(request: Request, user: User, target: str) -> Response:
    policy: accounts.AccountPolicy = request.app.state.account_policy
    async with request.app.state.db.session() as session:
        token = await accounts.start_session(
            session=session,
            user=user,
            policy=policy,
            ip_address=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(policy.session_ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )
    return response


async def login_page(request: Request) -> Response:
    if await current_user(request) is not None:
        return RedirectResponse("/dashboard", status_code=303)
    return render(request, "login.html", {"next": request.query_params.get("next", "")})


async def login(request: Request) -> Response:
    try:
        form = await read_form(request, LoginForm)
    except FormErrors as error:
        return render(
            request, "login.html", {"error": error.message}, status_code=error.status_code
        )
    try:
        async with request.app.state.db.session() as session:
            user = await accounts.authenticate(
                session=session,
                email=form.email,
                password=form.password,
                ip_address=client_ip(request),
                policy=request.app.state.account_policy,
            )
    except DomainError as error:
        context = {"error": error.message, "email": form.email, "next": form.next}
        return render(request, "login.html", context, status_code=error.status_code)
    return await _signed_in(request, user, form.next)


async def logout(request: Request) -> Response:
    await read_form(request, FormModel)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        async with request.app.state.db.session() as session:
            await accounts.end_session(session=session, token=token)
        await request.app.state.on_logout(token_digest(token))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _purpose(request: Request) -> TokenPurpose:
    return (
        TokenPurpose.INVITATION
        if request.url.path.startswith("/invitations/")
        else TokenPurpose.PASSWORD_RESET
    )


async def set_password_page(request: Request) -> Response:
    purpose = _purpose(request)
    async with request.app.state.db.session() as session:
        user = await accounts.check_link(
            session=session, token=request.path_params["token"], purpose=purpose
        )
    return render(request, "set_password.html", {"invitee": user, "purpose": purpose.value})


async def set_password(request: Request) -> Response:
    purpose = _purpose(request)
    token = request.path_params["token"]
    async with request.app.state.db.session() as session:
        invitee = await accounts.check_link(session=session, token=token, purpose=purpose)
    try:
        form = await read_form(request, SetPasswordForm)
        if form.password != form.password_again:
            raise FormErrors({"password_again": "The two passwords don't match."})
        async with request.app.state.db.session() as session:
            user = await accounts.redeem_link(
                session=session, token=token, purpose=purpose, password=form.password
            )
    except FormErrors as error:
        context = {"invitee": invitee, "purpose": purpose.value, "errors": error.errors}
        return render(request, "set_password.html", context, status_code=error.status_code)
    except DomainError as error:
        if error.status_code in (404, 410):
            raise
        context = {
            "invitee": invitee,
            "purpose": purpose.value,
            "errors": {error.field or "password": error.message},
        }
        return render(request, "set_password.html", context, status_code=error.status_code)
    return await _signed_in(request, user, "/dashboard")


async def reset_request_page(request: Request) -> Response:
    return render(request, "reset_request.html")


async def reset_request(request: Request) -> Response:
    try:
        form = await read_form(request, ResetRequestForm)
    except FormErrors as error:
        return render(
            request, "reset_request.html", {"errors": error.errors}, status_code=error.status_code
        )
    async with request.app.state.db.session() as session:
        await accounts.request_password_reset(
            session=session,
            email=form.email,
            base_url=request.app.state.settings.base_url,
            policy=request.app.state.account_policy,
        )
    return render(request, "reset_request.html", {"sent_to": form.email})


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/invitations/{token:str}", set_password_page, methods=["GET"]),
    Route("/invitations/{token:str}", set_password, methods=["POST"]),
    Route("/password-reset", reset_request_page, methods=["GET"]),
    Route("/password-reset", reset_request, methods=["POST"]),
    Route("/password-reset/{token:str}", set_password_page, methods=["GET"]),
    Route("/password-reset/{token:str}", set_password, methods=["POST"]),
]
