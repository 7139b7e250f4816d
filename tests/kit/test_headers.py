"""Security headers on the web app, the API, the docs and /media; HSTS only behind TLS."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kirana.config import Settings

PAGE = "<!doctype html><html><head><title>k</title></head><body>app</body></html>"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text(PAGE)
    (web / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    media = tmp_path / "media"
    media.mkdir()
    (media / "p.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    return settings.model_copy(
        update={
            "static_dir": web,
            "media_dir": media,
            "trusted_proxies": "10.0.0.0/8",
            "tile_url": "https://tiles.example.org/{z}/{x}/{y}.png",
        }
    )


def _client(app: FastAPI, peer: str = "127.0.0.1", base: str = "http://test") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(peer, 1)), base_url=base
    )


async def test_every_kind_of_answer_has_the_headers(app: FastAPI) -> None:
    async with _client(app) as c:
        answers = {
            "app": await c.get("/"),
            "deep link": await c.get("/orders/123"),
            "service worker": await c.get("/sw.js"),
            "api": await c.get("/api/v1/config"),
            "api error": await c.get("/api/v1/me"),
            "media": await c.get("/media/p.png"),
            "health": await c.get("/healthz"),
            "docs": await c.get("/docs"),
        }
    for name, r in answers.items():
        assert r.status_code in (200, 401), (name, r.status_code)
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", name
        assert r.headers["x-frame-options"] == "DENY", name
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], name
        assert "strict-transport-security" not in r.headers, name  # plain HTTP
    page = answers["app"].headers["content-security-policy"]
    assert "script-src 'self';" in page and "unsafe-eval" not in page
    assert "img-src 'self' data: blob: https://tiles.example.org;" in page
    assert answers["service worker"].headers["content-security-policy"] == page
    for name in ("api", "api error", "media", "health"):
        policy = answers[name].headers["content-security-policy"]
        assert policy.startswith("default-src 'none'") and "sandbox" in policy, name


async def test_hsts_only_behind_tls(app: FastAPI) -> None:
    hsts = "strict-transport-security"
    async with _client(app, base="https://test") as c:  # TLS to us
        assert "max-age=63072000" in (await c.get("/healthz")).headers[hsts]
    async with _client(app, peer="10.1.2.3") as c:  # our proxy says its client used TLS
        r = await c.get("/api/v1/config", headers={"X-Forwarded-Proto": "https"})
        assert hsts in r.headers
        r = await c.get("/", headers={"Forwarded": "for=192.0.2.1;proto=https"})
        assert hsts in r.headers
        r = await c.get("/", headers={"X-Forwarded-Proto": "http"})
        assert hsts not in r.headers
    async with _client(app, peer="198.51.100.1") as c:  # anyone else's word is not taken
        r = await c.get("/", headers={"X-Forwarded-Proto": "https"})
        assert hsts not in r.headers


async def test_refusals_carry_the_headers_too(app: FastAPI) -> None:
    async with _client(app) as c:
        r = await c.get("/healthz", headers={"X-Big": "x" * 20_000})
    assert r.status_code == 431
    assert r.headers["x-content-type-options"] == "nosniff"


def test_a_bad_trusted_proxy_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        Settings(env="test", trusted_proxies="10.0.0.0/8, proxy.local")
