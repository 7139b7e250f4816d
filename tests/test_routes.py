"""The API's routes are matched in the order the routers are mounted (busiest first), which is
safe only while no two routes match one request."""

from __future__ import annotations

import re
from typing import Any, get_args

import httpx
from asgi_lifespan import LifespanManager
from starlette.routing import Match, Mount, Route, compile_path

from kirana.config import Settings
from kirana.deps import CustomerUser
from kirana.kit.errors import Forbidden
from kirana.main import create_app
from kirana.users.schemas import Principal


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every API operation, in the order the app matches them."""
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    return [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in item
    ]


def test_no_two_api_routes_match_one_request() -> None:
    operations = _operations()
    assert len(operations) > 50
    clashes = []
    for method, path in operations:
        # every parameter filled with a value that no literal segment has
        sample = re.sub(r"\{[^}]+\}", "Zz-sample-1", path)
        for other_method, other in operations:
            if other != path and other_method == method and compile_path(other)[0].match(sample):
                clashes.append((method, path, other))
    assert clashes == []


def test_checkout_is_matched_before_the_admin_routes() -> None:
    paths = [path for _, path in _operations()]
    first_admin = min(i for i, p in enumerate(paths) if p.startswith("/api/v1/admin/"))
    assert paths.index("/api/v1/orders") < first_admin


def test_no_route_is_mounted_ahead_of_the_routers() -> None:
    """Every API request reaches a route a router declared, so FastAPI's dependencies,
    ``dependency_overrides`` and the middleware apply to it: no route of the app's own that
    comes ahead of the routers (the documentation pages) matches an API operation."""
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    routes = app.routes
    included = [i for i, r in enumerate(routes) if not isinstance(r, Route | Mount)]
    assert included, "the routers are included"
    ahead = routes[: included[0]]
    caught = [
        (method, path, getattr(route, "path", route))
        for method, path in _operations()
        for route in ahead
        if route.matches(
            {"type": "http", "method": method, "path": re.sub(r"\{[^}]+\}", "x1", path)}
        )[0]
        is not Match.NONE
    ]
    assert caught == []
    assert isinstance(routes[-1], Route) and routes[-1].path == "/{path:path}"  # the 404, last


async def test_dependency_overrides_apply_to_checkout(settings: Settings) -> None:
    """A dependency override reaches POST /api/v1/orders like any other route."""
    app = create_app(settings)
    seen: list[str] = []

    async def caller() -> Principal:
        seen.append("override")
        raise Forbidden("overridden", code="overridden")

    app.dependency_overrides[deps_customer()] = caller
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.post("/api/v1/orders", json={}, headers={"Idempotency-Key": "k"})
    assert seen == ["override"]
    assert r.status_code == 403
    assert r.json()["code"] == "overridden"


def deps_customer() -> Any:
    """The dependency behind ``CustomerUser``, as FastAPI keys its overrides."""
    return get_args(CustomerUser)[1].dependency
