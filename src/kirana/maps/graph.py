"""One vehicle's routable graph: directed road segments weighted by travel time, shortest paths
by scipy's Dijkstra, points snapped to the nearest street node with a KD-tree.

A graph keeps only its largest strongly connected part: the extract is cut out of a larger map,
and one-way streets leaving its edge would otherwise be traps that a route could enter and never
leave. Graphs built from other data (tests) may keep every part; a route between parts that do
not meet is then refused (``NoRoute``), never guessed.
"""

from __future__ import annotations

import itertools
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from kirana.kit.geo import EARTH_RADIUS_M as EARTH_RADIUS_M
from kirana.kit.geo import haversine_m as haversine_m
from kirana.maps.errors import NoRoute
from kirana.maps.speeds import PACES, Vehicle

# Unnamed ways are described by their kind.
KINDS = ("road", "footpath", "steps", "cycle path", "service road")
LatLng = tuple[float, float]
Maneuver = Literal["depart", "turn", "continue", "arrive", "waypoint"]
# Sources of paths cached per graph (stores are the usual source, so most trips reuse one).
SOURCE_CACHE = 64
# A nameless stretch shorter than this (a crossing, a kerb ramp) is no step of its own.
MIN_STEP_M = 15.0


def kind_of(highway: str) -> int:
    if highway == "steps":
        return 2
    if highway in ("footway", "pedestrian", "path", "corridor", "trail", "track", "elevator"):
        return 1
    if highway == "cycleway":
        return 3
    if highway == "service":
        return 4
    return 0


def bearing(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Initial compass bearing in degrees (0 north, 90 east)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlmb = math.radians(lng2 - lng1)
    x = math.sin(dlmb) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlmb)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def compass(degrees: float) -> str:
    names = ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest")
    return names[round(degrees / 45) % 8]


def turn_modifier(before: float, after: float) -> str:
    delta = (after - before + 540) % 360 - 180  # -180..180, positive to the right
    size = abs(delta)
    if size < 20:
        return "straight"
    side = "right" if delta > 0 else "left"
    if size < 60:
        return f"slight {side}"
    if size < 135:
        return side
    if size < 170:
        return f"sharp {side}"
    return "uturn"


def instruction(maneuver: str, modifier: str | None, street: str, label: str | None = None) -> str:
    """The words of one step, for ours and for OSRM's alike."""
    if maneuver == "depart":
        return f"Head {modifier or 'off'} on {street}" if street else "Head off"
    if maneuver in ("arrive", "waypoint"):
        return f"Arrive at {label or 'your destination'}"
    if modifier in (None, "straight"):
        return f"Continue onto {street}"
    if modifier == "uturn":
        return f"Make a U-turn onto {street}"
    return f"Turn {modifier} onto {street}"


@dataclass(frozen=True, slots=True)
class Step:
    maneuver: Maneuver
    modifier: str | None
    street: str | None
    distance_m: float
    duration_s: float
    lat: float
    lng: float
    instruction: str


@dataclass(frozen=True, slots=True)
class Leg:
    seconds: float
    metres: float
    source: Literal["road", "straight_line"]
    path: list[LatLng]
    steps: list[Step]


