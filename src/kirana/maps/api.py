"""REST routes of the maps: streets to draw, routes, address search and pin lookup."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator

from kirana.deps import AppSettings
from kirana.kit.openapi import problems
from kirana.kit.pagination import Page
from kirana.kit.validation import Latitude, Longitude
from kirana.maps import service
from kirana.maps.graph import LatLng
from kirana.maps.schemas import PlaceRead, RouteRead, StreetsRead
from kirana.maps.speeds import Vehicle

router = APIRouter(prefix="/api/v1/maps", tags=["maps"])


def _numbers(text: str, count: int) -> list[float]:
    parts = text.split(",")
    if len(parts) != count:
        raise ValueError(f"write {count} numbers separated by commas")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"write {count} numbers separated by commas") from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError("numbers must be finite")
    return values


def _point(text: str) -> LatLng:
    lat, lng = _numbers(text, 2)
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError("latitude must be within -90..90 and longitude within -180..180")
    return lat, lng


def _bbox(text: str) -> service.Bbox:
    w, s, e, n = _numbers(text, 4)
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise ValueError(
            "write min_lng,min_lat,max_lng,max_lat with each minimum below its maximum"
        )
    return w, s, e, n


def _checked_point(text: str) -> str:
    _point(text)
    return text


def _checked_bbox(text: str) -> str:
    _bbox(text)
    return text


# Checked as the query is parsed, so a bad value is a 422 naming its parameter.
Point = Annotated[str, AfterValidator(_checked_point)]
StreetsBox = Annotated[str, AfterValidator(_checked_bbox)]


@router.get(
    "/streets",
    operation_id="getStreets",
    response_model=StreetsRead,
    description="The demo city's streets as GeoJSON lines (© OpenStreetMap contributors), to"
    " draw under stores, areas, riders and routes. With `bbox` only the ways crossing it.",
)
async def get_streets(
    request: Request,
    settings: AppSettings,
    bbox: Annotated[
        StreetsBox | None,
        Query(max_length=120, description="min_lng,min_lat,max_lng,max_lat"),
    ] = None,
) -> Response:
    box = _bbox(bbox) if bbox is not None else None
    body, tag = await service.streets(settings, box)
    headers = {"ETag": tag, "Cache-Control": "public, max-age=3600"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/route",
    operation_id="getRoute",
    responses=problems(503),
    description="The quickest route by travel time for the vehicle, with turn-by-turn steps."
    " 422 `no_route` when both points are on streets that do not meet.",
)
async def get_route(
    settings: AppSettings,
    start: Annotated[Point, Query(alias="from", max_length=60, description="lat,lng")],
    end: Annotated[Point, Query(alias="to", max_length=60, description="lat,lng")],
    vehicle: Vehicle = "scooter",
) -> RouteRead:
    return await service.route(settings, [_point(start), _point(end)], vehicle)


@router.get("/geocode", operation_id="searchAddresses", responses=problems(503))
async def search_addresses(
    settings: AppSettings,
    q: Annotated[str, Query(min_length=2, max_length=100, description="Street and number")],
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> Page[PlaceRead]:
    return Page(items=await service.search_addresses(settings, q.strip(), limit))


@router.get(
    "/reverse",
    operation_id="reverseGeocode",
    responses=problems(404, 503),
    description="The street address at a dropped pin (404 `no_address` when none is near).",
)
async def reverse_geocode(
    settings: AppSettings, lat: Annotated[Latitude, Query()], lng: Annotated[Longitude, Query()]
) -> PlaceRead:
    return await service.address_at(settings, lat, lng)
