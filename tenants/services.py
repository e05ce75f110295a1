"""Writes to portals and domains. Every change that affects routing invalidates the host map."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from portal_platform.errors import Conflict, ValidationFailed
from tenants.context import tenant_db
from tenants.models import ABBREVIATION_PATTERN, Domain, Portal, PortalKind, PortalStatus
from tenants.routing import routing_invalidate

_HOSTNAME = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")
SCHEMA_PREFIX = "portal_"


def schema_name_for(abbreviation: str) -> str:
    """The schema of a portal: a prefix keeps tenant schemas apart from `public` and system ones."""
    return SCHEMA_PREFIX + abbreviation.replace("-", "_")


def validate_domain_name(domain: str) -> str:
    cleaned = domain.strip().lower().rstrip(".")
    if not _HOSTNAME.match(cleaned):
        raise ValidationFailed(
            _("The domain “%(domain)s” is not valid (a valid one: sokhcn.nghean.gov.vn).") % {"domain": domain},
            code="invalid_domain",
            extra={"field": "domains", "value": domain},
        )
    return cleaned


def portal_fields_validate(*, name: str, abbreviation: str, kind: str, parent: Portal | None, email: str) -> None:
    if not name.strip():
        raise ValidationFailed(_("The agency's full name is required."), code="name_required", extra={"field": "name"})
    if not re.match(ABBREVIATION_PATTERN, abbreviation) or len(abbreviation) > 40:
        raise ValidationFailed(
            _(
                "An abbreviation may contain only lower-case unaccented letters, digits and hyphens, "
                "at most 40 characters (for example: sokhcn, xa-con-cuong)."
            ),
            code="invalid_abbreviation",
            extra={"field": "abbreviation", "value": abbreviation},
        )
    if kind not in PortalKind.values:
        raise ValidationFailed(
            _("The portal kind “%(kind)s” is not valid.") % {"kind": kind}, code="invalid_kind", extra={"field": "kind"}
        )
    if kind == PortalKind.PROVINCE and parent is not None:
        raise ValidationFailed(
            _("The provincial portal has no parent portal."), code="invalid_parent", extra={"field": "parent"}
        )
    if kind != PortalKind.PROVINCE and (parent is None or parent.kind != PortalKind.PROVINCE):
        raise ValidationFailed(
            _("A component portal must belong to the provincial portal."),
            code="invalid_parent",
            extra={"field": "parent"},
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(
                _("The email address “%(email)s” is not valid.") % {"email": email},
                code="invalid_email",
                extra={"field": "email"},
            ) from None


def domains_clean(domains: list[str]) -> list[str]:
    """Validated, normalised domains, none listed twice."""
    cleaned = [validate_domain_name(d) for d in domains]
    if len(set(cleaned)) != len(cleaned):
        raise ValidationFailed(_("A domain is listed twice."), code="duplicate_domain", extra={"field": "domains"})
    return cleaned


def portal_names_check_free(*, abbreviation: str, domains: list[str]) -> None:
    """A friendly early check; the unique constraints are what decide a race."""
    if Portal.objects.filter(abbreviation=abbreviation).exists() or schema_exists(schema_name_for(abbreviation)):
        raise Conflict(
            _("The abbreviation “%(abbreviation)s” is already in use.") % {"abbreviation": abbreviation},
            code="abbreviation_taken",
            extra={"field": "abbreviation"},
        )
    taken = list(Domain.objects.filter(domain__in=domains).values_list("domain", flat=True))
    if taken:
        raise Conflict(
            _("Domains already in use: %(domains)s.") % {"domains": ", ".join(taken)},
            code="domain_taken",
            extra={"field": "domains", "value": taken},
        )


def portal_create(
    *,
    name: str,
    abbreviation: str,
    kind: str,
    domains: list[str],
    parent: Portal | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    responsible_person: str = "",
) -> Portal:
    """Create a portal, its domains (the first is primary) and its schema, by running migrations.

    All of it happens in one transaction — PostgreSQL DDL is transactional — so a failure at any
    step leaves no row, no domain and no schema behind. The provisioning issue adds the fast paths
    (spare-schema pool, template clone); this is the reference path they are measured against.
    """
    abbreviation = abbreviation.strip()
    portal_fields_validate(name=name, abbreviation=abbreviation, kind=kind, parent=parent, email=email)
    if not domains:
        raise ValidationFailed(
            _("At least one domain is required."), code="domain_required", extra={"field": "domains"}
        )
    cleaned_domains = domains_clean(domains)
    schema_name = schema_name_for(abbreviation)
    portal_names_check_free(abbreviation=abbreviation, domains=cleaned_domains)

    try:
        with transaction.atomic():
            portal = Portal.objects.create(
                schema_name=schema_name,
                name=name.strip(),
                abbreviation=abbreviation,
                kind=kind,
                parent=parent,
                address=address,
                phone=phone,
                email=email,
                responsible_person=responsible_person,
                status=PortalStatus.PROVISIONING,
            )
            for index, domain in enumerate(cleaned_domains):
                Domain.objects.create(domain=domain, tenant=portal, is_primary=index == 0)
            portal.create_schema(check_if_exists=False, verbosity=0)
            portal.status = PortalStatus.ACTIVE
            portal.save(update_fields=["status", "updated_at"])
            routing_invalidate()
    except (IntegrityError, ValidationError) as exc:
        # django-tenants' own check or the unique constraints: two requests racing for the same abbreviation or domain: the unique constraints decide.
        raise Conflict(_("Another request has just taken this abbreviation or domain."), code="name_conflict") from exc
    finally:
        tenant_db.set_schema_to_public()
    return portal


def domain_add(*, portal: Portal, domain: str, is_primary: bool = False) -> Domain:
    """Attach another domain to a portal; making it primary demotes the current primary."""
    cleaned = validate_domain_name(domain)
    try:
        with transaction.atomic():
            if is_primary:
                Domain.objects.filter(tenant=portal, is_primary=True).update(is_primary=False)
            created = Domain.objects.create(domain=cleaned, tenant=portal, is_primary=is_primary)
            routing_invalidate()
    except IntegrityError as exc:
        raise Conflict(
            _("The domain “%(domain)s” is already in use.") % {"domain": cleaned},
            code="domain_taken",
            extra={"field": "domain"},
        ) from exc
    return created


def domain_remove(*, domain: Domain) -> None:
    if domain.is_primary:
        raise ValidationFailed(
            _("The primary domain cannot be removed; make another domain primary first."), code="primary_domain"
        )
    with transaction.atomic():
        domain.delete()
        routing_invalidate()


def portal_set_status(*, portal: Portal, status: str) -> Portal:
    """Change a portal's status (active, suspended, archived); routing follows within a second."""
    if status not in PortalStatus.values:
        raise ValidationFailed(_("The status “%(status)s” is not valid.") % {"status": status}, code="invalid_status")
    with transaction.atomic():
        updated = Portal.objects.filter(pk=portal.pk).update(status=status)
        if not updated:
            raise Conflict(_("The portal no longer exists."), code="portal_missing")
        routing_invalidate()
    portal.refresh_from_db()
    return portal
