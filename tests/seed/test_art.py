"""The demo catalog's pictures: every product and category has one, most products a picture of
their own kind, each is served under /media/art/ as an SVG, and an admin's upload replaces it."""

from __future__ import annotations

import os
import random
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from kirana.catalog.models import Category, Product
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.main import STATIC_APP
from kirana.seed import art, demo
from kirana.seed.catalog_data import CATALOG
from tests.factories import login, make_category, make_product, make_store, make_user

ART_DIR = STATIC_APP / "media" / "art"
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def built_art() -> None:
    """The pictures come from the web build (npm run build); under CI it must have run."""
    if not ART_DIR.is_dir():
        if CI:
            pytest.fail(f"{ART_DIR} is missing: the web build did not write the product pictures")
        pytest.skip("the web app is not built (make web)")


def test_most_products_show_their_own_kind() -> None:
    categories, products = demo.build_catalog(random.Random(42), 3000, clock.now())
    subs = {s.name: s for top in CATALOG for s in top.subs}
    sub_of = {c["id"]: c["name"] for c in categories}
    assert all(c["image_url"] and c["image_url"].startswith(art.ART_PREFIX) for c in categories)
    own = 0
    for p in products:
        assert p["image_url"].startswith(art.ART_PREFIX) and p["image_url"].endswith(".svg")
        sub = subs[sub_of[p["category_id"]]]
        item = max((i for i in sub.items if p["name"].endswith(i)), key=len)
        if p["image_url"] == art.item_art(item):
            own += 1
        else:  # the generic fallback: its subcategory's picture
            assert p["image_url"] == art.category_art(sub.name), p["name"]
    assert own / len(products) >= 0.95, f"{own} of {len(products)} have a picture of their kind"
    assert len({p["image_url"] for p in products}) >= 100  # not a handful of icons repeated


async def test_every_seeded_picture_is_served_as_svg(
    settings: Settings, db: Database, client: httpx.AsyncClient
) -> None:
    built_art()
    await demo.seed_demo(settings, product_count=300)
    async with db.transaction(write=False) as s:
        products = (await s.execute(select(Product.name, Product.image_url))).all()
        categories = (await s.execute(select(Category.name, Category.image_url))).all()
    assert len(products) == 300 and all(url for _, url in [*products, *categories])
    for url in sorted({url for _, url in [*products, *categories]}):
        r = await client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"] == "image/svg+xml", url
        assert r.content.startswith(b"<svg ") and b"</svg>" in r.content, url
    assert (await client.get("/media/art/no-such-picture.svg")).status_code == 404


def test_the_build_ships_exactly_the_mapped_pictures() -> None:
    built_art()
    urls = [art.item_art(i) for top in CATALOG for sub in top.subs for i in sub.items]
    urls += [art.category_art(c.name) for top in CATALOG for c in (top, *top.subs)]
    named = {Path(url).name for url in urls if url}
    assert {p.name for p in ART_DIR.glob("*.svg")} == named
    assert (ART_DIR / "NOTICE.txt").read_text().startswith("Product pictures: Noto Emoji")


async def test_an_uploaded_photo_replaces_the_default_picture(
    client: httpx.AsyncClient, db: Database
) -> None:
    admin = await login(client, await make_user(db, role="admin"))
    store = await make_store(db)
    pid = await make_product(db, await make_category(db), store_id=store)
    default = art.art_url("red-apple")
    async with db.transaction() as s:
        await s.execute(update(Product).where(Product.id == pid).values(image_url=default))
    listed = (await client.get(f"/api/v1/stores/{store}/products")).json()["items"]
    assert listed[0]["image_url"] == default
    r = await client.post(
        f"/api/v1/admin/products/{pid}/image", files={"file": ("a.png", PNG)}, headers=admin
    )
    assert r.status_code == 200, r.text
    uploaded = r.json()["image_url"]
    assert uploaded.startswith("/media/products/")
    for path in (f"/api/v1/stores/{store}/products", f"/api/v1/stores/{store}/products/{pid}"):
        body = (await client.get(path)).json()
        shown = body["items"][0] if "items" in body else body
        assert shown["image_url"] == uploaded, path
    assert (await client.get(uploaded)).status_code == 200
