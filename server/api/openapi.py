"""The OpenAPI 3.1 description, made from the same table that registers the API routes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from server.api.schemas import ErrorOut
from server.web.auth import SESSION_COOKIE, Endpoint
from server.web.csrf import CSRF_COOKIE
from server.web.errors import TITLES

Method = Literal["GET", "POST", "PATCH", "DELETE"]
_CONVERTOR = re.compile(r"\{(\w+):\w+\}")
_REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class QueryParam:
    name: str
    schema: dict[str, Any]
    description: str


@dataclass(frozen=True)
class Operation:
    """One API route: how it is served and how it is described."""

    method: Method
    path: str  # Starlette form, e.g. /api/v1/pairings/{pairing_id:int}
    endpoint: Endpoint
    summary: str
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    query: tuple[QueryParam, ...] = ()
    public: bool = False
    errors: tuple[int, ...] = field(default=())

    @property
    def document_path(self) -> str:
        return _CONVERTOR.sub(r"{\1}", self.path)

    @property
    def path_params(self) -> list[str]:
        return [name for name, _ in re.findall(r"\{(\w+):(\w+)\}", self.path)]

    @property
    def changes_state(self) -> bool:
        return self.method != "GET"

    @property
    def error_statuses(self) -> list[int]:
        found = set(self.errors)
        if not self.public:
            found |= {401, 403, 422}
        if self.changes_state:
            found |= {400, 413}
        if self.path_params:
            found.add(404)
        return sorted(found)


def _models(operations: list[Operation]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    seen: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(ErrorOut, "serialization"): None}
    for op in operations:
        if op.body is not None:
            seen[(op.body, "validation")] = None
        if op.response is not None:
            seen[(op.response, "serialization")] = None
    return list(seen)


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    roles: frozenset[Any] = getattr(op.endpoint, "allowed_roles", frozenset())
    who = ", ".join(sorted(str(role) for role in roles)) if roles else "anyone"
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
        for name in op.path_params
    ]
    parameters += [
        {
            "name": q.name,
            "in": "query",
            "required": False,
            "schema": q.schema,
            "description": q.description,
        }
        for q in op.query
    ]
    if op.changes_state:
        parameters.append(
            {
                "name": "X-CSRF-Token",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": f"Required with the session cookie: the value of the "
                f"{CSRF_COOKIE} cookie. Not needed with a Bearer token.",
            }
        )
    doc: dict[str, Any] = {
        "operationId": op.endpoint.__name__,
        "summary": op.summary,
        "description": f"Who may call it: {who}.",
        "parameters": parameters,
    }
    if op.body is not None:
        required = any(f.is_required() for f in op.body.model_fields.values())
        doc["requestBody"] = {
            "required": required,
            "content": _json_content(refs[(op.body, "validation")]),
        }
    if op.response is not None:
        success: dict[str, Any] = {
            "description": op.summary,
            "content": _json_content(refs[(op.response, "serialization")]),
        }
    elif op.status == 204:
        success = {"description": "Done; no content."}
    else:
        success = {"description": op.summary, "content": _json_content({"type": "object"})}
    responses = {str(op.status): success}
    for status in op.error_statuses:
        responses[str(status)] = {
            "description": TITLES.get(status, "Error"),
            "content": _json_content(refs[(ErrorOut, "serialization")]),
        }
    doc["responses"] = responses
    if op.public:
        doc["security"] = []
    return doc


def document(operations: list[Operation]) -> dict[str, Any]:
    refs, definitions = models_json_schema(_models(operations), ref_template=_REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.document_path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mentormeet API",
            "version": "1",
            "description": (
                "Pairings, meetings, concern cases and personal API tokens. Errors are "
                '{"error": {"message": ..., "field": ...}} with a 4xx status. Times are UTC '
                "(ending in Z) except *_local fields, which are wall-clock times in the "
                "organisation's time zone."
            ),
        },
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token, made at POST /api/v1/tokens.",
                },
                "cookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": SESSION_COOKIE,
                    "description": "The login session; writes also need the X-CSRF-Token header.",
                },
            },
        },
    }
