"""A customer pays in the browser through each provider's own flow, in test mode, against
loopback fakes of Stripe and Razorpay (tests/e2e/fake_providers.py): by card with Stripe.js's
card Element and ``confirmCardPayment``, by UPI in Razorpay Checkout. Each order is confirmed
on the provider's signed word, what our server and the page sent each provider is checked, and
the page's Content-Security-Policy lets in just those providers' scripts."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.payments.test_razorpay import KEY_ID
from tests.payments.test_stripe import PK

from .conftest import SCREENSHOTS, Server, kirana_up
from .fake_providers import FakeRazorpay, FakeStripe, server_env, serving
from .test_csp import WATCH, _violations
from .test_live_tracking import _wait
from .test_payment_retry import _only_in_cart
from .test_web_flow import DESKTOP, PHONE, TIMEOUT, api_login, served_address, sign_in

pytestmark = pytest.mark.e2e
PAY = re.compile(r"^Pay ")


@pytest.fixture(scope="module")
def fakes(e2e_ready: None) -> Iterator[tuple[FakeStripe, FakeRazorpay]]:
    with serving(FakeStripe()) as stripe, serving(FakeRazorpay()) as razorpay:
        yield stripe, razorpay


@pytest.fixture(scope="module")
def paying(fakes: tuple[FakeStripe, FakeRazorpay]) -> Iterator[Server]:
    """Our server with both providers' test keys: Stripe takes cards, Razorpay UPI."""
    stripe, razorpay = fakes
    # A refund the provider refuses is failed at once, for the admin's Refunds screen.
    env = server_env(stripe, razorpay) | {"KIRANA_PAYMENT_REFUND_MAX_ATTEMPTS": "1"}
    with kirana_up(env) as running:
        stripe.app_url = razorpay.app_url = running.url
        yield running


def _paid_at_checkout(
    browser: Any, server: Server, login: Any, pay: Callable[[Any], None]
) -> dict[str, Any]:
    """Signs ``login`` in with one product in the cart, pays at checkout as ``pay`` does, and
    returns the order once the browser is on its page and it is confirmed. The page sees no
    Content-Security-Policy violation meanwhile."""
    headers = api_login(server, login.phone, login.password)
    address, store_id, _ = served_address(server, headers)
    _only_in_cart(server, headers, store_id, quantity=1)
    ctx = browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(TIMEOUT)
    ctx.add_init_script(WATCH)
    page = ctx.new_page()
    try:
        sign_in(page, server, login.phone, login.password, "/checkout")
        page.get_by_role("heading", name="Checkout").wait_for()
        page.get_by_role("radio", name=re.compile(re.escape(address["label"]))).first.check()
        pay(page)
        page.wait_for_url(re.compile(r"/orders/[0-9A-Za-z]+$"))
        order_id = page.url.rsplit("/", 1)[1]
        assert _violations(page) == []
    finally:
        ctx.close()
    deadline = time.monotonic() + 30
    while True:
        order: dict[str, Any] = httpx.get(
            f"{server.url}/api/v1/orders/{order_id}", headers=headers
        ).json()
        if order["status"] == "confirmed" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert order["status"] == "confirmed", order
    return order


def test_the_config_and_the_policy_name_the_fakes(
    paying: Server, fakes: tuple[FakeStripe, FakeRazorpay]
) -> None:
    stripe, razorpay = fakes
    payments = httpx.get(f"{paying.url}/api/v1/config").json()["payments"]
    assert payments["card"] == {
        "provider": "stripe",
        "public_key": PK,
        "script_url": stripe.url + "/v3/",
        "test_mode": True,
    }
    assert payments["upi"] == {
        "provider": "razorpay",
        "public_key": KEY_ID,
        "script_url": razorpay.url + "/v1/checkout.js",
        "test_mode": True,
    }
    policy = httpx.get(paying.url + "/").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())
    assert directives["script-src"] == f"'self' {stripe.url} {razorpay.url}"
    assert directives["frame-src"] == f"'self' {stripe.url} {razorpay.url}"


