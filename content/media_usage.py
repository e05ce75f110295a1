"""Which content uses which media files, without the media library importing the content types.

Each content type that references ``MediaFile`` (article covers, legal-document attachments, images
in rich text, leaders' photos …) registers one provider, once, at import time of its module (or in
an AppConfig.ready)::

    from content import media_usage

    media_usage.register(
        name="article.cover",
        label=_("articles (cover image)"),
        used=lambda ids: set(Article.objects.filter(cover_id__in=ids).values_list("cover_id", flat=True)),
        public=lambda ids: set(
            Article.objects.filter(cover_id__in=ids, live=True).values_list("cover_id", flat=True)
        ),
    )

Both callables receive a set of media ids and return the subset they reference, in the current
portal's schema (the caller has entered it):

- ``used``: referenced by anything at all — drafts, live items, archived items, kept revisions. A
  used file cannot be deleted.
- ``public``: referenced by something the public can see right now (``content.publishing.is_public``).
  ``media_visibility_refresh`` serves exactly these files to anonymous visitors.

``label`` names the referencing content in the message that refuses a deletion. Registering the
same name again replaces the provider (module reloads in development, tests).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise

IdsFilter = Callable[[set[int]], Iterable[int]]


@dataclass(frozen=True)
class UsageProvider:
    name: str
    label: str | Promise
    used: IdsFilter
    public: IdsFilter


_providers: dict[str, UsageProvider] = {}


def register(*, name: str, used: IdsFilter, public: IdsFilter, label: str | Promise = "") -> None:
    _providers[name] = UsageProvider(name=name, label=label or name, used=used, public=public)


def unregister(name: str) -> None:
    _providers.pop(name, None)


def providers() -> tuple[UsageProvider, ...]:
    return tuple(_providers.values())


def used_ids(ids: Iterable[int]) -> set[int]:
    """Of ``ids``, those referenced by any content of the current portal."""
    return _ask(ids, public=False)


def public_ids(ids: Iterable[int]) -> set[int]:
    """Of ``ids``, those referenced by content the public can see now."""
    return _ask(ids, public=True)


def users_of(media_id: int) -> list[UsageProvider]:
    """The providers that reference ``media_id`` (for the "in use by" message)."""
    return [provider for provider in providers() if media_id in set(provider.used({media_id}))]


def _ask(ids: Iterable[int], *, public: bool) -> set[int]:
    wanted = set(ids)
    found: set[int] = set()
    for provider in providers():
        remaining = wanted - found
        if not remaining:
            break
        answer = provider.public(set(remaining)) if public else provider.used(set(remaining))
        # A provider may only vouch for ids it was asked about.
        found |= set(answer) & remaining
    return found
