"""Mounts every service's REST router on the app."""

from __future__ import annotations

from fastapi import FastAPI

from kirana.catalog.api import admin_router as catalog_admin_router
from kirana.catalog.api import router as catalog_router
from kirana.live.api import router as live_router
from kirana.logistics.api import router as logistics_router
from kirana.maps.api import router as maps_router
from kirana.notifications.api import admin_router as notifications_admin_router
from kirana.notifications.api import campaign_router
from kirana.notifications.api import router as notifications_router
from kirana.operations import router as operations_router
from kirana.orders.api import admin_router as orders_admin_router
from kirana.orders.api import router as orders_router
from kirana.orders.api import store_ops_router
from kirana.payments.api import admin_router as payments_admin_router
from kirana.payments.api import router as payments_router
from kirana.recommendations.api import router as recommendations_router
from kirana.simulate.api import router as simulation_router
from kirana.users.api import router as users_router

# Every router, the busiest first: a request is matched against the routes in order (no two
# routes match one path and method, so the order changes nothing else). Browsing and checkout
# come before the 30 admin routes, which used to be matched before checkout.
ROUTERS = (
    live_router,  # rider location reports: every few seconds from every rider on shift
    catalog_router,
    orders_router,
    users_router,
    logistics_router,
    maps_router,
    store_ops_router,
    payments_router,
    notifications_router,
    recommendations_router,
    catalog_admin_router,
    orders_admin_router,
    notifications_admin_router,
    campaign_router,
    payments_admin_router,
    operations_router,
    simulation_router,
)


def mount_routers(app: FastAPI) -> None:
    """Every router, in the order of ``ROUTERS``."""
    for router in ROUTERS:
        app.include_router(router)
