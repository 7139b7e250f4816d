"""The OpenAPI document names the error answers each operation really gives, as problem+json.

FastAPI documents only its own 422 (with a schema the app never sends). Most of the real answers
follow from what an operation is made of, so they are derived here rather than written on each
route, and cannot drift from it:

- a JSON body: 400 (malformed JSON) and 422 (a field is not valid); any parameter: 422;
- a path parameter, a query parameter naming an id, or a body (which names what it acts on):
  404 (no such thing, or not the caller's);
- a write (POST, PUT, PATCH, DELETE): 409 (it conflicts with the current state, or a constraint
  caught a race) and 400 (a value the database cannot store);
- a dependency with an ``answers`` attribute: those statuses (the bearer check: 401, and 403
  when it asks for a role; a rate limit: 429).

A route adds what only it gives with ``responses=problems(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

PROBLEM_MEDIA_TYPE = "application/problem+json"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

DESCRIPTIONS = {
    400: "Malformed JSON, or a value that cannot be stored (`malformed_json`, `invalid_value`)",
    401: "No valid access token (`token_missing`, `token_invalid`, `token_expired`)",
    403: "The caller's role may not do this (`role_required`)",
    404: "No such resource, or not one the caller may see (`not_found` and its kinds)",
    409: "Conflicts with the current state; `code` says how (for example `insufficient_stock`)",
    413: "The request body or upload is too large",
    415: "The upload is not of a type accepted here",
    422: "The request is not valid; `errors` names each field (`validation_failed`)",
    423: "Locked until support unlocks it",
    429: "Too many attempts; `Retry-After` says when to try again (`rate_limited`)",
    503: "A dependency is unreachable or busy; `Retry-After` says when to try again",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error answer (RFC 9457 problem details) with a stable `code`.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem"},
        "title": {"type": "string", "description": "The kind of problem, in words"},
        "status": {"type": "integer", "description": "The HTTP status"},
        "detail": {"type": "string", "description": "What went wrong this time, in words"},
        "code": {"type": "string", "description": "Stable, machine-readable: act on this"},
        "errors": {
            "type": "array",
            "description": "On 422: each field that is not valid",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

_REF = {"$ref": "#/components/schemas/Problem"}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}

F = TypeVar("F", bound=Callable[..., Any])


def answers(*statuses: int) -> Callable[[F], F]:
    """Mark a dependency as one that may answer ``statuses`` (they are then documented on every
    operation that depends on it)."""

    def mark(call: F) -> F:
        call.answers = statuses  # type: ignore[attr-defined]
        return call

    return mark


def problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS.get(status, "An error"),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": _REF}},
    }
    if status in (429, 503):
        response["headers"] = _RETRY_AFTER
    return response


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that gives these answers besides the derived ones."""
    return {status: problem_response(status) for status in statuses}


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def statuses_of(route: APIRoute, method: str) -> set[int]:
    """The error statuses an operation may answer, from what it is made of."""
    found: set[int] = set()
    dependant = route.dependant
    if dependant.body_params:
        found |= {400, 404, 422}
    if dependant.path_params or any(p.name.endswith("_id") for p in dependant.query_params):
        found |= {404, 422}
    if dependant.query_params or dependant.header_params or dependant.cookie_params:
        found.add(422)
    if method in WRITES:
        found |= {400, 409}
    for sub in _dependencies(dependant):
        found.update(getattr(sub.call, "answers", ()))
    return found


def document_errors(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Extend ``app.openapi()`` (as FastAPI documents) with the error answers of every
    operation of ``routers`` (the app's own and each one it includes)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        routes = [
            route
            for router in routers
            for route in router.routes
            if isinstance(route, APIRoute) and route.include_in_schema
        ]
        for route in routes:
            for method in route.methods or ():
                operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                declared = {int(code) for code in responses if code.isdigit()}
                for status in sorted(statuses_of(route, method) | (declared & DESCRIPTIONS.keys())):
                    if status >= 400:
                        responses[str(status)] = problem_response(status)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = PROBLEM_SCHEMA
        # FastAPI's own 422 body, which the app never sends, is no longer referenced.
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
