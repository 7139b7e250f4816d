"""Security headers on every answer: the web app, the API, the interactive docs and ``/media``.

The web app's Content-Security-Policy lets it load only its own scripts, styles, images and
connections (and the map tiles the settings name); no other site may frame any page of ours;
browsers must not guess a content type; the referrer leaves our origin as the origin only; and
behind TLS (ours, or a trusted proxy's) browsers are told to come back over HTTPS alone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kirana.kit import proxies

# JSON, images and health answers are never a page: nothing in them may run or load anything.
DATA_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
# The single-page app: its own bundle only. Inline styles are allowed (the first paint's shell
# in index.html, Leaflet's positioning); inline scripts are not.
APP_POLICY = (
    "default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:{tiles}; font-src 'self' data:; connect-src 'self'{frames}; "
    "frame-src 'self'{frames}; "
    "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI starts itself with an inline script that FastAPI writes.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
_DATA_PATHS = ("/api/", "/media/", "/ws/", "/healthz", "/readyz", "/openapi.json")


def _origins(urls: tuple[str, ...]) -> str:
    """`` scheme://host`` for each URL, once each, in order (empty for none)."""
    found: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        if origin and origin not in found:
            found.append(origin)
    return "".join(f" {o}" for o in found)


def policy_for(path: str, app_policy: str) -> str:
    if path.startswith(_DATA_PATHS):
        return DATA_POLICY
    if path == "/docs" or path.startswith("/docs/"):
        return DOCS_POLICY
    return app_policy


class SecurityHeaders:
    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_proxies: str,
        tile_url: str | None,
        hsts_seconds: int,
        payment_scripts: tuple[str, ...] = (),
        payment_frames: tuple[str, ...] = (),
    ) -> None:
        """``payment_scripts``: the payment providers' script URLs (Stripe.js, Razorpay
        Checkout), whose origins may run scripts; ``payment_frames``: the origins their scripts
        frame and call (the scripts' own and the providers' APIs)."""
        self.app = app
        self.trusted = trusted_proxies
        self.app_policy = APP_POLICY.format(
            tiles=_origins((tile_url,) if tile_url else ()),
            scripts=_origins(payment_scripts),
            frames=_origins(payment_scripts + payment_frames),
        )
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains" if hsts_seconds > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = policy_for(scope["path"], self.app_policy)
        https = self.hsts is not None and proxies.scheme(scope, self.trusted) == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                if https and self.hsts is not None:
                    headers["Strict-Transport-Security"] = self.hsts
            await send(message)

        await self.app(scope, receive, send_with_headers)
