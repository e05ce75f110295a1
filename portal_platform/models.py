"""Platform-wide records — public schema (control plane).

The audit log lives here, in one table for every portal, so that the console can search across
portals and a portal's back office can search its own rows (filtered by portal) through the
search path, while no portal can reach another's.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Portal


class AuditLog(models.Model):
    """One security-relevant event: who, what, when, from which address, on which portal.

    Append-only: the application never updates or deletes rows (the retention purge excepted).
    """

    portal = models.ForeignKey(
        Portal,
        verbose_name=_("portal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("empty for the console"),
    )
    action = models.CharField(_("action"), max_length=50, db_index=True)
    actor = models.CharField(_("done by"), max_length=150, blank=True, db_index=True)
    target = models.CharField(_("concerning"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["portal", "-created_at"], name="auditlog_portal_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.action} {self.actor}"
