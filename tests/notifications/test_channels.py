"""Email, SMS and Web Push, end to end: an order event, through the outbox and the sender, to a
real SMTP server, to Twilio faked at its HTTP API, and to a push service whose payload the test
decrypts with the subscription's own keys."""

from __future__ import annotations

import base64
import json
import os
from datetime import timedelta
from typing import Any

import http_ece
import httpx
import jwt
import pytest
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select, text

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import Event, drain
from kirana.notifications import dispatch
from kirana.notifications import repository as repo
from kirana.notifications.channels import build_channels
from kirana.notifications.handlers import queue_channel_messages, write_notifications
from kirana.notifications.models import NotificationDelivery
from tests.notifications.conftest import SID, TWILIO, Inbox
from tests.orders.shop import Shop, add_customer, fill_cart, make_admin, make_shop, place

MESSAGES = f"{TWILIO}/2010-04-01/Accounts/{SID}/Messages.json"
PUSH = "https://push.test/wpush/v2/abc123"


def twilio_created(request: httpx.Request) -> httpx.Response:
    """Twilio's 201 answer: the message resource (abridged to the fields we read and a few)."""
    form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
    return httpx.Response(
        201,
        json={
            "sid": "SM" + "a" * 32,
            "account_sid": SID,
            "to": httpx.QueryParams(request.content.decode())["To"],
            "from": "+15005550006",
            "status": "queued",
            "num_segments": "1",
            "error_code": None,
            "body": form and httpx.QueryParams(request.content.decode())["Body"],
        },
    )


async def ordered(
    db: Database, client: httpx.AsyncClient, email: str = "asha@example.com"
) -> tuple[Shop, dict[str, Any]]:
    shop = await make_shop(db, client)
    r = await client.patch(
        "/api/v1/me", json={"email": email, "name": "Asha"}, headers=shop.headers
    )
    assert r.status_code == 200, r.text
    await fill_cart(client, shop)
    order = (await place(client, shop)).json()
    await drain(db)
    return shop, order


