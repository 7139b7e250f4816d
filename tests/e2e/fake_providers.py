"""Stripe and Razorpay on loopback for the browser tests: each a small HTTP server that serves a
fake of the provider's browser script (Stripe.js, Razorpay Checkout) implementing just the calls
the web app makes, answers the API calls our server makes with the objects the providers' API
references show, records every request, and sends our server the signed webhook the provider
would. Nothing here leaves 127.0.0.1."""

from __future__ import annotations

import base64
import json
import secrets
import string
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.payments.fake_razorpay import Seen, on_loopback
from tests.payments.test_razorpay import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, sign, webhook
from tests.payments.test_stripe import PK, SK, WHSEC, event, stripe_signature

# Stripe's test cards and Razorpay's test UPI IDs (their docs' lists).
PAYS = {"4242424242424242", "4111111111111111", "success@razorpay"}


def _token(size: int = 14) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(size))


@dataclass
class Delivered:
    """A webhook the fake sent our server, and our server's answer."""

    kind: str
    status: int
    body: dict[str, Any]


@dataclass
class FakeProvider:
    url: str = ""
    # Our server, for webhooks: set once it runs.
    app_url: str = ""
    seen: list[Seen] = field(default_factory=list)
    webhooks: list[Delivered] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes
    ) -> tuple[Any, ...]:
        """(status, JSON object or text[, content type]) for one request."""
        raise NotImplementedError

    def calls(self, method: str, path_start: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path.startswith(path_start)]

    def _post_webhook(
        self,
        path: str,
        body: bytes,
        headers: dict[str, str],
        kind: str,
        after: threading.Event | None = None,
    ) -> None:
        """Sent a moment after the answer (or once ``after`` is set), from another thread, as
        the provider does."""

        def send() -> None:
            time.sleep(0.3)
            if after is not None:
                after.wait(timeout=15)
            r = httpx.post(
                self.app_url + path,
                content=body,
                headers={"Content-Type": "application/json", **headers},
                timeout=10,
            )
            self.webhooks.append(Delivered(kind, r.status_code, json.loads(body)))

        threading.Thread(target=send, daemon=True).start()


STRIPE_JS = """(function () {
  var api = %(origin)s;
  window.Stripe = function (key) {
    return {
      elements: function () {
        return { create: function (type) {
          var input = null;
          return {
            mount: function (target) {
              input = document.createElement('input');
              input.setAttribute('aria-label', 'Credit or debit card number');
              input.setAttribute('inputmode', 'numeric');
              target.appendChild(input);
            },
            update: function (o) { if (input) input.disabled = !!o.disabled; },
            destroy: function () { if (input) input.remove(); input = null; },
            _number: function () { return input ? input.value.replace(/\\s+/g, '') : ''; }
          };
        } };
      },
      confirmCardPayment: function (secret, data) {
        var body = new URLSearchParams();
        body.set('key', key);
        body.set('client_secret', secret);
        body.set('payment_method_data[type]', 'card');
        body.set('payment_method_data[card][number]', data.payment_method.card._number());
        var id = secret.split('_secret_')[0];
        return fetch(api + '/v1/payment_intents/' + id + '/confirm', { method: 'POST', body: body })
          .then(function (r) {
            return r.json().then(function (j) {
              return r.ok ? { paymentIntent: j } : { error: j.error };
            });
          });
      }
    };
  };
})();
"""


