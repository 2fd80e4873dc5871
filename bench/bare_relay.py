"""The baseline for bench.chat: a bare python-socketio relay (ack the sender, emit to the room)."""

from __future__ import annotations

import argparse
from typing import Any

import socketio
import uvicorn


def build() -> socketio.ASGIApp:
    sio = socketio.AsyncServer(async_mode="asgi", logger=False, engineio_logger=False)

    async def join(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        await sio.enter_room(sid, data["room"])
        return {"ok": True}

    async def send(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        await sio.emit("message", data, room=data["room"], skip_sid=sid)
        return {"ok": True, "id": data["id"]}

    sio.on("join", join)
    sio.on("send", send)
    return socketio.ASGIApp(sio)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
