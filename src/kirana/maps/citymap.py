"""The demo city's map, built once from the extract and cached on disk.

The cache lives under ``<var_dir>/maps/``, named by the extract's SHA-256 and the build's
version: a changed extract (or a change to how the graph is built) makes a new file, and the
old ones are removed. Within a process the loaded city is kept, so a test session builds it
once and every later process only reads the files (numpy arrays and one JSON document).
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

from kirana.maps.extract import (
    ATTRIBUTION,
    NETWORKS,
    Progress,
    RawExtract,
    extract_path,
    file_digest,
    read_extract,
)
from kirana.maps.geocoding import OfflineGeocoder, Place
from kirana.maps.graph import LatLng, Leg, RoadGraph, Step, kind_of
from kirana.maps.speeds import VEHICLES, Vehicle, speed_kmh

BUILD_VERSION = 1
MAX_SNAP_M = 300.0
DETOUR_FACTOR = 1.3
# A pin with no address this close gets the nearest street's name.
STREET_RADIUS_M = 120.0
Source = Literal["road", "straight_line"]


class Travel(NamedTuple):
    """How long a trip takes, how far it is, and whether streets or a straight line said so."""

    seconds: float
    metres: float
    source: Source


@dataclass(frozen=True, slots=True)
class Route:
    seconds: float
    metres: float
    source: Source
    path: list[LatLng]
    steps: list[Step]


def _print_progress(line: str) -> None:
    print(f"  maps: {line}", file=sys.stderr, flush=True)


class City:
    def __init__(
        self,
        digest: str,
        graphs: dict[Vehicle, RoadGraph],
        geocoder: OfflineGeocoder,
        streets: dict[str, Any],
        bounds: tuple[float, float, float, float],
        *,
        max_snap_m: float = MAX_SNAP_M,
        detour: float = DETOUR_FACTOR,
    ) -> None:
        self.digest = digest
        self.graphs = graphs
        self.geocoder = geocoder
        self.streets = streets  # GeoJSON FeatureCollection of the ways to draw
        self.bounds = bounds  # min lng, min lat, max lng, max lat
        self.max_snap_m = max_snap_m
        self.detour = detour

    def leg(self, a: LatLng, b: LatLng, vehicle: Vehicle) -> Leg:
        return self.graphs[vehicle].leg(a, b, max_snap_m=self.max_snap_m, detour=self.detour)

    def travel(self, a: LatLng, b: LatLng, vehicle: Vehicle) -> Travel:
        leg = self.leg(a, b, vehicle)
        return Travel(leg.seconds, leg.metres, leg.source)

    def seconds(self, a: LatLng, b: LatLng, vehicle: Vehicle) -> float:
        """The quickest trip's seconds alone (``travel``'s, cheaper)."""
        return self.graphs[vehicle].trip_seconds(
            a, b, max_snap_m=self.max_snap_m, detour=self.detour
        )

    def seconds_matrix(self, points: Sequence[LatLng], vehicle: Vehicle) -> np.ndarray:
        """Seconds between every pair of points (``inf`` where no road connects them)."""
        return self.graphs[vehicle].seconds_matrix(
            points, max_snap_m=self.max_snap_m, detour=self.detour
        )

    def route(
        self, waypoints: Sequence[LatLng], vehicle: Vehicle, labels: Sequence[str | None] = ()
    ) -> Route:
        """Through every waypoint in order; ``labels`` names the stops after the first."""
        legs = [self.leg(a, b, vehicle) for a, b in itertools.pairwise(waypoints)]
        path: list[LatLng] = []
        steps: list[Step] = []
        for i, leg in enumerate(legs):
            path.extend(leg.path if not path else leg.path[1:])
            label = labels[i] if i < len(labels) else None
            for step in leg.steps:
                if step.maneuver == "arrive":
                    last = i == len(legs) - 1
                    step = Step(
                        "arrive" if last else "waypoint",
                        None,
                        None,
                        0,
                        0,
                        step.lat,
                        step.lng,
                        f"Arrive at {label or 'your destination'}",
                    )
                steps.append(step)
        source: Source = "road" if all(leg.source == "road" for leg in legs) else "straight_line"
        return Route(
            sum(leg.seconds for leg in legs), sum(leg.metres for leg in legs), source, path, steps
        )

    def reverse(self, lat: float, lng: float) -> Place | None:
        """The address at a pin, or the nearest street's name when no address is that close."""
        place = self.geocoder.nearest(lat, lng)
        if place is not None:
            return place
        graph = self.graphs["on_foot"]
        node, off = graph.snap(lat, lng)
        if off > STREET_RADIUS_M:
            return None
        edges = np.flatnonzero((graph.src == node) | (graph.dst == node))
        named = [graph.names[int(graph.name[e])] for e in edges if graph.names[int(graph.name[e])]]
        if not named:
            return None
        near = self.geocoder.nearest(lat, lng, radius_m=1_000)
        return Place(
            label=named[0],
            street=named[0],
            housenumber=None,
            postcode=near.postcode if near else None,
            city=near.city if near else "Helsinki",
            lat=lat,
            lng=lng,
        )