@dataclass
class FakeStripe(FakeProvider):
    """PaymentIntents made by our server (secret key), confirmed by Stripe.js (publishable key
    and client secret), reported by ``payment_intent.*`` webhooks signed with the endpoint's
    secret."""

    keys: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> object id
    # While set, refunds get Stripe's answer when its API has trouble (a 500 api_error).
    refuse_refunds: bool = False

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes
    ) -> tuple[Any, ...]:
        if method == "GET" and path == "/v3/":
            return 200, STRIPE_JS % {"origin": json.dumps(self.url)}, "text/javascript"
        body = dict(parse_qsl(raw.decode()))
        self.seen.append(Seen(method, path, headers, body))
        if path.endswith("/confirm"):
            return self._confirm(path.split("/")[3], body)
        if headers.get("authorization") != f"Bearer {SK}":
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}
        if method == "POST" and path == "/v1/payment_intents":
            return 200, self._create(body, headers.get("idempotency-key", ""))
        if method == "POST" and path == "/v1/refunds":
            return self._refund(body, headers.get("idempotency-key", ""))
        if method == "POST" and path.endswith("/cancel"):
            return self._cancel(path.split("/")[3], body)
        found = self.objects.get(path.removeprefix("/v1/payment_intents/"))
        if method == "GET" and found is not None:
            return 200, found
        return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}

    def _create(self, body: dict[str, str], key: str) -> dict[str, Any]:
        with self.lock:
            if key in self.keys:  # Stripe answers a repeated Idempotency-Key as the first time
                return self.objects[self.keys[key]]
            pi = f"pi_{_token(24)}"
            made = {
                "id": pi,
                "object": "payment_intent",
                "amount": int(body["amount"]),
                "amount_capturable": 0,
                "amount_received": 0,
                "capture_method": "automatic_async",
                "client_secret": f"{pi}_secret_{_token(25)}",
                "confirmation_method": "automatic",
                "created": int(time.time()),
                "currency": body["currency"],
                "description": body.get("description"),
                "last_payment_error": None,
                "latest_charge": None,
                "livemode": False,
                "metadata": {
                    k[len("metadata[") : -1]: v
                    for k, v in body.items()
                    if k.startswith("metadata[")
                },
                "payment_method": None,
                "payment_method_types": ["card"],
                "status": "requires_payment_method",
            }
            self.objects[pi] = made
            self.keys[key] = pi
            return made

    def _refund(self, body: dict[str, str], key: str) -> tuple[int, dict[str, Any]]:
        if self.refuse_refunds:
            return 500, {"error": {"type": "api_error", "message": "An unknown error occurred"}}
        with self.lock:
            if key in self.keys:
                return 200, self.objects[self.keys[key]]
            pi = self.objects.get(body.get("payment_intent", ""))
            if pi is None or pi["status"] != "succeeded":
                return 400, {
                    "error": {"type": "invalid_request_error", "code": "charge_not_refundable"}
                }
            made = {
                "id": f"re_{_token(24)}",
                "object": "refund",
                "amount": int(body["amount"]),
                "charge": pi["latest_charge"],
                "created": int(time.time()),
                "currency": pi["currency"],
                "metadata": {
                    k[len("metadata[") : -1]: v
                    for k, v in body.items()
                    if k.startswith("metadata[")
                },
                "payment_intent": pi["id"],
                "reason": None,
                "status": "succeeded",
            }
            self.objects[made["id"]] = made
            self.keys[key] = made["id"]
            return 200, made

    def _cancel(self, pi: str, body: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """POST /v1/payment_intents/{id}/cancel: canceled, unless it succeeded (or was
        cancelled) already, which Stripe refuses as payment_intent_unexpected_state."""
        with self.lock:
            made = self.objects.get(pi)
            if made is None:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
            if made["status"] in ("succeeded", "canceled"):
                return 400, {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "payment_intent_unexpected_state",
                        "message": (
                            "You cannot cancel this PaymentIntent because it has a status of "
                            f"{made['status']}."
                        ),
                        "payment_intent": made,
                    }
                }
            made |= {
                "status": "canceled",
                "canceled_at": int(time.time()),
                "cancellation_reason": body.get("cancellation_reason"),
            }
            return 200, made

    def _confirm(self, pi: str, body: dict[str, str]) -> tuple[int, dict[str, Any]]:
        made = self.objects.get(pi)
        if made is None or body.get("client_secret") != made["client_secret"]:
            return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
        if body.get("key") != PK:
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}
        if body.get("payment_method_data[card][number]") in PAYS:
            made |= {
                "status": "succeeded",
                "amount_received": made["amount"],
                "latest_charge": f"ch_{_token(24)}",
                "payment_method": f"pm_{_token(24)}",
            }
            kind, status, answer = "payment_intent.succeeded", 200, made
        else:
            error = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
            }
            made |= {"last_payment_error": error, "status": "requires_payment_method"}
            kind, status, answer = "payment_intent.payment_failed", 402, {"error": error}
        payload = event(made, kind, event_id=f"evt_{_token(24)}")
        self._post_webhook(
            "/api/v1/payments/webhooks/stripe",
            payload,
            {"Stripe-Signature": stripe_signature(payload, secret=WHSEC)},
            kind,
        )
        return status, answer


