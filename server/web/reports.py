"""The impact report page and its CSV: both rendered from one `ImpactReport`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import authz, directory
from server.db import utcnow
from server.errors import InvalidInput
from server.impact import MIN_GROUP
from server.impact_report import CSV_COLUMNS, ImpactReport, ReportFilters, impact_report
from server.models import Role
from server.web.auth import requires, signed_in_user
from server.web.downloads import attachment
from server.web.forms import FormModel, field_errors, read_query
from server.web.templating import render


class ReportQuery(FormModel):
    date_from: dt.date | None = Field(default=None, title="From")
    date_to: dt.date | None = Field(default=None, title="To")
    organisation_id: int | None = Field(default=None, ge=1, lt=2**31, title="Organisation")
    cohort: str | None = Field(default=None, max_length=7, title="Cohort")


async def _report(request: Request) -> ImpactReport:
    query = read_query(request, ReportQuery)
    async with request.app.state.db.session() as session:
        return await impact_report(
            session=session,
            actor=signed_in_user(request),
            filters=ReportFilters(**query.model_dump()),
            now=utcnow(),
        )


@requires(Role.COORDINATOR, Role.ADMIN)
async def report_page(request: Request) -> Response:
    user = signed_in_user(request)
    context: dict[str, Any] = {
        "values": {k: v for k, v in request.query_params.items() if v},
        "errors": {},
        "min_group": MIN_GROUP,
        "report": None,
        "organisations": [],
    }
    if authz.role_of(user) is Role.ADMIN:
        async with request.app.state.db.session() as session:
            context["organisations"] = await directory.organisations(session=session)
    status = 200
    try:
        report = await _report(request)
    except InvalidInput as error:  # the filter form again, with what was wrong beside it
        context["errors"] = field_errors(error)
        status = error.status_code
    else:
        context["report"] = report
        context["csv_link"] = "/reports/impact.csv" + (
            "?" + urlencode(context["values"]) if context["values"] else ""
        )
    return render(request, "impact_report.html", context, status_code=status)


@requires(Role.COORDINATOR, Role.ADMIN)
async def report_csv(request: Request) -> Response:
    report = await _report(request)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for figure in report.figures:
        writer.writerow(figure.csv_row())
    scope = report.organisation.name if report.organisation else "all organisations"
    filename = "impact-" + "".join(c if c.isalnum() else "-" for c in scope.lower()) + ".csv"
    return attachment(out.getvalue(), filename=filename, media_type="text/csv; charset=utf-8")


routes = [
    Route("/reports/impact", report_page, methods=["GET"]),
    Route("/reports/impact.csv", report_csv, methods=["GET"]),
]
