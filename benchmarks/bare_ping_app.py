"""The baseline for the ping-ingest part of tracking.py: a bare FastAPI endpoint that validates
a location report's JSON and answers, served by uvicorn exactly as ``kirana serve`` serves
Kirana.

    uvicorn --app-dir benchmarks bare_ping_app:app
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()


class Ping(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/ping")
async def ping(body: Ping) -> dict[str, float]:
    return {"lat": body.lat, "lng": body.lng}
