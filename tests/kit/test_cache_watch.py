"""Caches that forget when their tables are written (kit.cache.forget_on_writes): whichever
way the write is made, only once it commits, and not for a write marked as none of theirs."""

from __future__ import annotations

from sqlalchemy import select, update

from kirana.kit.cache import CACHE_KEYS, CACHE_NEUTRAL, TTLCache, cache_named, forget_on_writes
from kirana.kit.db import Database
from kirana.users.models import User
from tests import factories

forget_on_writes("test_watch", "users")


def _warm() -> TTLCache:
    cache = cache_named("test_watch", "tests", 60)
    cache.set("k", "v")
    return cache


async def test_a_committed_write_forgets_and_a_neutral_or_rolled_back_one_does_not(
    db: Database,
) -> None:
    user_id = (await factories.make_user(db))["id"]
    cache = _warm()
    async with db.transaction() as session:  # reads and neutral writes: kept
        await session.scalar(select(User.name).where(User.id == user_id))
        await session.execute(
            update(User)
            .where(User.id == user_id)
            .values(name="x")
            .execution_options(**{CACHE_NEUTRAL: True})
        )
    assert cache.get("k") == "v"

    async with db.transaction() as session:  # a statement, rolled back: kept
        await session.execute(update(User).where(User.id == user_id).values(name="y"))
        await session.rollback()
    assert cache.get("k") == "v"

    async with db.transaction() as session:  # a statement, committed: forgotten
        await session.execute(update(User).where(User.id == user_id).values(name="z"))
        assert cache.get("k") == "v"  # not before the commit
    assert cache.get("k") is None

    cache = _warm()
    async with db.transaction() as session:  # an object changed through the ORM
        user = await session.get(User, user_id)
        assert user is not None
        user.name = "w"
    assert cache.get("k") is None

    cache = _warm()
    async with db.transaction() as session:  # loaded, set to what it was: nothing written
        user = await session.get(User, user_id)
        assert user is not None
        user.name = "w"
    assert cache.get("k") == "v"


forget_on_writes("test_watch_keyed", "users", keys={"users": lambda user: user.id})


async def test_a_write_that_says_whose_row_it_is_forgets_that_key_only(db: Database) -> None:
    one, two = (await factories.make_user(db))["id"], (await factories.make_user(db))["id"]
    cache = cache_named("test_watch_keyed", "tests", 60)
    for key in (one, two):
        cache.set(key, "v")
    async with db.transaction() as session:  # through the ORM: the row's key
        user = await session.get(User, one)
        assert user is not None
        user.name = "changed"
    assert (cache.get(one), cache.get(two)) == (None, "v")

    cache.set(one, "v")
    async with db.transaction() as session:  # a statement naming the keys it changes
        await session.execute(
            update(User)
            .where(User.id == two)
            .values(name="changed")
            .execution_options(**{CACHE_KEYS: {"test_watch_keyed": (two,)}})
        )
    assert (cache.get(one), cache.get(two)) == ("v", None)

    stamp = cache.stamp(two)  # a read that raced the change is not kept
    async with db.transaction() as session:
        await session.execute(
            update(User)
            .where(User.id == two)
            .values(name="again")
            .execution_options(**{CACHE_KEYS: {"test_watch_keyed": (two,)}})
        )
    cache.set(two, "old", stamp=stamp)
    assert cache.get(two) is None

    async with db.transaction() as session:  # a statement that does not say: everything
        await session.execute(update(User).where(User.id == two).values(name="w"))
    assert cache.get(one) is None
