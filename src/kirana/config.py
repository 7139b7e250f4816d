"""Settings, read from the environment (``KIRANA_`` prefix) or a ``.env`` file."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kirana.kit.market import Market
from kirana.kit.proxies import parse_networks

# Every setting that is a secret. Production refuses to start unless each is set, long and not
# a value that was ever published; development makes its own (see _local_secret).
SECRETS = ("secret_key", "payment_webhook_secret")
MIN_SECRET_LENGTH = 32
# Values that were once defaults in this repository, so are known to anyone.
_PUBLISHED = frozenset(
    {
        "kirana-dev-secret-change-me-0123456789abcdef",
        "kirana-dev-webhook-secret-0123456789",
    }
)


_MARKET = Market()  # the default market (kit.market)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIRANA_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default_factory=lambda: f"sqlite+aiosqlite:///{Path('var/kirana.db')}"
    )
    redis_url: str | None = None
    # Signs access tokens. Unset: development keeps a random one in ``<var_dir>/secret_key``.
    secret_key: str = ""
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # The market (kit.market): the currency prices are in (ISO 4217), the region whose phone
    # numbers may be written without a country code (ISO 3166), the time zone fee windows are
    # read in (IANA) and the locale the web app formats in (BCP 47). The defaults are one
    # consistent set, Finland's, which the demo city of Helsinki is written for; an operator
    # elsewhere sets all four (e.g. INR, IN, Asia/Kolkata, en-IN).
    currency: str = Field(_MARKET.currency, pattern=r"^[A-Z]{3}$")
    phone_region: str = _MARKET.phone_region
    time_zone: str = _MARKET.time_zone
    locale: str = Field(_MARKET.locale, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    # Shared with the payment gateway, which signs its webhooks with it. Unset: as secret_key.
    payment_webhook_secret: str = ""
    # Where development keeps what it makes for itself (the secrets above).
    var_dir: Path = Path("var")
    public_base_url: str = "http://127.0.0.1:8000"
    # How long catalog listings may be served from cache after a change elsewhere.
    catalog_cache_seconds: float = 2.0
    # How long pricing may reuse the fee rules and a store's load (open orders and riders on
    # shift, which decide the surge fee) before reading them again.
    pricing_cache_seconds: float = 1.0
    db_pool_size: int = 20
    # The admin dashboard warns when the oldest unrelayed event is older than this.
    outbox_stale_seconds: float = 30.0
    # The event loop uvicorn runs (kirana serve/up). The standard library's is the default: under
    # saturation uvloop served some connections far later than others (catalog listing p99
    # 140-270 ms against 60-70 ms with asyncio, for ~10% more requests/s).
    event_loop: Literal["asyncio", "uvloop"] = "asyncio"
    static_dir: Path | None = None
    media_dir: Path = Path("var/media")
    tile_url: str | None = None
    run_workers: bool = True
    log_level: str = "info"
    # The most a request's target and headers (431 beyond) and its body (413 beyond) may hold.
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    max_body_bytes: int = Field(default=3 * 1024 * 1024, ge=1024)
    # Addresses (or networks, comma-separated) of our own proxies: only their X-Forwarded-For,
    # X-Forwarded-Proto and Forwarded headers are believed.
    trusted_proxies: str = ""
    # How long browsers that reached us over HTTPS must keep to it (0: no HSTS header).
    hsts_seconds: int = Field(default=63_072_000, ge=0)
    # Orders waiting for payment hold their stock: at most this many at once per customer, and
    # per delivery address (whoever orders to it).
    unpaid_orders_per_customer: int = Field(default=3, ge=1)
    unpaid_orders_per_address: int = Field(default=5, ge=1)
    # Login, registration and token refresh attempts per client address per window.
    auth_rate_limit_per_minute: int = 20
    auth_rate_limit_window_seconds: int = 60
    rate_limit_prefix: str = "kirana:rl:"

    @field_validator("phone_region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                f"{region!r} is not a region code phone numbers know, such as IN or FI"
            )
        return region.upper()

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{zone!r} is not an IANA time zone such as Asia/Kolkata") from exc
        return zone

    @property
    def market(self) -> Market:
        return Market(self.currency, self.phone_region, self.time_zone, self.locale)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Kirana talks to its database through asyncio drivers only: name the one to use
        rather than fail later inside SQLAlchemy with a traceback."""
        scheme = url.split("://", 1)[0]
        if scheme in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            return url
        if scheme.startswith(("postgres", "sqlite")):
            driver = "postgresql+asyncpg" if scheme.startswith("postgres") else "sqlite+aiosqlite"
            raise ValueError(
                f"{scheme}:// names no asyncio driver; begin the URL with {driver}:// instead"
            )
        raise ValueError(
            "not a database URL Kirana can use; write sqlite+aiosqlite:///PATH or "
            "postgresql+asyncpg://USER@HOST/DB"
        )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # a typo is refused at start, not ignored
        return value

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        for name in SECRETS:
            value: str = getattr(self, name)
            variable = f"KIRANA_{name.upper()}"
            if self.env == "production":
                if not value or value in _PUBLISHED or len(value) < MIN_SECRET_LENGTH:
                    problem = "is not set" if not value else "is a published default"
                    if value and value not in _PUBLISHED:
                        problem = f"is shorter than {MIN_SECRET_LENGTH} characters"
                    raise ValueError(
                        f"{variable} {problem}; set it to a long random value (e.g. `python -c "
                        f"'import secrets; print(secrets.token_urlsafe(48))'`) before running "
                        "with KIRANA_ENV=production"
                    )
            elif not value:
                setattr(self, name, self._local_secret(name))
        return self

    def _local_secret(self, name: str) -> str:
        """A random secret for a development or test deployment: kept in ``var_dir`` (mode
        0600) in development, so tokens outlive a restart and every process of one
        deployment agrees; made afresh for each test's settings."""
        if self.env == "test":
            return secrets.token_urlsafe(48)
        path = self.var_dir / name
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)  # atomic, and refuses to replace: the first process wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return path.read_text().strip()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
