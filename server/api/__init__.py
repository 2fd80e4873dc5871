"""The JSON API (`/api/v1`): thin routes over the domain functions, described by OpenAPI."""

from __future__ import annotations

from server.api.routes import routes

__all__ = ["routes"]
