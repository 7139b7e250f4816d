"""The cart: one per customer, bound to one store, re-priced from the catalog on every read.

Switching store: putting an item from another store empties the cart first (and drops its
coupon); the answer carries a ``cart_store_changed`` warning so the app can say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.catalog import stock
from kirana.catalog.stock import OutOfStock, ShortLine
from kirana.config import Settings
from kirana.kit import clock, market, money
from kirana.kit.cache import TTLCache, bump_after_commit, cache_named, get_or_set
from kirana.kit.errors import Conflict, NotFound
from kirana.logistics import service as logistics
from kirana.orders import coupons as coupon_rules
from kirana.orders import pricing
from kirana.orders import pricing_repository as pricing_repo
from kirana.orders import repository as repo
from kirana.orders.schemas import CartLine, CartRead, CartWarning, FeeLine


class CartRef(Protocol):
    """What pricing needs of a cart: the ORM row or checkout's locked read-only row."""

    @property
    def id(self) -> str: ...
    @property
    def store_id(self) -> str | None: ...
    @property
    def coupon_code(self) -> str | None: ...


class OverLimit(Conflict):
    code = "over_limit"
    title = "More than one order may hold"


@dataclass(frozen=True, slots=True)
class PricedCart:
    """A cart priced now: what checkout needs, and the answer to show (made when asked for:
    checkout never shows it)."""

    lines: list[tuple[repo.CartEntry, stock.SaleLine | None]]
    quote: pricing.Quote
    coupon: pricing_repo.CouponRow | None
    coupon_problem: coupon_rules.CouponRejected | None
    show: Callable[[], CartRead]
    load: pricing.StoreLoad

    @property
    def read(self) -> CartRead:
        return self.show()


def coupon_terms(coupon: pricing_repo.CouponRow) -> coupon_rules.CouponTerms:
    return coupon_rules.CouponTerms(
        code=coupon.code,
        kind=coupon.kind,
        amount_off=coupon.amount_off or 0,
        percent_off=coupon.percent_off or 0,
        max_discount=coupon.max_discount,
        min_cart=coupon.min_cart,
        starts_at=coupon.starts_at,
        ends_at=coupon.ends_at,
        per_user_limit=coupon.per_user_limit,
        global_limit=coupon.global_limit,
        first_order_only=coupon.first_order_only,
        is_active=coupon.is_active,
        redeemed_count=coupon.redeemed_count,
    )


async def fee_rules(session: AsyncSession) -> dict[str, pricing.FeeRule]:
    """The fee rules as stored now (the admin screens read these)."""
    overrides = {
        r.code: pricing.FeeRule(r.code, r.label, r.amount, r.enabled, dict(r.params or {}))
        for r in await pricing_repo.fee_rule_rows(session)
    }
    return pricing.merge_rules(overrides)


def _pricing_cache(settings: Settings) -> TTLCache:
    return cache_named("pricing", settings.database_url, settings.pricing_cache_seconds)


def forget_pricing_inputs(session: AsyncSession) -> None:
    """An admin changed a fee rule: once that commits, this process prices with it at once."""
    bump_after_commit(session, "pricing")


async def pricing_rules(session: AsyncSession, settings: Settings) -> dict[str, pricing.FeeRule]:
    """The fee rules for pricing carts, reused for ``settings.pricing_cache_seconds``."""
    return await get_or_set(_pricing_cache(settings), "fee_rules", lambda: fee_rules(session))


async def store_load(session: AsyncSession, settings: Settings, store_id: str) -> pricing.StoreLoad:
    """Orders in progress and riders on shift at the store, for the surge fee; reused for
    ``settings.pricing_cache_seconds`` (a load signal, not a ledger: a second old is fine, and
    counting a busy store's open orders on every checkout is not)."""

    async def count() -> pricing.StoreLoad:
        open_orders = await repo.open_order_count(session, store_id)
        online, idle = await logistics.riders_on_shift(session, store_id)
        return pricing.StoreLoad(open_orders=open_orders, online_riders=online, idle_riders=idle)

    return await get_or_set(_pricing_cache(settings), ("load", store_id), count)


async def picking_queue(
    session: AsyncSession, settings: Settings, store_id: str
) -> logistics.PickingQueue:
    """The store's orders not yet packed and their items, for the delivery promise; reused
    for ``settings.pricing_cache_seconds`` like the store's load."""

    async def count() -> logistics.PickingQueue:
        orders, items = await repo.picking_queue(session, store_id)
        return logistics.PickingQueue(orders=orders, items=items)

    return await get_or_set(_pricing_cache(settings), ("queue", store_id), count)


