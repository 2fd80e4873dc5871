"""Liveness for load balancers and deploy checks."""

from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def healthz(request: Request) -> Response:
    try:
        async with request.app.state.db.session() as session:
            await session.exec(text("SELECT 1"))
    except Exception as error:  # the database is down: say so instead of failing the request
        return JSONResponse({"status": "unavailable", "detail": type(error).__name__}, 503)
    if request.query_params.get("detail") != "1":
        return JSONResponse({"status": "ok"})
    rooms = request.app.state.rooms
    live = {"meetings": len(rooms.live_meetings), "media_peers": rooms.peer_count}
    return JSONResponse({"status": "ok", "live": live})


routes = [Route("/healthz", healthz, methods=["GET"])]
