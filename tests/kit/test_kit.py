"""Domain-free toolkit: money, ids, cursors, cache, security, settings."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kirana.kit import clock, security
from kirana.kit.cache import TTLCache
from kirana.kit.errors import BadRequest
from kirana.kit.ids import is_id, new_id
from kirana.kit.money import Money
from kirana.kit.pagination import decode_cursor, encode_cursor


def test_ids_are_unique_sortable_strings() -> None:
    ids = [new_id() for _ in range(1000)]
    assert len(set(ids)) == 1000 and all(is_id(i) for i in ids)
    assert ids == sorted(ids)  # monotonic within a process, even inside one millisecond
    earlier = new_id()
    time.sleep(0.002)
    assert new_id() > earlier


def test_an_id_is_its_time_in_ms_then_80_random_bits() -> None:
    before = time.time_ns() // 1_000_000
    value = 0
    for digit in new_id():
        value = value * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".index(digit)
    assert value < 1 << 128
    assert before <= value >> 80 <= time.time_ns() // 1_000_000


@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_money_adds_exactly(a: int, b: int) -> None:
    assert (Money(a) + Money(b)).amount == a + b
    assert (Money(a) - Money(b)).amount == a - b


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(1, "INR") + Money(1, "EUR")
    assert Money(10050, "INR").format() == "INR 100.50"
    assert Money(10050).format() == "EUR 100.50"  # no currency named: the market's
    assert Money(1000).percent(1250).amount == 125


@given(
    st.lists(
        st.one_of(st.text(max_size=20), st.integers(-(2**63), 2**63 - 1)), min_size=1, max_size=4
    )
)
def test_cursor_round_trip(key: list) -> None:
    assert decode_cursor(encode_cursor(key), len(key)) == key


@pytest.mark.parametrize(
    "bad", ["!!!", "bm90IGpzb24", encode_cursor([1, 2, 3]), encode_cursor({"a": 1})]
)  # type: ignore[list-item]
def test_bad_cursor_is_400(bad: str) -> None:
    with pytest.raises(BadRequest):
        decode_cursor(bad, 2)


def test_cache_expires_and_bumps() -> None:
    cache = TTLCache(ttl_seconds=60)
    cache.set("k", 1)
    assert cache.get("k") == 1
    cache.bump()
    assert cache.get("k") is None
    zero = TTLCache(ttl_seconds=0)
    zero.set("k", 1)
    assert zero.get("k") is None


def test_a_cache_lives_on_the_clock_virtual_time_too() -> None:
    """Time to live is kit.clock's: moved by advance(), and in virtual seconds on a source
    such as the simulator's; an entry kept before the clock went back is not served."""
    from datetime import UTC, datetime

    cache = TTLCache(ttl_seconds=2)
    try:
        cache.set("k", 1)
        clock.advance(timedelta(seconds=1))
        assert cache.get("k") == 1
        clock.advance(timedelta(seconds=1.5))
        assert cache.get("k") is None  # 2.5 s on the moved clock, however little really passed
        virtual = [datetime(2026, 3, 2, 7, 0, tzinfo=UTC)]
        clock.set_source(lambda: virtual[0])
        cache.set("v", 2)
        virtual[0] += timedelta(seconds=1.9)
        assert cache.get("v") == 2
        virtual[0] += timedelta(seconds=0.2)
        assert cache.get("v") is None  # expired on the virtual clock, in no real time
        cache.set("w", 3)
    finally:
        clock.set_source(None)
        clock.reset()
    assert cache.get("w") is None  # kept on a clock that is gone: more than the TTL away now
    cache.set("x", 4)
    assert cache.get("x") == 4


SECRET = "a-test-secret-of-forty-characters-xxxxxx"


def test_passwords_and_tokens() -> None:
    h = security.hash_password("s3cret-pass")
    assert h.startswith("$argon2id$")
    assert security.verify_password(h, "s3cret-pass")
    assert not security.verify_password(h, "wrong")
    assert not security.verify_password("not-a-hash", "x")
    token, _ = security.create_access_token("u1", SECRET, 15, {"role": "admin"})
    assert security.decode_access_token(token, SECRET)["role"] == "admin"  # type: ignore[index]
    assert security.decode_access_token(token, "another-secret-another-secret-xx") is None
    clock.advance(timedelta(minutes=15, seconds=1))
    try:
        assert security.decode_access_token(token, SECRET) is None
    finally:
        clock.reset()


def test_tokens_follow_the_moved_clock() -> None:
    """A token issued after the clock moved forward is valid (PyJWT must not use wall time)."""
    clock.advance(timedelta(hours=2))
    try:
        token, _ = security.create_access_token("u1", SECRET, 15)
        assert security.decode_access_token(token, SECRET) is not None
    finally:
        clock.reset()
