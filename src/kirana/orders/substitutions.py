"""While picking: a line the store cannot fill, and a substitute the customer approves or
declines (or lets lapse), with the bill, the stock and the payment following.

The bill after any change is :func:`rebill`: the billed lines' totals, the fees and tip as they
were at checkout, the coupon's discount worked out again on the new subtotal. A paid order gets
back what it paid above the new total (payments' refunds, once per change); a cash order's
amount due follows. A substitute costs, for its line, no more than the line it replaces, unless
the customer agrees to the store's price: a cash order's amount due grows; an order paid by
card or UPI pays the difference as a payment of its own, and the substitute is approved when
that payment succeeds (:func:`on_difference_paid`). The order cannot be packed while a proposal
is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import stock, substitutes
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.errors import Conflict, NotFound, ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.outbox import emit
from kirana.kit.pagination import Page
from kirana.orders import cart, coupons, lifecycle, state, store_ops
from kirana.orders import pricing_repository as pricing_repo
from kirana.orders import repository as repo
from kirana.orders import substitution_repository as substitution_repo
from kirana.orders.models import Order, OrderItem, OrderSubstitution
from kirana.orders.schemas import (
    OrderRead,
    PickList,
    SubstituteCandidate,
    SubstitutionCreate,
    SubstitutionRead,
)
from kirana.orders.state import LineStatus, OrderStatus, SubstitutionStatus
from kirana.payments import service as payments
from kirana.users.schemas import Principal

# --- the bill, as a pure function -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bill:
    subtotal: int
    discount: int
    total: int


def rebill(
    line_totals: Sequence[int],
    *,
    fees_total: int,
    tip: int,
    coupon: coupons.CouponTerms | None,
    discount_before: int,
) -> Bill:
    """The bill of an order whose lines changed while picking. The coupon was good at checkout
    and stays so (a shortage of the store's does not cost the customer it): its discount is
    worked out again on the new subtotal; without its terms, the old discount, capped."""
    subtotal = sum(line_totals)
    discount = (
        coupons.raw_discount(coupon, subtotal)
        if coupon is not None
        else min(discount_before, subtotal)
    )
    return Bill(subtotal, discount, subtotal + fees_total - discount + tip)


def charged_unit_price(price: int, quantity: int, replaced_line_total: int) -> int:
    """What a unit of a substitute costs the customer who did not agree to a dearer price: the
    store's price, but no more, for the line, than the line it replaces (at least one paisa)."""
    return max(1, min(price, replaced_line_total // quantity))


# --- errors ---------------------------------------------------------------------------------


def _line_not_found() -> NotFound:
    return NotFound("No such line in this order", code="line_not_found")


def _check_picking(order: Order) -> None:
    if order.status != OrderStatus.PICKING:
        raise Conflict(
            f"Lines change only while the order is being picked; this one is {order.status}",
            code="order_not_picking",
            extra={"status_now": str(order.status)},
        )


async def _line(session: AsyncSession, order: Order, line_id: str) -> OrderItem:
    line = await substitution_repo.line_of(session, order.id, line_id)
    if line is None:
        raise _line_not_found()
    return line


async def _refuse_if_proposed(session: AsyncSession, order: Order, line: OrderItem) -> None:
    if any(p.line_id == line.id for p in await substitution_repo.open_proposals(session, order.id)):
        raise Conflict(
            f"A substitute for {line.name} awaits the customer's answer",
            code="substitution_open",
        )


async def _taken_products(session: AsyncSession, order_id: str) -> set[str]:
    """Products the order holds already: its billed lines and its open proposals."""
    billed = {
        i.product_id
        for i in await repo.items_of(session, order_id)
        if i.status in state.BILLED_LINES
    }
    return billed | {
        p.product_id for p in await substitution_repo.open_proposals(session, order_id)
    }


# --- store staff ----------------------------------------------------------------------------


async def candidates(
    session: AsyncSession, principal: Principal, order_id: str, line_id: str, limit: int
) -> Page[SubstituteCandidate]:
    """What the store could send instead of a line: same category, in stock there, priced no
    higher first."""
    order = await lifecycle.staff_order(session, principal, order_id)
    line = await _line(session, order, line_id)
    category = await substitutes.category_of(session, line.product_id)
    if category is None:
        return Page(items=[])
    found = await substitutes.substitutes(
        session,
        order.store_id,
        category,
        reference_price=line.unit_price,
        exclude=sorted(await _taken_products(session, order.id) | {line.product_id}),
        limit=limit,
    )
    return Page(
        items=[
            SubstituteCandidate(
                product_id=s.product_id,
                name=s.name,
                brand=s.brand,
                unit=s.unit,
                image_url=s.image_url,
                price=s.price,
                mrp=s.mrp,
                available=s.available,
                aisle=s.aisle,
                dearer=s.price > line.unit_price,
                charged_unit_price=charged_unit_price(s.price, line.quantity, line.line_total),
            )
            for s in found
        ]
    )


async def mark_unavailable(
    session: AsyncSession, principal: Principal, order_id: str, line_id: str
) -> PickList:
    """The store has none of a line: it leaves the bill, its units are released, the money
    follows (the order is cancelled if nothing is left to deliver)."""
    order = await lifecycle.staff_order(session, principal, order_id, lock=True)
    _check_picking(order)
    line = await _line(session, order, line_id)
    state.LINE.check(line.status, LineStatus.UNAVAILABLE)
    await _refuse_if_proposed(session, order, line)
    line.status = LineStatus.UNAVAILABLE
    await stock.release_product(session, order.id, line.product_id)
    refunded = await _settle(session, order, key=f"line-unavailable:{line.id}")
    await emit(
        session,
        "order.line_unavailable",
        lifecycle.base_payload(order)
        | {
            "line_id": line.id,
            "product_name": line.name,
            "total": order.total,
            "refund_amount": refunded,
        },
    )
    await _cancel_if_empty(session, order)
    return await store_ops.pick_list_of(session, order)


async def propose(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    order_id: str,
    line_id: str,
    body: SubstitutionCreate,
) -> SubstitutionRead:
    """Offer the customer another product for a line, holding its units until they answer or
    the offer lapses (``KIRANA_SUBSTITUTION_MINUTES``)."""
    order = await lifecycle.staff_order(session, principal, order_id, lock=True)
    _check_picking(order)
    line = await _line(session, order, line_id)
    state.LINE.check(line.status, LineStatus.SUBSTITUTED)
    await _refuse_if_proposed(session, order, line)
    if body.product_id == line.product_id:
        raise ValidationFailed(
            "A substitute is another product than the line's own",
            code="substitute_is_the_original",
            errors=[{"field": "product_id", "message": "the line's own product"}],
        )
    if body.product_id in await _taken_products(session, order.id):
        raise Conflict(
            "The order holds this product already; pick another", code="product_in_order"
        )
    category = await substitutes.category_of(session, line.product_id)
    theirs = await substitutes.category_of(session, body.product_id)
    if theirs is None:
        raise NotFound("No such product", code="product_not_found")
    if theirs != category:
        raise ValidationFailed(
            "A substitute is of the same category as the product it replaces",
            code="substitute_not_same_category",
            errors=[{"field": "product_id", "message": "another category"}],
        )
    found = await substitutes.substitutes(
        session,
        order.store_id,
        theirs,
        reference_price=line.unit_price,
        product_id=body.product_id,
        limit=1,
    )
    if not found or found[0].available < body.quantity:
        raise stock.OutOfStock(
            [
                stock.ShortLine(
                    body.product_id,
                    found[0].name if found else body.product_id,
                    body.quantity,
                    found[0].available if found else 0,
                )
            ]
        )
    offer = found[0]
    await stock.reserve(session, order.store_id, order.id, {offer.product_id: body.quantity})
    now = clock.now()
    row = OrderSubstitution(
        id=new_id(),
        order_id=order.id,
        line_id=line.id,
        product_id=offer.product_id,
        name=offer.name,
        unit=offer.unit,
        mrp=offer.mrp,
        aisle=offer.aisle,
        quantity=body.quantity,
        unit_price=offer.price,
        charged_unit_price=charged_unit_price(offer.price, body.quantity, line.line_total),
        status=SubstitutionStatus.PROPOSED,
        expires_at=now + timedelta(minutes=settings.substitution_minutes),
        proposed_by=principal.id,
        created_at=now,
        paid_difference=False,
    )
    await substitution_repo.add_substitution(session, row)
    read = lifecycle.substitution_read(row, line.name)
    await emit(
        session,
        "order.substitution_proposed",
        lifecycle.base_payload(order)
        | {
            "substitution_id": row.id,
            "line_id": line.id,
            "product_name": line.name,
            "substitute_name": row.name,
            "quantity": row.quantity,
            "charged_unit_price": row.charged_unit_price,
            "unit_price": row.unit_price,
            "expires_at": row.expires_at.isoformat(),
        },
    )
    return read


# --- the customer's answer, or none ---------------------------------------------------------


async def answer(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    substitution_id: str,
    *,
    approve: bool,
    pay_difference: bool = False,
) -> OrderRead:
    """The customer approves (the substitute takes the line's place) or declines (the line
    leaves the bill); either way the bill and the money follow at once."""
    order = await lifecycle.customer_order(session, principal, order_id, lock=True)
    row = await substitution_repo.substitution_of(session, order.id, substitution_id)
    if row is None:
        raise NotFound("No such substitution for this order", code="substitution_not_found")
    target = SubstitutionStatus.APPROVED if approve else SubstitutionStatus.DECLINED
    state.SUBSTITUTION.check(row.status, target)
    if clock.now() >= clock.ensure_aware(row.expires_at):
        raise Conflict(
            "The time to answer this substitute has run out", code="substitution_expired"
        )
    _check_picking(order)
    actor = lifecycle.actor_of(principal)
    if approve:
        await _approve(session, order, row, actor, pay_difference=pay_difference)
    else:
        await _close_unanswered(session, order, row, target, actor)
    return await lifecycle.order_read(session, order, show_otp=order.customer_id == principal.id)


async def lapse_due(session: AsyncSession) -> int:
    """Proposals left unanswered past their time lapse, as if declined; returns how many."""
    lapsed = 0
    for found in await substitution_repo.due_proposals(session, clock.now()):
        order = await repo.order_by_id(session, found.order_id, lock=True)
        row = await substitution_repo.substitution_of(session, found.order_id, found.id)
        if order is None or row is None or row.status != SubstitutionStatus.PROPOSED:
            continue
        if order.status != OrderStatus.PICKING:  # cancelled meanwhile: nothing to bill
            await substitution_repo.lapse_open_proposals(session, order.id, clock.now())
            continue
        await _close_unanswered(session, order, row, SubstitutionStatus.LAPSED, state.SYSTEM)
        lapsed += 1
    return lapsed


async def _approve(
    session: AsyncSession,
    order: Order,
    row: OrderSubstitution,
    actor: state.Actor,
    *,
    pay_difference: bool,
    difference_paid: bool = False,
) -> bool:
    """Put the substitute in the line's place, unless the customer agreed to a price their
    payment does not cover yet: then a difference payment is asked for (or, once it was paid,
    the bill outgrew it) and nothing is approved. Returns whether it was approved."""
    line = await substitution_repo.line_of(session, order.id, row.line_id)
    assert line is not None  # the foreign key holds it
    unit_price = row.unit_price if pay_difference else row.charged_unit_price
    new_line = OrderItem(
        id=new_id(),
        order_id=order.id,
        product_id=row.product_id,
        name=row.name,
        unit=row.unit,
        unit_price=unit_price,
        mrp=row.mrp,
        quantity=row.quantity,
        line_total=unit_price * row.quantity,
        aisle=row.aisle,
        status=LineStatus.ORDERED,
        substitute_for=line.id,
    )
    if new_line.line_total > line.line_total:
        others = [
            i.line_total
            for i in await repo.items_of(session, order.id)
            if i.status in state.BILLED_LINES and i.id != line.id
        ]
        grown = await _bill(session, order, [*others, new_line.line_total])
        if grown.total > order.total and not await payments.can_pay(session, order.id, grown.total):
            if difference_paid:
                return False  # the bill grew past what was paid meanwhile: given back
            if order.payment_method == "cod":
                raise Conflict(
                    "This order's payment cannot take more; approve it at the original's price",
                    code="difference_not_payable",
                )
            # Paid online: the difference is a payment of its own, approved once it succeeds.
            await payments.pay_difference(
                session,
                order_id=order.id,
                substitution_id=row.id,
                amount=grown.total - await payments.paid_for_order(session, order.id),
            )
            return False
    state.LINE.check(line.status, LineStatus.SUBSTITUTED)
    line.status = LineStatus.SUBSTITUTED
    await substitution_repo.add_line(session, new_line)
    _decide(row, SubstitutionStatus.APPROVED, actor)
    row.paid_difference = pay_difference and row.unit_price > row.charged_unit_price
    row.new_line_id = new_line.id
    await stock.release_product(session, order.id, line.product_id)
    await payments.void_differences(session, order.id, row.id)  # approved at the original's
    refunded = await _settle(session, order, key=f"substitution:{row.id}")
    await _announce(session, order, row, refunded)
    return True


async def on_difference_paid(
    session: AsyncSession, order_id: str, substitution_id: str, payment_id: str
) -> None:
    """A substitute's price difference was paid: approve it at the store's price if it is
    still on offer, else (it lapsed or was answered otherwise, the order was cancelled, the
    bill outgrew it) give the difference back."""
    order = await repo.order_by_id(session, order_id, lock=True)
    row = (
        await substitution_repo.substitution_of(session, order_id, substitution_id)
        if order is not None
        else None
    )
    if (
        order is not None
        and row is not None
        and row.status == SubstitutionStatus.PROPOSED
        and order.status == OrderStatus.PICKING
        and await _approve(
            session,
            order,
            row,
            state.Actor(order.customer_id, "customer"),
            pay_difference=True,
            difference_paid=True,
        )
    ):
        return
    if row is not None and row.status == SubstitutionStatus.APPROVED and row.paid_difference:
        return  # approved at the store's price meanwhile (asked again once it was paid)
    await payments.refund_unused_difference(
        session, payment_id, "the substitute it paid for was not sent"
    )


async def _close_unanswered(
    session: AsyncSession,
    order: Order,
    row: OrderSubstitution,
    status: SubstitutionStatus,
    actor: state.Actor,
) -> None:
    """Declined or lapsed: neither the substitute nor the original goes; the line leaves."""
    line = await substitution_repo.line_of(session, order.id, row.line_id)
    assert line is not None
    state.LINE.check(line.status, LineStatus.UNAVAILABLE)
    line.status = LineStatus.UNAVAILABLE
    _decide(row, status, actor)
    await payments.void_differences(session, order.id, row.id)
    await stock.release_product(session, order.id, row.product_id)
    await stock.release_product(session, order.id, line.product_id)
    refunded = await _settle(session, order, key=f"substitution:{row.id}")
    await _announce(session, order, row, refunded)
    await _cancel_if_empty(session, order)


def _decide(row: OrderSubstitution, status: SubstitutionStatus, actor: state.Actor) -> None:
    state.SUBSTITUTION.check(row.status, status)
    row.status = status
    row.decided_at = clock.now()
    row.decided_by = actor.id


async def _announce(
    session: AsyncSession, order: Order, row: OrderSubstitution, refunded: int
) -> None:
    await emit(
        session,
        f"order.substitution_{row.status}",
        lifecycle.base_payload(order)
        | {
            "substitution_id": row.id,
            "line_id": row.line_id,
            "substitute_name": row.name,
            "total": order.total,
            "refund_amount": refunded,
        },
    )


# --- the bill and the money -----------------------------------------------------------------


async def _coupon_terms(session: AsyncSession, code: str | None) -> coupons.CouponTerms | None:
    if not code:
        return None
    coupon = await pricing_repo.coupon_by_code(session, code)
    return None if coupon is None else cart.coupon_terms(coupon)


async def _bill(session: AsyncSession, order: Order, line_totals: Sequence[int]) -> Bill:
    return rebill(
        line_totals,
        fees_total=order.fees_total,
        tip=order.tip,
        coupon=await _coupon_terms(session, order.coupon_code),
        discount_before=order.discount,
    )


async def _settle(session: AsyncSession, order: Order, *, key: str) -> int:
    """Bill the order's lines as they are now and settle the payment; returns what was
    refunded."""
    billed = [i for i in await repo.items_of(session, order.id) if i.status in state.BILLED_LINES]
    bill = await _bill(session, order, [i.line_total for i in billed])
    order.subtotal, order.discount, order.total = bill.subtotal, bill.discount, bill.total
    order.item_count = sum(i.quantity for i in billed)
    order.updated_at = clock.now()
    await session.flush()
    if order.coupon_code:
        await pricing_repo.set_redemption_amount(session, order.id, bill.discount)
    return await payments.settle_order_change(
        session,
        order.id,
        new_total=bill.total,
        reason=f"order {order.number} changed while picking",
        idempotency_key=key,
    )


async def _cancel_if_empty(session: AsyncSession, order: Order) -> None:
    """Nothing left to deliver: the order is cancelled (and the rest of its money returned)."""
    if order.item_count == 0:
        await lifecycle.cancel(session, order, state.SYSTEM, "nothing_left_to_deliver")