async def coupon_discount(
    session: AsyncSession, user_id: str, coupon: pricing_repo.CouponRow, subtotal: int, at: datetime
) -> int:
    """The coupon's discount for this customer now; raises CouponRejected (422) if not usable."""
    history = coupon_rules.CustomerHistory(
        uses_of_this_coupon=await pricing_repo.coupon_uses(session, coupon.id, user_id),
        has_ordered_before=(
            await repo.has_ordered_before(session, user_id) if coupon.first_order_only else False
        ),
    )
    return coupon_rules.discount_for(coupon_terms(coupon), subtotal, at, history)


def _empty(warnings: list[CartWarning] | None = None) -> CartRead:
    return CartRead(
        store_id=None,
        items=[],
        subtotal=0,
        fees=[],
        discount=0,
        tip=0,
        total=0,
        currency=market.current().currency,
        warnings=warnings or [],
        coupon_code=None,
    )


async def price_cart(
    session: AsyncSession,
    settings: Settings,
    user_id: str,
    cart: CartRef,
    *,
    tip: int = 0,
    warnings: list[CartWarning] | None = None,
    items: list[repo.CartEntry] | None = None,
) -> PricedCart:
    """The cart priced now; ``items`` if the caller has just read them (checkout)."""
    store_id = cart.store_id
    if items is None:
        items = await repo.cart_items(session, cart.id)
    sold = await stock.sale_lines(session, store_id, [i.product_id for i in items])
    pairs = [(item, sold.get(item.product_id)) for item in items]
    subtotal = sum(
        line.price * item.quantity for item, line in pairs if line is not None and line.is_active
    )
    now = clock.now()
    coupon: pricing_repo.CouponRow | None = None
    problem: coupon_rules.CouponRejected | None = None
    discount = 0
    if cart.coupon_code:
        coupon = await pricing_repo.coupon_by_code(session, cart.coupon_code)
        if coupon is None:
            problem = coupon_rules.CouponRejected(
                f"{cart.coupon_code} is not a coupon", code="coupon_unknown"
            )
        else:
            try:
                discount = await coupon_discount(session, user_id, coupon, subtotal, now)
            except coupon_rules.CouponRejected as exc:
                problem = exc
    load = (
        await store_load(session, settings, store_id)
        if store_id and subtotal
        else pricing.StoreLoad()
    )
    quote = pricing.quote(
        subtotal,
        at=now,
        load=load,
        rules=await pricing_rules(session, settings),
        discount=discount,
        tip=tip,
    )

    def show() -> CartRead:
        return _cart_read(store_id, cart.coupon_code, pairs, quote, list(warnings or []), problem)

    return PricedCart(pairs, quote, coupon, problem, show, load)


def _cart_read(
    store_id: str | None,
    coupon_code: str | None,
    pairs: list[tuple[repo.CartEntry, stock.SaleLine | None]],
    quote: pricing.Quote,
    warnings: list[CartWarning],
    problem: coupon_rules.CouponRejected | None,
) -> CartRead:
    """The priced cart as the customer sees it: every line, with a warning for each that went
    out of stock, ran low, changed price or is no longer sold."""
    lines: list[CartLine] = []
    for item, line in pairs:
        if line is None or not line.is_active:
            warnings.append(
                CartWarning(
                    code="unavailable",
                    message="This product is no longer sold at this store",
                    product_id=item.product_id,
                )
            )
            lines.append(
                CartLine(
                    product_id=item.product_id,
                    name=line.name if line else "Unavailable product",
                    unit=line.unit if line else "",
                    quantity=item.quantity,
                    unit_price=item.seen_price,
                    line_total=0,
                    mrp=line.mrp if line else item.seen_price,
                    in_stock=False,
                    available=0,
                    max_quantity=0,
                )
            )
            continue
        available = max(line.available, 0)
        if available == 0:
            warnings.append(
                CartWarning(
                    code="out_of_stock",
                    message=f"{line.name} is out of stock",
                    product_id=item.product_id,
                )
            )
        elif item.quantity > available:
            warnings.append(
                CartWarning(
                    code="low_stock",
                    message=f"Only {available} of {line.name} left",
                    product_id=item.product_id,
                )
            )
        if line.price != item.seen_price:
            warnings.append(
                CartWarning(
                    code="price_changed",
                    message=(
                        f"{line.name} now costs {money.in_words(line.price)} "
                        f"(was {money.in_words(item.seen_price)})"
                    ),
                    product_id=item.product_id,
                )
            )
        line_total = line.price * item.quantity
        lines.append(
            CartLine(
                product_id=item.product_id,
                name=line.name,
                unit=line.unit,
                quantity=item.quantity,
                unit_price=line.price,
                line_total=line_total,
                mrp=line.mrp,
                in_stock=available > 0,
                available=available,
                max_quantity=min(line.max_per_order, available),
            )
        )

    if problem is not None:
        warnings.append(CartWarning(code=problem.code, message=problem.detail))
    return CartRead(
        store_id=store_id,
        items=lines,
        subtotal=quote.subtotal,
        fees=[FeeLine(code=f.code, label=f.label, amount=f.amount) for f in quote.fees],
        discount=quote.discount,
        tip=quote.tip,
        total=quote.total,
        currency=market.current().currency,
        warnings=warnings,
        coupon_code=coupon_code,
    )


