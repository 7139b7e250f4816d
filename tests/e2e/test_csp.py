"""The built app works under its Content-Security-Policy: every role's screens, the map and the
API docs load in chromium with no violation reported."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import Server
from .test_web_flow import DESKTOP, PHONE, TIMEOUT, sign_in

pytestmark = pytest.mark.e2e

# Every violation the page sees, kept where the test can read it.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _violations(page: Any) -> list[str]:
    found: list[str] = page.evaluate("() => window.__csp || []")
    return found


def test_pages_load_under_the_content_security_policy(server: Server, browser: Any) -> None:
    index = httpx.get(server.url + "/", timeout=10)
    assert "script-src 'self';" in index.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in index.headers["content-security-policy"]
    assert index.headers["x-content-type-options"] == "nosniff"

    customer = server.first("customer")
    admin = server.first("admin")
    staff = server.first("store_staff")
    rider = server.first("rider")
    visits = [
        (customer, PHONE, "/location", ["/", "/cart", "/orders", "/account", "/search"]),
        (admin, DESKTOP, "/admin/orders", ["/admin/map", "/admin/catalog", "/admin/pricing"]),
        (staff, DESKTOP, "/store", []),
        (rider, PHONE, "/rider", []),
    ]
    console: list[str] = []
    for login, viewport, first, paths in visits:
        ctx = browser.new_context(viewport=viewport)
        ctx.set_default_timeout(TIMEOUT)
        ctx.add_init_script(WATCH)
        try:
            page = ctx.new_page()
            page.on(
                "console",
                lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
            )
            sign_in(page, server, login.phone, login.password, first)
            page.wait_for_load_state("networkidle")
            assert _violations(page) == [], (first, _violations(page))
            for path in paths:
                page.goto(server.url + path)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                assert _violations(page) == [], (path, _violations(page))
        finally:
            ctx.close()

    ctx = browser.new_context(viewport=DESKTOP)
    ctx.add_init_script(WATCH)
    try:
        page = ctx.new_page()
        page.goto(server.url + "/docs")
        page.locator(".swagger-ui .opblock").first.wait_for()
        assert _violations(page) == []
    finally:
        ctx.close()
    assert console == []
