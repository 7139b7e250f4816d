"""Which open store serves a point: an R-tree (shapely's STRtree) over the bounding boxes of
the stores' service areas picks the few stores whose box holds the point, and only those are
checked exactly (:func:`kirana.catalog.geo.covers`), so the answer is the full scan's and stays
fast with thousands of stores.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Generic, Protocol, TypeVar

import shapely

from kirana.catalog import geo


class ServiceArea(Protocol):
    @property
    def lat(self) -> float: ...
    @property
    def lng(self) -> float: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def service_radius_m(self) -> int | None: ...
    @property
    def service_area(self) -> dict[str, Any] | None: ...


S = TypeVar("S", bound=ServiceArea)

# Boxes are widened by this much (degrees, and a relative share) so that rounding never leaves
# out a point the exact test would take: the index may offer too many stores, never too few.
_MARGIN_DEG = 1e-7
_MARGIN_REL = 1e-6


def radius_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min lng, min lat, max lng, max lat) holding every point within ``radius_m`` metres
    (great-circle) of the centre; the whole band of longitudes near a pole or the 180th
    meridian."""
    delta = radius_m / geo.EARTH_RADIUS_M  # the cap's angular radius
    dlat = math.degrees(delta) * (1 + _MARGIN_REL) + _MARGIN_DEG
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    if abs(lat) + dlat >= 90 or delta >= math.pi / 2:
        return (-180.0, south, 180.0, north)
    # The widest a spherical cap reaches in longitude: sin(dlng) = sin(delta) / cos(lat).
    reach = min(1.0, math.sin(delta) / math.cos(math.radians(lat)))
    dlng = math.degrees(math.asin(reach)) * (1 + _MARGIN_REL) + _MARGIN_DEG
    if lng - dlng < -180 or lng + dlng > 180:
        return (-180.0, south, 180.0, north)
    return (lng - dlng, south, lng + dlng, north)


def area_box(polygon: dict[str, Any]) -> tuple[float, float, float, float]:
    """The bounding box of a GeoJSON Polygon's outer ring (holes only take points away)."""
    ring = polygon["coordinates"][0]
    lngs = [float(p[0]) for p in ring]
    lats = [float(p[1]) for p in ring]
    return (
        min(lngs) - _MARGIN_DEG,
        min(lats) - _MARGIN_DEG,
        max(lngs) + _MARGIN_DEG,
        max(lats) + _MARGIN_DEG,
    )


def _serves(store: ServiceArea, lat: float, lng: float) -> bool:
    return store.is_open and geo.covers(
        lat,
        lng,
        store_lat=store.lat,
        store_lng=store.lng,
        radius_m=store.service_radius_m,
        area=store.service_area,
    )


def nearest_by_scan(stores: Iterable[S], lat: float, lng: float) -> tuple[S, float] | None:
    """What the index must answer, the slow way: every store checked, the nearest that serves
    the point wins, ties to the earlier one."""
    best: tuple[S, float] | None = None
    for store in stores:
        if _serves(store, lat, lng):
            distance = geo.haversine_m(lat, lng, store.lat, store.lng)
            if best is None or distance < best[1]:
                best = (store, distance)
    return best


class ServiceAreaIndex(Generic[S]):
    """The open stores with a service area, indexed; immutable, built anew when stores change."""

    def __init__(self, stores: Iterable[S]) -> None:
        kept: list[S] = []
        boxes: list[tuple[float, float, float, float]] = []
        for store in stores:
            if not store.is_open:
                continue
            if store.service_area is not None:
                boxes.append(area_box(store.service_area))
            elif store.service_radius_m is not None:
                boxes.append(radius_box(store.lat, store.lng, store.service_radius_m))
            else:
                continue
            kept.append(store)
        self.stores: tuple[S, ...] = tuple(kept)
        self._tree: shapely.STRtree | None = None
        if boxes:
            xmin, ymin, xmax, ymax = (list(column) for column in zip(*boxes, strict=True))
            self._tree = shapely.STRtree(shapely.box(xmin, ymin, xmax, ymax))

    def __len__(self) -> int:
        return len(self.stores)

    def nearest(self, lat: float, lng: float) -> tuple[S, float] | None:
        """The nearest open store whose area holds the point, with its distance in metres;
        of stores at the same distance, the first in the order they were given."""
        if self._tree is None:
            return None
        candidates = sorted(self._tree.query(shapely.Point(lng, lat)).tolist())
        return nearest_by_scan((self.stores[i] for i in candidates), lat, lng)
