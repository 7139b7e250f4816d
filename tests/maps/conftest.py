"""The demo city's map, built once per test session (then read from its cache under var/)."""

from __future__ import annotations

import pytest

from kirana import maps
from kirana.config import Settings
from kirana.maps.citymap import City


@pytest.fixture(scope="session")
def city() -> City:
    return maps.city(Settings(env="test"))
