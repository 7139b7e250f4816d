"""The live channels over a real uvicorn server: who may listen, what they hear, and how a
socket ends (token expiry, a slow reader) and resumes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from kirana.config import Settings
from kirana.kit import clock
from kirana.live.broker import Message
from kirana.live.channels import order_channel
from tests import factories
from tests.live.conftest import (
    Running,
    bearer,
    live_settings,
    redis_changes,
    serve,
    socket_to,
)
from tests.orders.shop import Shop, add_customer, fill_cart, make_shop, place


async def _order(r: Running, shop: Shop) -> str:
    await fill_cart(r.http, shop)
    placed = await place(r.http, shop)
    assert placed.status_code == 201, placed.text
    return str(placed.json()["id"])


async def _staff(r: Running, store_id: str) -> dict[str, str]:
    return await factories.login(
        r.http, await factories.make_user(r.db, "store_staff", store_id=store_id)
    )


async def _advance(r: Running, staff: dict[str, str], order_id: str, step: str) -> None:
    res = await r.http.post(f"/api/v1/store-ops/orders/{order_id}/{step}", headers=staff)
    assert res.status_code == 200, res.text


async def _refused(url: str, first: dict[str, object] | None = None) -> int:
    async with socket_to(url) as ws:
        if first is not None:
            await ws.send(first)
        return await ws.close_code()


async def test_each_socket_opens_only_for_what_is_the_callers(running: Running) -> None:
    r = running
    shop = await make_shop(r.db, r.http)
    order_id = await _order(r, shop)
    _, stranger, _ = await add_customer(r.db, r.http)
    staff = await _staff(r, shop.store_id)
    other_store = await factories.make_store(r.db)
    other_staff = await _staff(r, other_store)
    rider = await factories.login(
        r.http, await factories.make_user(r.db, "rider", store_id=shop.store_id)
    )
    admin = await factories.login(r.http, await factories.make_user(r.db, "admin"))
    base = r.ws_base

    def url(path: str, who: dict[str, str]) -> str:
        return f"{base}{path}?token={bearer(who)}"

    # Someone else's order and no order at all are the same refusal, as in REST.
    assert await _refused(url(f"/ws/orders/{order_id}", stranger)) == 4404
    assert await _refused(url("/ws/orders/01NOSUCHORDER0000000000000", shop.headers)) == 4404
    assert await _refused(url(f"/ws/store-ops/{shop.store_id}", other_staff)) == 4404
    assert await _refused(url("/ws/store-ops/01NOSUCHSTORE0000000000000", admin)) == 4404
    # A role that may not open the channel at all.
    assert await _refused(url(f"/ws/orders/{order_id}", rider)) == 4403
    assert await _refused(url("/ws/admin/live", shop.headers)) == 4403
    assert await _refused(url("/ws/rider", staff)) == 4403
    # No token, a forged one, a first frame that is not auth, or none in time.
    assert await _refused(f"{base}/ws/orders/{order_id}?token=forged") == 4401
    assert await _refused(f"{base}/ws/orders/{order_id}", {"type": "hello"}) == 4401
    assert await _refused(f"{base}/ws/orders/{order_id}") == 4401
    assert await _refused(f"{base}/ws/admin/live", {"type": "auth", "token": "x"}) == 4401

    # The owners get in, with the token in the query or in the first frame.
    for path, who in (
        (f"/ws/orders/{order_id}", shop.headers),
        (f"/ws/orders/{order_id}", admin),
        (f"/ws/store-ops/{shop.store_id}", staff),
        ("/ws/admin/live", admin),
        ("/ws/rider", rider),
    ):
        async with socket_to(url(path, who)) as ws:
            assert (await ws.next())["type"] == "hello"
        async with socket_to(f"{base}{path}") as ws:
            await ws.send({"type": "auth", "token": bearer(who)})
            hello = await ws.next()
            assert hello["type"] == "hello" and hello["id"] is None


async def test_status_changes_reach_customer_store_and_city(running: Running) -> None:
    r = running
    shop = await make_shop(r.db, r.http)
    staff = await _staff(r, shop.store_id)
    admin = await factories.login(r.http, await factories.make_user(r.db, "admin"))
    async with (
        socket_to(f"{r.ws_base}/ws/store-ops/{shop.store_id}?token={bearer(staff)}") as store,
        socket_to(f"{r.ws_base}/ws/admin/live?token={bearer(admin)}") as city,
    ):
        await store.next()
        await city.next()
        order_id = await _order(r, shop)  # cash on delivery: confirmed at once
        placed = await store.until("order.status", order_id=order_id, status="confirmed")
        assert set(placed) == {"type", "data", "at", "id"}
        await city.until("order.status", order_id=order_id)
        async with socket_to(f"{r.ws_base}/ws/orders/{order_id}?token={bearer(shop.headers)}") as c:
            await c.next()
            await _advance(r, staff, order_id, "start-picking")
            frame = await c.until("order.status", status="picking")
            assert frame["data"]["store_id"] == shop.store_id
            await store.until("order.status", order_id=order_id, status="picking")
            # Heartbeats both ways: the server pings, a client ping is answered.
            assert (await c.next(skip=(), within=5))["type"] == "ping"
            await c.send({"type": "ping"})
            assert (await c.until("pong", within=5))["type"] == "pong"


async def test_a_dropped_connection_resumes_without_losing_a_status_change(
    settings: Settings, broker_kind: str
) -> None:
    async with serve(live_settings(settings, **redis_changes(broker_kind))) as r:
        shop = await make_shop(r.db, r.http)
        staff = await _staff(r, shop.store_id)
        order_id = await _order(r, shop)
        url = f"{r.ws_base}/ws/orders/{order_id}?token={bearer(shop.headers)}"
        async with socket_to(url) as ws:
            await ws.next()
            await _advance(r, staff, order_id, "start-picking")
            last_id = (await ws.until("order.status", status="picking"))["id"]
        # Cut off for 30 seconds (of the services' clock): the store packs the order while the
        # customer has no connection.
        await _advance(r, staff, order_id, "packed")
        await asyncio.sleep(1.0)  # the relay publishes it to nobody
        clock.advance(timedelta(seconds=30))
        async with socket_to(f"{url}&last_id={last_id}") as ws:
            assert (await ws.next())["type"] == "hello"
            missed = await ws.next()
            assert (missed["type"], missed["data"]["status"]) == ("order.status", "packed")
        # The id can also come in the auth frame; one the history no longer has asks for a
        # resync (the client reads the order over REST again).
        async with socket_to(f"{r.ws_base}/ws/orders/{order_id}") as ws:
            await ws.send({"type": "auth", "token": bearer(shop.headers), "last_id": "0" * 26})
            assert (await ws.next())["type"] == "hello"
            assert (await ws.next())["type"] == "resync"


async def test_the_socket_closes_when_the_token_expires_unless_a_fresh_one_comes(
    running: Running,
) -> None:
    r = running
    shop = await make_shop(r.db, r.http)
    order_id = await _order(r, shop)
    url = f"{r.ws_base}/ws/orders/{order_id}?token={bearer(shop.headers)}"
    async with socket_to(url) as ws:
        await ws.next()
        clock.advance(timedelta(minutes=16))  # past the access token's 15 minutes
        assert await ws.close_code(within=5) == 4401
    clock.reset()

    async with socket_to(url) as ws:
        await ws.next()
        clock.advance(timedelta(minutes=10))
        fresh = await factories.login(r.http, shop.customer)  # issued 10 minutes later
        await ws.send({"type": "auth", "token": bearer(fresh)})
        assert (await ws.until("auth.ok", within=5))["type"] == "auth.ok"
        clock.advance(timedelta(minutes=6))  # the first token has expired, the fresh one not
        await ws.send({"type": "ping"})
        await ws.until("pong", within=5)
        await asyncio.sleep(1.5)
        await ws.send({"type": "ping"})
        await ws.until("pong", within=5)
        # Another user's token is not a refresh.
        _, stranger, _ = await add_customer(r.db, r.http)
        await ws.send({"type": "auth", "token": bearer(stranger)})
        assert await ws.close_code(within=5) == 4401


async def test_a_client_that_stops_reading_is_closed_and_its_queue_stays_bounded(
    settings: Settings,
) -> None:
    async with serve(live_settings(settings, live_queue=32, live_heartbeat_seconds=30)) as r:
        shop = await make_shop(r.db, r.http)
        order_id = await _order(r, shop)
        live = r.app.state.live
        url = f"{r.ws_base}/ws/orders/{order_id}?token={bearer(shop.headers)}"
        # The client reads nothing more after hello: its library keeps one frame, the kernel
        # buffers fill, the server's writes wait, its queue of 32 fills. (No compression: the
        # test's frames would shrink to nothing.)
        async with socket_to(url, max_queue=1, compression=None) as ws:
            await ws.next()
            assert live.broker.subscribers() == 1
            payload = {"blob": "x" * 16384}
            sub = next(iter(live.broker._local.everyone()))
            deadline = asyncio.get_running_loop().time() + 20
            sent = 0
            while live.broker.subscribers() and asyncio.get_running_loop().time() < deadline:
                await live.broker.publish(
                    order_channel(order_id), Message.make("test.flood", payload), keep=False
                )
                sent += 1
                assert sub.queue.qsize() <= 32
                if sent % 16 == 0:
                    await asyncio.sleep(0.001)
            assert live.broker.subscribers() == 0, f"the slow socket was never dropped ({sent})"
            closed = [
                s.labels["code"]
                for m in r.app.state.metrics.ws_closed.collect()
                for s in m.samples
                if s.name.endswith("_total") and s.value == 1
            ]
            assert closed == ["4429"], sent
            # Reading again, the client gets what was already sent, then the clean close.
            assert await ws.close_code(within=20) == 4429


@pytest.mark.parametrize("path", ["/ws/orders/x", "/ws/admin/live"])
async def test_a_frame_that_is_not_json_closes_with_4400(running: Running, path: str) -> None:
    admin = await factories.login(running.http, await factories.make_user(running.db, "admin"))
    if path.startswith("/ws/orders"):
        shop = await make_shop(running.db, running.http)
        path = f"/ws/orders/{await _order(running, shop)}"
        admin = shop.headers
    async with socket_to(f"{running.ws_base}{path}?token={bearer(admin)}") as ws:
        await ws.next()
        await ws.conn.send("not json")
        assert await ws.close_code() == 4400
