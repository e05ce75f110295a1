"""Content of one portal — tenant schema (one copy of every table per portal).

For now only the audit trail; content types, the editorial board and the workflow arrive with the
provisioning, accounts and content issues.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One recorded action in this portal (NĐ 85/2016: audit log of logins, admin and content actions)."""

    action = models.CharField(_("action"), max_length=100)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}".strip()
