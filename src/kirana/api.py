"""Mounts every service's REST router on the app."""

from __future__ import annotations

from fastapi import FastAPI

from kirana.catalog.api import admin_router as catalog_admin_router
from kirana.catalog.api import router as catalog_router
from kirana.users.api import router as users_router


def mount_routers(app: FastAPI) -> None:
    app.include_router(users_router)
    app.include_router(catalog_router)
    app.include_router(catalog_admin_router)