# ----- building and caching -------------------------------------------------------------------


def _build(raw: RawExtract, progress: Progress) -> dict[str, Any]:
    """Arrays of every vehicle's directed segments over one node table, as saved to disk."""
    ids = sorted(raw.nodes)
    index = {node: i for i, node in enumerate(ids)}
    arrays: dict[str, Any] = {
        "lat": np.array([raw.nodes[n][0] for n in ids], dtype=np.float64),
        "lng": np.array([raw.nodes[n][1] for n in ids], dtype=np.float64),
    }
    names: dict[str, int] = {"": 0}
    for vehicle in VEHICLES:
        seg = raw.networks[NETWORKS[vehicle]]
        src: list[int] = []
        dst: list[int] = []
        secs: list[float] = []
        metres: list[float] = []
        name: list[int] = []
        kind: list[int] = []
        motor = vehicle in ("scooter", "motorbike")
        for i in range(len(seg.u)):
            u, v = index[seg.u[i]], index[seg.v[i]]
            highway, oneway = seg.highway[i], seg.oneway[i]
            m = seg.metres[i]
            s = m / (speed_kmh(vehicle, highway, seg.maxspeed[i]) / 3.6)
            forward, backward = True, True
            if vehicle != "on_foot" and (motor or not seg.bicycle_contraflow[i]):
                if oneway in ("yes", "true", "1"):
                    backward = False
                elif oneway == "-1":
                    forward = False
            label = names.setdefault(seg.name[i], len(names))
            for ok, a, b in ((forward, u, v), (backward, v, u)):
                if ok:
                    src.append(a)
                    dst.append(b)
                    secs.append(s)
                    metres.append(m)
                    name.append(label)
                    kind.append(kind_of(highway))
        arrays[f"{vehicle}_src"] = np.array(src, dtype=np.int64)
        arrays[f"{vehicle}_dst"] = np.array(dst, dtype=np.int64)
        arrays[f"{vehicle}_seconds"] = np.array(secs, dtype=np.float64)
        arrays[f"{vehicle}_metres"] = np.array(metres, dtype=np.float64)
        arrays[f"{vehicle}_name"] = np.array(name, dtype=np.int32)
        arrays[f"{vehicle}_kind"] = np.array(kind, dtype=np.int8)
        progress(f"{vehicle}: {len(src)} directed segments")
    arrays["names"] = sorted(names, key=names.__getitem__)
    return arrays


def _streets_geojson(raw: RawExtract) -> dict[str, Any]:
    def kind(highway: str) -> str:
        base = highway.removesuffix("_link")
        if base in ("motorway", "trunk", "primary", "secondary", "tertiary"):
            return "major"
        if base in ("residential", "unclassified", "living_street", "service", "road"):
            return "street"
        return "path"

    return {
        "type": "FeatureCollection",
        "attribution": ATTRIBUTION,
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": s.coordinates},
                "properties": {"name": s.name, "kind": kind(s.highway)},
            }
            for s in raw.streets
        ],
    }


