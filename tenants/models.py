"""Portal (the tenant) and its domains — public schema (control plane).

A portal's own content lives in its PostgreSQL schema (``content`` app); these rows are the map
from agencies and host names to schemas that the router and the console read.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

ABBREVIATION_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
validate_abbreviation = RegexValidator(
    ABBREVIATION_PATTERN,
    _(
        "An abbreviation may contain only lower-case unaccented letters, digits and hyphens (for example: sokhcn, xa-con-cuong)."
    ),
    code="invalid_abbreviation",
)


class PortalKind(models.TextChoices):
    PROVINCE = "province", _("Provincial portal")
    DEPARTMENT = "department", _("Department portal")
    COMMUNE = "commune", _("Commune portal")


class PortalStatus(models.TextChoices):
    PROVISIONING = "provisioning", _("Provisioning")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived")


class Portal(TenantMixin):
    # Schemas are created and dropped only by explicit services (tenants.services.portal_create and,
    # later, provisioning), never as a side effect of saving a row.
    auto_create_schema = False
    auto_drop_schema = False

    name = models.CharField(_("agency full name"), max_length=255)
    abbreviation = models.CharField(_("abbreviation"), max_length=40, unique=True, validators=[validate_abbreviation])
    kind = models.CharField(_("kind"), max_length=16, choices=PortalKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent portal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PortalStatus.choices, default=PortalStatus.PROVISIONING
    )
    # Footer details required by TT 22/2023 (agency, person responsible, address, phone, email).
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    responsible_person = models.CharField(_("person responsible"), max_length=255, blank=True)
    # Which site template (and version) the portal was provisioned from.
    template_key = models.CharField(_("site template"), max_length=40, blank=True)
    template_version = models.CharField(_("template version"), max_length=20, blank=True)
    # Set while a restore replaces the portal's data: pages are served, every change is refused.
    read_only = models.BooleanField(_("read-only for maintenance"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("portal")
        verbose_name_plural = _("portals")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="portal_parent_matches_kind",
                condition=(Q(kind=PortalKind.PROVINCE, parent__isnull=True))
                | (~Q(kind=PortalKind.PROVINCE) & Q(parent__isnull=False)),
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind=PortalKind.PROVINCE), name="portal_one_province"),
            models.CheckConstraint(
                name="portal_abbreviation_format", condition=Q(abbreviation__regex=ABBREVIATION_PATTERN)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_serving(self) -> bool:
        return self.status == PortalStatus.ACTIVE


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(is_primary=True), name="domain_one_primary_per_portal"
            ),
        ]

    def __str__(self) -> str:
        return self.domain
