"""State machines: a status vocabulary (a ``StrEnum``) and the moves allowed between its members.

Orders, deliveries and payments each define theirs once, in their package's ``state`` module;
models, schemas and services take the statuses from there. A move the table does not hold is
refused with one typed 409, ``invalid_transition``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from kirana.kit.errors import Conflict

S = TypeVar("S", bound=StrEnum)


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Not possible in the current state"


def refuse(
    noun: str, current: str, target: str, *, by: str | None = None, detail: str | None = None
) -> InvalidTransition:
    """The 409 for moving a ``noun`` from ``current`` to ``target`` (``by`` a role, if named)."""
    article = "An" if noun[:1] in ("a", "e", "i", "o", "u") else "A"
    return InvalidTransition(
        detail
        or f"{article} {noun} that is {current} cannot become {target}"
        + (f" by a {by}" if by else ""),
        extra={"status_now": str(current), "requested": str(target)},
    )


class Transitions(Generic[S]):
    """The moves of one state machine: from each status, the statuses it may become."""

    def __init__(self, noun: str, moves: Mapping[S, Collection[S]]) -> None:
        self.noun = noun
        self.moves: dict[str, frozenset[S]] = {str(k): frozenset(v) for k, v in moves.items()}

    def allowed(self, current: str, target: S) -> bool:
        return target in self.moves.get(str(current), frozenset())

    def check(self, current: str, target: S, *, detail: str | None = None) -> None:
        """Raise 409 ``invalid_transition`` unless ``current`` may become ``target``."""
        if not self.allowed(current, target):
            raise refuse(self.noun, current, target, detail=detail)

    def pairs(self) -> frozenset[tuple[str, S]]:
        """Every allowed (from, to)."""
        return frozenset((k, t) for k, targets in self.moves.items() for t in targets)


def sql_in(column: str, statuses: Iterable[StrEnum]) -> str:
    """``column IN ('a','b')``, for a CHECK constraint or a partial index's condition."""
    return f"{column} IN ({','.join(repr(s.value) for s in statuses)})"
