"""REST route of the recommendations service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kirana.deps import AppSettings, CustomerUser, Session
from kirana.recommendations import service
from kirana.recommendations.schemas import Kind, Recommendations

router = APIRouter(prefix="/api/v1", tags=["recommendations"])


@router.get(
    "/me/recommendations",
    operation_id="getRecommendations",
    description="A rail of in-stock products of the store, never one in the caller's cart:"
    " buy_again (the caller's repeat purchases, by frequency and recency), bought_together"
    " (with product_id, or with the cart), forgotten (before checkout: what the caller usually"
    " buys with this cart), trending (the store's best sellers lately). A caller without"
    " history gets the store's best sellers (source popular).",
)
async def get_recommendations(
    principal: CustomerUser,
    session: Session,
    settings: AppSettings,
    store_id: Annotated[str, Query(max_length=26, description="The customer's store")],
    kind: Kind = Kind.BUY_AGAIN,
    product_id: Annotated[
        str | None, Query(max_length=26, description="bought_together: the product shown")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=30)] = 12,
) -> Recommendations:
    body = await service.recommend(
        session, settings, principal.id, store_id, kind, product_id, limit
    )
    return Recommendations.model_validate(body)
