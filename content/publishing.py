"""What "public" means for any item a portal publishes (used by royalties, media, feeds, search).

Items with the editorial workflow carry a ``live`` flag; background pages from before the
workflow carry ``is_published``. One function answers for both, so callers never guess.
"""

from __future__ import annotations

from typing import Any


def is_public(item: Any) -> bool:
    """True when ``item`` is visible to the public right now."""
    if hasattr(item, "live"):
        return bool(item.live)
    return bool(getattr(item, "is_published", False))
