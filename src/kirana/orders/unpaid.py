"""How many unpaid orders one customer, or one delivery address, may hold at once.

An order waiting for payment holds its stock until its payment window ends. Without a limit one
fresh account (or a few, ordering to one door) could hold a product's whole stock, over and
over, and no one else could buy it. Checkout asks here before it writes anything.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit.errors import Conflict
from kirana.orders.models import Order
from kirana.orders.state import OrderStatus

# Orders to points this close (about 110 m of latitude) count as one address: another account's
# address a few metres away is the same door.
SAME_PLACE_DEGREES = 0.001

_MINE = Order.customer_id == bindparam("customer_id")
_HERE = and_(
    Order.drop_lat.between(bindparam("lat_lo"), bindparam("lat_hi")),
    Order.drop_lng.between(bindparam("lng_lo"), bindparam("lng_hi")),
)
# Both counts in one statement: the customer's unpaid orders, and those to this place.
_COUNTS = select(func.count().filter(_MINE), func.count().filter(_HERE)).where(
    Order.status == OrderStatus.PENDING_PAYMENT, or_(_MINE, _HERE)
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
    d = SAME_PLACE_DEGREES
    params = {
        "customer_id": customer_id,
        "lat_lo": lat - d,
        "lat_hi": lat + d,
        "lng_lo": lng - d,
        "lng_hi": lng + d,
    }
    counts = (await session.execute(_COUNTS, params)).one()
    mine, here = int(counts[0] or 0), int(counts[1] or 0)
    limit = settings.unpaid_orders_per_customer
    if mine >= limit:
        raise TooManyUnpaid(
            f"You have {mine} orders waiting for payment, the most at once; pay for one or "
            "cancel it, or wait for its payment window to end, before placing another",
            extra={"limit": limit, "unpaid": mine},
        )
    limit = settings.unpaid_orders_per_address
    if here >= limit:
        raise TooManyUnpaid(
            f"{here} orders to this address are waiting for payment, the most at once; pay for "
            "one or cancel it before placing another",
            code="too_many_unpaid_orders_here",
            extra={"limit": limit, "unpaid": here},
        )
