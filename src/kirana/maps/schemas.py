"""What the maps endpoints answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from kirana.maps.extract import ATTRIBUTION
from kirana.maps.speeds import Vehicle


class StepRead(BaseModel):
    maneuver: Literal["depart", "turn", "continue", "arrive", "waypoint"] = Field(
        description="waypoint: a stop on the way (the store, for a rider going to pick up)"
    )
    modifier: str | None = Field(
        description="left, right, slight/sharp left/right, straight, uturn; for depart the"
        " compass heading"
    )
    street: str | None
    instruction: str = Field(examples=["Turn left onto Mannerheimintie"])
    distance_m: int
    duration_s: int
    lat: float
    lng: float


class RouteRead(BaseModel):
    vehicle: Vehicle
    provider: str = Field(description="local (the demo city's streets) or osrm")
    source: Literal["road", "straight_line"] = Field(
        description="straight_line: a point is off every street, so the distance is the"
        " straight line times the detour factor"
    )
    distance_m: int
    duration_s: int
    path: list[tuple[float, float]] = Field(description="[lat, lng] positions in order")
    steps: list[StepRead]
    attribution: str = ATTRIBUTION


class PlaceRead(BaseModel):
    label: str = Field(examples=["Mannerheimintie 20"])
    street: str
    housenumber: str | None
    postcode: str | None
    city: str | None
    lat: float
    lng: float


class LineGeometry(BaseModel):
    type: Literal["LineString"]
    coordinates: list[tuple[float, float]] = Field(description="[lng, lat] positions (GeoJSON)")


class StreetProperties(BaseModel):
    name: str | None
    kind: Literal["major", "street", "path"]


class StreetFeature(BaseModel):
    type: Literal["Feature"]
    geometry: LineGeometry
    properties: StreetProperties


class StreetsRead(BaseModel):
    """A GeoJSON FeatureCollection of the streets to draw under the map's own layers."""

    type: Literal["FeatureCollection"]
    attribution: str = ATTRIBUTION
    features: list[StreetFeature]
