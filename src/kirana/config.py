"""Settings, read from the environment (``KIRANA_`` prefix) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "kirana-dev-secret-change-me-0123456789abcdef"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIRANA_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default_factory=lambda: f"sqlite+aiosqlite:///{Path('var/kirana.db')}"
    )
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    currency: str = "INR"
    payment_webhook_secret: str = "kirana-dev-webhook-secret-0123456789"
    public_base_url: str = "http://127.0.0.1:8000"
    # How long catalog listings may be served from cache after a change elsewhere.
    catalog_cache_seconds: float = 2.0
    # How long pricing may reuse the fee rules and a store's load (open orders and riders on
    # shift, which decide the surge fee) before reading them again.
    pricing_cache_seconds: float = 1.0
    db_pool_size: int = 20
    # The event loop uvicorn runs (kirana serve/up). The standard library's is the default: under
    # saturation uvloop served some connections far later than others (catalog listing p99
    # 140-270 ms against 60-70 ms with asyncio, for ~10% more requests/s).
    event_loop: Literal["asyncio", "uvloop"] = "asyncio"
    static_dir: Path | None = None
    media_dir: Path = Path("var/media")
    tile_url: str | None = None
    run_workers: bool = True
    log_level: str = "info"
    # Login, registration and token refresh attempts per client address per window.
    auth_rate_limit_per_minute: int = 20
    auth_rate_limit_window_seconds: int = 60
    rate_limit_prefix: str = "kirana:rl:"

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> Settings:
        if self.env == "production" and self.secret_key == DEV_SECRET_KEY:
            raise ValueError(
                "KIRANA_SECRET_KEY is the development default; set a long random secret "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) "
                "before running with KIRANA_ENV=production"
            )
        if self.env == "production" and len(self.secret_key) < 32:
            raise ValueError("KIRANA_SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
