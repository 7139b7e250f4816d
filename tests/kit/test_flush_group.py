"""FlushGroup's leaders and lanes, without a database: every unit's writes are sent exactly
once (together, or alone after a group that kept nothing), each caller gets its own answer, and
no lane is lost, whatever finishes first and whoever is cancelled."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from kirana.kit.sql import FlushGroup, Together, TogetherRead
from kirana.kit.sql._batch import _Queued

KIND = Together("INSERT INTO t (n) SELECT * FROM unnest($1::INTEGER[])", 1)


class Refused(Exception):
    pass


class FakeDriver:
    """Records what it sends; a grouped statement fails if it carries a refused unit."""

    def __init__(self, n: int, log: dict[str, list[int]], refuse: set[int], rng: random.Random):
        self.n, self.log, self.refuse, self.rng = n, log, refuse, rng

    async def send_read(self, sql: str, args: list[Any]) -> list[Any]:
        """A grouped read: each row's unit number, then its value doubled."""
        await asyncio.sleep(self.rng.random() / 500)
        units, values = args
        if self.refuse & set(values):
            raise Refused(values)
        self.log["grouped"].extend(values)
        return [(u, v * 2) for u, v in zip(units, values, strict=True)]

    async def send(self, sql: str, args: list[Any]) -> list[Any]:
        await asyncio.sleep(self.rng.random() / 500)
        carried = list(args[0])
        if self.refuse & set(carried):
            raise Refused(carried)
        self.log["grouped"].extend(carried)
        return []


async def alone(driver: Any, queued: list[_Queued]) -> None:
    await asyncio.sleep(driver.rng.random() / 500)
    if driver.n in driver.refuse:
        raise Refused(driver.n)
    driver.log["alone"].append(driver.n)


def _queued(n: int) -> list[_Queued]:
    return [_Queued(None, [], None, None, KIND, [(n,)])]  # type: ignore[arg-type]


async def _one(group: FlushGroup, driver: FakeDriver, delay: float) -> None:
    await asyncio.sleep(delay)
    await group.flush(driver, _queued(driver.n), alone)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(8))
async def test_every_unit_is_sent_once_and_answered(seed: int) -> None:
    rng = random.Random(seed)
    group = FlushGroup(limit=rng.choice([2, 5, 64]), lanes=rng.choice([1, 2, 3]))
    log: dict[str, list[int]] = {"grouped": [], "alone": []}
    refuse = {n for n in range(80) if rng.random() < 0.1}
    drivers = [FakeDriver(n, log, refuse, rng) for n in range(80)]
    results = await asyncio.gather(
        *(_one(group, d, rng.random() / 200) for d in drivers), return_exceptions=True
    )
    for n, result in enumerate(results):
        if n in refuse:
            assert isinstance(result, Refused) and result.args == (n,)
        else:
            assert result is None, result
    sent = log["grouped"] + log["alone"]
    assert sorted(sent) == sorted(set(range(80)) - refuse)  # once each, refused ones never
    assert group.stats.statements > 0 and group.stats.units >= 2 * group.stats.statements
    assert group._line("writes").leaders == 0 and group.waiting == 0


async def test_cancelled_callers_wait_for_their_writes_and_free_their_lanes() -> None:
    rng = random.Random(7)
    group = FlushGroup(limit=4, lanes=2)
    log: dict[str, list[int]] = {"grouped": [], "alone": []}
    drivers = [FakeDriver(n, log, set(), rng) for n in range(40)]
    tasks = [asyncio.create_task(_one(group, d, rng.random() / 200)) for d in drivers]
    await asyncio.sleep(0.004)
    cancelled = [t for i, t in enumerate(tasks) if i % 3 == 0]
    for t in cancelled:
        t.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for i, result in enumerate(results):
        if tasks[i] in cancelled and isinstance(result, asyncio.CancelledError):
            continue
        assert result is None, result
    sent = log["grouped"] + log["alone"]
    assert len(sent) == len(set(sent))  # nothing twice
    # every caller that was not cancelled before it queued had its writes sent
    assert {n for n, r in enumerate(results) if r is None} <= set(sent)
    assert group._line("writes").leaders == 0 and group.waiting == 0
    # and the group still works
    more = [FakeDriver(n, log, set(), rng) for n in range(100, 110)]
    await asyncio.gather(*(_one(group, d, 0) for d in more))
    assert set(range(100, 110)) <= set(log["grouped"] + log["alone"])


READ = TogetherRead(
    "SELECT w.unit, w.n * 2 FROM unnest($1::INTEGER[], $2::INTEGER[]) AS w(unit, n)", 1
)


@pytest.mark.parametrize("seed", range(4))
async def test_grouped_reads_answer_each_unit_its_own_rows(seed: int) -> None:
    rng = random.Random(seed)
    group = FlushGroup(limit=rng.choice([3, 64]))
    log: dict[str, list[int]] = {"grouped": [], "alone": []}
    refuse = {n for n in range(60) if rng.random() < 0.1}

    async def one(d: FakeDriver) -> list[Any]:
        await asyncio.sleep(rng.random() / 200)
        values = [d.n * 10 + k for k in range(d.n % 3 + 1)]  # 1 to 3 rows each

        async def alone() -> list[Any]:
            await asyncio.sleep(rng.random() / 500)
            if d.n * 10 in refuse:
                raise Refused(d.n)
            log["alone"].extend(values)
            return [(v * 2,) for v in values]

        return await group.read(d, READ, [(v,) for v in values], alone)  # type: ignore[arg-type]

    refuse = {n * 10 for n in refuse}
    drivers = [FakeDriver(n, log, refuse, rng) for n in range(60)]
    results = await asyncio.gather(*(one(d) for d in drivers), return_exceptions=True)
    for d, result in zip(drivers, results, strict=True):
        if d.n * 10 in refuse:
            assert isinstance(result, Refused), result
        else:
            assert [tuple(r) for r in result] == [  # type: ignore[union-attr]
                (2 * (d.n * 10 + k),) for k in range(d.n % 3 + 1)
            ]
    stats = group.read_stats(READ)
    assert stats.statements > 0 and stats.units >= 2 * stats.statements
    assert group._line(READ).leaders == 0 and not group._line(READ).waiting
