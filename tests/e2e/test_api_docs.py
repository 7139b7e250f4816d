"""The interactive API docs in a browser that can reach nothing but Kirana: Swagger UI renders the
operations from assets Kirana serves itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import Server
from .test_web_flow import DESKTOP, TIMEOUT

pytestmark = pytest.mark.e2e


def test_docs_render_the_operations_with_no_network(server: Server, browser: Any) -> None:
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(TIMEOUT)
    own = urlsplit(server.url).netloc
    refused: list[str] = []

    def only_kirana(route: Any) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    ctx.route("**/*", only_kirana)
    try:
        page = ctx.new_page()
        page.goto(server.url + "/docs")
        page.locator(
            '.opblock-summary-path[data-path="/api/v1/stores/{store_id}/products"]'
        ).first.wait_for()
        assert page.locator(".opblock").count() > 50
        assert refused == []
    finally:
        ctx.close()
