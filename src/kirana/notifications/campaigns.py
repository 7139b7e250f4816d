"""Marketing campaigns: an admin's offer to every customer who agreed to marketing messages.

The request writes the campaign and a ``campaign.created`` event in one transaction; the event's
consumer puts the offer in each opted-in customer's inbox and queues it on their channels, held
until their quiet hours end (``outgoing.queue_messages`` with ``marketing=True``). Inbox rows and
deliveries are keyed by the campaign's event, so a redelivered event sends nothing twice.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.errors import Conflict, NotFound
from kirana.kit.outbox import Event, emit, subscribe
from kirana.kit.pagination import Page, decode_cursor, id_page
from kirana.notifications import outgoing, service
from kirana.notifications import repository as repo
from kirana.notifications.models import Campaign
from kirana.notifications.schemas import CampaignCreate, CampaignRead, DeliveryCounts
from kirana.users import service as users

KIND = "offer"
BATCH = 200  # customers looked up at a time


async def create(
    session: AsyncSession, admin_id: str, data: CampaignCreate, key: str | None
) -> tuple[CampaignRead, bool]:
    """The campaign, and whether it is new: the same Idempotency-Key with the same text is the
    campaign made the first time; with other text it is refused."""
    if key is not None:
        earlier = await repo.campaign_by_key(session, admin_id, key)
        if earlier is not None:
            if (earlier.title, earlier.body) != (data.title, data.body):
                raise Conflict(
                    "This Idempotency-Key was used for another campaign; use a new key",
                    code="idempotency_key_reused",
                )
            return await read(session, earlier.id), False
    campaign = Campaign(title=data.title, body=data.body, created_by=admin_id, idempotency_key=key)
    session.add(campaign)
    await session.flush()
    await emit(session, "campaign.created", {"campaign_id": campaign.id}, key=campaign.id)
    return await read(session, campaign.id), True


async def read(session: AsyncSession, campaign_id: str) -> CampaignRead:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign", code="campaign_not_found")
    counts = await repo.campaign_delivery_counts(session, [campaign.id])
    return _read(campaign, counts.get(campaign.id, {}))


async def page(session: AsyncSession, *, cursor: str | None, limit: int) -> Page[CampaignRead]:
    key = decode_cursor(cursor, 1)
    rows = await repo.campaigns_page(session, limit, str(key[0]) if key else None)
    counts = await repo.campaign_delivery_counts(session, [c.id for c in rows[:limit]])
    return id_page(rows, limit, lambda c: _read(c, counts.get(c.id, {})))


def _read(campaign: Campaign, counts: dict[str, int]) -> CampaignRead:
    return CampaignRead(
        id=campaign.id,
        title=campaign.title,
        body=campaign.body,
        created_at=campaign.created_at,
        status="queued" if campaign.queued_at is not None else "preparing",
        recipients=campaign.recipients,
        queued_at=campaign.queued_at,
        deliveries=DeliveryCounts(**counts),
    )


@subscribe("campaign.created", consumer="notifications.campaigns")
async def queue_campaign(session: AsyncSession, event: Event) -> None:
    """Every opted-in, active customer gets the offer in their inbox and on their channels."""
    campaign = await session.get(Campaign, str(event.payload["campaign_id"]))
    if campaign is None:
        return
    reached = 0
    opted_in = await repo.marketing_user_ids(session)
    for start in range(0, len(opted_in), BATCH):
        customers = await users.active_customers(session, opted_in[start : start + BATCH])
        data = {"campaign_id": campaign.id}
        await service.notify_many(
            session,
            [
                service.notification_row(
                    user_id=c.id,
                    event_id=event.id,
                    kind=KIND,
                    title=campaign.title,
                    body=campaign.body,
                    data=data,
                )
                for c in customers
            ],
        )
        await outgoing.queue_messages(
            session,
            [
                outgoing.Outgoing(
                    event_id=event.id,
                    to=outgoing.Recipient(c.id, c.phone, c.email),
                    kind=KIND,
                    context={"name": c.name, "title": campaign.title, "body": campaign.body},
                    data=data,
                    marketing=True,
                )
                for c in customers
            ],
        )
        reached += len(customers)
    campaign.recipients, campaign.queued_at = reached, clock.now()
    await session.flush()
