"""The baseline for catalog_listing.py: a bare FastAPI + asyncpg endpoint reading one row by
primary key. Served by uvicorn exactly as ``kirana serve`` serves Kirana.

    BARE_DSN=postgresql://... uvicorn --app-dir benchmarks bare_pk_app:app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, HTTPException


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The same pool size as Kirana's default (settings.db_pool_size).
    app.state.pool = await asyncpg.create_pool(os.environ["BARE_DSN"], min_size=5, max_size=20)
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/products/{product_id}")
async def product(product_id: str) -> dict[str, Any]:
    row = await app.state.pool.fetchrow(
        "SELECT id, name, brand, unit, price, mrp FROM products WHERE id = $1", product_id
    )
    if row is None:
        raise HTTPException(404)
    return dict(row)
