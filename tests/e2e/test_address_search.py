"""A customer finds a delivery address the way a person would: by searching the city's street
addresses, or by dropping a pin on the street map (which looks up the address there), and saves
it. The map draws the city's streets with the OpenStreetMap credit.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server
from .test_web_flow import PHONE, TIMEOUT, api_login, shoot, sign_in

pytestmark = pytest.mark.e2e

ANNANKATU_18 = (60.1658, 24.9382)  # the demo customer Aino's street address


def test_search_an_address_drop_a_pin_and_save(server: Server, browser: Any) -> None:
    login = server.first("customer")
    ctx = browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(TIMEOUT)
    page = ctx.new_page()
    try:
        _flow(page, server, login.phone, login.password)
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "FAILED-address-search.png"), full_page=True)
        raise
    finally:
        ctx.close()


def _flow(page: Any, server: Server, phone: str, password: str) -> None:
    from playwright.sync_api import expect

    # A new address on the account page.
    sign_in(page, server, phone, password, "/account")
    page.get_by_role("button", name="+ Add").click()
    form = page.get_by_role("form", name="New address")
    form.locator("[data-streets='drawn']").wait_for()
    expect(form.locator(".leaflet-control-attribution")).to_contain_text(
        "© OpenStreetMap contributors"
    )
    save = form.get_by_role("button", name="Save address")
    expect(save).to_be_disabled()  # nowhere chosen yet

    form.get_by_label("Label").fill("Pinned door")
    form.get_by_role("combobox", name="Find your address").fill("annankatu 18")
    form.get_by_role("option", name=re.compile(r"^Annankatu 18")).first.click()
    expect(form.get_by_label("Street address")).to_have_value("Annankatu 18")
    expect(form.get_by_label("Postcode / PIN")).to_have_value("00120")

    # Drop a pin a little east of the searched address (the map is centred on it now). The
    # click looks the address up: wait for its answer on screen before reading the form.
    area = form.get_by_role("application", name=re.compile("drop a pin"))
    box = area.bounding_box()
    assert box is not None
    with page.expect_response(re.compile(r"/api/v1/maps/reverse\?")) as answer:
        area.click(position={"x": box["width"] / 2 + 60, "y": box["height"] / 2})
    assert answer.value.status in (200, 404)
    note = form.get_by_test_id("pin-note")
    expect(note).to_have_text(re.compile(r"^Pin dropped"))
    text = note.inner_text()
    street = form.get_by_label("Street address").input_value()
    if answer.value.status == 200:
        assert text == f"Pin dropped at {answer.value.json()['label']}."
        assert street == answer.value.json()["label"]
    else:
        form.get_by_label("Street address").fill("Annankatu 18 (courtyard)")
        street = "Annankatu 18 (courtyard)"
    expect(save).to_be_enabled()
    save.click()
    page.get_by_text("Pinned door").wait_for()
    shoot(page, "address-saved")

    headers = api_login(server, phone, password)
    saved = [
        a
        for a in httpx.get(f"{server.url}/api/v1/me/addresses", headers=headers).json()["items"]
        if a["label"] == "Pinned door"
    ]
    assert len(saved) == 1
    (address,) = saved
    assert address["line1"] == street
    # The pin, not the searched address, is where the rider goes: east of it, and near.
    assert address["lng"] > ANNANKATU_18[1]
    assert abs(address["lat"] - ANNANKATU_18[0]) < 0.002
    assert abs(address["lng"] - ANNANKATU_18[1]) < 0.004

    # The location page searches the same addresses, and a store answers for the one chosen.
    page.goto(f"{server.url}/location")
    page.get_by_role("combobox", name="Street and number").fill("annankatu 18")
    page.get_by_role("option", name=re.compile(r"^Annankatu 18")).first.click()
    page.get_by_text(re.compile(r"delivers here")).wait_for()
    shoot(page, "location-address-search")