CHECKOUT_JS = """(function () {
  var origin = %(origin)s;
  function Razorpay(options) { this.options = options; this.listeners = {}; }
  Razorpay.prototype.on = function (name, fn) {
    (this.listeners[name] = this.listeners[name] || []).push(fn);
  };
  Razorpay.prototype.open = function () {
    var self = this, o = this.options, prefill = o.prefill || {};
    var frame = document.createElement('iframe');
    frame.title = 'Razorpay Checkout';
    frame.src = origin + '/v1/checkout/frame?' + new URLSearchParams({
      key_id: o.key, order_id: o.order_id, method: prefill.method || '',
      contact: prefill.contact || '', notes: JSON.stringify(o.notes || {})
    });
    frame.style.cssText = 'position:fixed;inset:0;width:100%%;height:100%%;border:0;z-index:9999;background:#fff';
    function heard(ev) {
      if (ev.origin !== origin || ev.source !== frame.contentWindow) return;
      var m = ev.data || {};
      if (m.type === 'failed') {
        (self.listeners['payment.failed'] || []).forEach(function (f) { f({ error: m.error }); });
        return;
      }
      window.removeEventListener('message', heard);
      frame.remove();
      if (m.type === 'paid') o.handler(m.response);
      else if (o.modal && o.modal.ondismiss) o.modal.ondismiss();
    }
    window.addEventListener('message', heard);
    document.body.appendChild(frame);
  };
  window.Razorpay = Razorpay;
})();
"""

CHECKOUT_FRAME = """<!doctype html><meta charset="utf-8"><title>Razorpay Checkout</title>
<h1>Pay with Razorpay (test)</h1>
<label>%(label)s <input id="instrument" name="instrument"></label>
<button id="pay">Pay</button> <button id="close">Close</button>
<p id="said" role="status"></p>
<script>
var q = new URLSearchParams(location.search);
document.getElementById('close').onclick = function () { parent.postMessage({ type: 'closed' }, '*'); };
document.getElementById('pay').onclick = function () {
  fetch('/v1/checkout/pay', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ key_id: q.get('key_id'), order_id: q.get('order_id'),
      method: q.get('method'), contact: q.get('contact'), notes: JSON.parse(q.get('notes')),
      instrument: document.getElementById('instrument').value }) })
    .then(function (r) { return r.json(); })
    .then(function (j) {
      if (j.error) { document.getElementById('said').textContent = j.error.description;
        parent.postMessage({ type: 'failed', error: j.error }, '*'); }
      else parent.postMessage({ type: 'paid', response: j }, '*');
    });
};
</script>
"""


