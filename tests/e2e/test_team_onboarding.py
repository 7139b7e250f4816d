"""Onboarding from the admin panel, across both roles in the browser: an admin adds a rider on
the Team screen; the rider signs in with the code sent to that phone and goes on shift at the
store the admin chose; the admin sees them on shift and deactivates them; the rider's app is
signed out at its next request."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from .conftest import Server
from .test_otp_login import code_from_log
from .test_web_flow import DESKTOP, PHONE, TIMEOUT, shoot, sign_in

pytestmark = pytest.mark.e2e


def test_admin_onboards_a_rider_who_signs_in_by_code_then_is_deactivated(
    server: Server, browser: Any
) -> None:
    assert server.log is not None
    admin_login = server.first("admin")
    example = httpx.get(f"{server.url}/api/v1/config").json()["phone_example"]
    phone = example[:-4] + f"{(int(time.time() * 1000) + 5000) % 10_000:04d}"
    name = f"Onni Onboarded {phone[-4:]}"
    admin_ctx = browser.new_context(viewport=DESKTOP)
    rider_ctx = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": 60.165, "longitude": 24.94},
        permissions=["geolocation"],
    )
    for ctx in (admin_ctx, rider_ctx):
        ctx.set_default_timeout(TIMEOUT)
    try:
        admin = admin_ctx.new_page()
        sign_in(admin, server, admin_login.phone, admin_login.password, "/admin/team")
        admin.get_by_role("heading", name="Team", exact=True).wait_for()
        form = admin.get_by_role("form", name="Add a picker or a rider")
        form.get_by_label("Role").select_option("rider")
        store = form.get_by_label("Store")
        store_name = store.locator("option").nth(1).inner_text()
        store.select_option(label=store_name)
        form.get_by_label("Name").fill(name)
        form.get_by_label("Phone").fill(phone)
        form.get_by_label("Vehicle").select_option("bicycle")
        form.get_by_role("button", name="Add to the team").click()
        admin.get_by_text(re.compile(r"they sign in with a code sent to")).wait_for()
        row = admin.get_by_role("row").filter(has_text=name)
        row.get_by_text("Active", exact=True).wait_for()
        assert store_name in row.inner_text()
        shoot(admin, "admin-team")

        # The rider: no password, a code by SMS, then the rider app at the admin's store.
        rider = rider_ctx.new_page()
        rider.goto(f"{server.url}/login?next=/rider")
        rider.get_by_role("button", name="Sign in with a code by SMS instead").click()
        rider.get_by_label("Phone number").fill(phone)
        before = len(server.log.read_text())
        rider.get_by_role("button", name="Send code").click()
        rider.get_by_role("status").filter(has_text="We sent a 6-digit code").wait_for()
        rider.get_by_label("Code", exact=True).fill(code_from_log(server, phone, before))
        rider.get_by_role("button", name="Sign in", exact=True).click()
        rider.wait_for_url(re.compile(r"/rider"))
        rider.get_by_role("switch", name="Online for deliveries").click()
        rider.get_by_text("You are online").wait_for()
        shoot(rider, "rider-onboarded")

        admin.reload()
        row = admin.get_by_role("row").filter(has_text=name)
        row.get_by_text("On shift", exact=True).wait_for()
        row.get_by_role("button", name="Deactivate").click()
        row.get_by_text("Deactivated", exact=True).wait_for()

        # The account is refused at once: the rider's next request signs the app out.
        rider.reload()
        rider.wait_for_url(re.compile(r"/login"))
    finally:
        admin_ctx.close()
        rider_ctx.close()
