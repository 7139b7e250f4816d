"""The live parts of one process: its broker, its location index, (with Redis) the cache bus
that tells the other processes what changed, and (if configured) its MQTT bridge, made at
start-up from the settings and closed at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from kirana.config import Settings
from kirana.kit.cache_bus import CacheBus
from kirana.kit.db import Database
from kirana.live import broker as brokers
from kirana.live.broker import Broker, Message, RedisBroker
from kirana.logistics import locations, positions
from kirana.logistics.locations import Fix, LocationIndex, RedisLocationIndex
from kirana.operations import Metrics

log = logging.getLogger("kirana.live")


class Live:
    def __init__(self, settings: Settings, db: Database, metrics: Metrics) -> None:
        self.settings = settings
        self.db = db
        self.metrics = metrics
        self.broker: Broker = brokers.make_broker(
            settings.redis_url, history=settings.live_history, prefix=settings.live_prefix
        )
        self.index: LocationIndex = locations.make_index(
            settings.redis_url, prefix=f"{settings.live_prefix}riders:"
        )
        self.cache_bus = (
            CacheBus(settings.redis_url, f"{settings.live_prefix}caches")
            if settings.redis_url
            else None
        )
        self.motion = locations.Motion(settings.telemetry_max_speed_mps)
        self.sample_every = timedelta(seconds=settings.telemetry_sample_seconds)
        self.samples = positions.Samples(self.sample_every)
        self.tasks: list[asyncio.Task[None]] = []
        self.closing = asyncio.Event()
        self.mqtt_ready = asyncio.Event()  # the bridge is subscribed (tests wait for it)

    async def keep_and_publish(
        self, fix: Fix, messages: list[tuple[str, Message]]
    ) -> locations.Refusal | None:
        """Keep ``fix`` in the location index if it is plausible after the rider's last one
        (``locations.refusal``), and then publish ``messages`` (position updates: kept in no
        history); the refusal otherwise, with nothing kept or sent. On Redis, both are made
        from the same URL: one script, one round trip for all of it."""
        index, broker, motion = self.index, self.broker, self.motion
        if isinstance(index, RedisLocationIndex) and isinstance(broker, RedisBroker):
            publish = [(broker.channel_key(channel), m.text) for channel, m in messages]
            return await index.put_if_plausible(fix, motion, publish)
        refused = await index.put_if_plausible(fix, motion)
        if refused is None:
            for channel, message in messages:
                await broker.publish(channel, message, keep=False)
        return refused

    async def start(self, *, mqtt: bool = True) -> None:
        brokers.use(self.broker)
        locations.use(self.index)
        if self.cache_bus is not None:
            await self.cache_bus.start()
        self.metrics.ws_connections.set_function(lambda: float(self.broker.subscribers()))
        if mqtt and self.settings.mqtt_url:
            from kirana.live.mqtt import run_bridge

            self.tasks.append(asyncio.create_task(run_bridge(self)))

    async def stop(self) -> None:
        self.closing.set()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.cache_bus is not None:
            await self.cache_bus.close()
        await self.broker.close()
        await self.index.close()
        if brokers.current() is self.broker:
            brokers.use(None)
