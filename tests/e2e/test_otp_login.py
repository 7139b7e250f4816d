"""Sign in with a code by SMS in the browser: a phone new to the shop asks for a code, the code
goes out through the console SMS channel (read here from `kirana up`'s log), a wrong code is
refused with the tries left, the right one signs in and registers the phone."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server
from .test_web_flow import PHONE, TIMEOUT

pytestmark = pytest.mark.e2e


def code_from_log(server: Server, phone: str, after: int, wait: float = 20.0) -> str:
    """The newest login code the console SMS channel logged for ``phone`` (past byte ``after``)."""
    assert server.log is not None
    pattern = re.compile(rf"SMS to {re.escape(phone)}: (\d{{6}}) is your Kirana login code")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = pattern.findall(server.log.read_text()[after:])
        if found:
            return str(found[-1])
        time.sleep(0.2)
    raise AssertionError(f"no login code for {phone} in the server log")


def test_code_login_registers_a_new_phone(server: Server, browser: Any) -> None:
    assert server.log is not None
    config = httpx.get(f"{server.url}/api/v1/config").json()
    example = config["phone_example"]
    phone = example[:-4] + f"{int(time.time() * 1000) % 10_000:04d}"
    ctx = browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(TIMEOUT)
    page = ctx.new_page()
    try:
        page.goto(f"{server.url}/login")
        page.get_by_role("button", name="Sign in with a code by SMS instead").click()
        page.get_by_role("heading", name="Sign in with a code").wait_for()
        page.get_by_label("Phone number").fill(phone)
        before = len(server.log.read_text())
        page.get_by_role("button", name="Send code").click()
        page.get_by_role("status").filter(has_text="We sent a 6-digit code").wait_for()
        code = code_from_log(server, phone, before)

        wrong = f"{(int(code) + 1) % 10**6:06d}"
        page.get_by_label("Code", exact=True).fill(wrong)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.get_by_role("alert").filter(has_text="tries left").wait_for()

        page.get_by_label("Code", exact=True).fill(code)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(f"{server.url}/")
        page.goto(f"{server.url}/account")
        page.get_by_role("heading", name="Notifications").wait_for()
        assert page.get_by_label("Phone").input_value() == phone
        page.screenshot(path=str(SCREENSHOTS / "customer-code-login.png"))

        # the code worked once: the API refuses it now
        r = httpx.post(f"{server.url}/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
        assert r.status_code == 401 and r.json()["code"] == "invalid_code"
    finally:
        ctx.close()
