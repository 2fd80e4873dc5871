"""Small validators shared by domain functions."""

from __future__ import annotations

import zoneinfo

from email_validator import EmailNotValidError, validate_email

from server.errors import InvalidInput

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200


def normalise_email(email: str) -> str:
    """Validated and case-folded, so one address can only ever own one account."""
    try:
        # test_environment admits the reserved .test domain used by the demo accounts.
        valid = validate_email(email.strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise InvalidInput(f"Enter a valid e-mail address ({error}).", field="email") from None
    return valid.normalized.casefold()


def check_password(password: str, *, email: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput(
            f"Choose a password of at least {PASSWORD_MIN_LENGTH} characters.", field="password"
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput(
            f"Choose a password of at most {PASSWORD_MAX_LENGTH} characters.", field="password"
        )
    if password.casefold() == email.casefold() or password.casefold() in email.casefold():
        raise InvalidInput("Your password must not contain your e-mail address.", field="password")


def check_timezone(name: str, *, field: str = "timezone") -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (
        zoneinfo.ZoneInfoNotFoundError,
        ValueError,
        OSError,
    ):  # OSError: a folder, e.g. 'Europe'
        raise InvalidInput(f"Unknown time zone {name[:64]!r}.", field=field) from None
    return name


def check_text(value: str, *, field: str, label: str, max_length: int, min_length: int = 1) -> str:
    value = value.strip()
    if len(value) < min_length:
        raise InvalidInput(f"{label} is required.", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{label} must be at most {max_length} characters.", field=field)
    if any(ord(ch) < 32 for ch in value):
        raise InvalidInput(f"{label} must not contain control characters.", field=field)
    return value
