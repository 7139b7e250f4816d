"""One GET to a production map service (OSRM, Nominatim), answered as (status, JSON)."""

from __future__ import annotations

from typing import Any

import httpx

from kirana.config import Settings
from kirana.maps.errors import ProviderUnavailable


class MapService:
    def __init__(
        self, settings: Settings, base_url: str, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = settings.maps_http_timeout_seconds
        self.user_agent = settings.maps_user_agent
        self.transport = transport

    async def get(self, path: str, params: dict[str, Any], *, what: str) -> tuple[int, Any]:
        """The status and JSON body; ``ProviderUnavailable`` (503) when there is none."""
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout,
                transport=self.transport,
                headers={"User-Agent": self.user_agent},
            ) as http:
                answer = await http.get(f"{self.base_url}{path}", params=params)
            return answer.status_code, answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(f"The {what} service did not answer") from exc