async def get_cart(session: AsyncSession, settings: Settings, user_id: str) -> CartRead:
    cart = await repo.cart_of(session, user_id)
    if cart is None:
        return _empty()
    return (await price_cart(session, settings, user_id, cart)).read


async def give_back(
    session: AsyncSession,
    user_id: str,
    store_id: str,
    coupon_code: str | None,
    lines: list[tuple[str, int, int]],
) -> None:
    """An unpaid order ended (the customer gave up, or its payment window closed): its lines
    (product, quantity, unit price) and coupon go back to the cart as they were. A cart the
    customer has since filled at another store is left alone; one at the same store keeps the
    larger quantity of each line."""
    cart = await repo.cart_to_change(session, user_id, touch=False)
    if cart.store_id != store_id and await repo.cart_items(session, cart.id):
        return
    await repo.set_cart(session, cart.id, store_id, cart.coupon_code or coupon_code)
    if lines:
        await repo.put_lines(session, cart.id, lines, keep_more=True)


async def set_item(
    session: AsyncSession,
    settings: Settings,
    user_id: str,
    product_id: str,
    quantity: int,
    store_id: str,
) -> CartRead:
    """Put ``quantity`` of a product in the cart (0 removes it), capped by stock and limit."""
    warnings: list[CartWarning] = []
    if quantity == 0:
        head = await repo.lock_cart(session, user_id, touch=True)
        if head is None:
            return _empty()
        await repo.drop_line(session, head.id, product_id)
        return (await price_cart(session, settings, user_id, head)).read

    await catalog.get_store(session, settings, store_id)  # 404 store_not_found
    line = (await stock.sale_lines(session, store_id, [product_id])).get(product_id)
    if line is None or not line.is_active:
        raise NotFound("This store does not sell that product", code="product_not_found")
    if quantity > line.max_per_order:
        raise OverLimit(
            f"At most {line.max_per_order} of {line.name} per order",
            extra={"product_id": product_id, "max_quantity": line.max_per_order},
        )
    if quantity > line.available:
        raise OutOfStock([ShortLine(product_id, line.name, quantity, max(line.available, 0))])

    cart = await repo.cart_to_change(session, user_id, touch=True)
    if cart.store_id != store_id:
        if cart.store_id is not None and await repo.cart_items(session, cart.id):
            warnings.append(
                CartWarning(
                    code="cart_store_changed",
                    message="Your cart held items from another store; it was emptied",
                )
            )
        await repo.empty_cart(session, cart.id)
        await repo.set_cart(session, cart.id, store_id, None)
        cart = repo.CartHead(cart.id, store_id, None)
    await repo.put_lines(session, cart.id, [(product_id, quantity, line.price)])
    return (await price_cart(session, settings, user_id, cart, warnings=warnings)).read


async def clear_cart(session: AsyncSession, user_id: str) -> None:
    cart = await repo.cart_of(session, user_id, lock=True)
    if cart is not None:
        await repo.empty_cart(session, cart.id)


async def apply_coupon(
    session: AsyncSession, settings: Settings, user_id: str, code: str
) -> CartRead:
    """Attach a coupon if it is good for the cart as it is now (422 naming why not)."""
    cart = await repo.cart_of(session, user_id, lock=True)
    if cart is None or not await repo.cart_items(session, cart.id):
        raise coupon_rules.CouponRejected("Add something to the cart first", code="cart_empty")
    coupon = await pricing_repo.coupon_by_code(session, code)
    if coupon is None:
        raise coupon_rules.CouponRejected(f"{code} is not a coupon", code="coupon_unknown")
    cart.coupon_code = coupon.code
    priced = await price_cart(session, settings, user_id, cart)
    if priced.coupon_problem is not None:
        raise priced.coupon_problem
    await session.flush()
    return priced.read


async def remove_coupon(session: AsyncSession, settings: Settings, user_id: str) -> CartRead:
    cart = await repo.cart_of(session, user_id, lock=True)
    if cart is None:
        return _empty()
    cart.coupon_code = None
    await session.flush()
    return (await price_cart(session, settings, user_id, cart)).read
