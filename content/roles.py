"""The editorial roles every portal has (Decision 80/2025 Đ11: a board with a head, deputy heads and
members, plus the portal's administrator and outside contributors).

The keys are stable identifiers shared by the site templates (``provisioning/templates/*.json``),
``content.services.roles_apply`` and the code that assigns accounts to roles; the groups' display
names and their permissions come from the template, so they can change without touching code.
"""

from __future__ import annotations

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TENANT_ADMIN: Final = "tenant_admin"
BOARD_HEAD: Final = "board_head"
BOARD_DEPUTY: Final = "board_deputy"
EDITOR: Final = "editor"
CONTRIBUTOR: Final = "contributor"

# In order of authority; every site template must define all of them.
ROLE_KEYS: Final[tuple[str, ...]] = (TENANT_ADMIN, BOARD_HEAD, BOARD_DEPUTY, EDITOR, CONTRIBUTOR)

ROLE_LABELS: Final[dict[str, Promise]] = {
    TENANT_ADMIN: _("Portal administrator"),
    BOARD_HEAD: _("Head of the editorial board"),
    BOARD_DEPUTY: _("Deputy head of the editorial board"),
    EDITOR: _("Editor"),
    CONTRIBUTOR: _("Contributor"),
}
