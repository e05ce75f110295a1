"""Content of one portal — tenant schema (one copy of every table per portal).

One module per area; every model is re-exported here so that ``content.models.X`` keeps working
and Django finds them all:

- ``workflow``: the states every published item goes through, its revisions and transitions;
- ``site``: the audit trail, sections, background pages, menus, site settings, editorial roles and
  the editorial board;
- ``items``: articles, legal documents, announcements and the leaders' work schedule;
- ``citizens``: citizens' questions and their published answers, consultations on drafts and their
  comments, the units that handle questions.
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
    "DEFAULT_ANSWER_WORKING_DAYS",
    "MENU_URL_PATTERN",
    "OPEN_QUESTION_STATUSES",
    "POSITION_ROLES",
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
    "DocumentField",
    "DocumentForm",
    "EditorialBoard",
    "Language",
    "LegalDocument",
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
    "SiteSettings",
    "Status",
    "Tag",
    "Transition",
    "Unit",
    "Validity",
    "WorkSchedule",
    "validate_menu_url",
    "validate_slug",
]
