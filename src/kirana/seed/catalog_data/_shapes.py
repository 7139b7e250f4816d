"""The shapes of the demo catalog's raw material: categories, fictional brands, items, variants, pack sizes.

Each subcategory lists ``items`` (what it is), ``variants`` (a flavour or kind, "" for none),
``units`` (pack sizes) and a price band in euro cents for its smallest pack (the demo city is
Helsinki, priced in EUR: ``seed.demo.DEMO_MARKET``). The seed combines
them into products, so ~3,000 believable names come out of a few hundred words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sub:
    name: str
    items: tuple[str, ...]
    variants: tuple[str, ...]
    units: tuple[str, ...]
    cents: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Top:
    name: str
    brands: tuple[str, ...]
    blurb: str
    subs: tuple[Sub, ...]


def _t(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|"))
