"""Shared checks of a state machine's table and of its statuses in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import cache
from itertools import product
from typing import Any

import pytest

from kirana.config import Settings
from kirana.kit.transitions import InvalidTransition
from kirana.main import create_app


@cache
def openapi() -> dict[str, Any]:
    doc: dict[str, Any] = create_app(Settings(env="test", secret_key="x" * 32)).openapi()
    return doc


def assert_schema_enum(vocabulary: type[StrEnum]) -> None:
    """The document names the vocabulary once, as an enum of exactly its values."""
    schema = openapi()["components"]["schemas"][vocabulary.__name__]
    assert schema["type"] == "string"
    assert schema["enum"] == [s.value for s in vocabulary]


def assert_table(
    vocabulary: type[StrEnum],
    allowed: set[tuple[str, str]],
    check: Callable[[str, Any], None],
) -> None:
    """Every move in ``allowed`` passes ``check``; every other pair is refused with the 409."""
    for current, target in product(vocabulary, vocabulary):
        if (current, target) in allowed:
            check(current, target)
            continue
        with pytest.raises(InvalidTransition) as refused:
            check(current, target)
        assert refused.value.status == 409 and refused.value.code == "invalid_transition"
        assert refused.value.extra == {"status_now": current.value, "requested": target.value}
