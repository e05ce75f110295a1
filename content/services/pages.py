"""Background pages kept up to date (Decision 80/2025 Đ6.3: background information is updated promptly).

A page is *stale* when nobody has confirmed it within ``SiteSettings.page_review_days``. Two things
count as a confirmation: ``page_review_confirm`` (the board checked the page and it is still right)
and publishing a version of it (the head or a deputy approved that content then). A page never
confirmed and never published — a provisioning placeholder — is stale from the start. Archived
pages are out of the public's sight and never stale.

The console shows each portal's count of stale pages; ``pages_stale_counts`` reads every portal's
schema in one query so that the portal list costs the same for ten portals or five hundred.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from content.models import Page, SiteSettings, Status
from content.services.site import audit_event_record
from portal_platform.errors import Conflict, Forbidden

REVIEW_CONFIRMED = "page.review_confirmed"


def page_review_days() -> int:
    """The portal's review period in days (the model's default until the settings row exists)."""
    days = SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_PK).values_list("page_review_days", flat=True).first()
    return days if days is not None else _default_days()


def _default_days() -> int:
    default = SiteSettings._meta.get_field("page_review_days").default
    assert isinstance(default, int)
    return default


def pages_review_state(queryset: QuerySet[Page] | None = None, *, now: dt.datetime | None = None) -> QuerySet[Page]:
    """``queryset`` (all pages by default) annotated with ``reviewed_on`` and ``is_stale``.

    ``reviewed_on`` is the later of the last confirmation and the last publication (PostgreSQL's
    GREATEST ignores NULLs; it is NULL only when neither happened).
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=page_review_days())
    pages = Page.objects.all() if queryset is None else queryset
    return pages.annotate(reviewed_on=Greatest("last_reviewed_at", "published_at")).annotate(
        is_stale=Case(
            When(status=Status.ARCHIVED, then=Value(False)),
            When(reviewed_on__isnull=True, then=Value(True)),
            When(reviewed_on__lt=cutoff, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def pages_stale(*, now: dt.datetime | None = None) -> QuerySet[Page]:
    """The current portal's background pages due for review (never reviewed counts as due)."""
    return pages_review_state(now=now).filter(**{"is_stale": True})  # an annotation the type checker cannot see


@transaction.atomic
def page_review_confirm(*, page: Page, user: User) -> Page:
    """Record that ``user`` checked ``page`` and found it still accurate; it is no longer stale.

    Needs the ``content.review_page`` permission (the board's head and deputies in the site
    templates). Only a published page can be confirmed: confirming a placeholder nobody has
    published would hide, on the console too, that the portal still lacks that information.
    """
    if not user.is_active or not user.has_perm("content.review_page"):
        raise Forbidden(
            _("Your role does not allow confirming that a background page is up to date."),
            code="page_review_forbidden",
        )
    page = Page.objects.select_for_update().get(pk=page.pk)
    if not page.live:
        raise Conflict(
            _("Only a published page can be confirmed as up to date; complete and publish it first."),
            code="page_not_live",
        )
    page.last_reviewed_at = timezone.now()
    page.save(update_fields=["last_reviewed_at", "updated_at"])
    audit_event_record(
        action=REVIEW_CONFIRMED,
        actor=user.get_username(),
        object_repr=str(page),
        data={"page": page.pk, "reviewed_at": page.last_reviewed_at.isoformat()},
    )
    return page


def pages_stale_counts(*, schema_names: Iterable[str], now: dt.datetime | None = None) -> dict[str, int]:
    """Stale background pages per portal schema, read across schemas in one query (for the console).

    The rule is ``pages_review_state``'s, written in SQL because the ORM addresses one schema at a
    time. Schemas without the page tables yet (a portal still being provisioned) are left out of
    the result rather than failing the whole list.
    """
    names = sorted(set(schema_names))
    if not names:
        return {}
    now = now or timezone.now()
    with connection.cursor() as cursor:
        # The catalogue itself rather than information_schema, which is slow with thousands of tables.
        cursor.execute(
            "SELECT n.nspname FROM pg_catalog.pg_attribute AS a "
            "JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid "
            "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped AND ("
            "(c.relname = 'content_page' AND a.attname = 'last_reviewed_at') OR "
            "(c.relname = 'content_sitesettings' AND a.attname = 'page_review_days')"
            ") GROUP BY n.nspname HAVING COUNT(*) = 2",
            [names],
        )
        ready = sorted(row[0] for row in cursor.fetchall())
        if not ready:
            return {}
        parts: list[str] = []
        params: list[Any] = []
        for schema in ready:
            quoted = connection.ops.quote_name(schema)
            # Identifiers cannot be parameters; they are quoted, and come from Portal.schema_name.
            parts.append(
                f"SELECT %s, COUNT(*) FROM {quoted}.content_page AS p "  # noqa: S608
                "WHERE p.status <> %s AND COALESCE(GREATEST(p.last_reviewed_at, p.published_at), "
                "'-infinity'::timestamptz) < %s::timestamptz - make_interval(days => COALESCE("
                f"(SELECT s.page_review_days::int FROM {quoted}.content_sitesettings AS s WHERE s.id = %s), %s))"
            )
            params += [schema, Status.ARCHIVED.value, now, SiteSettings.SINGLETON_PK, _default_days()]
        cursor.execute(" UNION ALL ".join(parts), params)
        return {schema: int(count) for schema, count in cursor.fetchall()}
