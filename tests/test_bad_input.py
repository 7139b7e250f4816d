"""Every endpoint in the OpenAPI document, tried with bad input by every kind of caller.

Whatever a client sends: never a 5xx; every 4xx is problem+json with a stable ``code``; and a
refused request writes nothing (every table's row count is unchanged). New endpoints are
covered automatically because the cases are derived from the OpenAPI document.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect

from kirana.kit.db import Database
from kirana.models import metadata
from tests.factories import login, make_category, make_product, make_store, make_user

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
BAD_SCALARS: list[Any] = [
    "",
    "x" * 5000,
    -1,
    10**20,
    1.5,
    True,
    None,
    [],
    {},
    "💥",
    "../../etc/passwd",
]


def _bad_values(schema: dict[str, Any]) -> list[Any]:
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return ["not-a-number", -(10**12), 10**12, None, [1]]
    if kind == "boolean":
        return ["maybe", 2, None]
    if kind == "array":
        return ["not-a-list", [None], {"a": 1}]
    return [12345, None, "x" * 5000, {"nested": True}, ""]


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = doc["components"]["schemas"][name]
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            for option in schema[key]:
                resolved = _resolve(doc, option)
                if resolved.get("type") not in (None, "null"):
                    return resolved
    return schema


def _bodies(doc: dict[str, Any], op: dict[str, Any]) -> list[Any]:
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return [None]
    schema = _resolve(doc, content["application/json"].get("schema", {}))
    bodies: list[Any] = [{}, [], "text", {"unexpected": 1}]
    props = schema.get("properties", {})
    everything_wrong: dict[str, Any] = {}
    for i, (name, prop) in enumerate(props.items()):
        values = _bad_values(_resolve(doc, prop))
        bodies.append({name: values[i % len(values)]})
        everything_wrong[name] = values[(i + 1) % len(values)]
    if everything_wrong:
        bodies.append(everything_wrong)
    return bodies


def _paths(path: str) -> list[str]:
    """The path with unknown ids, then with a NUL byte (which PostgreSQL cannot store)."""
    params = re.findall(r"{(\w+)}", path)
    if not params:
        return [path]
    out = []
    for value in (UNKNOWN_ID, "%00"):
        filled = path
        for p in params:
            filled = filled.replace("{" + p + "}", value)
        out.append(filled)
    return out


def _queries(doc: dict[str, Any], op: dict[str, Any]) -> list[dict[str, Any]]:
    queries: list[dict[str, Any]] = []
    for param in op.get("parameters", []):
        if param.get("in") != "query":
            continue
        schema = _resolve(doc, param.get("schema", {}))
        if schema.get("type") in ("integer", "number"):
            values = ["not-a-number", "-1", "1e309"]
        else:
            values = ["x" * 3000, "%00"]
        queries.extend({param["name"]: v} for v in values)
    return queries


class RowCounts:
    """Every table's row count in one round trip (built once: this runs thousands of times)."""

    def __init__(self) -> None:
        self.sql: str | None = None
        self.names: list[str] = []

    async def __call__(self, db: Database) -> dict[str, int]:
        async with db.engine.connect() as conn:
            if self.sql is None:
                existing = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
                self.names = [t.name for t in metadata.sorted_tables if t.name in existing]
                self.sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {n})" for n in self.names)
            row = (await conn.exec_driver_sql(self.sql)).one()
        return dict(zip(self.names, (int(n) for n in row), strict=True))


@pytest.fixture
async def callers(db: Database, client: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    store_id = await make_store(db)
    category_id = await make_category(db)
    await make_product(db, category_id, store_id=store_id)
    headers = {"anonymous": {}, "forged": {"Authorization": "Bearer not.a.jwt"}}
    for role in ("customer", "admin", "store_staff", "rider"):
        user = await make_user(
            db, role, store_id=store_id if role in ("store_staff", "rider") else None
        )
        headers[role] = await login(client, user)
    return headers


async def _try(
    client: httpx.AsyncClient,
    db: Database,
    counts: RowCounts,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any,
    query: dict[str, Any],
) -> str | None:
    """What is wrong with the answer to one bad request, or None."""
    before = await counts(db)
    kwargs: dict[str, Any] = {"headers": dict(headers), "params": query}
    if body is not None:
        kwargs["json"] = body
    r = await client.request(method, path, **kwargs)
    if r.status_code >= 500:
        return f"{r.status_code} {r.text[:200]}"
    if r.status_code < 400:
        return None
    if r.headers.get("content-type") != "application/problem+json" or "code" not in r.json():
        return f"{r.status_code} not problem+json"
    after = await counts(db)
    if after != before:
        changed = {k: (before[k], after[k]) for k in after if after[k] != before[k]}
        return f"wrote {changed} on {r.status_code}"
    return None


async def test_no_input_causes_a_5xx_or_a_write(
    app: FastAPI, client: httpx.AsyncClient, db: Database, callers: dict[str, dict[str, str]]
) -> None:
    doc = app.openapi()
    failures: list[str] = []
    tried = 0
    counts = RowCounts()
    for template, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            paths = _paths(template)
            plans: list[tuple[str, str, Any, dict[str, Any]]] = [
                (paths[0], who, {}, {}) for who in callers
            ]
            for who in ("customer", "admin"):
                plans += [(paths[0], who, body, {}) for body in _bodies(doc, op)]
                plans += [(paths[0], who, None, query) for query in _queries(doc, op)]
                plans += [(p, who, {}, {}) for p in paths[1:]]
            for path, who, body, query in plans:
                failure = await _try(
                    client, db, counts, method.upper(), path, callers[who], body, query
                )
                tried += 1
                if failure:
                    failures.append(
                        f"{failure}: {method.upper()} {path[:60]} as {who} body={str(body)[:60]} q={query}"
                    )
    assert tried > 100
    assert not failures, "\n".join(failures[:40])
