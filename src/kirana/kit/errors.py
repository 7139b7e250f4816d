"""Typed errors, each carrying an HTTP status and a stable ``code``; rendered as problem+json."""

from __future__ import annotations

from typing import Any


class KiranaError(Exception):
    """Base of every error a client may cause. Never a 500."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"
    # Keep the transaction's writes although the request fails (e.g. revoking a stolen token).
    keep_changes: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.title
        if code:
            self.code = code
        self.errors = errors
        self.extra = extra or {}
        super().__init__(self.detail)

    def to_problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://kirana.dev/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class BadRequest(KiranaError):
    status, code, title = 400, "bad_request", "Bad request"


class ValidationFailed(KiranaError):
    status, code, title = 422, "validation_failed", "The request is not valid"


class Unauthorized(KiranaError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(KiranaError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(KiranaError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(KiranaError):
    status, code, title = 409, "conflict", "Conflict"


class RateLimited(KiranaError):
    status, code, title = 429, "rate_limited", "Too many requests"


class ServiceUnavailable(KiranaError):
    status, code, title = 503, "unavailable", "Service unavailable"
