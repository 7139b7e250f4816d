"""Customers' shopping sessions over loopback HTTP (httpx), with think time between requests.

A session is what the app does for one customer: sign in (POST /auth/refresh with the refresh
token the app kept from an earlier password sign-in), then, with that one access token, open
the categories, a product listing page or two, one product, put three products in the cart
(PUT /cart/items/...) and check out (POST /orders with an Idempotency-Key; cash on delivery or
a sandbox card, confirmed). ``clients`` customers are active at once: each slot runs its
customers' sessions one after another on one keep-alive connection, and waits a think time
(exponential, mean ``think_ms``) before each request, so that requests arrive spread rather
than in step.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

API = "/api/v1"
SANDBOX_CARD = "4242424242424242"
_runs = iter(range(1_000_000))


@dataclass(frozen=True)
class Customer:
    user_id: str
    address_id: str
    refresh_token: str


@dataclass
class Tally:
    """The answers counted in a run's window, (kind, status, latency), the refusals' codes,
    and when the slots stop sending."""

    window: tuple[float, float] = (0.0, float("inf"))
    stop: float = float("inf")
    answers: list[tuple[str, int, float]] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    sessions: int = 0
    finished_sessions: int = 0  # counted or not

    def counted(self, done: float) -> bool:
        return self.window[0] <= done <= self.window[1]


class Refused(Exception):
    """An answer the session ends on: a refusal (the hot product sold out), or a failure
    (counted by kind, status and code, or by the transport error when there was no answer)."""


class _Stop(Exception):
    """The run's time is up: the slot sends nothing more."""


class _Session:
    """One customer's requests on its slot's connection, each after a think time."""

    def __init__(
        self, http: httpx.AsyncClient, tally: Tally, rng: random.Random, think_s: float
    ) -> None:
        self.http, self.tally, self.rng, self.think_s = http, tally, rng, think_s
        self.headers: dict[str, str] = {}

    async def call(
        self,
        kind: str,
        method: str,
        path: str,
        ok: int = 200,
        key: str | None = None,
        **kw: Any,
    ) -> Any:
        """The answer's JSON; a refusal (any other status than ``ok``) ends the session."""
        if self.think_s:
            await asyncio.sleep(min(self.rng.expovariate(1 / self.think_s), 10 * self.think_s))
        if time.perf_counter() >= self.tally.stop:
            raise _Stop
        started = time.perf_counter()
        headers = self.headers if key is None else {**self.headers, "Idempotency-Key": key}
        try:
            answer = await self.http.request(method, API + path, headers=headers, **kw)
        except httpx.HTTPError as exc:  # the server dropped the connection or never answered
            done = time.perf_counter()
            if self.tally.counted(done):
                self.tally.codes[f"{kind}:error:{type(exc).__name__}"] += 1
            raise Refused(type(exc).__name__) from exc
        done = time.perf_counter()
        if self.tally.counted(done):
            self.tally.answers.append((kind, answer.status_code, done - started))
        try:
            body = answer.json()
        except ValueError:  # an empty 204, or a server error's plain text
            body = {}
        if answer.status_code != ok:
            code = str(body.get("code", "unreadable"))
            if self.tally.counted(done):
                self.tally.codes[f"{kind}:{answer.status_code}:{code}"] += 1
            raise Refused(code)
        return body

    async def sign_in(self, customer: Customer) -> None:
        tokens = await self.call(
            "sign_in", "POST", "/auth/refresh", json={"refresh_token": customer.refresh_token}
        )
        self.headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    async def checkout(self, customer: Customer, key: str, method: str) -> None:
        order = await self.call(
            "checkout",
            "POST",
            "/orders",
            ok=201,
            key=key,
            json={"address_id": customer.address_id, "payment_method": method},
        )
        if method == "card":
            await self.call(
                "confirm",
                "POST",
                f"/payments/{order['payment']['id']}/confirm",
                json={"card_number": SANDBOX_CARD},
            )


Plan = Callable[[_Session, Customer, str], Awaitable[None]]


def shopping(store_id: str) -> Plan:
    """Browse, fill the cart, check out: the session the timed rounds are made of."""

    async def plan(s: _Session, customer: Customer, key: str) -> None:
        await s.sign_in(customer)
        tree = await s.call("categories", "GET", "/categories")
        category = s.rng.choice(tree)["id"]
        listing = f"/stores/{store_id}/products"
        page = await s.call("listing", "GET", listing, params={"category_id": category})
        items = list(page["items"])
        if page.get("next_cursor") and s.rng.random() < 0.5:
            more = await s.call(
                "listing",
                "GET",
                listing,
                params={"category_id": category, "cursor": page["next_cursor"]},
            )
            items += more["items"]
        items = [i for i in items if i["in_stock"]]
        await s.call("product", "GET", f"{listing}/{s.rng.choice(items)['id']}")
        for item in s.rng.sample(items, 3):
            await s.call(
                "cart",
                "PUT",
                f"/cart/items/{item['id']}",
                json={"quantity": s.rng.choice((1, 1, 2)), "store_id": store_id},
            )
        await s.checkout(customer, key, s.rng.choice(("cod", "card")))

    return plan


