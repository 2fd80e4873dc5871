"""Settings from the environment and `.env`, in one place."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./var/mentormeet.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    mentormeet_env: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_SQLITE_URL
    secret_key: str = DEV_SECRET_KEY
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str | None = None
    mail_from: str = "mentormeet <no-reply@mentormeet.invalid>"
    redis_url: str | None = None
    # JSON list of RTCIceServer-like objects: [{"urls": "turn:host:3478", "username": "...", ...}]
    ice_servers: str = "[]"
    demo_password: str = Field("mentormeet-demo", validation_alias="MENTORMEET_DEMO_PASSWORD")

    worker_poll_seconds: float = 5.0
    attendance_sample_seconds: float = 10.0
    chat_rate_limit: int = 10
    chat_rate_window_seconds: float = 10.0
    # How soon a phrase-list change made through one web process reaches the others.
    screening_refresh_seconds: float = 30.0
    # The risk model beside the phrase list (server/risk_model.py); off: the list alone flags.
    screening_model: bool = True
    invitation_ttl_hours: int = 72
    password_reset_ttl_hours: int = 2
    session_ttl_hours: int = 12
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_throttle_window_minutes: int = 15
    # The worker purges records past their retention period once a day, from this hour (UTC).
    retention_purge_hour_utc: int = Field(2, ge=0, le=23)
    # Concern cases still new after this long are e-mailed to the deputy lead and the admins.
    concern_escalation_hours: float = Field(4.0, gt=0)
    # A partner's messages unread this long are e-mailed about (once until the member reads).
    message_alert_minutes: float = Field(15.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        # Accept the URLs people paste from their hosting provider and pick the async driver.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url.removeprefix(prefix)
        if url.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
        return url

    @field_validator("ice_servers")
    @classmethod
    def _ice_servers_json(cls, value: str) -> str:
        parsed = json.loads(value or "[]")
        if not isinstance(parsed, list) or not all(
            isinstance(item, dict) and "urls" in item for item in parsed
        ):
            raise ValueError('ICE_SERVERS must be a JSON list like [{"urls": "stun:host:3478"}]')
        return value

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.mentormeet_env == "production" and (
            self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32
        ):
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                "when MENTORMEET_ENV=production"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @cached_property
    def ice_server_list(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = json.loads(self.ice_servers or "[]")
        return result

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1]
        return None if path in ("", ":memory:") else Path(path)


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
