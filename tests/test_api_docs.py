"""The interactive API docs (/docs) work with no internet: every script, stylesheet and icon the
page loads is served by Kirana itself."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from kirana.config import Settings
from kirana.main import create_app


@pytest.fixture
async def docs_client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(env="test", database_url="sqlite+aiosqlite:///:memory:"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_docs_load_only_local_assets(docs_client: httpx.AsyncClient) -> None:
    page = await docs_client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']([^"']+)["']""", page.text)
    assert any(u.endswith(".js") for u in urls) and any(u.endswith(".css") for u in urls), urls
    assert "//" not in page.text.replace("window.location.origin", ""), "an absolute URL"
    for url in urls:
        assert url.startswith("/"), url
        answer = await docs_client.get(url)
        assert answer.status_code == 200, url
        assert len(answer.content) > 100, url


def test_the_web_clients_openapi_document_is_current() -> None:
    """web/openapi.json, which the web client's types (web/src/client/schema.d.ts) are generated
    from, is the API as it is: a changed schema without `make openapi` fails here (and
    `make test-web` checks schema.d.ts against web/openapi.json)."""
    import json
    from pathlib import Path

    committed = Path(__file__).parents[1] / "web" / "openapi.json"
    app = create_app(Settings(env="test", database_url="sqlite+aiosqlite:///:memory:"))
    assert json.loads(committed.read_text()) == json.loads(json.dumps(app.openapi())), (
        "web/openapi.json is stale: run `make openapi` and commit web/openapi.json and "
        "web/src/client/schema.d.ts"
    )