def hot_buy(store_id: str, product_id: str) -> Plan:
    """Sign in, put the hot product in the cart, check out: many of these for its last units."""

    async def plan(s: _Session, customer: Customer, key: str) -> None:
        await s.sign_in(customer)
        await s.call(
            "cart",
            "PUT",
            f"/cart/items/{product_id}",
            json={"quantity": 1, "store_id": store_id},
        )
        await s.checkout(customer, key, "cod")

    return plan


async def run_sessions(
    base: str,
    customers: list[Customer],
    plan: Plan,
    *,
    clients: int,
    think_ms: float,
    seconds: float | None,
    ramp_s: float = 0.0,
    on_window: Callable[[str], None] | None = None,
    limit_s: float = 300.0,
) -> dict[str, Any]:
    """``clients`` slots running ``plan`` for one customer after another.

    With ``seconds``, the slots start spread over ``ramp_s``, the answers of a window of
    ``seconds`` once the load is steady are counted (``on_window("start"|"end")`` is called at
    its edges, for CPU readings), and no slot sends a request after it; otherwise every
    customer is served once and the run ends with the last answer. Either way nothing runs
    past ``limit_s``."""
    if not base.startswith("http://127.0.0.1:"):
        raise SystemExit("loopback only")
    run = next(_runs)
    todo = list(reversed(list(enumerate(customers))))
    # one TLS context for every client (plain HTTP never uses it; each client would load the
    # CA bundle otherwise), and every client made before the clock starts
    tls = ssl.create_default_context()
    slots = min(clients, len(customers))
    async with contextlib.AsyncExitStack() as stack:
        https = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=base, timeout=30, verify=tls, limits=httpx.Limits(max_connections=1)
                )
            )
            for _ in range(slots)
        ]
        began = time.perf_counter()
        tally = Tally(stop=began + limit_s)
        if seconds is not None:
            tally.window = (float("inf"), float("inf"))  # opened by window() below
        steady = asyncio.Event()
        think_s = think_ms / 1000

        async def slot(n: int) -> None:
            rng = random.Random(run * 1_000 + n)
            if seconds is not None:
                await asyncio.sleep(rng.uniform(0, ramp_s))
            while todo and time.perf_counter() < tally.stop:
                i, customer = todo.pop()
                s = _Session(https[n], tally, rng, think_s)
                try:
                    await plan(s, customer, f"bench-{run}-{i}")
                except Refused:
                    pass
                except _Stop:
                    return
                tally.finished_sessions += 1
                if tally.finished_sessions >= slots:
                    steady.set()
                if tally.counted(time.perf_counter()):
                    tally.sessions += 1

        async def window() -> None:
            """Counting starts once as many sessions have finished as there are slots (the
            load is steady: the slots are spread over their sessions' steps), at the latest
            after ``ramp_s`` twice over plus 30 s, and lasts ``seconds``."""
            if seconds is None:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(steady.wait(), 2 * ramp_s + 30)
            start = time.perf_counter()
            tally.window = (start, start + seconds)
            tally.stop = min(tally.stop, start + seconds)
            if on_window:
                on_window("start")
            await asyncio.sleep(seconds)
            if on_window:
                on_window("end")

        await asyncio.gather(window(), *[slot(n) for n in range(slots)])
        ramp = tally.window[0] - began
    finished = time.perf_counter()
    if seconds is not None and not todo and finished < tally.window[1] - 0.5:
        raise SystemExit(
            f"the round ran out of customers after {finished - began:.1f} s; run with more"
            " (--customers)"
        )
    elapsed = seconds if seconds is not None else finished - began
    got = summary(tally, elapsed, clients, think_ms)
    if seconds is not None:
        got["ramp_s"] = round(ramp, 2)
    return got


def _percentiles(latencies: list[float]) -> dict[str, float]:
    lat = sorted(latencies)
    if not lat:
        return {"p50_ms": 0.0, "p90_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [lat[0]] * 99
    return {
        "p50_ms": round(q[49] * 1000, 2),
        "p90_ms": round(q[89] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
        "max_ms": round(lat[-1] * 1000, 2),
    }


def summary(tally: Tally, elapsed: float, clients: int, think_ms: float) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, status, latency in tally.answers:
        by_kind[kind].append(latency)
        statuses[kind][str(status)] += 1
    checkouts = statuses["checkout"]
    answered = len(tally.answers)
    return {
        "elapsed_s": round(elapsed, 3),
        "sessions_completed": tally.sessions,
        "requests": answered,
        "requests_per_second": round(answered / elapsed, 1),
        "checkouts": sum(checkouts.values()),
        "checkouts_per_second": round(checkouts["201"] / elapsed, 1),
        "checkout_answers_per_second": round(sum(checkouts.values()) / elapsed, 1),
        # Little's law: the mean number of requests the server held at once
        "mean_in_flight": round(sum(x[2] for x in tally.answers) / elapsed, 1),
        "checkout": _percentiles(by_kind["checkout"]),
        "all_requests": _percentiles([x[2] for x in tally.answers]),
        "by_kind": {
            kind: {"count": len(lat), **_percentiles(lat), "statuses": dict(statuses[kind])}
            for kind, lat in sorted(by_kind.items())
        },
        "refusals": dict(tally.codes),
        "load_generator": (
            f"{clients} httpx keep-alive clients (asyncio), think time exponential"
            f" with mean {think_ms:g} ms before each request"
        ),
    }