def test_card_by_stripe_declined_then_paid(
    paying: Server, fakes: tuple[FakeStripe, FakeRazorpay], browser: Any
) -> None:
    stripe, _ = fakes

    def pay(page: Any) -> None:
        card = page.get_by_label("Credit or debit card number")  # mounted by the fake Stripe.js
        card.fill("4000 0000 0000 0002")
        assert page.get_by_label("Card number", exact=True).count() == 0  # no sandbox field
        page.get_by_role("button", name=PAY).click()
        page.get_by_role("alert").filter(has_text="Your card was declined.").wait_for()
        card.fill("4242 4242 4242 4242")
        page.screenshot(path=str(SCREENSHOTS / "customer-checkout-stripe.png"))
        page.get_by_role("button", name=PAY).click()

    order = _paid_at_checkout(browser, paying, paying.first("customer"), pay)
    order_id = order["id"]
    assert (order["payment"]["status"], order["payment"]["provider"]) == ("succeeded", "stripe")
    # What our server asked Stripe: one PaymentIntent per payment, our ids in its metadata and
    # its Idempotency-Key, the order's amount in cents.
    made = [
        s for s in stripe.calls("POST", "/v1/payment_intents") if s.path == "/v1/payment_intents"
    ]
    assert len(made) == 2
    for sent in made:
        assert sent.headers["authorization"].startswith("Bearer sk_test_")
        assert sent.body["amount"] == str(order["total"])
        assert sent.body["currency"] == order["currency"].lower()
        assert sent.body["metadata[order_id]"] == order_id
        assert (
            sent.headers["idempotency-key"] == f"kirana-intent-{sent.body['metadata[payment_id]']}"
        )
    assert made[1].body["metadata[payment_id]"] == order["payment"]["id"]
    # What the page sent: the publishable key, each intent's client secret, the typed card.
    confirms = [s for s in stripe.seen if s.path.endswith("/confirm")]
    secrets = [stripe.objects[s.path.split("/")[3]]["client_secret"] for s in confirms]
    assert [c.body["client_secret"] for c in confirms] == secrets
    assert {c.body["key"] for c in confirms} == {PK}
    assert [c.body["payment_method_data[card][number]"] for c in confirms] == [
        "4000000000000002",
        "4242424242424242",
    ]
    assert sorted((w.kind, w.status) for w in stripe.webhooks) == [
        ("payment_intent.payment_failed", 200),
        ("payment_intent.succeeded", 200),
    ]
    # The declined PaymentIntent, which Stripe would let a page confirm again with another
    # card, is cancelled once the next try replaced it.
    declined_pi = made[0].body["metadata[payment_id]"]
    first_pi = next(
        pi
        for pi, o in stripe.objects.items()
        if o["object"] == "payment_intent" and o["metadata"].get("payment_id") == declined_pi
    )
    _wait(lambda: stripe.objects[first_pi]["status"] == "canceled", "the declined intent cancelled")
    [cancel] = stripe.calls("POST", f"/v1/payment_intents/{first_pi}/cancel")
    assert cancel.body == {"cancellation_reason": "abandoned"}
    assert cancel.headers["idempotency-key"] == f"kirana-void-{declined_pi}"


def test_upi_by_razorpay_checkout(
    paying: Server, fakes: tuple[FakeStripe, FakeRazorpay], browser: Any
) -> None:
    _, razorpay = fakes

    def pay(page: Any) -> None:
        page.get_by_role("radio", name="UPI").check()
        page.get_by_test_id("provider-window-note").wait_for()
        page.get_by_role("button", name=PAY).click()
        frame = page.frame_locator("iframe[title='Razorpay Checkout']")
        frame.get_by_label("UPI ID").fill("success@razorpay")
        page.screenshot(path=str(SCREENSHOTS / "customer-checkout-razorpay.png"))
        frame.get_by_role("button", name="Pay").click()

    customer = [x for x in paying.logins if x.role == "customer"][1]
    order = _paid_at_checkout(browser, paying, customer, pay)
    order_id = order["id"]
    payment_id = order["payment"]["id"]
    assert order["payment"]["provider"] == "razorpay"
    [made] = razorpay.calls("POST", "/v1/orders")
    assert made.headers["authorization"].startswith("Basic ")
    assert made.body == {
        "amount": order["total"],
        "currency": order["currency"].upper(),
        "receipt": payment_id,
        "notes": {"payment_id": payment_id, "order_id": order_id},
    }
    # Checkout opened on that order, with our key id, for UPI, naming our payment.
    [opened] = razorpay.calls("GET", "/v1/checkout/frame")
    rzp_order = razorpay.objects[opened.body["order_id"]]
    assert rzp_order["receipt"] == payment_id and rzp_order["status"] == "paid"
    assert opened.body["key_id"] == KEY_ID and opened.body["method"] == "upi"
    assert json.loads(opened.body["notes"]) == {"payment_id": payment_id}
    [paid] = razorpay.calls("POST", "/v1/checkout/pay")
    assert paid.body["instrument"] == "success@razorpay"
    [captured] = [p for p in razorpay.objects.values() if p.get("entity") == "payment"]
    assert captured["status"] == "captured" and captured["order_id"] == rzp_order["id"]
    # Our callback checked Checkout's signature, then asked Razorpay about the payment; the
    # webhook after it changed nothing more (one payment.succeeded, the order confirmed once).
    assert len(razorpay.calls("GET", f"/v1/payments/{captured['id']}")) == 1
    deadline = time.monotonic() + 20
    while not razorpay.webhooks and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [(w.kind, w.status) for w in razorpay.webhooks] == [("payment.captured", 200)]
    assert razorpay.webhooks[0].body["payload"]["payment"]["entity"]["notes"] == {
        "payment_id": payment_id
    }


