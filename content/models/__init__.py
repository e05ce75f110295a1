"""Content of one portal — tenant schema (one copy of every table per portal).

One module per area; every model is re-exported here so that ``content.models.X`` keeps working
and Django finds them all:

- ``workflow``: the editorial workflow's records — tenant schema
- ``site``: site structure and the editorial board — tenant schema (one copy of every table per portal)
- ``items``: what a portal publishes (Nghị định 42/2022 Đ4) — tenant schema
- ``people``: the people a portal presents (Nghị định 42/2022 Đ4.1: leaders; contacts and contact officers) — tenant schema
- ``media``: the media library — tenant schema (one copy of the table per portal)
- ``royalty``: royalties (nhuận bút) for published content — tenant schema (one copy of every table per portal)
- ``citizens``: what citizens send to a portal — tenant schema (one copy of every table per portal)
"""

from content.models.citizens import (
    DEFAULT_ANSWER_WORKING_DAYS,
    OPEN_QUESTION_STATUSES,
    CitizenSettings,
    CommentStatus,
    Consultation,
    ConsultationComment,
    Question,
    QuestionAnswer,
    QuestionStatus,
    Unit,
)
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
from content.models.media import (
    ORIGINAL,
    MediaFile,
    MediaKind,
)
from content.models.people import (
    ContactOfficer,
    Leader,
)
from content.models.royalty import (
    ACTIVE_STATUSES,
    FULL_SHARE,
    MONEY_MAX_DIGITS,
    POINTS_DECIMALS,
    POINTS_MAX_DIGITS,
    SHARE_DECIMALS,
    SHARE_MAX_DIGITS,
    RoyaltyAuthor,
    RoyaltyEntry,
    RoyaltyGrade,
    RoyaltyPointValue,
    RoyaltyStatus,
    RoyaltyWorkKind,
    format_number,
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
from content.models.workflow import (
    Language,
    Publishable,
    Revision,
    Status,
    Transition,
)

__all__ = [
    "ACTIVE_STATUSES",
    "DEFAULT_ANSWER_WORKING_DAYS",
    "FULL_SHARE",
    "MENU_URL_PATTERN",
    "MONEY_MAX_DIGITS",
    "OPEN_QUESTION_STATUSES",
    "ORIGINAL",
    "POINTS_DECIMALS",
    "POINTS_MAX_DIGITS",
    "POSITION_ROLES",
    "SHARE_DECIMALS",
    "SHARE_MAX_DIGITS",
    "SLUG_PATTERN",
    "Announcement",
    "Article",
    "AuditEvent",
    "BoardMember",
    "BoardPosition",
    "Category",
    "CitizenSettings",
    "CommentStatus",
    "Consultation",
    "ConsultationComment",
    "ContactOfficer",
    "DocumentField",
    "DocumentForm",
    "EditorialBoard",
    "Language",
    "Leader",
    "LegalDocument",
    "MediaFile",
    "MediaKind",
    "Menu",
    "MenuItem",
    "Page",
    "PageKind",
    "Publishable",
    "Question",
    "QuestionAnswer",
    "QuestionStatus",
    "Revision",
    "Role",
    "RoyaltyAuthor",
    "RoyaltyEntry",
    "RoyaltyGrade",
    "RoyaltyPointValue",
    "RoyaltyStatus",
    "RoyaltyWorkKind",
    "SiteSettings",
    "Status",
    "Tag",
    "Transition",
    "Unit",
    "Validity",
    "WorkSchedule",
    "format_number",
    "validate_menu_url",
    "validate_slug",
]
