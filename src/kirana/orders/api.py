"""REST routes of the orders service: cart, checkout, orders, store operations, admin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from kirana.catalog.schemas import StoreProductPage
from kirana.deps import AdminUser, AppSettings, CustomerUser, Session, StaffUser
from kirana.kit.http import ORJSONResponse
from kirana.kit.openapi import problems
from kirana.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from kirana.orders import (
    handlers,  # noqa: F401  (subscribes the payment event handlers)
    receipt,
    service,
    substitutions,
)
from kirana.orders.receipt_schemas import ReceiptRead
from kirana.orders.schemas import (
    AuditReport,
    CancelIn,
    CartItemPut,
    CartRead,
    CouponApply,
    CouponCreate,
    CouponRead,
    CouponUpdate,
    FeeRuleRead,
    FeeRuleUpdate,
    OrderCreate,
    OrderRead,
    OrderSummary,
    PaymentCreate,
    PickList,
    PromiseReport,
    QueueEntry,
    SubstituteCandidate,
    SubstitutionApprove,
    SubstitutionCreate,
    SubstitutionRead,
    TrackingRead,
)
from kirana.orders.state import OrderStatus

router = APIRouter(prefix="/api/v1", tags=["orders"])
store_ops_router = APIRouter(prefix="/api/v1/store-ops", tags=["store operations"])
admin_router = APIRouter(prefix="/api/v1/admin", tags=["admin: orders"])

Cursor = Annotated[str | None, Query(max_length=500)]
ObjectId = Annotated[str, Path(min_length=1, max_length=26)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="Same key and body: same answer")
]


# --- cart -----------------------------------------------------------------------------------


@router.get("/cart", operation_id="getCart")
async def get_cart(principal: CustomerUser, session: Session, settings: AppSettings) -> CartRead:
    return await service.get_cart(session, settings, principal.id)


@router.put("/cart/items/{product_id}", operation_id="putCartItem")
async def put_cart_item(
    product_id: str,
    body: CartItemPut,
    principal: CustomerUser,
    session: Session,
    settings: AppSettings,
) -> CartRead:
    return await service.set_item(
        session, settings, principal.id, product_id, body.quantity, body.store_id
    )


@router.delete("/cart", status_code=204, operation_id="clearCart")
async def clear_cart(principal: CustomerUser, session: Session) -> Response:
    await service.clear_cart(session, principal.id)
    return Response(status_code=204)


@router.post("/cart/coupon", operation_id="applyCoupon")
async def apply_coupon(
    body: CouponApply, principal: CustomerUser, session: Session, settings: AppSettings
) -> CartRead:
    return await service.apply_coupon(session, settings, principal.id, body.code)


@router.delete("/cart/coupon", operation_id="removeCoupon")
async def remove_coupon(
    principal: CustomerUser, session: Session, settings: AppSettings
) -> CartRead:
    return await service.remove_coupon(session, settings, principal.id)


# --- what sells at a store -----------------------------------------------------------------


@router.get(
    "/stores/{store_id}/popular",
    operation_id="listPopularProducts",
    response_model=StoreProductPage,
)
async def list_popular_products(
    store_id: Annotated[str, Path(min_length=1, max_length=26)],
    session: Session,
    settings: AppSettings,
    on_offer: Annotated[bool, Query(description="Only products priced under MRP")] = False,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    """In-stock products of the store, best sellers of its last 30 days first."""
    return ORJSONResponse(
        await service.popular_products(session, settings, store_id, on_offer=on_offer, limit=limit)
    )


# --- orders ---------------------------------------------------------------------------------


# The same key and body replay the first answer (its status and body, stored with the key).
@router.post("/orders", status_code=201, response_model=OrderRead, operation_id="placeOrder")
async def place_order(
    body: OrderCreate,
    principal: CustomerUser,
    session: Session,
    settings: AppSettings,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    status, answer = await service.place_order(session, settings, principal, idempotency_key, body)
    return ORJSONResponse(answer, status_code=status)


@router.get("/orders", operation_id="listOrders")
async def list_orders(
    principal: CustomerUser, session: Session, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[OrderSummary]:
    return await service.list_orders(session, cursor=cursor, limit=limit, customer_id=principal.id)


@router.get("/orders/{order_id}", operation_id="getOrder")
async def get_order(order_id: str, principal: CustomerUser, session: Session) -> OrderRead:
    return await service.get_order(session, principal, order_id)


RECEIPT_DOC = (
    "The order's itemised receipt: the lines as picked (a substitute with the line it replaced"
    " and its price, the lines that left the bill), the bill, each capture and refund, the"
    " cash collected and change on a cash order, and what was paid net; in minor units that"
    " add up exactly."
)


@router.get(
    "/orders/{order_id}/receipt",
    operation_id="getOrderReceipt",
    responses=problems(404, 422),
    description=RECEIPT_DOC + " Another customer's order is not found (404).",
)
async def get_order_receipt(
    order_id: ObjectId, principal: CustomerUser, session: Session, settings: AppSettings
) -> ReceiptRead:
    return await receipt.receipt(session, settings, principal, order_id)


# A declined or abandoned payment is not the end: the customer pays again for the same order
# while its payment window lasts. The same key and body replay the first answer.
@router.post(
    "/orders/{order_id}/payments",
    status_code=201,
    response_model=OrderRead,
    operation_id="payOrderAgain",
)
async def pay_order_again(
    order_id: str,
    body: PaymentCreate,
    principal: CustomerUser,
    session: Session,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    status, answer = await service.pay_again(session, principal, order_id, idempotency_key, body)
    return ORJSONResponse(answer, status_code=status)


@router.post("/orders/{order_id}/cancel", operation_id="cancelOrder")
async def cancel_order(
    order_id: str, principal: CustomerUser, session: Session, body: CancelIn | None = None
) -> OrderRead:
    return await service.cancel_by_customer(
        session, principal, order_id, body.reason if body else None
    )


@router.post(
    "/orders/{order_id}/substitutions/{substitution_id}/approve",
    operation_id="approveSubstitution",
)
async def approve_substitution(
    order_id: ObjectId,
    substitution_id: ObjectId,
    principal: CustomerUser,
    session: Session,
    body: SubstitutionApprove | None = None,
) -> OrderRead:
    """Take the store's substitute for a line: it costs what the original did (no more, for
    the line) unless ``pay_difference``; the bill, the stock and the payment follow."""
    return await substitutions.answer(
        session,
        principal,
        order_id,
        substitution_id,
        approve=True,
        pay_difference=body.pay_difference if body else False,
    )


@router.post(
    "/orders/{order_id}/substitutions/{substitution_id}/decline",
    operation_id="declineSubstitution",
)
async def decline_substitution(
    order_id: ObjectId, substitution_id: ObjectId, principal: CustomerUser, session: Session
) -> OrderRead:
    """Refuse the substitute: the line leaves the bill and what it cost is given back."""
    return await substitutions.answer(session, principal, order_id, substitution_id, approve=False)


@router.get("/orders/{order_id}/tracking", operation_id="trackOrder")
async def track_order(order_id: str, principal: CustomerUser, session: Session) -> TrackingRead:
    return await service.tracking(session, principal, order_id)


# --- store operations -----------------------------------------------------------------------


@store_ops_router.get("/{store_id}/orders", operation_id="storeQueue")
async def store_queue(
    store_id: str, principal: StaffUser, session: Session, status: OrderStatus | None = None
) -> Page[QueueEntry]:
    return await service.store_queue(session, principal, store_id, status)


@store_ops_router.get("/orders/{order_id}", operation_id="pickList")
async def pick_list(order_id: str, principal: StaffUser, session: Session) -> PickList:
    return await service.pick_list(session, principal, order_id)


@store_ops_router.post("/orders/{order_id}/start-picking", operation_id="startPicking")
async def start_picking(order_id: str, principal: StaffUser, session: Session) -> PickList:
    return await service.staff_transition(session, principal, order_id, OrderStatus.PICKING)


@store_ops_router.post("/orders/{order_id}/packed", operation_id="markPacked")
async def mark_packed(order_id: str, principal: StaffUser, session: Session) -> PickList:
    return await service.staff_transition(session, principal, order_id, OrderStatus.PACKED)


@store_ops_router.get(
    "/orders/{order_id}/lines/{line_id}/substitutes", operation_id="listSubstitutes"
)
async def list_substitutes(
    order_id: ObjectId,
    line_id: ObjectId,
    principal: StaffUser,
    session: Session,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> Page[SubstituteCandidate]:
    """Products the store could send instead of a line: same category, in stock here, those
    priced no higher first."""
    return await substitutions.candidates(session, principal, order_id, line_id, limit)


@store_ops_router.post(
    "/orders/{order_id}/lines/{line_id}/unavailable", operation_id="markLineUnavailable"
)
async def mark_line_unavailable(
    order_id: ObjectId, line_id: ObjectId, principal: StaffUser, session: Session
) -> PickList:
    """The store has none: the line leaves the bill and the money follows."""
    return await substitutions.mark_unavailable(session, principal, order_id, line_id)


@store_ops_router.post(
    "/orders/{order_id}/lines/{line_id}/substitutions",
    status_code=201,
    operation_id="proposeSubstitution",
)
async def propose_substitution(
    order_id: ObjectId,
    line_id: ObjectId,
    body: SubstitutionCreate,
    principal: StaffUser,
    session: Session,
    settings: AppSettings,
) -> SubstitutionRead:
    """Offer the customer another product for a line; they answer within
    ``KIRANA_SUBSTITUTION_MINUTES`` or it lapses (as declined)."""
    return await substitutions.propose(session, settings, principal, order_id, line_id, body)


# --- admin ----------------------------------------------------------------------------------


@admin_router.get("/orders", operation_id="adminListOrders")
async def admin_list_orders(
    principal: AdminUser,
    session: Session,
    status: OrderStatus | None = None,
    store_id: Annotated[str | None, Query(max_length=26)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[OrderSummary]:
    return await service.list_orders(
        session,
        cursor=cursor,
        limit=limit,
        store_id=store_id,
        statuses=[status] if status else None,
    )


@admin_router.get(
    "/reports/promise", operation_id="adminPromiseReport", responses=problems(404, 422)
)
async def admin_promise_report(
    principal: AdminUser,
    session: Session,
    settings: AppSettings,
    start: Annotated[
        datetime | None, Query(alias="from", description="ISO 8601 with a zone; default to - 24 h")
    ] = None,
    end: Annotated[
        datetime | None, Query(alias="to", description="ISO 8601 with a zone; default now")
    ] = None,
    store_id: Annotated[str | None, Query(max_length=26)] = None,
) -> PromiseReport:
    """Delivered orders held to their promise, by store and by the hour of the hand-over: how
    many, the share within the promised p90, and the ETA error (actual - p50 minutes)."""
    return await service.promise_report(session, settings, start=start, end=end, store_id=store_id)


@admin_router.get("/orders/{order_id}", operation_id="adminGetOrder")
async def admin_get_order(order_id: str, principal: AdminUser, session: Session) -> OrderRead:
    return await service.get_order(session, principal, order_id)


@admin_router.get(
    "/orders/{order_id}/receipt",
    operation_id="adminGetOrderReceipt",
    responses=problems(404, 422),
    description=RECEIPT_DOC,
)
async def admin_get_order_receipt(
    order_id: ObjectId, principal: AdminUser, session: Session, settings: AppSettings
) -> ReceiptRead:
    return await receipt.receipt(session, settings, principal, order_id)


@admin_router.post("/orders/{order_id}/cancel", operation_id="adminCancelOrder")
async def admin_cancel_order(
    order_id: str, principal: AdminUser, session: Session, body: CancelIn | None = None
) -> OrderRead:
    return await service.cancel_by_admin(
        session, principal, order_id, body.reason if body else None
    )


@admin_router.get("/coupons", operation_id="adminListCoupons")
async def admin_list_coupons(
    principal: AdminUser, session: Session, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Page[CouponRead]:
    return await service.list_coupons(session, cursor, limit)


@admin_router.post("/coupons", status_code=201, operation_id="adminCreateCoupon")
async def admin_create_coupon(
    body: CouponCreate, principal: AdminUser, session: Session
) -> CouponRead:
    return await service.create_coupon(session, body)


@admin_router.get("/coupons/{coupon_id}", operation_id="adminGetCoupon")
async def admin_get_coupon(coupon_id: str, principal: AdminUser, session: Session) -> CouponRead:
    return await service.get_coupon(session, coupon_id)


@admin_router.patch("/coupons/{coupon_id}", operation_id="adminUpdateCoupon")
async def admin_update_coupon(
    coupon_id: str, body: CouponUpdate, principal: AdminUser, session: Session
) -> CouponRead:
    return await service.update_coupon(session, coupon_id, body)


@admin_router.delete("/coupons/{coupon_id}", status_code=204, operation_id="adminDeleteCoupon")
async def admin_delete_coupon(coupon_id: str, principal: AdminUser, session: Session) -> Response:
    await service.deactivate_coupon(session, coupon_id)
    return Response(status_code=204)


@admin_router.get("/fee-rules", operation_id="adminListFeeRules")
async def admin_list_fee_rules(principal: AdminUser, session: Session) -> Page[FeeRuleRead]:
    return Page(items=await service.list_fee_rules(session))


@admin_router.patch("/fee-rules/{code}", operation_id="adminUpdateFeeRule")
async def admin_update_fee_rule(
    code: str, body: FeeRuleUpdate, principal: AdminUser, session: Session
) -> FeeRuleRead:
    return await service.update_fee_rule(session, code, body)


@admin_router.get("/audit", operation_id="adminAudit")
async def admin_audit(principal: AdminUser, session: Session) -> AuditReport:
    return await service.audit(session)
