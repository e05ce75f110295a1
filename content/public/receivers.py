"""What retires a portal's cached pages (``content.public.cache``).

- **Publications**: a ``content.publishing`` listener, called after commit whenever what the public
  sees of an item changes.
- **Site structure**: sections, menus and their items, site settings, document fields and tags are
  edited directly in the back office (Django's admin) and by provisioning, with no service of their
  own to call; their model signals are the one hook every writer goes through. The receivers only
  schedule a version bump for after the commit — no logic.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from content import publishing
from content.models import Category, DocumentField, Menu, MenuItem, SiteSettings, Tag
from content.public.cache import page_cache_invalidate, page_cache_invalidate_on_commit

LISTENER_NAME = "content.public.page_cache"
STRUCTURE_MODELS = (Category, Menu, MenuItem, SiteSettings, DocumentField, Tag)


def _on_publication(schema_name: str, model_label: str, pk: int) -> None:
    page_cache_invalidate(schema_name)


def _on_structure_change(sender: Any, **kwargs: Any) -> None:
    page_cache_invalidate_on_commit()


def connect() -> None:
    publishing.listen(LISTENER_NAME, _on_publication)
    for model in STRUCTURE_MODELS:
        uid = f"content.public.cache.{model._meta.model_name}"
        post_save.connect(_on_structure_change, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_on_structure_change, sender=model, dispatch_uid=f"{uid}.delete")
