"""Content of one portal — tenant schema (one copy of every table per portal).

One module per area; every model is re-exported here so that ``content.models.X`` keeps working
and Django finds them all:

- ``site``: the audit trail, sections, background pages, menus, site settings, editorial roles and
  the editorial board.
- ``media``: the media library (images and documents on the S3 API).
"""

from content.models.media import ORIGINAL, MediaFile, MediaKind
from content.models.site import (
    MENU_URL_PATTERN,
    POSITION_ROLES,
    SLUG_PATTERN,
    AuditEvent,
    BoardMember,
    BoardPosition,
    Category,
    EditorialBoard,
    Menu,
    MenuItem,
    Page,
    PageKind,
    Role,
    SiteSettings,
    validate_menu_url,
    validate_slug,
)

__all__ = [
    "MENU_URL_PATTERN",
    "ORIGINAL",
    "POSITION_ROLES",
    "SLUG_PATTERN",
    "AuditEvent",
    "BoardMember",
    "BoardPosition",
    "Category",
    "EditorialBoard",
    "MediaFile",
    "MediaKind",
    "Menu",
    "MenuItem",
    "Page",
    "PageKind",
    "Role",
    "SiteSettings",
    "validate_menu_url",
    "validate_slug",
]
