"""Content of one portal — tenant schema (one copy of every table per portal).

One module per area; every model is re-exported here so that ``content.models.X`` keeps working
and Django finds them all:

- ``workflow``: the states every published item goes through, its revisions and transitions;
- ``site``: the audit trail, sections, background pages, menus, site settings, editorial roles and
  the editorial board;
- ``items``: articles, legal documents, announcements and the leaders' work schedule;
- ``media``: the media library (images and documents on the S3 API).
"""

from content.models.items import (
    Announcement,
    Article,
    DocumentField,
    DocumentForm,
    LegalDocument,
    Tag,
    Validity,
    WorkSchedule,
)
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
from content.models.workflow import Language, Publishable, Revision, Status, Transition

__all__ = [
    "MENU_URL_PATTERN",
    "ORIGINAL",
    "POSITION_ROLES",
    "SLUG_PATTERN",
    "Announcement",
    "Article",
    "AuditEvent",
    "BoardMember",
    "BoardPosition",
    "Category",
    "DocumentField",
    "DocumentForm",
    "EditorialBoard",
    "Language",
    "LegalDocument",
    "MediaFile",
    "MediaKind",
    "Menu",
    "MenuItem",
    "Page",
    "PageKind",
    "Publishable",
    "Revision",
    "Role",
    "SiteSettings",
    "Status",
    "Tag",
    "Transition",
    "Validity",
    "WorkSchedule",
    "validate_menu_url",
    "validate_slug",
]
