"""HTTP glue: problem+json rendering for every error, and a fast JSON response class."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kirana.kit.errors import KiranaError

log = logging.getLogger("kirana.http")

PROBLEM = "application/problem+json"


class ORJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def problem_body(status: int, code: str, title: str, detail: str, **extra: Any) -> bytes:
    body = {
        "type": f"https://kirana.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return orjson.dumps(body)


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> Response:
    body = problem_body(status, code, title, detail, **extra)
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("body_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    429: ("rate_limited", "Too many requests"),
}


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "request")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(KiranaError)
    async def _kirana(_: Request, exc: KiranaError) -> Response:
        body = exc.to_problem()
        retry = str(exc.extra.get("retry_after", 1))
        headers = {"Retry-After": retry} if exc.status in (429, 503) else None
        return Response(
            orjson.dumps(body), status_code=exc.status, media_type=PROBLEM, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        raw = exc.errors()
        if any(e.get("type") == "json_invalid" for e in raw):
            return problem(
                400, "malformed_json", "Malformed JSON", "The request body is not valid JSON"
            )
        errors = [
            {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in raw
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, "validation_failed", "The request is not valid", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        code, title = _HTTP_CODES.get(exc.status_code, ("http_error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem(exc.status_code, code, title, detail)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> Response:
        # A constraint caught what validation missed (often a race): the client's conflict.
        log.info("integrity error: %s", exc.orig)
        return problem(
            409, "constraint_violated", "Conflict", "The change conflicts with existing data"
        )

    @app.exception_handler(OperationalError)
    async def _operational(_: Request, exc: OperationalError) -> Response:
        log.warning("database busy or unavailable: %s", exc.orig)
        return problem(503, "database_busy", "Service busy", "The database is busy; retry shortly")

    @app.exception_handler(DBAPIError)
    async def _dbapi(_: Request, exc: DBAPIError) -> Response:
        # SQLSTATE class 22 is "data exception": a value the database cannot store (a NUL
        # character, a number out of the column's range). The client sent it; nothing was written.
        if str(getattr(exc.orig, "sqlstate", "") or "").startswith("22"):
            log.info("data exception: %s", exc.orig)
            return problem(
                400,
                "invalid_value",
                "Invalid value",
                "A value in the request cannot be stored (out of range or an invalid character)",
            )
        log.exception("database error", exc_info=exc)
        return problem(500, "internal_error", "Internal error", "Something went wrong on our side")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "internal_error", "Internal error", "Something went wrong on our side")