def _files(cache_dir: Path, digest: str) -> tuple[Path, Path]:
    stem = f"city-{digest[:16]}-v{BUILD_VERSION}"
    return cache_dir / f"{stem}.npz", cache_dir / f"{stem}.json"


def _write_atomically(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=path.suffix) as tmp:
        write(tmp)
    Path(tmp.name).replace(path)


def build_city_files(cache_dir: Path, extract: Path, digest: str, progress: Progress) -> None:
    started = time.perf_counter()
    progress(f"building the street graph from {extract.name} (once; cached in {cache_dir})")
    raw = read_extract(extract, progress)
    arrays = _build(raw, progress)
    names = arrays.pop("names")
    lats = [lat for lat, _ in raw.nodes.values()]
    lngs = [lng for _, lng in raw.nodes.values()]
    document = {
        "digest": digest,
        "names": names,
        "bounds": [min(lngs), min(lats), max(lngs), max(lats)],
        "addresses": [a.__dict__ for a in raw.addresses],
        "streets": _streets_geojson(raw),
    }
    arrays_path, doc_path = _files(cache_dir, digest)
    _write_atomically(doc_path, lambda f: f.write(json.dumps(document).encode()))
    _write_atomically(arrays_path, lambda f: np.savez_compressed(f, **arrays))
    for old in cache_dir.glob("city-*"):
        if old not in (arrays_path, doc_path):
            old.unlink(missing_ok=True)
    progress(f"street graph ready in {time.perf_counter() - started:.1f}s")


def _load_files(cache_dir: Path, digest: str, *, max_snap_m: float, detour: float) -> City | None:
    arrays_path, doc_path = _files(cache_dir, digest)
    if not arrays_path.is_file() or not doc_path.is_file():
        return None
    try:
        document = json.loads(doc_path.read_text())
        with np.load(arrays_path, allow_pickle=False) as npz:
            data = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, KeyError):
        return None  # a torn or foreign file: build again
    if document.get("digest") != digest or any(f"{v}_src" not in data for v in VEHICLES):
        return None
    names = document["names"]
    graphs = {
        v: RoadGraph(
            v,
            data["lat"],
            data["lng"],
            data[f"{v}_src"],
            data[f"{v}_dst"],
            data[f"{v}_seconds"],
            data[f"{v}_metres"],
            data[f"{v}_name"],
            data[f"{v}_kind"],
            names,
        )
        for v in VEHICLES
    }
    places = [
        Place(
            label=f"{a['street']} {a['housenumber']}",
            street=a["street"],
            housenumber=a["housenumber"],
            postcode=a["postcode"],
            city=a["city"] or "Helsinki",
            lat=a["lat"],
            lng=a["lng"],
        )
        for a in document["addresses"]
    ]
    return City(
        digest,
        graphs,
        OfflineGeocoder(places),
        document["streets"],
        tuple(document["bounds"]),
        max_snap_m=max_snap_m,
        detour=detour,
    )


_loaded: dict[tuple[str, str, float, float], City] = {}
_digests: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


def _digest(extract: Path) -> str:
    stat = extract.stat()
    key = (str(extract), stat.st_mtime_ns, stat.st_size)
    if key not in _digests:
        _digests[key] = file_digest(extract)
    return _digests[key]


def load_city(
    cache_dir: Path,
    *,
    max_snap_m: float = MAX_SNAP_M,
    detour: float = DETOUR_FACTOR,
    progress: Progress = _print_progress,
) -> City:
    """The city, from memory, else from the cache files, else built (and cached) now."""
    extract = extract_path()
    digest = _digest(extract)
    key = (str(cache_dir.resolve()), digest, max_snap_m, detour)
    with _lock:
        city = _loaded.get(key)
        if city is None:
            city = _load_files(cache_dir, digest, max_snap_m=max_snap_m, detour=detour)
            if city is None:
                build_city_files(cache_dir, extract, digest, progress)
                city = _load_files(cache_dir, digest, max_snap_m=max_snap_m, detour=detour)
                assert city is not None, "the street graph was built but cannot be read back"
            _loaded[key] = city
        return city
