"""A dearer substitute's difference on an order paid through Stripe (faked at the HTTP
boundary with its API reference's bodies): a PaymentIntent of its own, confirmed in the
browser like the order's, settled by Stripe's signed webhook; one paid after the offer lapsed
is refunded."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.orders.jobs import lapse_substitutions
from kirana.payments.jobs import send_refunds, void_at_providers
from tests.orders.test_substitution_difference import approve_dearer
from tests.orders.test_substitutions import Picking, _audit_ok, _order, _picking, _propose
from tests.payments.test_stripe import API, event, form, payment_intent, post_event
from tests.payments.test_stripe import settings as stripe_settings
from tests.payments.test_voids import unexpected_state


@pytest.fixture
def settings(stripe_settings: Settings) -> Settings:
    """Stripe's test-mode keys: cards go to Stripe."""
    return stripe_settings


__all__ = ["stripe_settings"]  # the fixture above builds on it


def _made_intent(request: httpx.Request) -> httpx.Response:
    """Stripe's answer to POST /v1/payment_intents: the PaymentIntent it made of the form."""
    sent = form(request)
    payment = SimpleNamespace(
        id=sent["metadata[payment_id]"],
        order_id=sent["metadata[order_id]"],
        amount=int(sent["amount"]),
        currency=sent["currency"],
    )
    return httpx.Response(
        200, json=payment_intent(payment, id=f"pi_{payment.id}", client_secret=f"pi_{payment.id}_s")
    )


async def _pay_at_stripe(
    client: httpx.AsyncClient, headers: dict[str, str], payment_id: str, event_id: str
) -> dict[str, Any]:
    """The web app's Stripe flow for one payment: our checkout, then (as if Stripe.js had
    confirmed it) Stripe's signed webhook. Returns the PaymentIntent made, as Stripe got it."""
    with respx.mock(base_url=API, assert_all_called=True) as stripe_api:
        made = stripe_api.post("/v1/payment_intents").mock(side_effect=_made_intent)
        r = await client.post(f"/api/v1/payments/{payment_id}/checkout", headers=headers)
        assert r.status_code == 200, r.text
    sent = made.calls[0].request
    obj = _made_intent(sent).json()
    done = obj | {
        "status": "succeeded",
        "amount_received": obj["amount"],
        "latest_charge": f"ch_{payment_id}",
    }
    r = await post_event(client, event(done, "payment_intent.succeeded", event_id))
    assert r.status_code == 200, r.text
    return {"form": form(sent), "idempotency_key": sent.headers["Idempotency-Key"]}


async def _difference_asked(
    db: Database, client: httpx.AsyncClient
) -> tuple[Picking, dict[str, Any]]:
    """An order paid through Stripe, being picked, whose customer agreed to a dearer
    substitute's price: the difference payment asked for."""

    async def pay(shop: Any, order: dict[str, Any]) -> None:
        await _pay_at_stripe(client, shop.headers, order["payment"]["id"], "evt_order")
        await drain(db)

    p = await _picking(db, client, pay=pay)
    offer = await _propose(client, p, p.line(p.shop.products[0]), p.dearer, 2)
    difference = (await approve_dearer(client, p, offer))["substitutions"][0]["difference_payment"]
    return p, dict(difference)


async def test_through_stripe_the_difference_is_a_payment_intent_of_its_own(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    p, difference = await _difference_asked(db, client)
    assert difference["provider"] == "stripe" and difference["amount"] == 1_000
    sent = await _pay_at_stripe(client, p.shop.headers, difference["id"], "evt_difference")
    assert sent["idempotency_key"] == f"kirana-intent-{difference['id']}"
    assert sent["form"]["amount"] == "1000"
    assert sent["form"]["metadata[payment_id]"] == difference["id"]
    assert sent["form"]["metadata[order_id]"] == p.order["id"]
    await drain(db)
    after = await _order(client, p.shop, p.order["id"])
    assert after["substitutions"][0]["status"] == "approved"
    assert after["total"] == p.order["total"] + 1_000
    await _audit_ok(db)


async def test_through_stripe_a_difference_paid_after_the_offer_lapsed_is_refunded(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    p, difference = await _difference_asked(db, client)
    with respx.mock(base_url=API, assert_all_called=True) as stripe_api:
        stripe_api.post("/v1/payment_intents").mock(side_effect=_made_intent)
        r = await client.post(
            f"/api/v1/payments/{difference['id']}/checkout", headers=p.shop.headers
        )
        assert r.status_code == 200, r.text
    clock.advance(timedelta(minutes=settings.substitution_minutes, seconds=1))
    assert await lapse_substitutions(db, settings) == 1
    # The page confirmed it at the last moment; Stripe's webhook comes after the lapse.
    pi = f"pi_{difference['id']}"
    done = payment_intent(
        SimpleNamespace(**difference),
        id=pi,
        status="succeeded",
        amount_received=1_000,
        latest_charge="ch_late",
    )
    r = await post_event(client, event(done, "payment_intent.succeeded", "evt_late"))
    assert r.status_code == 200, r.text
    await drain(db)
    with respx.mock(base_url=API, assert_all_called=False) as stripe_api:
        refund = stripe_api.post("/v1/refunds").respond(
            200, json={"id": "re_late", "object": "refund", "amount": 1_000, "status": "succeeded"}
        )
        cancel = stripe_api.post(f"/v1/payment_intents/{pi}/cancel").respond(
            400, json=unexpected_state(done)
        )
        await send_refunds(db, settings)
        await void_at_providers(db, settings)
    # The difference given back, and the lapsed line's price from the order's payment.
    sent = sorted(
        (form(c.request)["payment_intent"], form(c.request)["amount"]) for c in refund.calls
    )
    assert sent == sorted([(pi, "1000"), (f"pi_{p.order['payment']['id']}", "9000")])
    assert cancel.call_count == 0  # it was captured, so nothing is left to cancel
    after = await _order(client, p.shop, p.order["id"])
    assert after["substitutions"][0]["status"] == "lapsed"
    assert after["total"] == p.order["total"] - 9_000  # the line left the bill
    await _audit_ok(db)
