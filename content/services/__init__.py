"""Writes inside one portal's schema; the caller has already entered the tenant.

One module per area, re-exported here so that callers write ``from content.services import X``:

- ``site``: the audit trail, editorial roles, the site content from a template (and the agency's
  name filled into a pre-seeded one), the editorial board.
"""

from content.services.site import (
    AGENCY_NAME_PLACEHOLDER,
    ORDER_STEP,
    audit_event_record,
    board_create,
    board_create_check,
    board_member_add,
    board_member_check,
    board_member_end,
    board_roles_sync,
    roles_apply,
    roles_verify,
    site_agency_fill,
    site_content_apply,
)

__all__ = [
    "AGENCY_NAME_PLACEHOLDER",
    "ORDER_STEP",
    "audit_event_record",
    "board_create",
    "board_create_check",
    "board_member_add",
    "board_member_check",
    "board_member_end",
    "board_roles_sync",
    "roles_apply",
    "roles_verify",
    "site_agency_fill",
    "site_content_apply",
]
