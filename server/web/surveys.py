"""Survey pages: a participant answers (or skips) a survey that is due."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import surveys
from server.db import utcnow
from server.errors import InvalidInput
from server.models import Role
from server.web.auth import requires, signed_in_user
from server.web.flash import redirect_with_notice
from server.web.forms import FormModel, field_errors, read_form, submitted_values
from server.web.params import path_id
from server.web.templating import render


class SurveyForm(FormModel):
    """Every question of every survey; each survey's own questions are checked by the domain.
    A question left blank is skipped."""

    wellbeing_1: int | None = Field(default=None, title=surveys.SWEMWBS_QUESTIONS[0].text)
    wellbeing_2: int | None = Field(default=None, title=surveys.SWEMWBS_QUESTIONS[1].text)
    wellbeing_3: int | None = Field(default=None, title=surveys.SWEMWBS_QUESTIONS[2].text)
    wellbeing_4: int | None = Field(default=None, title=surveys.SWEMWBS_QUESTIONS[3].text)
    wellbeing_5: int | None = Field(default=None, title=surveys.SWEMWBS_QUESTIONS[4].text)
    wellbeing_6: int | None = Field(default=None, title=surveys.SWEMWBS_QUESTIONS[5].text)
    wellbeing_7: int | None = Field(default=None, title=surveys.SWEMWBS_QUESTIONS[6].text)
    future: int | None = Field(default=None, title=surveys.FUTURE.text)
    confidence: int | None = Field(default=None, title=surveys.CONFIDENCE.text)
    fulfilment: int | None = Field(default=None, title=surveys.FULFILMENT.text)
    useful: int | None = Field(default=None, title=surveys.USEFUL.text)
    feeling: int | None = Field(default=None, title=surveys.FEELING_NOW.text)


async def survey_page(
    request: Request, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    async with request.app.state.db.session() as session:
        view = await surveys.survey_for(
            session=session,
            actor=signed_in_user(request),
            invitation_id=path_id(request, "survey_id", "survey"),
            now=utcnow(),
        )
    context = {"survey": view, "errors": {}, "values": {}, **(extra or {})}
    return render(request, "survey.html", context, status_code=status)


@requires(Role.MENTOR, Role.MENTEE)
async def survey(request: Request) -> Response:
    return await survey_page(request)


@requires(Role.MENTOR, Role.MENTEE)
async def answer_survey(request: Request) -> Response:
    try:
        form = await read_form(request, SurveyForm)
        async with request.app.state.db.session() as session:
            await surveys.submit_survey(
                session=session,
                actor=signed_in_user(request),
                invitation_id=path_id(request, "survey_id", "survey"),
                answers=form.model_dump(exclude_none=True),
                now=utcnow(),
            )
    except InvalidInput as error:  # shown beside the question, answers kept
        errors = field_errors(error)
        values = await submitted_values(request)
        return await survey_page(request, {"errors": errors, "values": values}, error.status_code)
    return redirect_with_notice("/dashboard", "Thank you: your answers are saved.")


@requires(Role.MENTOR, Role.MENTEE)
async def skip_survey(request: Request) -> Response:
    await read_form(request, FormModel)
    async with request.app.state.db.session() as session:
        await surveys.skip_survey(
            session=session,
            actor=signed_in_user(request),
            invitation_id=path_id(request, "survey_id", "survey"),
            now=utcnow(),
        )
    return redirect_with_notice("/dashboard", "Survey skipped. That's fine.")


routes = [
    Route("/surveys/{survey_id:int}", survey, methods=["GET"]),
    Route("/surveys/{survey_id:int}", answer_survey, methods=["POST"]),
    Route("/surveys/{survey_id:int}/skip", skip_survey, methods=["POST"]),
]
