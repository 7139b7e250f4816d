"""The OpenAPI document names the error answers the API really gives, as problem+json: the
document is walked and checked, and every authenticated operation is called as a stranger and as
the wrong role to see that what it answers is what it declares."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.main import create_app
from tests.factories import login, make_user

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
WRITES = {"post", "put", "patch", "delete"}
# Operations that raise a conflict of their own (besides the constraint any write may hit).
CONFLICTS = {
    "register": "phone_taken",
    "placeOrder": "insufficient_stock",
    "putCartItem": "over_limit",
    "adminCreateCategory": "slug_taken",
    "adminCreateProduct": "slug_taken",
    "adminDeleteCategory": "in_use",
    "adminSetStock": "below_reserved",
    "cancelOrder": "invalid_transition",
    "markPacked": "invalid_transition",
}
RATE_LIMITED = {"login", "register", "refreshTokens", "requestLoginCode", "verifyLoginCode"}


def _document() -> dict[str, Any]:
    return create_app(Settings(env="test", database_url="sqlite+aiosqlite:///:memory:")).openapi()


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, path, op) for path, item in doc["paths"].items() for m, op in item.items()]


def test_every_error_answer_is_a_declared_problem() -> None:
    doc = _document()
    assert "HTTPValidationError" not in str(doc)
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    operations = _operations(doc)
    assert len(operations) > 70
    for method, path, op in operations:
        where = f"{method.upper()} {path}"
        responses = op["responses"]
        for status, answer in responses.items():
            if int(status) >= 400:
                assert answer["content"] == PROBLEM, where
        declared = {int(s) for s in responses}
        if op.get("security"):
            assert 401 in declared, where
        if path.startswith(("/api/v1/admin/", "/api/v1/store-ops/", "/api/v1/rider/")):
            assert 403 in declared, where
        if "{" in path:
            assert 404 in declared, where
        if op.get("parameters") or op.get("requestBody"):
            assert 422 in declared, where
        if "requestBody" in op:
            assert 400 in declared, where  # malformed JSON
        if method in WRITES:
            assert 409 in declared, where
        if op["operationId"] in CONFLICTS:
            assert 409 in declared, where
        if op["operationId"] in RATE_LIMITED:
            assert "Retry-After" in responses["429"]["headers"], where
        elif 429 in declared:
            pytest.fail(f"{where} declares 429 but is not rate limited")
    assert {op["operationId"] for _, _, op in operations} >= CONFLICTS.keys() | RATE_LIMITED


def _request(method: str, path: str) -> tuple[str, str]:
    return method.upper(), re.sub(r"\{[^}]+\}", "01HZZZZZZZZZZZZZZZZZZZZZZZ", path)


async def test_authenticated_operations_answer_as_declared(
    client: httpx.AsyncClient, db: Database
) -> None:
    doc = (await client.get("/openapi.json")).json()
    customer = await login(client, await make_user(db, "customer"))
    secured = [(m, p, op) for m, p, op in _operations(doc) if op.get("security")]
    assert len(secured) > 50
    for method, path, op in secured:
        declared = {int(s) for s in op["responses"]}
        verb, url = _request(method, path)
        stranger = await client.request(verb, url, json={})
        assert stranger.status_code == 401, (verb, url, stranger.text)
        assert stranger.headers["content-type"] == "application/problem+json"
        answer = await client.request(verb, url, json={}, headers=customer)
        assert answer.status_code < 500, (verb, url, answer.text)
        if answer.status_code >= 400:
            assert answer.status_code in declared, (verb, url, answer.status_code, declared)
            assert answer.headers["content-type"] == "application/problem+json"
