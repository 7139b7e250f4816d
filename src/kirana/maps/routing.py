"""Where routes come from: the routing-provider interface, the offline router over the demo
city's streets, and the functions the rest of Kirana calls.

``travel(a, b, vehicle)`` is the one to use for times and distances (ETAs, dispatch, the
simulator): synchronous, offline, a few milliseconds. ``router(settings)`` gives the configured
provider (the local graph, or OSRM in production) for whole routes with turn-by-turn steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import anyio.to_thread

from kirana.config import Settings, get_settings
from kirana.maps.citymap import City, Route, Travel, load_city
from kirana.maps.graph import LatLng
from kirana.maps.osrm import OsrmRouter
from kirana.maps.speeds import Vehicle


class RoutingProvider(Protocol):
    name: str

    async def route(
        self, waypoints: Sequence[LatLng], vehicle: Vehicle, labels: Sequence[str | None] = ()
    ) -> Route:
        """Through ``waypoints`` in order; ``labels`` names each stop after the first."""
        ...


def cache_dir(settings: Settings) -> Path:
    return settings.var_dir / "maps"


def city(settings: Settings | None = None) -> City:
    """The demo city's map (built on first use, then cached on disk and in memory)."""
    s = settings or get_settings()
    return load_city(cache_dir(s), max_snap_m=s.maps_max_snap_m, detour=s.maps_detour_factor)


async def city_async(settings: Settings) -> City:
    """As ``city``, off the event loop: the first call may build the graph (a second or two)."""
    return await anyio.to_thread.run_sync(city, settings)


def travel(a: LatLng, b: LatLng, vehicle: Vehicle, settings: Settings | None = None) -> Travel:
    """Seconds, metres and source (``road`` or ``straight_line``) of the quickest trip from
    ``a`` to ``b`` (each ``(lat, lng)``) for the vehicle. Raises ``NoRoute`` when both ends
    are on streets that do not meet."""
    return city(settings).travel(a, b, vehicle)


class LocalRouter:
    """Shortest paths by travel time over the demo city's streets, in process."""

    name = "local"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def route(
        self, waypoints: Sequence[LatLng], vehicle: Vehicle, labels: Sequence[str | None] = ()
    ) -> Route:
        return (await city_async(self.settings)).route(waypoints, vehicle, labels)


def router(settings: Settings) -> RoutingProvider:
    """The provider ``maps_router`` names."""
    if settings.maps_router == "osrm":
        return OsrmRouter(settings)
    return LocalRouter(settings)
