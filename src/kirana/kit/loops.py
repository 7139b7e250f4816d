"""The loops of background work: rounds of a batch until asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable


async def pause(stopping: asyncio.Event | None, seconds: float) -> None:
    """Sleep ``seconds``, or less if ``stopping`` is set meanwhile."""
    if stopping is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)


async def woken(wakeup: asyncio.Event, stopping: asyncio.Event | None, seconds: float) -> bool:
    """Wait until ``wakeup`` or ``stopping`` is set, at most ``seconds``; whether woken."""
    waits = [asyncio.ensure_future(wakeup.wait())]
    if stopping is not None:
        waits.append(asyncio.ensure_future(stopping.wait()))
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
    return wakeup.is_set()


async def in_batches(
    round_: Callable[[], Awaitable[int]],
    *,
    batch: int,
    wakeup: asyncio.Event,
    poll_seconds: float,
    stopping: asyncio.Event | None,
    log: logging.Logger,
    what: str,
    gather_seconds: float = 0.0,
) -> None:
    """Run ``round_`` (it handles up to ``batch`` items and says how many) until ``stopping``
    is set, returning between rounds: a full round is followed at once by the next; otherwise
    the loop waits for ``wakeup`` (new work) or the poll, and once woken ``gather_seconds`` more
    for work that comes with it. A round that fails is logged and the loop goes on."""
    while stopping is None or not stopping.is_set():
        try:
            done = await round_()
        except Exception:
            log.exception("%s round failed", what)
            done = 0
        if done >= batch:
            continue
        wakeup.clear()
        if await woken(wakeup, stopping, poll_seconds) and gather_seconds:
            await asyncio.sleep(gather_seconds)
