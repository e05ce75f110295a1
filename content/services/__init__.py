"""Writes inside one portal's schema; the caller has already entered the tenant.

One module per area, re-exported here so that callers write ``from content.services import X``:

- ``site``: the audit trail, editorial roles, the site content from a template, the editorial board;
- ``citizens``: citizens' questions (submitted, routed, answered, published) and comments on drafts.
"""

from content.services.citizens import (
    consultation_comment_check_open,
    consultation_comment_moderate,
    consultation_comment_submit,
    consultation_comment_validate,
    consultation_comments_moderate,
    question_answer,
    question_note_save,
    question_publication_create,
    question_reject,
    question_route,
    question_submit,
    question_validate,
    working_days_add,
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
    "consultation_comment_check_open",
    "consultation_comment_moderate",
    "consultation_comment_submit",
    "consultation_comment_validate",
    "consultation_comments_moderate",
    "question_answer",
    "question_note_save",
    "question_publication_create",
    "question_reject",
    "question_route",
    "question_submit",
    "question_validate",
    "roles_apply",
    "site_content_apply",
    "working_days_add",
]
