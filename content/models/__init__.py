"""Content of one portal — tenant schema (one copy of every table per portal).

One module per area; every model is re-exported here so that ``content.models.X`` keeps working
and Django finds them all:

- ``site``: the audit trail, sections, background pages, menus, site settings, editorial roles and
  the editorial board.
- ``royalty``: royalties (nhuận bút) — the rate table (point values, grades), one entry per published
  item and its authors.
"""

from content.models.royalty import (
    RoyaltyAuthor,
    RoyaltyEntry,
    RoyaltyGrade,
    RoyaltyPointValue,
    RoyaltyStatus,
    RoyaltyWorkKind,
)
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
    "POSITION_ROLES",
    "SLUG_PATTERN",
    "AuditEvent",
    "BoardMember",
    "BoardPosition",
    "Category",
    "EditorialBoard",
    "Menu",
    "MenuItem",
    "Page",
    "PageKind",
    "Role",
    "RoyaltyAuthor",
    "RoyaltyEntry",
    "RoyaltyGrade",
    "RoyaltyPointValue",
    "RoyaltyStatus",
    "RoyaltyWorkKind",
    "SiteSettings",
    "validate_menu_url",
    "validate_slug",
]