async def confirmed_events(db: Database) -> list[Event]:
    """The ``order.confirmed`` events of the outbox, as the relay hands them to a consumer."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            text("SELECT id, type, payload, created_at FROM outbox WHERE type = 'order.confirmed'")
        )
        return [
            Event(
                r.id,
                r.type,
                r.payload if isinstance(r.payload, dict) else json.loads(r.payload),
                r.created_at,
            )
            for r in rows
        ]


async def deliveries(db: Database) -> list[NotificationDelivery]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(NotificationDelivery).order_by(NotificationDelivery.channel)
        )
        return list(rows.scalars())


async def test_order_confirmed_by_email_and_sms_once(
    db: Database, client: httpx.AsyncClient, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    channels = build_channels(settings)
    with respx.mock(assert_all_called=True) as mock:
        sms = mock.post(MESSAGES).mock(side_effect=twilio_created)
        shop, order = await ordered(db, client)
        # written by the consumer, not sent yet: the sender sends
        assert [d.status for d in await deliveries(db)] == ["pending", "pending"]
        assert await dispatch.send_due(db, settings, channels) == 2
        assert await dispatch.send_due(db, settings, channels) == 0

    # the email, as the SMTP server received it: text and HTML
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "asha@example.com"
    assert message["Subject"] == f"Order {order['number']} is confirmed"
    assert message["Message-ID"].startswith("<") and "@kirana.test>" in message["Message-ID"]
    text_part = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html_part = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Hi Asha" in text_part and order["number"] in text_part
    assert f"https://shop.test/orders/{order['id']}" in text_part
    assert (
        f"<strong>{order['currency']} " in html_part
        and f'href="https://shop.test/orders/{order["id"]}"' in html_part
    )

    # the SMS, as Twilio received it: Basic auth with the account, the form its API documents
    request = sms.calls.last.request
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(f"{SID}:{'t' * 32}".encode()).decode()
    )
    form = httpx.QueryParams(request.content.decode())
    phone = (await client.get("/api/v1/me", headers=shop.headers)).json()["phone"]
    assert form["To"] == phone and form["From"] == "+15005550006"
    assert form["Body"].startswith(f"Kirana: order {order['number']} confirmed")

    rows = await deliveries(db)
    assert [(d.channel, d.status, d.attempts) for d in rows] == [
        ("email", "sent", 1),
        ("sms", "sent", 1),
    ]
    assert rows[1].provider_ref == "SM" + "a" * 32

    # the same event again (a redelivery): nothing new queued, nothing sent
    async with db.transaction() as session:
        await queue_channel_messages(session, await confirmed_events(db))
    assert len(await deliveries(db)) == 2
    with respx.mock(assert_all_called=False) as mock:
        again = mock.post(MESSAGES).mock(side_effect=twilio_created)
        assert await dispatch.send_due(db, settings, channels) == 0
        assert not again.called
    assert len(inbox.messages) == 1

    # the admins' log finds them
    admin = await make_admin(db, client)
    r = await client.get("/api/v1/admin/notifications/deliveries?channel=sms", headers=admin)
    assert r.status_code == 200, r.text
    assert [d["kind"] for d in r.json()["items"]] == ["order_confirmed"]
    r = await client.get("/api/v1/admin/notifications/deliveries?recipient=asha@", headers=admin)
    assert [d["channel"] for d in r.json()["items"]] == ["email"]
    r = await client.get("/api/v1/admin/notifications/deliveries", headers=shop.headers)
    assert r.status_code == 403


async def test_hindi_and_channel_preferences(
    db: Database, client: httpx.AsyncClient, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    shop = await make_shop(db, client)
    await client.patch("/api/v1/me", json={"email": "ravi@example.com"}, headers=shop.headers)
    r = await client.patch(
        "/api/v1/me/notification-preferences",
        json={"language": "hi", "sms": False},
        headers=shop.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["language"] == "hi" and r.json()["sms"] is False
    assert set(r.json()["available"]) == {"email", "sms", "push"}
    await fill_cart(client, shop)
    order = (await place(client, shop)).json()
    await drain(db)
    with respx.mock(assert_all_called=False) as mock:
        sms = mock.post(MESSAGES).mock(side_effect=twilio_created)
        await dispatch.send_due(db, settings, build_channels(settings))
        assert not sms.called  # SMS turned off
    message = inbox.messages[0]
    assert message["Subject"] == f"ऑर्डर {order['number']} की पुष्टि हो गई"
    assert "नमस्ते" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert 'lang="hi"' in message.get_body(("html",)).get_content()  # type: ignore[union-attr]


async def test_a_provider_down_is_retried_then_failed_for_admins_and_holds_nothing_up(
    db: Database, client: httpx.AsyncClient, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    channels = build_channels(settings)
    with respx.mock() as mock:
        sms = mock.post(MESSAGES).mock(
            return_value=httpx.Response(503, json={"code": 20503, "message": "Service Unavailable"})
        )
        await ordered(db, client)
        assert await dispatch.send_due(db, settings, channels) == 2
        # the email went out in the same round although Twilio is down
        assert len(inbox.messages) == 1
        sms_row = next(d for d in await deliveries(db) if d.channel == "sms")
        assert (sms_row.status, sms_row.attempts) == ("pending", 1)
        assert "503" in (sms_row.last_error or "")
        for _ in range(2):
            assert await dispatch.send_due(db, settings, channels) == 1
        assert sms.call_count == 3  # notify_max_attempts
        assert await dispatch.send_due(db, settings, channels) == 0
    sms_row = next(d for d in await deliveries(db) if d.channel == "sms")
    assert (sms_row.status, sms_row.attempts) == ("failed", 3)
    assert sms_row.last_error and sms_row.last_error.startswith("try 3: Twilio answered 503")

    admin = await make_admin(db, client)
    r = await client.get("/api/v1/admin/notifications/deliveries?status=failed", headers=admin)
    assert [d["id"] for d in r.json()["items"]] == [sms_row.id]
    r = await client.get("/api/v1/admin/notifications/deliveries/counts", headers=admin)
    assert r.json() == {"pending": 0, "sending": 0, "sent": 1, "failed": 1}
    # an admin sends it again once Twilio is back
    r = await client.post(
        f"/api/v1/admin/notifications/deliveries/{sms_row.id}/retry", headers=admin
    )
    assert r.status_code == 200 and r.json()["status"] == "pending"
    r = await client.post(
        f"/api/v1/admin/notifications/deliveries/{sms_row.id}/retry", headers=admin
    )
    assert r.status_code == 409 and r.json()["code"] == "delivery_not_failed"
    with respx.mock() as mock:
        mock.post(MESSAGES).mock(side_effect=twilio_created)
        assert await dispatch.send_due(db, settings, channels) == 1
    assert [d.status for d in await deliveries(db)] == ["sent", "sent"]


async def test_backoff_doubles_and_a_refusal_is_final(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    slow = settings.model_copy(update={"notify_retry_seconds": 10.0})
    assert [dispatch.backoff(slow, n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert dispatch.backoff(slow, 30) == dispatch.MAX_BACKOFF
    channels = build_channels(slow)
    with respx.mock() as mock:
        mock.post(MESSAGES).mock(
            return_value=httpx.Response(
                400,
                json={
                    "code": 21211,
                    "message": "The 'To' number is not a valid phone number.",
                    "status": 400,
                },
            )
        )
        await ordered(db, client)
        await dispatch.send_due(db, slow, channels)
    sms_row = next(d for d in await deliveries(db) if d.channel == "sms")
    # Twilio's 400 cannot succeed on a second try: failed at once
    assert (sms_row.status, sms_row.attempts) == ("failed", 1)
    assert "21211" in (sms_row.last_error or "")


async def test_a_slow_provider_times_out_without_holding_the_others(
    db: Database, client: httpx.AsyncClient, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    import asyncio

    inbox, _ = smtp

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(201, json={"sid": "late"})

    with respx.mock(assert_all_called=False) as mock:  # the call is cut off, never recorded
        mock.post(MESSAGES).mock(side_effect=hang)
        await ordered(db, client)
        started = asyncio.get_running_loop().time()
        await dispatch.send_due(db, settings, build_channels(settings))
        assert asyncio.get_running_loop().time() - started < 3
    assert len(inbox.messages) == 1
    sms_row = next(d for d in await deliveries(db) if d.channel == "sms")
    assert sms_row.status == "pending" and "within 0.5 s" in (sms_row.last_error or "")


async def test_a_sender_that_dies_after_sending_sends_again_with_the_same_key(
    db: Database,
    client: httpx.AsyncClient,
    settings: Settings,
    smtp: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, _ = smtp
    only_email = {"email": build_channels(settings)["email"]}
    await ordered(db, client)

    async def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("killed between sent and recorded")

    monkeypatch.setattr(repo, "settle", crash)
    with pytest.raises(RuntimeError):
        await dispatch.send_due(db, settings, only_email)
    monkeypatch.undo()
    assert len(inbox.messages) == 1
    row = next(d for d in await deliveries(db) if d.channel == "email")
    assert row.status == "sending"  # claimed, never recorded
    assert await dispatch.send_due(db, settings, only_email) == 0  # its lease still runs
    clock.advance(dispatch.lease(settings) + timedelta(seconds=1))
    assert await dispatch.send_due(db, settings, only_email) == 1
    assert len(inbox.messages) == 2
    # the second try carries the first one's Message-ID: a mail system keeps one of them
    assert inbox.messages[0]["Message-ID"] == inbox.messages[1]["Message-ID"]
    row = next(d for d in await deliveries(db) if d.channel == "email")
    assert (row.status, row.attempts) == ("sent", 2)


def _subscriber() -> tuple[ec.EllipticCurvePrivateKey, bytes, dict[str, Any]]:
    """A browser's side of a push subscription: its ECDH key pair and auth secret."""
    key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    return key, auth, {"endpoint": PUSH, "keys": {"p256dh": b64(public), "auth": b64(auth)}}


