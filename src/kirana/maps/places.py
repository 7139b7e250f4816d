"""Where addresses come from: the geocoder interface, the offline one over the extract's street
addresses, and Nominatim's HTTP API for production (``/search`` and ``/reverse``, jsonv2)."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from kirana.config import Settings
from kirana.maps.errors import ProviderUnavailable
from kirana.maps.geocoding import Place
from kirana.maps.http import MapService
from kirana.maps.routing import city_async


class GeocodingProvider(Protocol):
    name: str

    async def search(self, query: str, limit: int) -> list[Place]: ...

    async def reverse(self, lat: float, lng: float) -> Place | None: ...


class OfflineGeocoder:
    name = "offline"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def search(self, query: str, limit: int) -> list[Place]:
        return (await city_async(self.settings)).geocoder.search(query, limit)

    async def reverse(self, lat: float, lng: float) -> Place | None:
        return (await city_async(self.settings)).reverse(lat, lng)


def _place(item: dict[str, Any]) -> Place | None:
    try:
        lat, lng = float(item["lat"]), float(item["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    address = item.get("address") or {}
    street = (
        address.get("road")
        or address.get("pedestrian")
        or address.get("footway")
        or item.get("name")
        or str(item.get("display_name", "")).split(",")[0]
    )
    number = address.get("house_number")
    if not street:
        return None
    return Place(
        label=f"{street} {number}" if number else street,
        street=street,
        housenumber=number,
        postcode=address.get("postcode"),
        city=address.get("city") or address.get("town") or address.get("village"),
        lat=lat,
        lng=lng,
    )


class NominatimGeocoder:
    """Nominatim's search and reverse endpoints (their usage policy asks for a User-Agent that
    names the application, which ``maps_user_agent`` is)."""

    name = "nominatim"

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.service = MapService(settings, settings.nominatim_url, transport)

    async def _get(self, path: str, params: dict[str, Any]) -> Any:
        status, body = await self.service.get(path, params, what="address")
        if status != 200:
            raise ProviderUnavailable(f"The address service answered {status}")
        return body

    async def search(self, query: str, limit: int) -> list[Place]:
        body = await self._get(
            "/search", {"q": query, "format": "jsonv2", "addressdetails": 1, "limit": limit}
        )
        items = body if isinstance(body, list) else []
        return [p for p in (_place(i) for i in items if isinstance(i, dict)) if p][:limit]

    async def reverse(self, lat: float, lng: float) -> Place | None:
        body = await self._get(
            "/reverse", {"lat": lat, "lon": lng, "format": "jsonv2", "addressdetails": 1}
        )
        if not isinstance(body, dict) or "error" in body:
            return None  # Nominatim answers 200 {"error": "Unable to geocode"} far from roads
        return _place(body)


def geocoder(settings: Settings) -> GeocodingProvider:
    """The geocoder ``maps_geocoder`` names."""
    if settings.maps_geocoder == "nominatim":
        return NominatimGeocoder(settings)
    return OfflineGeocoder(settings)
