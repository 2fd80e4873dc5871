"""The one place where everything is wired: settings, database, routes, live engine, workers."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import socketio
from aiortc import RTCIceServer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from server import api
from server.accounts import AccountPolicy
from server.chat.backend import ChatBackendService
from server.chat.conversations import alert_rooms
from server.chat.rules import RateLimiter
from server.chat.screening_rules import ScreeningRules
from server.chat.writer import MessageWriter
from server.db import Database
from server.rooms.backend import RoomBackendService
from server.settings import Settings
from server.web import (
    admin,
    concern_cases,
    dashboard,
    errors,
    health,
    messages,
    people,
    programme,
    reports,
    retention_pages,
    rooms,
    safeguarding,
    session_pages,
    surveys,
)
from server.web.security_headers import SecurityHeadersMiddleware
from server.web.templating import WEBCLIENT
from server.worker import Worker
from sessions import wire_json
from sessions.chat import ChatEngine
from sessions.connections import Connections
from sessions.rooms import RoomEngine
from sessions.wire_packet import WirePacket

# Socket payloads stay small: chat text and SDP only. Bigger frames are refused by engine.io.
MAX_SOCKET_PAYLOAD = 100_000


def account_policy(settings: Settings) -> AccountPolicy:
    return AccountPolicy(
        session_ttl=dt.timedelta(hours=settings.session_ttl_hours),
        invitation_ttl=dt.timedelta(hours=settings.invitation_ttl_hours),
        password_reset_ttl=dt.timedelta(hours=settings.password_reset_ttl_hours),
        max_failures_per_account=settings.login_max_failures_per_account,
        max_failures_per_address=settings.login_max_failures_per_address,
        throttle_window=dt.timedelta(minutes=settings.login_throttle_window_minutes),
    )


def _socket_server(settings: Settings) -> socketio.AsyncServer:
    origin = urlsplit(settings.base_url)
    manager = socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
    return socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        cors_allowed_origins=[f"{origin.scheme}://{origin.netloc}"],
        max_http_buffer_size=MAX_SOCKET_PAYLOAD,
        serializer=WirePacket,
        json=wire_json,
        logger=False,
        engineio_logger=False,
    )


def create_app(settings: Settings, *, run_worker: bool = False) -> ASGIApp:
    """Builds the ASGI app. With `run_worker` the e-mail worker runs inside the web process."""
    db = Database(settings.database_url)
    writer = MessageWriter(db.engine)
    screening = ScreeningRules()
    limiter = RateLimiter(limit=settings.chat_rate_limit, window=settings.chat_rate_window_seconds)
    sio = _socket_server(settings)
    chat_backend = ChatBackendService(db, writer, screening, limiter)
    connections = Connections(sio, chat_backend.authenticate)
    chat = ChatEngine(sio, connections, chat_backend)
    room_engine = RoomEngine(
        sio,
        connections,
        RoomBackendService(db),
        ice_servers=[RTCIceServer(**server) for server in settings.ice_server_list],
        sample_seconds=settings.attendance_sample_seconds,
    )
    worker = Worker(db, settings, poll_seconds=settings.worker_poll_seconds)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.screening_model:
            await screening.load_model()
        async with db.session() as session:
            await screening.reload(session=session)
        writer.start()
        if run_worker:
            worker.start()
        refresher = asyncio.create_task(
            screening.keep_fresh(db, every=settings.screening_refresh_seconds),
            name="mentormeet-screening-refresh",
        )
        try:
            yield
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
            await chat.close()
            await room_engine.close_all()
            await worker.stop()
            await writer.stop()
            await db.dispose()

    async def on_logout(session_key: str) -> None:
        await connections.disconnect_session(session_key)

    async def on_user_disabled(user_id: int) -> None:
        await connections.disconnect_user(user_id)

    async def alert_safeguarding(organisation_id: int | None, alert: dict[str, object]) -> None:
        for room in alert_rooms(organisation_id):
            await sio.emit("safeguarding_alert", alert, room=room)

    app = Starlette(
        routes=[
            *health.routes,
            *session_pages.routes,
            *dashboard.routes,
            *people.routes,
            *admin.routes,
            *messages.routes,
            *rooms.routes,
            *concern_cases.routes,
            *api.routes,
            *programme.routes,
            *safeguarding.routes,
            *retention_pages.routes,
            *surveys.routes,
            *reports.routes,
            Mount("/static", StaticFiles(directory=WEBCLIENT / "static"), name="static"),
            Mount(
                "/vendor",
                StaticFiles(directory=WEBCLIENT / "node_modules", check_dir=False),
                name="vendor",
            ),
        ],
        middleware=[Middleware(SecurityHeadersMiddleware)],
        exception_handlers=errors.handlers,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.account_policy = account_policy(settings)
    app.state.db = db
    app.state.chat = chat
    app.state.chat_backend = chat_backend
    app.state.rooms = room_engine
    app.state.writer = writer
    app.state.screening = screening
    app.state.limiter = limiter
    app.state.wake_outbox = worker.wake if run_worker else (lambda: None)
    app.state.on_logout = on_logout
    app.state.on_user_disabled = on_user_disabled
    app.state.alert_safeguarding = alert_safeguarding
    asgi: ASGIApp = socketio.ASGIApp(sio, other_asgi_app=app, socketio_path="socket.io")
    return asgi
