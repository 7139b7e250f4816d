"""The background jobs of the embedded deployment and of ``kirana worker``.

Each service's scheduled jobs are registered in ``JOBS`` here (a loop per job).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from kirana.catalog.jobs import flush_search_stats, index_unindexed_products
from kirana.config import Settings
from kirana.kit.db import Database
from kirana.kit.loops import pause
from kirana.kit.outbox import run_relay
from kirana.kit.streams import StreamRelay

# Every service's event handlers subscribe when imported; the relay must know all of them, in the
# API process (`kirana up`) and in `kirana worker` alike.
from kirana.live import channels as _live_channels  # noqa: F401
from kirana.logistics import handlers as _logistics_handlers  # noqa: F401
from kirana.logistics.jobs import dispatch_waiting_deliveries, replan_trips
from kirana.notifications import handlers as _notification_handlers  # noqa: F401
from kirana.notifications import outgoing
from kirana.notifications.dispatch import run_sender
from kirana.orders import handlers as _order_handlers  # noqa: F401
from kirana.orders.jobs import expire_unpaid_orders, lapse_substitutions
from kirana.payments import handlers as _payment_handlers  # noqa: F401
from kirana.payments.jobs import (
    deliver_sandbox_webhooks,
    reconcile_payments,
    send_refunds,
    void_at_providers,
)
from kirana.recommendations import handlers as _recommendation_handlers  # noqa: F401
from kirana.recommendations.jobs import REBUILD_SECONDS, rebuild_models

log = logging.getLogger("kirana.worker")

# A job runs until ``stopping`` is set, then returns after the round it is in (never cut off in
# the middle of a transaction).
Job = Callable[[Database, Settings, asyncio.Event], Coroutine[Any, Any, None]]


async def outbox_relay(db: Database, settings: Settings, stopping: asyncio.Event) -> None:
    if settings.event_broker == "redis" and settings.redis_url:
        relay = StreamRelay(
            db,
            settings.redis_url,
            stream=settings.event_stream,
            maxlen=settings.event_stream_maxlen,
            claim_idle_seconds=settings.event_claim_idle_seconds,
            replay_hours=settings.event_replay_hours,
        )
        await relay.run(stopping)
    else:
        await run_relay(db, stopping=stopping)


async def notification_sender(db: Database, settings: Settings, stopping: asyncio.Event) -> None:
    outgoing.configure(settings)
    await run_sender(db, settings, stopping=stopping)


def every(seconds: float, task: Callable[[Database, Settings], Coroutine[Any, Any, object]]) -> Job:
    """A loop that runs ``task`` every ``seconds``, logging (not dying on) failures."""

    async def loop(db: Database, settings: Settings, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await task(db, settings)
            except Exception:
                log.exception("scheduled job %s failed", getattr(task, "__name__", task))
            await pause(stopping, seconds)

    loop.__name__ = f"every_{seconds}s_{getattr(task, '__name__', 'job')}"
    return loop


JOBS: list[Job] = [
    outbox_relay,
    notification_sender,
    every(30, expire_unpaid_orders),
    every(5, lapse_substitutions),
    every(1, deliver_sandbox_webhooks),
    every(2, send_refunds),
    every(5, void_at_providers),
    every(60, reconcile_payments),
    every(5, dispatch_waiting_deliveries),
    every(15, replan_trips),
    every(60, index_unindexed_products),
    every(REBUILD_SECONDS, rebuild_models),
    every(10, flush_search_stats),
]

# What every API process runs, workers or not: its own searches are counted in its memory.
REQUEST_SIDE_JOBS: list[Job] = [every(10, flush_search_stats)]
