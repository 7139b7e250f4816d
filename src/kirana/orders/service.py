"""The orders service's public interface: what routers and other services call.

The work is done in the modules named below; this one gathers the functions in one place.
"""

from __future__ import annotations

from kirana.orders.admin import (
    create_coupon,
    deactivate_coupon,
    get_coupon,
    list_coupons,
    list_fee_rules,
    update_coupon,
    update_fee_rule,
)
from kirana.orders.audit import audit
from kirana.orders.cart import (
    apply_coupon,
    clear_cart,
    get_cart,
    picking_queue,
    remove_coupon,
    set_item,
)
from kirana.orders.checkout import place_order
from kirana.orders.history import Purchase, cart_product_ids, purchases
from kirana.orders.lifecycle import (
    cancel_by_admin,
    cancel_by_customer,
    expire_unpaid,
    get_order,
    list_orders,
    tracking,
)
from kirana.orders.order_desk import (
    delivery_info,
    mark_delivered,
    mark_out_for_delivery,
    order_brief,
    order_briefs,
    order_owner,
)
from kirana.orders.payment_window import pay_again
from kirana.orders.popular import popular_products
from kirana.orders.promise_report import promise_report
from kirana.orders.schemas import DeliveryInfo, DropAddress, OrderBrief
from kirana.orders.store_ops import pick_list, staff_transition, store_queue

__all__ = [
    "DeliveryInfo",
    "DropAddress",
    "OrderBrief",
    "Purchase",
    "apply_coupon",
    "audit",
    "cancel_by_admin",
    "cancel_by_customer",
    "cart_product_ids",
    "clear_cart",
    "create_coupon",
    "deactivate_coupon",
    "delivery_info",
    "expire_unpaid",
    "get_cart",
    "get_coupon",
    "get_order",
    "list_coupons",
    "list_fee_rules",
    "list_orders",
    "mark_delivered",
    "mark_out_for_delivery",
    "order_brief",
    "order_briefs",
    "order_owner",
    "pay_again",
    "pick_list",
    "picking_queue",
    "place_order",
    "popular_products",
    "promise_report",
    "purchases",
    "remove_coupon",
    "set_item",
    "staff_transition",
    "store_queue",
    "tracking",
    "update_coupon",
    "update_fee_rule",
]
