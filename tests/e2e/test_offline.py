"""The PWA after a reload with the network gone: the app shell starts from the service worker's
cache and the last catalog and cart stay visible."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import SCREENSHOTS, Server
from .test_web_flow import PHONE, TIMEOUT, start_shopping

pytestmark = pytest.mark.e2e


def test_catalog_and_cart_survive_an_offline_reload(server: Server, browser: Any) -> None:
    customer = (
        server.logins[-1] if server.logins[-1].role == "customer" else server.first("customer")
    )
    ctx = browser.new_context(viewport=PHONE, service_workers="allow")
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        start_shopping(page, server, customer.phone, customer.password)
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        # Once the worker controls the page, load the catalog and the cart through it.
        page.reload()
        page.wait_for_function("() => !!navigator.serviceWorker.controller")
        add = page.get_by_role("button", name=re.compile(r"^Add .+ to cart$")).first
        add.click()
        page.locator(".cart-bar").wait_for()
        page.goto(server.url + "/cart")
        page.get_by_label("Bill breakdown").wait_for()
        page.goto(server.url + "/")
        page.locator(".product-card").first.wait_for()

        ctx.set_offline(True)
        page.reload()
        page.locator(".product-card").first.wait_for()
        page.get_by_role("heading", name="Shop by category").wait_for()
        page.goto(server.url + "/cart")
        page.get_by_label("Bill breakdown").wait_for()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "customer-cart-offline-phone.png"))
    finally:
        ctx.close()
