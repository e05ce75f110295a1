"""Writes inside one portal's schema; the caller has already entered the tenant.

One module per area, re-exported here so that callers write ``from content.services import X``:

- ``site``: the audit trail, editorial roles, the site content from a template, the editorial board.
- ``media``: the media library (upload, edit, delete, visibility, serving).
"""

from content.services.media import (
    StorageUnavailable,
    media_delete,
    media_delete_check,
    media_file_check,
    media_object_open,
    media_update,
    media_update_check,
    media_upload,
    media_viewable,
    media_visibility_refresh,
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
    "StorageUnavailable",
    "audit_event_record",
    "board_create",
    "board_create_check",
    "board_member_add",
    "board_member_check",
    "board_member_end",
    "board_roles_sync",
    "media_delete",
    "media_delete_check",
    "media_file_check",
    "media_object_open",
    "media_update",
    "media_update_check",
    "media_upload",
    "media_viewable",
    "media_visibility_refresh",
    "roles_apply",
    "site_content_apply",
]
