"""Writes inside one portal's schema; the caller has already entered the tenant.

One module per area, re-exported here so that callers write ``from content.services import X``:

- ``site``: the audit trail, editorial roles, the site content from a template, the editorial board.
- ``royalty``: royalties (nhuận bút) — the rate table, entries for published items, the board
  head's decisions.
"""

from content.services.royalty import (
    AuthorShare,
    RoyaltyForbidden,
    royalty_authors_check,
    royalty_content_type,
    royalty_entry_approve,
    royalty_entry_cancel,
    royalty_entry_check,
    royalty_entry_propose,
    royalty_entry_reject,
    royalty_entry_update,
    royalty_grade_check,
    royalty_grade_create,
    royalty_grade_delete,
    royalty_grade_update,
    royalty_point_value_check,
    royalty_point_value_create,
    royalty_point_value_delete,
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
    "AuthorShare",
    "RoyaltyForbidden",
    "audit_event_record",
    "board_create",
    "board_create_check",
    "board_member_add",
    "board_member_check",
    "board_member_end",
    "board_roles_sync",
    "roles_apply",
    "royalty_authors_check",
    "royalty_content_type",
    "royalty_entry_approve",
    "royalty_entry_cancel",
    "royalty_entry_check",
    "royalty_entry_propose",
    "royalty_entry_reject",
    "royalty_entry_update",
    "royalty_grade_check",
    "royalty_grade_create",
    "royalty_grade_delete",
    "royalty_grade_update",
    "royalty_point_value_check",
    "royalty_point_value_create",
    "royalty_point_value_delete",
    "site_content_apply",
]
