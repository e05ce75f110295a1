"""How the index hears of publication changes: ``content.publishing`` calls this after commit."""

from __future__ import annotations


def item_changed(schema_name: str, model_label: str, pk: int) -> None:
    """Enqueue the idempotent sync of one item (the job reads the item's state when it runs)."""
    from portal_platform.search import registry
    from portal_platform.search.tasks import index_item
    from tenants.jobs import enqueue

    if registry.source_for(model_label) is None:
        return  # work schedules and other public things the index does not hold
    enqueue(index_item, schema_name=schema_name, model_label=model_label, pk=pk)