async def push_only_order(
    db: Database, client: httpx.AsyncClient
) -> tuple[ec.EllipticCurvePrivateKey, bytes, dict[str, Any]]:
    """A customer with push alone turned on and one browser subscribed, who placed an order."""
    shop = await make_shop(db, client)
    await client.patch(
        "/api/v1/me/notification-preferences",
        json={"email": False, "sms": False},
        headers=shop.headers,
    )
    key, auth, subscription = _subscriber()
    r = await client.post("/api/v1/me/push-subscriptions", json=subscription, headers=shop.headers)
    assert r.status_code == 204, r.text
    await fill_cart(client, shop)
    order = (await place(client, shop)).json()
    await drain(db)
    return key, auth, order


async def test_web_push_payload_decrypts_with_the_subscription_keys(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    key, auth, order = await push_only_order(db, client)
    public_key = (await client.get("/api/v1/notifications/push-config")).json()["public_key"]
    with respx.mock() as mock:
        push = mock.post(PUSH).mock(
            return_value=httpx.Response(201, headers={"Location": f"{PUSH}/m/1"})
        )
        assert await dispatch.send_due(db, settings, build_channels(settings)) == 1
    request = push.calls.last.request
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["ttl"] and len(request.headers["topic"]) == 32
    plain = http_ece.decrypt(
        request.content, private_key=key, auth_secret=auth, version="aes128gcm"
    )
    body = json.loads(plain)
    assert body["title"] == "Order confirmed"
    assert order["number"] in body["body"] and body["data"]["order_id"] == order["id"]
    # signed with our VAPID key, for the push service's origin
    scheme, _, params = request.headers["authorization"].partition(" ")
    fields = dict(p.split("=", 1) for p in params.split(","))
    assert scheme == "vapid" and fields["k"] == public_key
    raw = base64.urlsafe_b64decode(public_key + "==")
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    pem = verifier.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = jwt.decode(fields["t"], pem, algorithms=["ES256"], audience="https://push.test")
    assert claims["sub"] == settings.vapid_subject
    row = (await deliveries(db))[0]
    assert (row.channel, row.status, row.provider_ref) == ("push", "sent", f"{PUSH}/m/1")


async def test_a_gone_push_subscription_is_forgotten(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    await push_only_order(db, client)
    with respx.mock() as mock:
        mock.post(PUSH).mock(return_value=httpx.Response(410))
        await dispatch.send_due(db, settings, build_channels(settings))
    row = (await deliveries(db))[0]
    assert row.status == "failed" and "gone" in (row.last_error or "")
    async with db.transaction(write=False) as session:
        assert (
            await session.execute(text("SELECT count(*) FROM push_subscriptions"))
        ).scalar_one() == 0


async def test_one_share_of_many_customers_events_in_one_call(
    db: Database, client: httpx.AsyncClient, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    """The consumers take a relay batch's events together: three customers' orders (one who
    reads Hindi and wants no SMS, one with no email address) confirmed in one drain get their
    own inbox entry and channels each, and the share redelivered adds nothing."""
    shop = await make_shop(db, client)
    people = [(shop.customer, shop.headers, shop.address_id)]
    people += [await add_customer(db, client) for _ in range(2)]
    r = await client.patch(
        "/api/v1/me", json={"email": "asha@example.com", "name": "Asha"}, headers=people[0][1]
    )
    assert r.status_code == 200, r.text
    r = await client.patch("/api/v1/me", json={"email": "ravi@example.com"}, headers=people[1][1])
    assert r.status_code == 200, r.text
    r = await client.patch(
        "/api/v1/me/notification-preferences",
        json={"language": "hi", "sms": False},
        headers=people[1][1],
    )
    assert r.status_code == 200, r.text
    orders = []
    for user, headers, address_id in people:
        one = Shop(shop.store_id, shop.category_id, shop.products, user, headers, address_id)
        await fill_cart(client, one)
        orders.append((user["id"], (await place(client, one)).json()))
    await drain(db)

    channels_of = {user_id: set[str]() for user_id, _ in orders}
    for d in await deliveries(db):
        assert d.user_id is not None
        channels_of[d.user_id].add(d.channel)
    assert [channels_of[user_id] for user_id, _ in orders] == [{"email", "sms"}, {"email"}, {"sms"}]
    for (_, order), (_, headers, _) in zip(orders, people, strict=True):
        r = await client.get("/api/v1/me/notifications", headers=headers)
        assert r.status_code == 200, r.text
        confirmed = [n for n in r.json()["items"] if n["kind"] == "order.confirmed"]
        assert [n["data"]["number"] for n in confirmed] == [order["number"]]
    hindi = (await client.get("/api/v1/me/notifications", headers=people[1][1])).json()["items"]
    assert any("ऑर्डर" in n["title"] + n["body"] for n in hindi)

    # the whole share again, with an event whose order does not exist: nothing new, no error
    events = await confirmed_events(db)
    events.append(Event("0" * 26, "order.confirmed", {"order_id": "no-such-order"}, clock.now()))
    async with db.transaction() as session:
        await queue_channel_messages(session, events)
        await write_notifications(session, events)
    assert len(await deliveries(db)) == 4
    async with db.transaction(write=False) as session:
        count = (
            await session.execute(
                text("SELECT count(*) FROM notifications WHERE kind = 'order.confirmed'")
            )
        ).scalar_one()
    assert count == 3


def twilio_list(*messages: dict[str, Any]) -> dict[str, Any]:
    """Twilio's answer to GET .../Messages.json: a page of message resources, newest first."""
    uri = f"/2010-04-01/Accounts/{SID}/Messages.json?PageSize=50&Page=0"
    return {
        "end": max(len(messages) - 1, 0),
        "first_page_uri": uri,
        "next_page_uri": None,
        "page": 0,
        "page_size": 50,
        "previous_page_uri": None,
        "start": 0,
        "uri": uri,
        "messages": list(messages),
    }


def twilio_message(to: str, body: str, *, status: str = "sent", **over: Any) -> dict[str, Any]:
    """One message resource as Twilio lists it (dates in RFC 2822, GMT)."""
    created = clock.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
    return {
        "account_sid": SID,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": created,
        "date_sent": created,
        "date_updated": created,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": "+15005550006",
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": "SM" + "b" * 32,
        "status": status,
        "to": to,
        "uri": f"/2010-04-01/Accounts/{SID}/Messages/SM{'b' * 32}.json",
        **over,
    }


async def _sms_crashed_after_sending(
    db: Database,
    client: httpx.AsyncClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    *,
    reached_twilio: bool,
) -> dict[str, Any]:
    """An order's SMS whose sender stopped before recording the outcome, after Twilio took
    it (or before it got there), and whose lease ran out. Returns what was sent first."""
    only_sms = {"sms": build_channels(settings)["sms"]}
    await ordered(db, client)

    async def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("killed between sent and recorded")

    monkeypatch.setattr(repo, "settle", crash)
    with respx.mock(assert_all_called=True) as mock:
        if reached_twilio:
            first = mock.post(MESSAGES).mock(side_effect=twilio_created)
        else:
            first = mock.post(MESSAGES).mock(side_effect=httpx.ConnectError("reset"))
        with pytest.raises(RuntimeError):
            await dispatch.send_due(db, settings, only_sms)
    monkeypatch.undo()
    [row] = [d for d in await deliveries(db) if d.channel == "sms"]
    assert row.status == "sending"
    clock.advance(dispatch.lease(settings) + timedelta(seconds=1))
    return dict(httpx.QueryParams(first.calls[0].request.content.decode()))


async def _next_round(
    db: Database, settings: Settings, listing: httpx.Response
) -> tuple[respx.Route, respx.Route, NotificationDelivery]:
    """One sender round with Twilio answering its message list with ``listing``: (the list
    route, the send route, the SMS's row after)."""
    with respx.mock(assert_all_called=False) as mock:
        listed = mock.get(MESSAGES).mock(return_value=listing)
        again = mock.post(MESSAGES).mock(side_effect=twilio_created)
        assert await dispatch.send_due(db, settings, {"sms": build_channels(settings)["sms"]}) == 1
    [row] = [d for d in await deliveries(db) if d.channel == "sms"]
    return listed, again, row


async def test_an_sms_twilio_took_before_the_sender_stopped_is_not_sent_twice(
    db: Database,
    client: httpx.AsyncClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent = await _sms_crashed_after_sending(db, client, settings, monkeypatch, reached_twilio=True)
    earlier = twilio_message(sent["To"], "Your code is 000000", sid="SM" + "c" * 32)
    mine = twilio_message(sent["To"], sent["Body"])
    listing = httpx.Response(200, json=twilio_list(mine, earlier))
    listed, again, row = await _next_round(db, settings, listing)
    assert again.call_count == 0  # found at Twilio: not sent a second time
    assert listed.call_count == 1
    asked = listed.calls[0].request
    assert asked.url.params["To"] == sent["To"]
    assert asked.headers["Authorization"].startswith("Basic ")
    assert (row.status, row.attempts, row.provider_ref) == ("sent", 2, mine["sid"])


async def test_an_sms_twilio_never_got_is_sent_after_the_look_up(
    db: Database,
    client: httpx.AsyncClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent = await _sms_crashed_after_sending(db, client, settings, monkeypatch, reached_twilio=False)
    # Twilio holds only older messages for the number, and one of ours that failed.
    old = twilio_message(sent["To"], sent["Body"], date_created="Thu, 24 Aug 2023 05:01:45 +0000")
    failed = twilio_message(sent["To"], sent["Body"], status="failed", sid="SM" + "d" * 32)
    listing = httpx.Response(200, json=twilio_list(failed, old))
    listed, again, row = await _next_round(db, settings, listing)
    assert listed.call_count == 1 and again.call_count == 1
    assert (row.status, row.attempts) == ("sent", 2)


async def test_a_look_up_twilio_does_not_answer_is_a_failed_try_not_a_second_sms(
    db: Database,
    client: httpx.AsyncClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent = await _sms_crashed_after_sending(db, client, settings, monkeypatch, reached_twilio=True)
    down = httpx.Response(503, json={"code": 20503, "message": "Service unavailable"})
    _, again, row = await _next_round(db, settings, down)
    assert again.call_count == 0
    assert row.status == "pending" and "look-up" in (row.last_error or "")
    assert row.in_doubt_since is not None  # the next try asks again
    mine = twilio_message(sent["To"], sent["Body"])
    _, again, row = await _next_round(db, settings, httpx.Response(200, json=twilio_list(mine)))
    assert again.call_count == 0
    assert (row.status, row.attempts, row.in_doubt_since) == ("sent", 3, None)


async def test_an_sms_whose_answer_was_lost_is_looked_for_before_it_is_sent_again(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    """Twilio took the message but its answer never came (the connection dropped): the try is
    in doubt, and the next one finds the message rather than sending it twice."""
    only_sms = {"sms": build_channels(settings)["sms"]}
    await ordered(db, client)
    with respx.mock(assert_all_called=True) as mock:
        first = mock.post(MESSAGES).mock(side_effect=httpx.ReadError("connection reset"))
        assert await dispatch.send_due(db, settings, only_sms) == 1
    [row] = [d for d in await deliveries(db) if d.channel == "sms"]
    assert row.status == "pending" and row.in_doubt_since is not None
    sent = dict(httpx.QueryParams(first.calls[0].request.content.decode()))
    listing = httpx.Response(200, json=twilio_list(twilio_message(sent["To"], sent["Body"])))
    _, again, row = await _next_round(db, settings, listing)
    assert again.call_count == 0
    assert (row.status, row.attempts) == ("sent", 2)
