"""The service's settings: the one place that reads the ``CRUCE_*`` environment.

Each setting is a field of :class:`Settings`, read from ``CRUCE_<NAME>`` (or a ``.env``
file named by ``CRUCE_ENV_FILE``); ``.env.example`` at the top of the repository lists
them all. Code asks :func:`get_settings` (cached) and passes the object on; nothing else
reads ``os.environ`` for the service.

In ``production`` the secrets must be given: a missing key-encryption key, session secret
or log key is refused at start-up rather than replaced by a development default.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import cache
from pathlib import Path  # noqa: TC003 - pydantic reads the annotation at run time
from typing import Self

import platformdirs
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SQLITE_FILE = "cruce.db"


class Environment(StrEnum):
    """Where the service runs: development defaults are refused in production."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting of the service, with its default."""

    model_config = SettingsConfigDict(env_prefix="CRUCE_", extra="ignore", frozen=True)

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Field(
        default_factory=lambda: platformdirs.user_data_path("cruce"),
        description="Where the SQLite database and development keys live.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; a SQLite file in the "
            "data directory when absent."
        ),
    )
    keks: SecretStr | None = Field(
        default=None,
        description=(
            "Key-encryption keys as 'id:base64key[,id:base64key...]' (32-byte keys, the first "
            "is the one that wraps new data keys); in development a key file in the data "
            "directory when absent."
        ),
    )
    session_secret: SecretStr | None = Field(
        default=None, description="Secret that signs session cookies (at least 32 bytes)."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="The base URL people reach the service at."
    )
    login_rate: str = Field(default="5/minute", description="Sign-in attempts per address.")
    verify_rate: str = Field(
        default="60/minute", description="Public verification requests per address."
    )
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    log_key: SecretStr | None = Field(
        default=None,
        description=(
            "Ed25519 seed (32 bytes, base64) of the key that signs the transparency log's "
            "checkpoints; in development a key file in the data directory when absent."
        ),
    )
    anchor_events: int = Field(
        default=100, ge=1, description="Audit events after which their head is anchored in the log."
    )
    anchor_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Seconds after which unanchored audit events are anchored in the log.",
    )

    @model_validator(mode="after")
    def _secrets_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            missing = [
                name
                for name in ("keks", "session_secret", "database_url", "log_key")
                if getattr(self, name) is None
            ]
            if missing:
                names = ", ".join(f"CRUCE_{name.upper()}" for name in missing)
                msg = f"production needs {names}"
                raise ValueError(msg)
        return self

    def sqlalchemy_url(self) -> str:
        """The database URL, the SQLite file in the data directory by default."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / SQLITE_FILE}"


@cache
def get_settings() -> Settings:
    """The settings of this process, read once."""
    env_file = os.environ.get("CRUCE_ENV_FILE")
    if env_file:
        return Settings(_env_file=env_file)
    return Settings()
