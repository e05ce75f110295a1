"""Template tags of the back office."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def workflow_queues(context: template.Context) -> dict[str, Any] | None:
    """The queue panel's data for the admin's index (None on the console or for roles without queues)."""
    from content.admin.workflow import queue_dashboard

    request = context.get("request")
    return queue_dashboard(request) if request is not None else None
