"""FastCheckout serves POST /api/v1/orders without FastAPI's per-request machinery. It must
answer exactly as the declared route does: every request here goes to the app and to a copy of
the app without the fast route, on the same database, and the answers are compared."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.main import create_app
from kirana.orders import api
from tests import factories
from tests.orders.shop import Shop, fill_cart, make_shop, new_key

ORDERS = "/api/v1/orders"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def declared(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same app without the fast route: every checkout through FastAPI."""
    app = create_app(settings)
    app.router.routes[:] = [r for r in app.router.routes if not isinstance(r, api.FastCheckout)]
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


@pytest.fixture
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many requests the fast route read a body for (it alone calls ``_order_from``)."""
    calls: list[int] = []
    read = api._order_from

    async def counted(request: Any) -> Any:
        calls.append(1)
        return await read(request)

    monkeypatch.setattr(api, "_order_from", counted)
    return calls


@dataclass
class Pair:
    shop: Shop
    fast: httpx.AsyncClient  # the app as served
    declared: httpx.AsyncClient  # a copy without the fast route
    fast_calls: list[int]

    async def both(self, **request: Any) -> tuple[int, str | None, Any]:
        return await _both(self.fast, self.declared, **request)


@pytest.fixture
async def pair(
    db: Database, client: httpx.AsyncClient, declared: httpx.AsyncClient, fast_calls: list[int]
) -> Pair:
    return Pair(await make_shop(db, client), client, declared, fast_calls)


def _answer(r: httpx.Response) -> tuple[int, str | None, Any]:
    return r.status_code, r.headers.get("content-type"), r.json()


async def _both(
    fast: httpx.AsyncClient, declared: httpx.AsyncClient, **request: Any
) -> tuple[int, str | None, Any]:
    a = await fast.post(ORDERS, **request)
    b = await declared.post(ORDERS, **request)
    assert _answer(a) == _answer(b), (request, a.text, b.text)
    return _answer(a)


def _body_cases(shop: Shop) -> list[tuple[dict[str, Any], int, str]]:
    """(request, status, problem code) for bodies that never reach checkout."""
    good = f'{{"address_id": "{shop.address_id}", "payment_method": "cod"}}'
    return [
        ({"content": b""}, 422, "validation_failed"),
        ({"content": b"{not json"}, 400, "malformed_json"),
        ({"content": b'{"address_id": "\xff"}'}, 400, "bad_request"),
        ({"content": b"[]"}, 422, "validation_failed"),
        ({"content": b'"a string"'}, 422, "validation_failed"),
        ({"content": b'{"payment_method": "cod"}'}, 422, "validation_failed"),
        ({"content": good.replace("cod", "cheque").encode()}, 422, "validation_failed"),
        ({"content": good.replace("}", ', "tip": -5}').encode()}, 422, "validation_failed"),
        ({"content": good.replace("}", ', "tip": "lots"}').encode()}, 422, "validation_failed"),
        ({"content": good.replace("}", ', "surprise": 1}').encode()}, 422, "validation_failed"),
        ({"content": good.replace(shop.address_id, "").encode()}, 422, "validation_failed"),
    ]


async def test_bad_bodies_get_the_declared_routes_answers(pair: Pair) -> None:
    shop, client = pair.shop, pair.fast
    await fill_cart(client, shop)
    cases = _body_cases(shop)
    for request, status, code in cases:
        headers = {**shop.headers, **JSON, **new_key()}
        got = await pair.both(headers=headers, **request)
        assert (got[0], got[2]["code"]) == (status, code), request
    assert len(pair.fast_calls) == len(cases)  # every one went the fast way on the app
    # nothing was written: the cart is still there to order
    r = await client.post(
        ORDERS,
        json={"address_id": shop.address_id, "payment_method": "cod"},
        headers={**shop.headers, **new_key()},
    )
    assert r.status_code == 201, r.text


async def test_refusals_from_checkout_are_the_same(pair: Pair) -> None:
    shop, client = pair.shop, pair.fast
    body = {"address_id": shop.address_id, "payment_method": "cod"}
    # an empty cart; then someone else's (or no) address; then no Idempotency-Key
    got = await pair.both(json=body, headers={**shop.headers, **new_key()})
    assert (got[0], got[2]["code"]) == (422, "cart_empty")
    await fill_cart(client, shop)
    stranger = {**body, "address_id": "01NOSUCHADDRESS00000000000"}
    got = await pair.both(json=stranger, headers={**shop.headers, **new_key()})
    assert (got[0], got[2]["code"]) == (404, "address_not_found")
    got = await pair.both(json=body, headers=shop.headers)
    assert (got[0], got[2]["code"]) == (400, "idempotency_key_missing")
    assert len(pair.fast_calls) == 3


async def test_an_order_and_its_replay_are_the_same_either_way(pair: Pair) -> None:
    shop, client = pair.shop, pair.fast
    body = {"address_id": shop.address_id, "payment_method": "card", "tip": 1000}
    orders = []
    for c in (client, pair.declared):
        await fill_cart(client, shop, lines={shop.products[0]: 2, shop.products[1]: 1})
        key = new_key()
        r = await c.post(ORDERS, json=body, headers={**shop.headers, **key})
        assert r.status_code == 201, r.text
        orders.append((key, r))
    (fast_key, fast), (_, slow) = orders
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert fast.json().keys() == slow.json().keys()
    same = ("status", "subtotal", "fees", "discount", "tip", "total", "items", "payment_method")
    assert {k: fast.json()[k] for k in same} == {k: slow.json()[k] for k in same}
    # the key's first answer, replayed by either route; another body with it is refused by both
    replay = await pair.both(json=body, headers={**shop.headers, **fast_key})
    assert replay == (201, fast.headers["content-type"], fast.json())
    other = {**body, "tip": 0}
    got = await pair.both(json=other, headers={**shop.headers, **fast_key})
    assert (got[0], got[2]["code"]) == (422, "idempotency_key_reused")
    assert len(pair.fast_calls) == 3  # the first order, and one of each pair


async def test_what_the_fast_route_does_not_take_reaches_the_declared_route(
    pair: Pair, db: Database
) -> None:
    shop, client = pair.shop, pair.fast
    await fill_cart(client, shop)
    rider = await factories.login(client, await factories.make_user(db, "rider"))
    body = f'{{"address_id": "{shop.address_id}", "payment_method": "cod"}}'.encode()
    for headers, status in (
        ({}, 401),  # no token
        ({"Authorization": "Bearer not-a-token"}, 401),
        (rider, 403),  # a token, but not a customer's
        ({**shop.headers, "Content-Type": "text/plain"}, 422),  # not declared JSON
    ):
        got = await pair.both(
            content=body,
            headers={"Content-Type": "application/json", **headers, **new_key()},
        )
        assert got[0] == status, got
    assert pair.fast_calls == []
