"""REST routes of the catalog service."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["catalog"])
admin_router = APIRouter(prefix="/api/v1/admin", tags=["admin: catalog"])