class RoadGraph:
    """Directed, time-weighted segments over a shared node table."""

    def __init__(
        self,
        vehicle: Vehicle,
        lat: NDArray[np.float64],
        lng: NDArray[np.float64],
        src: NDArray[np.int64],
        dst: NDArray[np.int64],
        seconds: NDArray[np.float64],
        metres: NDArray[np.float64],
        name: NDArray[np.int32],
        kind: NDArray[np.int8],
        names: Sequence[str],
        *,
        keep_largest_part: bool = True,
    ) -> None:
        self.vehicle = vehicle
        self.lat, self.lng = lat, lng
        self.names = list(names)
        n = len(lat)
        keep = src != dst
        src, dst, seconds, metres = src[keep], dst[keep], seconds[keep], metres[keep]
        name, kind = name[keep], kind[keep]
        seconds = np.maximum(seconds, 0.01)  # scipy reads a zero weight as no edge
        # One edge per (from, to): the quickest.
        order = np.lexsort((seconds, dst, src))
        src, dst, seconds, metres = src[order], dst[order], seconds[order], metres[order]
        name, kind = name[order], kind[order]
        first = np.ones(len(src), dtype=bool)
        first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        src, dst, seconds, metres = src[first], dst[first], seconds[first], metres[first]
        name, kind = name[first], kind[first]
        used = np.zeros(n, dtype=bool)
        used[src] = True
        used[dst] = True
        if keep_largest_part and len(src):
            matrix = csr_matrix((seconds, (src, dst)), shape=(n, n))
            _, labels = connected_components(matrix, directed=True, connection="strong")
            counts = np.bincount(labels[used], minlength=labels.max() + 1)
            largest = int(np.argmax(counts))
            inside = labels == largest
            keep = inside[src] & inside[dst]
            src, dst, seconds, metres = src[keep], dst[keep], seconds[keep], metres[keep]
            name, kind = name[keep], kind[keep]
            used = inside
        self.src, self.dst, self.seconds, self.metres = src, dst, seconds, metres
        self.name, self.kind = name, kind
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        self.indptr = indptr
        self.matrix = csr_matrix((seconds, dst, indptr), shape=(n, n))
        self.snappable = np.flatnonzero(used)
        self._lat0 = math.radians(float(np.mean(lat))) if n else 0.0
        self._tree = cKDTree(self._project(lat[self.snappable], lng[self.snappable]))
        self._sources: OrderedDict[int, tuple[NDArray[np.float64], NDArray[np.int32]]] = (
            OrderedDict()
        )

    @property
    def edge_count(self) -> int:
        return len(self.src)

    def _project(self, lat: NDArray[np.float64], lng: NDArray[np.float64]) -> NDArray[np.float64]:
        x = np.radians(lng) * math.cos(self._lat0) * EARTH_RADIUS_M
        y = np.radians(lat) * EARTH_RADIUS_M
        return np.column_stack([x, y])

    def snap(self, lat: float, lng: float) -> tuple[int, float]:
        """The nearest node a route can start or end at, and how far it is in metres."""
        if not len(self.snappable):
            return -1, math.inf
        point = self._project(np.array([lat]), np.array([lng]))[0]
        _, i = self._tree.query(point)
        node = int(self.snappable[int(i)])
        return node, haversine_m(lat, lng, float(self.lat[node]), float(self.lng[node]))

    def _tree_from(self, source: int) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
        found = self._sources.get(source)
        if found is not None:
            self._sources.move_to_end(source)
            return found
        dist, pred = dijkstra(self.matrix, directed=True, indices=source, return_predecessors=True)
        self._sources[source] = (dist, pred)
        if len(self._sources) > SOURCE_CACHE:
            self._sources.popitem(last=False)
        return dist, pred

    def _edge(self, u: int, v: int) -> int:
        lo, hi = int(self.indptr[u]), int(self.indptr[u + 1])
        return lo + int(np.searchsorted(self.dst[lo:hi], v))

    def shortest(self, a: int, b: int) -> tuple[float, list[int]]:
        """Seconds and the edges of the quickest path from node ``a`` to node ``b``."""
        if a == b:
            return 0.0, []
        dist, pred = self._tree_from(a)
        if not math.isfinite(dist[b]):
            raise NoRoute(
                f"No road connects these points for a {self.vehicle.replace('_', ' ')}: they "
                "lie on parts of the network that do not meet"
            )
        nodes = [b]
        while nodes[-1] != a:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        return float(dist[b]), [self._edge(u, v) for u, v in itertools.pairwise(nodes)]

    def trip_seconds(self, a: LatLng, b: LatLng, *, max_snap_m: float, detour: float) -> float:
        """What ``leg(a, b).seconds`` is, without the path and its steps (an estimate's)."""
        pace_ms = PACES[self.vehicle].cruise_kmh / 3.6
        node_a, off_a = self.snap(*a)
        node_b, off_b = self.snap(*b)
        if off_a > max_snap_m or off_b > max_snap_m:
            return haversine_m(*a, *b) * detour / pace_ms
        if node_a == node_b:
            return (off_a + off_b) / pace_ms
        dist, _ = self._tree_from(node_a)
        if not math.isfinite(dist[node_b]):
            raise NoRoute(
                f"No road connects these points for a {self.vehicle.replace('_', ' ')}: they "
                "lie on parts of the network that do not meet"
            )
        return float(dist[node_b]) + (off_a + off_b) / pace_ms

    def seconds_matrix(
        self, points: Sequence[LatLng], *, max_snap_m: float, detour: float
    ) -> NDArray[np.float64]:
        """Seconds from every point to every other as ``leg`` would give them, with one
        shortest-path search per distinct street node (a route planner's matrix): straight
        (times ``detour``) where either point is off the network, ``inf`` between parts that
        do not meet."""
        pace_ms = PACES[self.vehicle].cruise_kmh / 3.6
        snapped = [self.snap(lat, lng) for lat, lng in points]
        on = [i for i, (_, off) in enumerate(snapped) if off <= max_snap_m]
        lat = np.radians(np.array([p[0] for p in points], dtype=np.float64))
        lng = np.radians(np.array([p[1] for p in points], dtype=np.float64))
        h = (
            np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
            + np.cos(lat[:, None])
            * np.cos(lat[None, :])
            * np.sin((lng[:, None] - lng[None, :]) / 2) ** 2
        )
        out: NDArray[np.float64] = (
            2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * detour / pace_ms
        )
        if on:
            nodes = np.array([snapped[i][0] for i in on], dtype=np.int64)
            unique, row_of = np.unique(nodes, return_inverse=True)
            dist = dijkstra(self.matrix, directed=True, indices=unique)
            offs = np.array([snapped[i][1] for i in on]) / pace_ms
            road = dist[row_of][:, nodes] + offs[:, None] + offs[None, :]
            out[np.ix_(on, on)] = road
        np.fill_diagonal(out, 0.0)
        return out

    def street_of(self, edge: int) -> str:
        return self.names[int(self.name[edge])] or f"the {KINDS[int(self.kind[edge])]}"

    def leg(self, a: LatLng, b: LatLng, *, max_snap_m: float, detour: float) -> Leg:
        """From ``a`` to ``b``: over the streets, or straight (times ``detour``) when either
        point is farther than ``max_snap_m`` from any street."""
        pace_ms = PACES[self.vehicle].cruise_kmh / 3.6
        node_a, off_a = self.snap(*a)
        node_b, off_b = self.snap(*b)
        if off_a > max_snap_m or off_b > max_snap_m:
            metres = haversine_m(*a, *b) * detour
            heading = compass(bearing(*a, *b))
            seconds = metres / pace_ms
            return Leg(
                seconds,
                metres,
                "straight_line",
                [a, b],
                [
                    Step(
                        "depart",
                        heading,
                        None,
                        metres,
                        seconds,
                        a[0],
                        a[1],
                        f"Head {heading} (no street data here)",
                    ),
                    Step("arrive", None, None, 0, 0, b[0], b[1], instruction("arrive", None, "")),
                ],
            )
        seconds, edges = self.shortest(node_a, node_b)
        seconds += (off_a + off_b) / pace_ms
        metres = float(self.metres[edges].sum()) + off_a + off_b if edges else off_a + off_b
        path: list[LatLng] = [a]
        if edges:
            path.append((float(self.lat[node_a]), float(self.lng[node_a])))
            path.extend((float(self.lat[self.dst[e]]), float(self.lng[self.dst[e]])) for e in edges)
        path.append(b)
        return Leg(seconds, metres, "road", path, self._steps(a, b, edges))

    def _steps(self, a: LatLng, b: LatLng, edges: list[int]) -> list[Step]:
        if not edges:
            metres = haversine_m(*a, *b)
            secs = metres / (PACES[self.vehicle].cruise_kmh / 3.6)
            heading = compass(bearing(*a, *b))
            return [
                Step("depart", heading, None, metres, secs, a[0], a[1], f"Head {heading}"),
                Step("arrive", None, None, 0, 0, b[0], b[1], instruction("arrive", None, "")),
            ]
        # Runs of consecutive edges along one street.
        runs: list[list[int]] = [[edges[0]]]
        for e in edges[1:]:
            if self.street_of(e) == self.street_of(runs[-1][-1]):
                runs[-1].append(e)
            else:
                runs.append([e])
        merged: list[list[int]] = [runs[0]]
        for run in runs[1:]:
            short = float(self.metres[run].sum()) < MIN_STEP_M and not self.names[self.name[run[0]]]
            if short:
                merged[-1].extend(run)
            else:
                merged.append(run)
        steps: list[Step] = []
        for i, run in enumerate(merged):
            first = run[0]
            u = int(self.src[first])
            head = bearing(
                float(self.lat[u]),
                float(self.lng[u]),
                float(self.lat[self.dst[first]]),
                float(self.lng[self.dst[first]]),
            )
            street = self.street_of(first)
            if i == 0:
                maneuver: Maneuver = "depart"
                modifier = compass(head)
            else:
                prev = merged[i - 1][-1]
                p = int(self.src[prev])
                came = bearing(
                    float(self.lat[p]), float(self.lng[p]), float(self.lat[u]), float(self.lng[u])
                )
                modifier = turn_modifier(came, head)
                maneuver = "continue" if modifier == "straight" else "turn"
            steps.append(
                Step(
                    maneuver,
                    modifier,
                    self.names[int(self.name[first])] or None,
                    float(self.metres[run].sum()),
                    float(self.seconds[run].sum()),
                    float(self.lat[u]),
                    float(self.lng[u]),
                    instruction(maneuver, modifier, street),
                )
            )
        steps.append(Step("arrive", None, None, 0, 0, b[0], b[1], instruction("arrive", None, "")))
        return steps
