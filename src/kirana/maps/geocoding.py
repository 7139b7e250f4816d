"""Finding an address: the extract's own street addresses (offline), searched by street and
house number, and the nearest one to a dropped pin."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.spatial import cKDTree

from kirana.maps.graph import EARTH_RADIUS_M, haversine_m

NUMBER = re.compile(r"^\d+[a-z]?(?:[-\u2013]\d+[a-z]?)?$", re.IGNORECASE)
# A pin farther than this from every known address gets the nearest street's name only.
ADDRESS_RADIUS_M = 60.0


@dataclass(frozen=True, slots=True)
class Place:
    """A street address: what the customer's address form is filled with."""

    label: str
    street: str
    housenumber: str | None
    postcode: str | None
    city: str | None
    lat: float
    lng: float


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Töölönkatu' and 'toolonkatu' match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def _number_key(number: str) -> tuple[int, str]:
    digits = re.match(r"\d+", number)
    return (int(digits.group()) if digits else 10**6, number.casefold())


class OfflineGeocoder:
    """Search and reverse lookup over a fixed list of addresses."""

    def __init__(self, places: Sequence[Place], city: str | None = "Helsinki") -> None:
        seen: dict[tuple[str, str], Place] = {}
        for p in places:
            key = (fold(p.street), fold(p.housenumber or ""))
            kept = seen.get(key)
            if kept is None:  # one point per address (buildings list several entrances)
                seen[key] = p
            elif kept.postcode is None and p.postcode:  # ... not all of them with the postcode
                seen[key] = replace(kept, postcode=p.postcode)
        self.places = sorted(
            seen.values(), key=lambda p: (fold(p.street), _number_key(p.housenumber or ""))
        )
        self._folded = [(fold(p.street), fold(p.housenumber or "")) for p in self.places]
        lat0 = math.radians(60.0 if not self.places else self.places[0].lat)
        self._cos = math.cos(lat0)
        points = np.array([[p.lng, p.lat] for p in self.places], dtype=float).reshape(-1, 2)
        self._tree = cKDTree(self._project(points)) if len(points) else None

    def _project(self, lnglat: np.ndarray) -> np.ndarray:
        rad = np.radians(lnglat)
        return np.column_stack([rad[:, 0] * self._cos, rad[:, 1]]) * EARTH_RADIUS_M

    def search(self, query: str, limit: int = 8) -> list[Place]:
        """Addresses whose street starts with the query's words (each word may start a word of
        the street's name), exact house numbers first."""
        words = fold(query).replace(",", " ").split()
        at = next((i for i, w in enumerate(words) if NUMBER.match(w)), len(words))
        street_words = words[:at]
        # "Mannerheimintie 20 A": the number and what follows it (a staircase letter).
        number = " ".join(words[at:]) or None
        if not street_words:
            return []
        wanted = " ".join(street_words)
        exact: list[Place] = []
        partial: list[Place] = []
        for place, (street, house) in zip(self.places, self._folded, strict=True):
            parts = street.split()
            starts = street.startswith(wanted) or all(
                any(part.startswith(w) for part in parts) for w in street_words
            )
            if not starts:
                continue
            if number is None:
                partial.append(place)
            elif house == number:
                exact.append(place)
            elif house.startswith(number):
                partial.append(place)
        return (exact + partial)[:limit]

    def nearest(self, lat: float, lng: float, radius_m: float = ADDRESS_RADIUS_M) -> Place | None:
        """The known address nearest a point, if one is within ``radius_m``."""
        if self._tree is None:
            return None
        _, i = self._tree.query(self._project(np.array([[lng, lat]]))[0])
        place = self.places[int(i)]
        return place if haversine_m(lat, lng, place.lat, place.lng) <= radius_m else None
