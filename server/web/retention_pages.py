"""Admin pages for accountability and data rights: the audit log, retention periods, a person's
subject access export and erasure. Admins only."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any
from urllib.parse import urlencode

from pydantic import Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import audit, audit_search, data_rights, retention
from server.db import utcnow
from server.errors import DomainError
from server.models import Role
from server.web.auth import requires, signed_in_user
from server.web.downloads import attachment
from server.web.flash import redirect_with_notice
from server.web.forms import FormErrors, FormModel, field_errors, read_form, submitted_values
from server.web.params import path_id
from server.web.programme import person_page
from server.web.templating import render

AUDIT_PAGE_SIZE = 50


# The audit log -------------------------------------------------------------------------------


class AuditQuery(FormModel):
    action: str | None = Field(default=None, max_length=40, title="Action")
    actor: str | None = Field(default=None, max_length=254, title="Actor")
    subject_type: str | None = Field(default=None, max_length=40, title="Subject type")
    since: dt.date | None = Field(default=None, title="From")
    until: dt.date | None = Field(default=None, title="To")
    before: int | None = Field(default=None, ge=1, lt=2**31, title="Page")
    verify: bool = Field(default=False, title="Verify chain")


def _read_query(request: Request) -> AuditQuery:
    data: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in data:
            raise FormErrors({key: f"Field {key!r} was sent more than once."})
        if value.strip():
            data[key] = value
    try:
        return AuditQuery.model_validate(data)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "form"
            info = AuditQuery.model_fields.get(field)
            label = info.title if info and info.title else field
            message = "unexpected field" if item["type"] == "extra_forbidden" else item["msg"]
            errors.setdefault(field, f"{label}: {message[0].lower()}{message[1:]}.")
        raise FormErrors(errors) from None


def _day_start(day: dt.date, zone: str) -> dt.datetime:
    """Midnight of `day` in the viewer's zone, in UTC."""
    return dt.datetime.combine(day, dt.time(), zoneinfo.ZoneInfo(zone)).astimezone(dt.UTC)


@requires(Role.ADMIN)
async def audit_log(request: Request) -> Response:
    admin = signed_in_user(request)
    values = {k: v for k, v in request.query_params.items() if k in AuditQuery.model_fields}
    try:
        query = _read_query(request)
        filters = audit_search.AuditFilters(
            action=query.action,
            actor=query.actor,
            subject_type=query.subject_type,
            since=_day_start(query.since, admin.timezone) if query.since else None,
            until=_day_start(query.until + dt.timedelta(days=1), admin.timezone)
            if query.until
            else None,
        )
        async with request.app.state.db.session() as session:
            entries = await audit_search.search(
                session=session, filters=filters, limit=AUDIT_PAGE_SIZE, before_id=query.before
            )
            # Reading the log is itself recorded (after a successful search, with its filters).
            await audit.record(
                session=session,
                actor=admin,
                action="audit.read",
                subject_type="audit_log",
                subject_id=None,
                organisation_id=None,
                reason="Admin opened the audit log page",
                detail={k: v for k, v in values.items() if v} or None,
            )
            await session.commit()
            actors = await audit_search.actors_of(session=session, entries=entries)
            verified = await audit.verify(session=session) if query.verify else None
    except DomainError as error:
        if error.status_code == 404:
            raise
        errors = field_errors(error)
        context: dict[str, Any] = {
            "entries": [],
            "actors": {},
            "verified": None,
            "verify_link": "/admin/audit?verify=1",
            "errors": errors,
            "values": values,
        }
        return render(request, "admin_audit.html", context, status_code=error.status_code)
    older = None
    if len(entries) == AUDIT_PAGE_SIZE:
        kept = {k: v for k, v in values.items() if k not in ("before", "verify") and v}
        older = "/admin/audit?" + urlencode({**kept, "before": entries[-1].id})
    context = {
        "entries": entries,
        "actors": actors,
        "values": values,
        "verified": verified,
        "older": older,
        "verify_link": "/admin/audit?"
        + urlencode({**{k: v for k, v in values.items() if v and k != "verify"}, "verify": "1"}),
    }
    return render(request, "admin_audit.html", context)


