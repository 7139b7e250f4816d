"""Marketing campaigns: an admin's offer reaches exactly the customers who agreed to marketing,
in their inbox at once and on their channels after their quiet hours, once per customer."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import respx
from sqlalchemy import func, select

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import OutboxEvent, drain
from kirana.notifications import campaigns, dispatch, outgoing
from kirana.notifications.channels import build_channels
from kirana.notifications.models import Campaign, NotificationDelivery
from tests import factories
from tests.notifications.test_channels import MESSAGES, twilio_created
from tests.orders.shop import make_admin

URL = "/api/v1/admin/campaigns"
PREFS = "/api/v1/me/notification-preferences"
OFFER = {"title": "Mangoes are in", "body": "Alphonso mangoes, 20% off this weekend."}


async def customer(
    db: Database, client: httpx.AsyncClient, settings: Settings, *, quiet_now: bool | None
) -> dict[str, str]:
    """A customer; ``quiet_now`` None: not opted in; else opted in, inside quiet hours or not."""
    user = await factories.make_user(db, "customer")
    headers = await factories.login(client, user)
    if quiet_now is not None:
        now = clock.now().astimezone(outgoing.ZoneInfo(settings.time_zone))
        minute = now.hour * 60 + now.minute
        hours = (
            {"quiet_start": minute, "quiet_end": (minute + 120) % 1440}
            if quiet_now
            else {"quiet_start": 0, "quiet_end": 0}
        )
        r = await client.patch(PREFS, json={"marketing": True, **hours}, headers=headers)
        assert r.status_code == 200, r.text
    return {**user, **headers}


def auth(user: dict[str, str]) -> dict[str, str]:
    return {"Authorization": user["Authorization"]}


async def inbox_titles(client: httpx.AsyncClient, user: dict[str, str]) -> list[str]:
    r = await client.get("/api/v1/me/notifications", headers=auth(user))
    return [n["title"] for n in r.json()["items"] if n["kind"] == "offer"]


async def test_an_offer_reaches_those_who_opted_in_after_their_quiet_hours(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    awake = await customer(db, client, settings, quiet_now=False)
    asleep = await customer(db, client, settings, quiet_now=True)
    declined = await customer(db, client, settings, quiet_now=None)
    admin = await make_admin(db, client)

    r = await client.post(URL, json=OFFER, headers={**admin, "Idempotency-Key": "spring-1"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["status"], made["recipients"]) == ("preparing", None)
    again = await client.post(URL, json=OFFER, headers={**admin, "Idempotency-Key": "spring-1"})
    assert (again.status_code, again.json()["id"]) == (200, made["id"])  # a double click
    other = await client.post(
        URL,
        json={**OFFER, "body": "Something else"},
        headers={**admin, "Idempotency-Key": "spring-1"},
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"

    await drain(db)
    done = (await client.get(f"{URL}/{made['id']}", headers=admin)).json()
    assert (done["status"], done["recipients"]) == ("queued", 2)
    assert done["deliveries"]["pending"] == 2  # one SMS each (the customers have no email)
    assert await inbox_titles(client, awake) == [OFFER["title"]]
    assert await inbox_titles(client, asleep) == [OFFER["title"]]
    assert await inbox_titles(client, declined) == []

    with respx.mock() as mock:
        sms = mock.post(MESSAGES).mock(side_effect=twilio_created)
        assert await dispatch.send_due(db, settings, build_channels(settings)) == 1
        sent = httpx.QueryParams(sms.calls.last.request.content.decode())
        assert sent["To"] == awake["phone"] and sent["Body"] == f"Kirana: {OFFER['body']}"
        listed = (await client.get(URL, headers=admin)).json()["items"]
        assert [(c["id"], c["deliveries"]["sent"]) for c in listed] == [(made["id"], 1)]
        clock.advance(timedelta(hours=2, minutes=1))  # the second customer's quiet hours end
        assert await dispatch.send_due(db, settings, build_channels(settings)) == 1
        assert httpx.QueryParams(sms.calls.last.request.content.decode())["To"] == asleep["phone"]


async def test_a_redelivered_campaign_event_sends_nothing_twice(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    fan = await customer(db, client, settings, quiet_now=False)
    admin = await make_admin(db, client)
    made = (await client.post(URL, json=OFFER, headers=admin)).json()
    await drain(db)
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(select(OutboxEvent).where(OutboxEvent.type == "campaign.created"))
        ).scalar_one()
    from kirana.kit.outbox import Event

    event = Event(row.id, row.type, row.payload, row.created_at, row.key)
    async with db.transaction() as session:  # the handler again, as after a lost ack
        await campaigns.queue_campaign(session, event)
    async with db.transaction(write=False) as session:
        deliveries = await session.scalar(select(func.count()).select_from(NotificationDelivery))
    assert deliveries == 1
    assert await inbox_titles(client, fan) == [OFFER["title"]]
    assert (await client.get(f"{URL}/{made['id']}", headers=admin)).json()["recipients"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "body": "x"},
        {"title": "x" * 81, "body": "x"},
        {"title": "x", "body": "x" * 301},
        {"title": "x"},
        {**OFFER, "audience": "everyone"},
        {"title": 5, "body": "x"},
    ],
)
async def test_bad_campaigns_are_refused_and_write_nothing(
    db: Database, client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    admin = await make_admin(db, client)
    r = await client.post(URL, json=body, headers=admin)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    async with db.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Campaign)) == 0
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


async def test_only_admins_send_offers(db: Database, client: httpx.AsyncClient) -> None:
    user = await factories.make_user(db, "customer")
    headers = await factories.login(client, user)
    assert (await client.post(URL, json=OFFER, headers=headers)).status_code == 403
    assert (await client.get(URL, headers=headers)).status_code == 403
    admin = await make_admin(db, client)
    missing = await client.get(f"{URL}/01JAAAAAAAAAAAAAAAAAAAAAAA", headers=admin)
    assert missing.status_code == 404 and missing.json()["code"] == "campaign_not_found"
    bad_key = await client.post(URL, json=OFFER, headers={**admin, "Idempotency-Key": "a b"})
    assert bad_key.status_code == 422
    async with db.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Campaign)) == 0
