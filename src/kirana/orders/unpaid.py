"""How many unpaid orders one customer, or one delivery address, may hold at once.

An order waiting for payment holds its stock until its payment window ends. Without a limit one
fresh account (or a few, ordering to one door) could hold a product's whole stock, over and
over, and no one else could buy it. Checkout asks here before it writes anything.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit.errors import Conflict
from kirana.orders.models import Order
from kirana.orders.state import OrderStatus

# Orders to points this close (about 110 m of latitude) count as one address: another account's
# address a few metres away is the same door.
SAME_PLACE_DEGREES = 0.001

_UNPAID = Order.status == OrderStatus.PENDING_PAYMENT
_MINE = select(func.count()).where(_UNPAID, Order.customer_id == bindparam("customer_id"))
_HERE = select(func.count()).where(
    _UNPAID,
    Order.drop_lat.between(bindparam("lat_lo"), bindparam("lat_hi")),
    Order.drop_lng.between(bindparam("lng_lo"), bindparam("lng_hi")),
)


class TooManyUnpaid(Conflict):
    code = "too_many_unpaid_orders"
    title = "Too many orders waiting for payment"


async def check_unpaid_limits(
    session: AsyncSession, settings: Settings, customer_id: str, method: str, lat: float, lng: float
) -> None:
    """Refuse a new order that would wait for payment while the customer, or the place it goes
    to, already has the most unpaid orders the settings allow
    (``KIRANA_UNPAID_ORDERS_PER_CUSTOMER``, ``..._PER_ADDRESS``). Cash on delivery waits for
    no payment, so it is not counted or refused."""
    if method == "cod":
        return
    mine = int(await session.scalar(_MINE, {"customer_id": customer_id}) or 0)
    limit = settings.unpaid_orders_per_customer
    if mine >= limit:
        raise TooManyUnpaid(
            f"You have {mine} orders waiting for payment, the most at once; pay for one or "
            "cancel it, or wait for its payment window to end, before placing another",
            extra={"limit": limit, "unpaid": mine},
        )
    d = SAME_PLACE_DEGREES
    box = {"lat_lo": lat - d, "lat_hi": lat + d, "lng_lo": lng - d, "lng_hi": lng + d}
    here = int(await session.scalar(_HERE, box) or 0)
    limit = settings.unpaid_orders_per_address
    if here >= limit:
        raise TooManyUnpaid(
            f"{here} orders to this address are waiting for payment, the most at once; pay for "
            "one or cancel it before placing another",
            code="too_many_unpaid_orders_here",
            extra={"limit": limit, "unpaid": here},
        )
