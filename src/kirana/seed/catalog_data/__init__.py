"""The demo catalog's raw material, in two data modules; ``CATALOG`` keeps their order."""

from kirana.seed.catalog_data._food import FOOD
from kirana.seed.catalog_data._more import MORE
from kirana.seed.catalog_data._shapes import Sub, Top

CATALOG: tuple[Top, ...] = FOOD + MORE

__all__ = ["CATALOG", "Sub", "Top"]
