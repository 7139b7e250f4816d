"""Stores and their service areas edited on the map, in the browser: an admin adds a dark store
by clicking where it is, then draws its service area corner by corner; customers' serviceability
follows at once (inside the drawn area: this store; inside the old radius but outside the area:
no longer this store)."""

from __future__ import annotations

import math
import re
import time
from typing import Any

import httpx
import pytest

from .conftest import Server
from .test_web_flow import DESKTOP, TIMEOUT, api_login, shoot, sign_in

pytestmark = pytest.mark.e2e


def _serving(server: Server, lat: float, lng: float) -> str | None:
    answer = httpx.get(f"{server.url}/api/v1/serviceability", params={"lat": lat, "lng": lng})
    answer.raise_for_status()
    store = answer.json()["store"]
    return store["id"] if store else None


def _click(page: Any, map_label: str, dx: float, dy: float) -> None:
    box = page.get_by_role("application", name=map_label).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)


def test_admin_adds_a_store_on_the_map_and_draws_its_area(server: Server, browser: Any) -> None:
    login = server.first("admin")
    headers = api_login(server, login.phone, login.password)
    name = f"Kirana Test Store {int(time.time()) % 100_000:05d}"
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        sign_in(page, server, login.phone, login.password, "/admin/stores")
        page.get_by_role("heading", name="Dark stores").wait_for()
        form = page.get_by_role("form", name="Add a dark store")
        form.get_by_label("Name").fill(name)
        form.get_by_label("Address").fill("Mechelininkatu 1")
        form.get_by_label("Service radius (m)").fill("2000")
        new_map = "Map: click where the new store is"
        page.get_by_role("application", name=new_map).scroll_into_view_if_needed()
        _click(page, new_map, 0, 0)
        form.get_by_role("status").filter(has_text="The store is at").wait_for()
        form.get_by_role("button", name="Add store").click()
        page.get_by_text(re.compile(r"added: it takes orders within 2000 m")).wait_for()

        stores = httpx.get(f"{server.url}/api/v1/admin/stores", headers=headers).json()["items"]
        store = next(s for s in stores if s["name"] == name)
        assert store["service_radius_m"] == 2000 and store["service_area"] is None
        lat, lng = store["lat"], store["lng"]
        east = lng + 1000 / (111_320 * math.cos(math.radians(lat)))  # 1 km east
        assert _serving(server, lat, lng) == store["id"]
        assert _serving(server, lat, east) is not None  # inside the radius

        row = page.get_by_role("row").filter(has_text=name)
        row.get_by_role("button", name=f"Draw area of {name}").click()
        dialog = page.get_by_role("dialog", name=f"Service area of {name}")
        area_map = f"Map: click to add a corner to the service area of {name}"
        dialog.get_by_role("application", name=area_map).wait_for()
        page.wait_for_timeout(500)  # the map fits the store before the clicks
        for dx, dy in ((-50, -50), (50, -50), (50, 50), (-50, 50)):
            _click(page, area_map, dx, dy)
        dialog.get_by_role("status").filter(has_text="4 corners: a polygon").wait_for()
        shoot(page, "admin-store-area")
        dialog.get_by_role("button", name="Save area").click()
        page.get_by_text(f"{name} now serves the area you drew (4 corners)").wait_for()
        row.get_by_text("Polygon, 4 corners").wait_for()

        stores = httpx.get(f"{server.url}/api/v1/admin/stores", headers=headers).json()["items"]
        store = next(s for s in stores if s["name"] == name)
        ring = store["service_area"]["coordinates"][0]
        assert store["service_radius_m"] is None and len(ring) == 5 and ring[0] == ring[-1]
        lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
        assert min(lngs) < lng < max(lngs) and min(lats) < lat < max(lats)
        # At once: the store still serves its own spot, and no longer a kilometre east.
        assert _serving(server, lat, lng) == store["id"]
        assert east > max(lngs) and _serving(server, lat, east) != store["id"]
    finally:
        ctx.close()
