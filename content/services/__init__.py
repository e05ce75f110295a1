"""Writes inside one portal's schema; the caller has already entered the tenant.

One module per area, re-exported here so that callers write ``from content.services import X``:

- ``site``: the audit trail, editorial roles, the site content from a template, the editorial board;
- ``pages``: background pages' review (stale pages, confirming a page is up to date).
"""

from content.services.pages import (
    page_review_confirm,
    page_review_days,
    pages_review_state,
    pages_stale,
    pages_stale_counts,
)
from content.services.site import (
    ORDER_STEP,
    audit_event_record,
    board_create,
    board_create_check,
    board_member_add,
    board_member_check,
    board_member_end,
    board_roles_sync,
    roles_apply,
    site_content_apply,
)

__all__ = [
    "ORDER_STEP",
    "audit_event_record",
    "board_create",
    "board_create_check",
    "board_member_add",
    "board_member_check",
    "board_member_end",
    "board_roles_sync",
    "page_review_confirm",
    "page_review_days",
    "pages_review_state",
    "pages_stale",
    "pages_stale_counts",
    "roles_apply",
    "site_content_apply",
]