def test_a_refund_stripe_refused_is_retried_by_an_admin(
    paying: Server, fakes: tuple[FakeStripe, FakeRazorpay], browser: Any
) -> None:
    """Across both roles: a customer's paid order is cancelled, Stripe refuses the refund, an
    admin sees it failed with Stripe's error on the Refunds screen and retries it; Stripe makes
    one refund, under the same idempotency key as the refused try."""
    stripe, _ = fakes

    def pay(page: Any) -> None:
        page.get_by_label("Credit or debit card number").fill("4242 4242 4242 4242")
        page.get_by_role("button", name=PAY).click()

    customer = [x for x in paying.logins if x.role == "customer"][-1]
    order = _paid_at_checkout(browser, paying, customer, pay)
    headers = api_login(paying, customer.phone, customer.password)
    stripe.refuse_refunds = True
    r = httpx.post(
        f"{paying.url}/api/v1/orders/{order['id']}/cancel",
        json={"reason": "changed my mind"},
        headers=headers,
    )
    assert r.status_code == 200, r.text

    admin_login = paying.first("admin")
    admin_headers = api_login(paying, admin_login.phone, admin_login.password)
    deadline = time.monotonic() + 30
    failed: list[dict[str, Any]] = []
    while not failed and time.monotonic() < deadline:
        time.sleep(0.5)
        failed = [
            x
            for x in httpx.get(
                f"{paying.url}/api/v1/admin/refunds",
                params={"status": "failed"},
                headers=admin_headers,
            ).json()["items"]
            if x["order_id"] == order["id"]
        ]
    assert len(failed) == 1, failed

    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(TIMEOUT)
    ctx.add_init_script(WATCH)
    try:
        page = ctx.new_page()
        sign_in(page, paying, admin_login.phone, admin_login.password, "/admin/refunds")
        page.get_by_role("heading", name="Refunds", exact=True).wait_for()
        row = page.get_by_role("row").filter(has_text=order["id"])
        row.get_by_text("APIError").wait_for()  # Stripe's error, as the SDK named it
        row.get_by_text("Failed").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "admin-refunds-failed.png"))
        stripe.refuse_refunds = False
        row.get_by_role("button", name=re.compile("^Retry the refund")).click()
        row.wait_for(state="detached")  # no longer failed
        # Every status: the refund waits to be sent, then the screen sees it sent.
        page.get_by_label("Status").select_option("")
        page.get_by_role("row").filter(has_text=order["id"]).get_by_text("Sent").wait_for()
        assert _violations(page) == []
    finally:
        ctx.close()

    tries = stripe.calls("POST", "/v1/refunds")
    assert len(tries) == 2
    assert len({t.headers["idempotency-key"] for t in tries}) == 1
    assert (
        tries[0].headers["idempotency-key"].startswith(f"kirana-refund-{order['payment']['id']}-")
    )
    for sent_body in (t.body for t in tries):
        assert sent_body["amount"] == str(order["total"])
        assert sent_body["metadata[order_id]"] == order["id"]
        assert stripe.objects[sent_body["payment_intent"]]["metadata"]["order_id"] == order["id"]
    made = [o for o in stripe.objects.values() if o["object"] == "refund"]
    assert [(m["amount"], m["status"]) for m in made] == [(order["total"], "succeeded")]