# Retention periods ---------------------------------------------------------------------------


class RetentionForm(FormModel):
    chat_messages: int = Field(title="Chat messages")
    meetings: int = Field(title="Meetings and attendance")
    concerns: int = Field(title="Safeguarding concerns")
    outbox_emails: int = Field(title="Sent e-mails")
    login_failures: int = Field(title="Failed log-in attempts")
    sessions_and_tokens: int = Field(title="Ended log-in sessions and used links")


async def _retention_page(
    request: Request, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    async with request.app.state.db.session() as session:
        context: dict[str, Any] = {
            "policies": await retention.policies(session=session),
            "last_purge": await retention.last_purge(session=session),
            "audit_log_retention": retention.AUDIT_LOG_RETENTION,
            "purge_hour": request.app.state.settings.retention_purge_hour_utc,
            **(extra or {}),
        }
    return render(request, "admin_retention.html", context, status_code=status)


@requires(Role.ADMIN)
async def retention_page(request: Request) -> Response:
    return await _retention_page(request)


@requires(Role.ADMIN)
async def update_retention(request: Request) -> Response:
    try:
        form = await read_form(request, RetentionForm)
        async with request.app.state.db.session() as session:
            await retention.update_policies(
                session=session, actor=signed_in_user(request), days=form.model_dump()
            )
    except DomainError as error:
        errors = field_errors(error)
        extra = {"errors": errors, "values": await submitted_values(request)}
        return await _retention_page(request, extra, error.status_code)
    return redirect_with_notice("/admin/retention", "Retention periods saved.")


# Subject access and erasure ------------------------------------------------------------------


class ExportForm(FormModel):
    reason: str = Field(min_length=1, max_length=audit.REASON_MAX_LENGTH, title="Reason")


class EraseForm(FormModel):
    reason: str = Field(min_length=1, max_length=audit.REASON_MAX_LENGTH, title="Reason")
    confirmation: str = Field(min_length=1, max_length=254, title="Their e-mail address")


async def _rights_error(request: Request, form: str, error: DomainError) -> Response:
    """The person page again, the data rights form showing what was wrong."""
    if error.status_code in (403, 404) and not isinstance(error, FormErrors):
        raise error
    errors = field_errors(error)
    extra = {
        "rights_form": form,
        "rights_errors": errors,
        "rights_values": await submitted_values(request),
    }
    return await person_page(request, extra, error.status_code)


@requires(Role.ADMIN)
async def export_person(request: Request) -> Response:
    person_id = path_id(request, "user_id", "person")
    now = utcnow()
    try:
        form = await read_form(request, ExportForm)
        async with request.app.state.db.session() as session:
            archive = await data_rights.export_person(
                session=session,
                actor=signed_in_user(request),
                user_id=person_id,
                reason=form.reason,
                now=now,
            )
    except DomainError as error:
        return await _rights_error(request, "export", error)
    filename = f"mentormeet-person-{person_id}-{now.date().isoformat()}.json"
    return attachment(
        json.dumps(archive, indent=2, ensure_ascii=False),
        filename=filename,
        media_type="application/json",
    )


@requires(Role.ADMIN)
async def erase_person(request: Request) -> Response:
    person_id = path_id(request, "user_id", "person")
    try:
        form = await read_form(request, EraseForm)
        async with request.app.state.db.session() as session:
            report = await data_rights.erase_person(
                session=session,
                actor=signed_in_user(request),
                user_id=person_id,
                reason=form.reason,
                confirmation=form.confirmation,
                now=utcnow(),
            )
    except DomainError as error:
        return await _rights_error(request, "erase", error)
    await request.app.state.on_user_disabled(person_id)
    return render(request, "erasure_result.html", {"report": report})


routes = [
    Route("/admin/audit", audit_log, methods=["GET"]),
    Route("/admin/retention", retention_page, methods=["GET"]),
    Route("/admin/retention", update_retention, methods=["POST"]),
    Route("/people/{user_id:int}/export", export_person, methods=["POST"]),
    Route("/people/{user_id:int}/erase", erase_person, methods=["POST"]),
]
