"""Mail transports: SMTP via aiosmtplib, or the log when no SMTP server is configured."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from server.outbox import Transport

log = logging.getLogger("mentormeet.mail")


def smtp_transport(smtp_url: str) -> Transport:
    """`smtp://user:pass@host:587?starttls=true` or `smtps://host:465` (implicit TLS)."""
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("SMTP_URL must start with smtp:// or smtps://")
    options = parse_qs(parts.query)
    use_tls = parts.scheme == "smtps"
    start_tls = options.get("starttls", ["false"])[0].lower() in ("1", "true", "yes")

    async def send(message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=parts.hostname or "localhost",
            port=parts.port or (465 if use_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
            start_tls=start_tls,
            timeout=30,
        )

    return send


async def log_transport(message: EmailMessage) -> None:
    log.info(
        "e-mail (no SMTP_URL set, not sent)\nTo: %s\nSubject: %s\n\n%s",
        message["To"],
        message["Subject"],
        message.get_content(),
    )


def transport_for(smtp_url: str | None) -> Transport:
    return smtp_transport(smtp_url) if smtp_url else log_transport
