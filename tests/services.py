"""Which real services this run uses, and what to do when one is missing.

Locally a missing PostgreSQL, Redis or Chromium skips the tests that need it with a visible
note; CI sets MENTORMEET_REQUIRE_SERVICES=1 so that nothing is ever skipped silently there.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def services_required() -> bool:
    return os.environ.get("MENTORMEET_REQUIRE_SERVICES") == "1"


def missing(what: str) -> None:
    """Fails in CI, skips with a note elsewhere."""
    if services_required():
        pytest.fail(f"{what} is required in CI (MENTORMEET_REQUIRE_SERVICES=1) but unavailable")
    pytest.skip(f"NOTE: {what} unavailable here; these tests run in CI")


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def redis_url() -> str | None:
    return os.environ.get("TEST_REDIS_URL") or None


def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing("Debian's Chromium (/usr/bin/chromium)")
    return CHROMIUM
