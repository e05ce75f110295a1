"""How the content types tell the media library what they use and when it goes public.

Registered once from ``ContentConfig.ready``: the media library (``content.media_usage``) learns
which files articles and legal documents reference — live rows, working rows and every kept
revision, since restoring a revision must find its files — and a publication listener
(``content.publishing``) refreshes the files' public flag whenever an item goes live or is withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from content import media_usage, publishing
from content.models import Article, LegalDocument, Revision


def _revisions_using(model: type[Article] | type[LegalDocument], field: str, ids: set[int]) -> set[int]:
    revisions = Revision.objects.filter(content_type=ContentType.objects.get_for_model(model))
    found: set[int] = set()
    if field == "cover":
        values = revisions.filter(data__cover__in=list(ids)).values_list("data__cover", flat=True)
        found.update(int(v) for v in values if v is not None)
    else:
        for media_id in ids:
            if revisions.filter(**{f"data__{field}__contains": [media_id]}).exists():
                found.add(media_id)
    return found


def _covers(ids: set[int], *, live_only: bool) -> set[int]:
    rows = Article.objects.filter(cover_id__in=ids)
    if live_only:
        rows = rows.filter(live=True)
    found = {int(i) for i in rows.values_list("cover_id", flat=True) if i is not None}
    return found if live_only else found | _revisions_using(Article, "cover", ids)


def _attachments(ids: set[int], *, live_only: bool) -> set[int]:
    rows = LegalDocument.attachments.through.objects.filter(mediafile_id__in=ids)
    if live_only:
        rows = rows.filter(legaldocument__live=True)
    found = {int(i) for i in rows.values_list("mediafile_id", flat=True)}
    return found if live_only else found | _revisions_using(LegalDocument, "attachments", ids)


def _media_of(label: str, pk: int) -> Iterable[int]:
    if label == "content.article":
        cover = Article.objects.filter(pk=pk).values_list("cover_id", flat=True).first()
        previous = [
            r.data.get("cover")
            for r in Revision.objects.filter(
                content_type=ContentType.objects.get_for_model(Article), object_id=pk
            ).only("data")
        ]
        return {int(i) for i in [cover, *previous] if i}
    if label == "content.legaldocument":
        ids: set[int] = set()
        for r in Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(LegalDocument), object_id=pk
        ).only("data"):
            ids.update(int(i) for i in r.data.get("attachments") or [])
        return ids
    return ()


def _refresh_media(schema: str, label: str, pk: int) -> None:
    """After an item went live or was withdrawn: its files (now and in any revision) follow."""
    from django_tenants.utils import schema_context

    from content.services.media import media_visibility_refresh

    with schema_context(schema):
        ids = set(_media_of(label, pk))
        if ids:
            media_visibility_refresh(media_ids=ids)


def register() -> None:
    media_usage.register(
        name="article.cover",
        label=_("articles (cover image)"),
        used=lambda ids: _covers(ids, live_only=False),
        public=lambda ids: _covers(ids, live_only=True),
    )
    media_usage.register(
        name="legaldocument.attachments",
        label=_("legal documents (attached files)"),
        used=lambda ids: _attachments(ids, live_only=False),
        public=lambda ids: _attachments(ids, live_only=True),
    )
    publishing.listen("content.media_visibility", _refresh_media)
