"""Preferences, quiet hours, templates per event, MSG91's documented API, push subscriptions,
and bad input to every new endpoint writing nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import respx
from sqlalchemy import select, text

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.ids import new_id
from kirana.kit.outbox import Event
from kirana.notifications import dispatch, outgoing, templates
from kirana.notifications.channels import Channel, Outgoing, Sent, build_channels
from kirana.notifications.handlers import queue_channel_messages
from kirana.notifications.models import NotificationDelivery
from tests import factories
from tests.notifications.conftest import MSG91
from tests.notifications.test_channels import MESSAGES, _subscriber, ordered, twilio_created
from tests.orders.shop import make_admin, make_shop

PREFS = "/api/v1/me/notification-preferences"


def test_every_template_renders_in_both_languages() -> None:
    context = {
        "name": "Asha",
        "number": "K-1",
        "total": "INR 10.00",
        "amount": "INR 5.00",
        "paid": True,
        "url": "https://shop.test/orders/1",
        "rider_name": "Ravi",
        "product": "Milk",
        "substitute": "Curd",
        "code": "123456",
        "minutes": 5,
        "title": "Mangoes",
        "body": "are in",
    }
    for kind in templates.KINDS:
        for language in templates.LANGUAGES:
            message = templates.render(kind, language, context)
            for part in ("subject", "text", "html", "sms", "push_title", "push_body"):
                assert getattr(message, part), (kind, language, part)
            assert (
                message.html.startswith("<!doctype html>") and f'lang="{language}"' in message.html
            )
    hindi = templates.render("out_for_delivery", "hi", context)
    assert "Ravi" in hindi.sms and "रास्ते" in hindi.push_title
    # escaped in HTML, as written in text
    odd = templates.render("delivered", "en", context | {"name": "<b>A&B</b>"})
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in odd.html and "<b>A&B</b>" in odd.text


async def test_out_for_delivery_names_the_rider(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    with respx.mock() as mock:
        mock.post(MESSAGES).mock(side_effect=twilio_created)
        _, order = await ordered(db, client)
        await dispatch.send_due(db, settings, build_channels(settings))
        rider = await factories.make_user(db, "customer", name="Ravi Kumar")
        event = Event(
            new_id(),
            "order.out_for_delivery",
            {"order_id": order["id"], "rider_id": rider["id"]},
            clock.now(),
        )
        async with db.transaction() as session:
            await queue_channel_messages(session, [event])
        sms = mock.post(MESSAGES).mock(side_effect=twilio_created)
        await dispatch.send_due(db, settings, build_channels(settings))
    body = httpx.QueryParams(sms.calls.last.request.content.decode())["Body"]
    assert body == f"Kirana: Ravi Kumar is on the way with order {order['number']}."


def msg91_channel(settings: Settings) -> tuple[Settings, dict[str, Channel]]:
    msg91 = settings.model_copy(
        update={
            "sms_provider": "msg91",
            "msg91_auth_key": "k" * 24,
            "msg91_template_id": "65f0c0ffee",
            "msg91_base_url": MSG91,
        }
    )
    return msg91, {"sms": build_channels(msg91)["sms"]}


async def test_msg91_gets_its_documented_request(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    msg91, only_sms = msg91_channel(settings)
    with respx.mock() as mock:
        flow = mock.post(f"{MSG91}/api/v5/flow/").mock(
            return_value=httpx.Response(
                200, json={"message": "5762846b4f8d285d378b4567", "type": "success"}
            )
        )
        shop, order = await ordered(db, client)
        assert await dispatch.send_due(db, msg91, only_sms) == 1
    request = flow.calls.last.request
    assert request.headers["authkey"] == "k" * 24
    sent = json.loads(request.content)
    assert sent["flow_id"] == "65f0c0ffee" and "unicode" not in sent
    (recipient,) = sent["recipients"]
    phone = (await client.get("/api/v1/me", headers=shop.headers)).json()["phone"]
    assert recipient["mobiles"] == phone.removeprefix("+")  # MSG91 wants no "+"
    assert order["number"] in recipient["body"]
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                select(NotificationDelivery).where(NotificationDelivery.channel == "sms")
            )
        ).scalar_one()
    assert (row.status, row.provider_ref) == ("sent", "5762846b4f8d285d378b4567")


async def test_msg91_refusing_with_200_is_a_failure(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    msg91, only_sms = msg91_channel(settings)
    with respx.mock() as mock:
        mock.post(f"{MSG91}/api/v5/flow/").mock(
            return_value=httpx.Response(
                200, json={"message": "Authentication failure", "type": "error"}
            )
        )
        await ordered(db, client)
        await dispatch.send_due(db, msg91, only_sms)
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                select(NotificationDelivery).where(NotificationDelivery.channel == "sms")
            )
        ).scalar_one()
    assert row.status == "pending" and "Authentication failure" in (row.last_error or "")


def test_quiet_hours_wrap_midnight() -> None:
    outgoing._config.time_zone = "Asia/Kolkata"  # UTC+5:30
    prefs = outgoing.Prefs(quiet_start=22 * 60, quiet_end=8 * 60)
    at = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 23:30 in Kolkata
    assert outgoing.quiet_until(prefs, at) == datetime(2026, 12, 2, 2, 30, tzinfo=UTC)  # 08:00
    assert outgoing.quiet_until(prefs, datetime(2026, 12, 1, 6, 0, tzinfo=UTC)) is None  # 11:30
    early = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 05:30
    assert outgoing.quiet_until(prefs, early) == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    assert outgoing.quiet_until(outgoing.Prefs(quiet_start=0, quiet_end=0), at) is None


async def test_marketing_waits_for_quiet_hours_and_needs_consent(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await make_shop(db, client)
    me = (await client.get("/api/v1/me", headers=shop.headers)).json()
    to = outgoing.Recipient(me["id"], me["phone"], None)
    offer = {"name": "A", "title": "Mangoes", "body": "are in"}
    async with db.transaction() as session:
        assert (
            await outgoing.queue_for_user(
                session, event_id=new_id(), to=to, kind="offer", context=offer, marketing=True
            )
            == 0
        )  # not opted in
    now = clock.now().astimezone(outgoing.ZoneInfo(settings.time_zone))
    minute = now.hour * 60 + now.minute
    r = await client.patch(
        PREFS,
        json={"marketing": True, "quiet_start": minute, "quiet_end": (minute + 120) % 1440},
        headers=shop.headers,
    )
    assert r.status_code == 200, r.text
    async with db.transaction() as session:
        assert (
            await outgoing.queue_for_user(
                session, event_id=new_id(), to=to, kind="offer", context=offer, marketing=True
            )
            == 1
        )
        # an order update is not held back by quiet hours
        assert (
            await outgoing.queue_for_user(
                session,
                event_id=new_id(),
                to=to,
                kind="delivered",
                context={"name": "A", "number": "K", "url": ""},
            )
            == 1
        )
    with respx.mock() as mock:
        sms = mock.post(MESSAGES).mock(side_effect=twilio_created)
        assert await dispatch.send_due(db, settings, build_channels(settings)) == 1
        assert "delivered" in httpx.QueryParams(sms.calls.last.request.content.decode())["Body"]
        clock.advance(timedelta(hours=2, minutes=1))
        assert await dispatch.send_due(db, settings, build_channels(settings)) == 1
        assert "Mangoes" not in sms.calls.last.request.content.decode()  # SMS: the body only
        assert "are+in" in sms.calls.last.request.content.decode()


async def table_counts(db: Database) -> dict[str, int]:
    async with db.transaction(write=False) as session:
        return {
            t: (await session.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
            for t in ("notification_preferences", "push_subscriptions", "notification_deliveries")
        }


async def test_preferences_and_subscriptions_refuse_bad_input(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    r = await client.get(PREFS, headers=shop.headers)
    assert r.status_code == 200 and r.json()["marketing"] is False and r.json()["language"] == "en"
    before = await table_counts(db)
    _, _, subscription = _subscriber()
    for method, url, body, status in [
        ("PATCH", PREFS, {"language": "fr"}, 422),
        ("PATCH", PREFS, {"quiet_start": 1440}, 422),
        ("PATCH", PREFS, {"quiet_end": -1}, 422),
        ("PATCH", PREFS, {"email": None}, 422),
        ("PATCH", PREFS, {"sms": "often"}, 422),
        ("PATCH", PREFS, {"surprise": True}, 422),
        (
            "POST",
            "/api/v1/me/push-subscriptions",
            {"endpoint": "ftp://x/y/zzzzzz", "keys": subscription["keys"]},
            422,
        ),
        ("POST", "/api/v1/me/push-subscriptions", {"endpoint": subscription["endpoint"]}, 422),
        (
            "POST",
            "/api/v1/me/push-subscriptions",
            {**subscription, "keys": {"p256dh": "x" * 87, "auth": "!" * 22}},
            422,
        ),
        (
            "POST",
            "/api/v1/me/push-subscriptions/remove",
            {"endpoint": "https://nowhere.test/x"},
            404,
        ),
    ]:
        r = await client.request(method, url, json=body, headers=shop.headers)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.patch(PREFS, json={"language": "hi"})
    assert r.status_code == 401
    assert await table_counts(db) == before

    # the same browser subscribing again keeps one row; removing it drops it
    for _ in range(2):
        r = await client.post(
            "/api/v1/me/push-subscriptions", json=subscription, headers=shop.headers
        )
        assert r.status_code == 204
    assert (await table_counts(db))["push_subscriptions"] == 1
    r = await client.post(
        "/api/v1/me/push-subscriptions/remove",
        json={"endpoint": subscription["endpoint"]},
        headers=shop.headers,
    )
    assert r.status_code == 204 and (await table_counts(db))["push_subscriptions"] == 0

    admin = await make_admin(db, client)
    for query in ("status=lost", "channel=fax", "limit=0", "kind=DROP%20TABLE", "cursor=%%%"):
        r = await client.get(f"/api/v1/admin/notifications/deliveries?{query}", headers=admin)
        assert r.status_code in (400, 422), query
    r = await client.post(f"/api/v1/admin/notifications/deliveries/{new_id()}/retry", headers=admin)
    assert r.status_code == 404 and r.json()["code"] == "delivery_not_found"


class Counting:
    """A channel that counts what it is asked to send, slowly enough for two senders to race."""

    name = "sms"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, out: Outgoing) -> Sent:
        await asyncio.sleep(0.05)
        self.sent.append(out.delivery_id)
        return Sent(ref=out.delivery_id)

    async def close(self) -> None:
        return None


async def test_two_senders_send_each_message_once(db: Database, settings: Settings) -> None:
    users = [await factories.make_user(db, "customer") for _ in range(12)]
    async with db.transaction() as session:
        for user in users:
            to = outgoing.Recipient(user["id"], user["phone"], None)
            await outgoing.queue_for_user(
                session,
                event_id=new_id(),
                to=to,
                kind="delivered",
                context={"name": "A", "number": "K", "url": ""},
            )
    channel = Counting()
    channels: dict[str, Channel] = {"sms": channel}
    for _ in range(3):
        await asyncio.gather(
            dispatch.send_due(db, settings, channels), dispatch.send_due(db, settings, channels)
        )
    assert len(channel.sent) == 12 and len(set(channel.sent)) == 12
    async with db.transaction(write=False) as session:
        statuses = (
            await session.execute(text("SELECT status FROM notification_deliveries"))
        ).scalars()
        assert set(statuses) == {"sent"}
