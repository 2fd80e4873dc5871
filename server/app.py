"""The one place where everything is wired: settings, database, routes, background work."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from server.accounts import AccountPolicy
from server.db import Database
from server.settings import Settings
from server.web import admin, dashboard, errors, health, people, session_pages
from server.web.security_headers import SecurityHeadersMiddleware
from server.web.templating import WEBCLIENT
from server.worker import Worker


def account_policy(settings: Settings) -> AccountPolicy:
    return AccountPolicy(
        session_ttl=dt.timedelta(hours=settings.session_ttl_hours),
        invitation_ttl=dt.timedelta(hours=settings.invitation_ttl_hours),
        password_reset_ttl=dt.timedelta(hours=settings.password_reset_ttl_hours),
        max_failures_per_account=settings.login_max_failures_per_account,
        max_failures_per_address=settings.login_max_failures_per_address,
        throttle_window=dt.timedelta(minutes=settings.login_throttle_window_minutes),
    )


def create_app(settings: Settings, *, run_worker: bool = False) -> ASGIApp:
    """Builds the ASGI app. With `run_worker` the e-mail worker runs inside the web process."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        worker = Worker(db, settings, poll_seconds=settings.worker_poll_seconds)
        app.state.db = db
        app.state.wake_outbox = worker.wake if run_worker else (lambda: None)
        if run_worker:
            worker.start()
        try:
            yield
        finally:
            await worker.stop()
            await db.dispose()

    async def no_live_sessions(_key: object) -> None:
        """Replaced by the live-session engine once sockets are wired."""

    node_modules = WEBCLIENT / "node_modules"
    app = Starlette(
        routes=[
            *health.routes,
            *session_pages.routes,
            *dashboard.routes,
            *people.routes,
            *admin.routes,
            Mount("/static", StaticFiles(directory=WEBCLIENT / "static"), name="static"),
            Mount(
                "/vendor",
                StaticFiles(directory=node_modules, check_dir=False),
                name="vendor",
            ),
        ],
        middleware=[Middleware(SecurityHeadersMiddleware)],
        exception_handlers=errors.handlers,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.account_policy = account_policy(settings)
    app.state.on_logout = no_live_sessions
    app.state.on_user_disabled = no_live_sessions
    return app
