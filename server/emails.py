"""Composes the platform's e-mails from plain-text templates in webclient/templates/email."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

EMAIL_TEMPLATES = Path(__file__).resolve().parents[1] / "webclient" / "templates" / "email"

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(EMAIL_TEMPLATES),
    autoescape=False,  # plain text
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


def compose(template: str, **context: Any) -> tuple[str, str]:
    """Returns (subject, body): the template's first line is the subject."""
    text = _environment.get_template(f"{template}.txt").render(**context)
    subject, _, body = text.partition("\n")
    return subject.removeprefix("Subject: ").strip(), body.lstrip("\n")
