"""The API's routes are matched in the order the routers are mounted (busiest first), which is
safe only while no two routes match one request."""

from __future__ import annotations

import re

from starlette.routing import compile_path

from kirana.config import Settings
from kirana.main import create_app


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
