"""The listing's stock math as a property: in_stock and max_quantity from on_hand, reserved, cap."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from kirana.catalog.service._browse import _item


@given(
    on_hand=st.integers(min_value=0, max_value=10_000),
    reserved=st.integers(min_value=0, max_value=10_000),
    cap=st.integers(min_value=1, max_value=1000),
    price=st.integers(min_value=1, max_value=10**8),
)
def test_in_stock_and_max_quantity(on_hand: int, reserved: int, cap: int, price: int) -> None:
    reserved = min(reserved, on_hand)  # the table's CHECK holds reserved <= on_hand
    row = SimpleNamespace(
        id="P",
        name="N",
        brand="B",
        unit="1 L",
        image_url=None,
        price=price,
        mrp=price,
        available=on_hand - reserved,
        max_per_order=cap,
        category_id="C",
        currency="INR",
    )
    item = _item(row)
    available = on_hand - reserved
    assert item["in_stock"] is (available > 0)
    assert 0 <= item["max_quantity"] <= cap
    assert item["max_quantity"] <= available
    assert item["max_quantity"] == (min(available, cap) if available else 0)
    assert (item["max_quantity"] > 0) is item["in_stock"]
