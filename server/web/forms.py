"""Form parsing: CSRF check, size limits, and validation with a pydantic model per form."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from server.errors import DomainError, InvalidInput
from server.web.csrf import CSRF_FIELD, check_csrf

MAX_FIELDS = 50
MAX_PART_SIZE = 64 * 1024


class FormModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


FormT = TypeVar("FormT", bound=FormModel)


class FormErrors(InvalidInput):
    """Every problem with a form at once, keyed by field, for showing beside the fields."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()), field=next(iter(errors), None))
        self.errors = errors


def _describe(model: type[FormModel], error: dict[str, Any]) -> tuple[str, str]:
    field = str(error["loc"][0]) if error["loc"] else "form"
    info = model.model_fields.get(field)
    label = info.title if info and info.title else field.replace("_", " ").capitalize()
    if error["type"] == "extra_forbidden":
        return field, f"Unexpected field {field!r}."
    if error["type"] == "missing":
        return field, f"{label} is required."
    message = str(error["msg"]).removeprefix("Value error, ")
    return field, f"{label}: {message[0].lower()}{message[1:]}."


def field_errors(error: DomainError) -> dict[str, str]:
    """The error as messages by field, for showing beside the fields of the form again."""
    if isinstance(error, FormErrors):
        return error.errors
    return {error.field or "form": error.message}


async def submitted_values(request: Request) -> dict[str, str]:
    """What the person typed, for filling a form in again after an error (never the CSRF token)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


def read_query(request: Request, model: type[FormT]) -> FormT:
    """A GET form (filters) from the query string; blank fields mean "not given"."""
    data: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in data:
            raise InvalidInput(f"Field {key!r} was sent more than once.", field=key)
        if value != "":
            data[key] = value
    return _validate(model, data)


def _validate(model: type[FormT], data: dict[str, Any]) -> FormT:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            field, message = _describe(model, dict(item))
            errors.setdefault(field, message)
        raise FormErrors(errors) from None


async def read_form(request: Request, model: type[FormT]) -> FormT:
    form = await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_PART_SIZE)
    data: dict[str, Any] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            raise InvalidInput("Files cannot be uploaded here.", field=key)
        if key in data:
            raise InvalidInput(f"Field {key!r} was sent more than once.", field=key)
        data[key] = value
    check_csrf(request, data.pop(CSRF_FIELD, None))
    # A blank optional field (an empty text box or "choose…" option) means "not given".
    for key in [k for k, v in data.items() if v == ""]:
        info = model.model_fields.get(key)
        if info is not None and not info.is_required():
            del data[key]
    return _validate(model, data)
