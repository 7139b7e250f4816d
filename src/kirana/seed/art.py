"""The demo catalog's pictures: each kind of product and each category mapped to an illustration of
the Noto Emoji set (Apache-2.0). The web build writes the named SVGs from the installed package into
the built app, and the server serves them under ``/media/art/``, like uploaded images.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

ART_PREFIX = "/media/art/"


@cache
def _mapping() -> tuple[dict[str, str], dict[str, str]]:
    text = (files("kirana.seed.catalog_data") / "product_art.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return dict(data["items"]), dict(data["categories"])


def art_url(name: str) -> str:
    return f"{ART_PREFIX}{name}.svg"


def item_art(item: str) -> str | None:
    """The picture of this kind of product ("Toned Milk", "Apples"), if it has its own."""
    name = _mapping()[0].get(item)
    return art_url(name) if name else None


def category_art(category: str) -> str | None:
    """The picture of a category, also what a product without its own picture shows."""
    name = _mapping()[1].get(category)
    return art_url(name) if name else None


def product_art(item: str, category: str) -> str | None:
    return item_art(item) or category_art(category)
