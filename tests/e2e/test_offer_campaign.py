"""An offer across both roles in the browser: a customer turns on offers in their notification
settings, an admin writes an offer on the Offers screen, and that customer finds exactly that
title and text in their inbox; a customer who did not turn offers on gets nothing."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from .conftest import Server
from .test_web_flow import DESKTOP, PHONE, TIMEOUT, shoot, sign_in

pytestmark = pytest.mark.e2e


def test_an_admins_offer_reaches_the_customer_who_wants_offers(
    server: Server, browser: Any
) -> None:
    customers = [x for x in server.logins if x.role == "customer"]
    fan, other = customers[0], customers[-1]
    stamp = f"{int(time.time()) % 100_000:05d}"
    title = f"Mangoes are in {stamp}"
    body = "Alphonso mangoes, 20% off this weekend — only at your nearest store."
    contexts = [browser.new_context(viewport=v) for v in (PHONE, DESKTOP, PHONE)]
    for ctx in contexts:
        ctx.set_default_timeout(TIMEOUT)
    try:
        customer = contexts[0].new_page()
        sign_in(customer, server, fan.phone, fan.password, "/account")
        settings = customer.get_by_role("form", name="Notifications")
        settings.get_by_label("Offers and news").check()
        settings.get_by_role("button", name="Save notification settings").click()
        customer.get_by_text("Notification settings saved").wait_for()

        admin = contexts[1].new_page()
        login = server.first("admin")
        sign_in(admin, server, login.phone, login.password, "/admin/offers")
        admin.get_by_role("heading", name="Offers", exact=True).wait_for()
        form = admin.get_by_role("form", name="New offer")
        form.get_by_label("Title").fill(title)
        form.get_by_label("Message").fill(body)
        form.get_by_role("button", name="Send offer").click()
        admin.get_by_text("is on its way to everyone who wants offers").wait_for()
        row = admin.get_by_role("row").filter(has_text=title)
        row.wait_for()
        # The relay queues it within moments; the list says whom it reached.
        for _ in range(20):
            if re.search(r"\d+ customers? ·", row.inner_text()):
                break
            time.sleep(0.5)
            admin.reload()
            row = admin.get_by_role("row").filter(has_text=title)
        assert re.search(r"[1-9]\d* customers? ·", row.inner_text()), row.inner_text()
        shoot(admin, "admin-offers")

        customer.reload()
        inbox = customer.get_by_role("region", name=re.compile("Updates"))
        entry = inbox.locator(".line").filter(has_text=title)
        entry.wait_for()
        assert body in entry.inner_text()
        shoot(customer, "customer-offer-inbox")

        bystander = contexts[2].new_page()
        sign_in(bystander, server, other.phone, other.password, "/account")
        bystander.get_by_role("region", name=re.compile("Updates")).wait_for()
        assert title not in bystander.get_by_role("region", name=re.compile("Updates")).inner_text()
    finally:
        for ctx in contexts:
            ctx.close()
