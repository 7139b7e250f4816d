"""What the maps can answer instead of a route or a place."""

from __future__ import annotations

from kirana.kit.errors import KiranaError, NotFound, ServiceUnavailable


class NoRoute(KiranaError):
    """Both points are on the road network, but on parts of it that do not meet."""

    status, code, title = 422, "no_route", "No route between these points"


class NoAddress(NotFound):
    code = "no_address"


class MapDataMissing(ServiceUnavailable):
    code = "map_data_missing"


class ProviderUnavailable(ServiceUnavailable):
    """The production routing or geocoding service did not answer usefully."""

    code = "map_provider_unavailable"
