"""Files people download (exports): saved, never shown inline, never kept by caches."""

from __future__ import annotations

from starlette.responses import Response


def attachment(content: str, *, filename: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
