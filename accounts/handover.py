"""Hand-over of a closed account's work to its successor (Decision 80/2025 Đ10.2.e).

When an account is closed, whatever it still holds — drafts, open tasks, seats — must pass to the
account the portal named as successor, or be ended. Each app that gives accounts something to hold
registers one function here, ``fn(from_user, to_user) -> int`` (how many items it moved or ended);
the closure service runs them all inside its transaction, in the portal's schema, so a failing
hand-over undoes the whole closure. Functions must be idempotent: a closure retried after a crash
runs them again.

Registered today: ``content.board_seats`` (``content.services``) ends the closed account's seats on
the editorial board. No content model has an owner yet (articles and the publishing workflow come
later); when one does, its app registers the reassignment here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from accounts.models import User

HandOver = Callable[[User, User], int]
F = TypeVar("F", bound=HandOver)

_registry: dict[str, HandOver] = {}


def register(fn: F, *, name: str = "") -> F:
    """Register ``fn`` (usable as a decorator); re-registering the same name replaces it."""
    _registry[name or f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def unregister(name: str) -> None:
    _registry.pop(name, None)


def registered() -> dict[str, HandOver]:
    return dict(_registry)


def handover_run(*, from_user: User, to_user: User) -> dict[str, int]:
    """Run every registered hand-over; returns what each moved, by name. Does not switch schemas."""
    return {name: int(fn(from_user, to_user)) for name, fn in sorted(_registry.items())}
