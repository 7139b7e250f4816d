"""Request size limits: oversized heads get 431, oversized bodies 413, counted as they arrive."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from kirana.config import Settings
from kirana.kit import security

HEAD_LIMIT = 4096
BODY_LIMIT = 64 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"max_header_bytes": HEAD_LIMIT, "max_body_bytes": BODY_LIMIT}
    )


def _is_problem(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == code and r.json()["status"] == status


async def test_oversized_headers_get_431(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz", headers={"X-Fine": "a" * 1000})).status_code == 200
    _is_problem(
        await client.get("/healthz", headers={"X-Big": "a" * HEAD_LIMIT}), 431, "headers_too_large"
    )
    _is_problem(
        await client.get("/api/v1/me", params={"q": "b" * HEAD_LIMIT}), 431, "headers_too_large"
    )


async def test_a_huge_bearer_token_takes_no_memory(client: httpx.AsyncClient) -> None:
    security.verified_tokens.clear()
    for i in range(20):
        token = f"{i}" + "x" * (HEAD_LIMIT * 4)
        r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        _is_problem(r, 431, "headers_too_large")
    assert len(security.verified_tokens) == 0 and security.verified_tokens.bytes == 0


async def test_a_declared_oversized_body_gets_413(client: httpx.AsyncClient) -> None:
    body = b'{"phone": "' + b"9" * BODY_LIMIT + b'", "password": "x"}'
    r = await client.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    _is_problem(r, 413, "body_too_large")
    fine = await client.post("/api/v1/auth/login", json={"phone": "+919800000001", "password": "x"})
    assert fine.status_code == 401


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/auth/login", "application/json"),
        ("/api/v1/payments/webhooks/sandbox", "application/json"),  # reads the raw body itself
        ("/api/v1/admin/products/x/image", "multipart/form-data; boundary=b"),
    ],
)
async def test_a_streamed_oversized_body_is_refused_as_it_arrives(
    client: httpx.AsyncClient, path: str, content_type: str
) -> None:
    """No Content-Length (chunked): the limit is found while reading, and the rest of the body
    is never asked for."""
    chunk = b"7" * 8192
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        for _ in range(1000):  # 8 MB, if all of it were read
            sent += 1
            yield chunk

    r = await client.post(path, content=endless(), headers={"Content-Type": content_type})
    _is_problem(r, 413, "body_too_large")
    assert sent <= BODY_LIMIT // len(chunk) + 2