@dataclass
class FakeRazorpay(FakeProvider):
    """Orders made by our server (Basic auth), paid in Checkout's frame (the key id), checked by
    our callback (``order_id|payment_id`` signed with the key secret) and reported by webhooks
    (the raw body signed with the webhook secret)."""

    # A payment's webhook waits until our server has asked about it (the callback's check), so
    # a test sees both in that order; the web app's handling of the other order is a unit test.
    fetched: dict[str, threading.Event] = field(default_factory=dict)

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes
    ) -> tuple[Any, ...]:
        if method == "GET" and path == "/v1/checkout.js":
            return 200, CHECKOUT_JS % {"origin": json.dumps(self.url)}, "text/javascript"
        if method == "GET" and path == "/v1/checkout/frame":
            self.seen.append(Seen(method, path, headers, query))
            label = "UPI ID" if query.get("method") == "upi" else "Card number"
            return 200, CHECKOUT_FRAME % {"label": label}, "text/html"
        body = json.loads(raw) if raw else {}
        self.seen.append(Seen(method, path, headers, body))
        if path == "/v1/checkout/pay":
            return self._pay(body)
        expected = "Basic " + base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
        if headers.get("authorization") != expected:
            return 401, {
                "error": {"code": "BAD_REQUEST_ERROR", "description": "Authentication failed"}
            }
        if method == "POST" and path == "/v1/orders":
            return 200, self._order(body)
        name = path.removeprefix("/v1/payments/").removeprefix("/v1/orders/")
        found = self.objects.get(name)
        if method == "GET" and found is not None:
            if name in self.fetched:
                self.fetched[name].set()
            return 200, found
        return 400, {
            "error": {
                "code": "BAD_REQUEST_ERROR",
                "description": "The requested URL was not found on the server.",
            }
        }

    def _order(self, body: dict[str, Any]) -> dict[str, Any]:
        made = {
            "id": f"order_{_token()}",
            "entity": "order",
            "amount": body["amount"],
            "amount_paid": 0,
            "amount_due": body["amount"],
            "currency": body["currency"],
            "receipt": body.get("receipt"),
            "offer_id": None,
            "status": "created",
            "attempts": 0,
            "notes": body.get("notes") or [],
            "created_at": int(time.time()),
        }
        self.objects[made["id"]] = made
        return made

    def _pay(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        order = self.objects.get(str(body.get("order_id")))
        if order is None or body.get("key_id") != KEY_ID:
            return 400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "No such order"}}
        paid = body.get("instrument") in PAYS
        upi = body.get("method") == "upi"
        payment = {
            "id": f"pay_{_token()}",
            "entity": "payment",
            "amount": order["amount"],
            "currency": order["currency"],
            "status": "captured" if paid else "failed",
            "order_id": order["id"],
            "invoice_id": None,
            "international": False,
            "method": "upi" if upi else "card",
            "amount_refunded": 0,
            "refund_status": None,
            "captured": paid,
            "description": "Your order",
            "card_id": None if upi else f"card_{_token()}",
            "bank": None,
            "wallet": None,
            "vpa": body.get("instrument") if upi else None,
            "email": "void@razorpay.com",
            "contact": body.get("contact") or "",
            "notes": body.get("notes") or [],
            "fee": 24 if paid else None,
            "tax": 4 if paid else None,
            "error_code": None if paid else "BAD_REQUEST_ERROR",
            "error_description": None if paid else "Payment failed",
            "error_source": None if paid else "customer",
            "error_step": None if paid else "payment_authorization",
            "error_reason": None if paid else "payment_failed",
            "acquirer_data": {"rrn": "033814379298"} if upi else {"auth_code": "828553"},
            "created_at": int(time.time()),
        }
        self.objects[payment["id"]] = payment
        self.fetched[payment["id"]] = threading.Event()
        if paid:
            order |= {"status": "paid", "amount_paid": order["amount"], "amount_due": 0}
        kind = "payment.captured" if paid else "payment.failed"
        payload = webhook(kind, payment)
        self._post_webhook(
            "/api/v1/payments/webhooks/razorpay",
            payload,
            {
                "X-Razorpay-Signature": sign(payload, WEBHOOK_SECRET),
                "X-Razorpay-Event-Id": _token(),
            },
            kind,
            after=self.fetched[payment["id"]] if paid else None,
        )
        if not paid:
            return 200, {"error": {"code": "BAD_REQUEST_ERROR", "description": "Payment failed"}}
        return 200, {
            "razorpay_payment_id": payment["id"],
            "razorpay_order_id": order["id"],
            "razorpay_signature": sign(f"{order['id']}|{payment['id']}".encode(), KEY_SECRET),
        }


F = TypeVar("F", bound=FakeProvider)


@contextmanager
def serving(fake: F) -> Iterator[F]:
    """The fake on a loopback port of its own, for as long as the block runs."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            query = dict(parse_qsl(parts.query))
            status, answer, *kind = fake.answer(self.command, parts.path, query, headers, raw)
            out = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind[0] if kind else "application/json")
            self.send_header("Content-Length", str(len(out)))
            # Stripe.js and Checkout's frame call the provider's API from the page's origin.
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with on_loopback(Handler) as url:
        fake.url = url
        yield fake


def server_env(stripe: FakeProvider, razorpay: FakeProvider) -> dict[str, str]:
    """Our server's settings for both fakes, with the providers' test-mode keys."""
    return {
        "KIRANA_STRIPE_SECRET_KEY": SK,
        "KIRANA_STRIPE_PUBLISHABLE_KEY": PK,
        "KIRANA_STRIPE_WEBHOOK_SECRET": WHSEC,
        "KIRANA_STRIPE_API_BASE": stripe.url,
        "KIRANA_STRIPE_SCRIPT_URL": stripe.url + "/v3/",
        "KIRANA_RAZORPAY_KEY_ID": KEY_ID,
        "KIRANA_RAZORPAY_KEY_SECRET": KEY_SECRET,
        "KIRANA_RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "KIRANA_RAZORPAY_BASE_URL": razorpay.url,
        "KIRANA_RAZORPAY_SCRIPT_URL": razorpay.url + "/v1/checkout.js",
    }
