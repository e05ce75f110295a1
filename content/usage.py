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
from content.models import Article, Consultation, Leader, LegalDocument, Publishable, Revision

# Fields that hold one media id (the others, lists of ids).
SINGLE = ("cover", "photo")


def _revisions_using(model: type[Publishable], field: str, ids: set[int]) -> set[int]:
    revisions = Revision.objects.filter(content_type=ContentType.objects.get_for_model(model))
    found: set[int] = set()
    if field in SINGLE:
        values = revisions.filter(**{f"data__{field}__in": list(ids)}).values_list(f"data__{field}", flat=True)
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


def _photos(ids: set[int], *, live_only: bool) -> set[int]:
    rows = Leader.objects.filter(photo_id__in=ids)
    if live_only:
        rows = rows.filter(live=True)
    found = {int(i) for i in rows.values_list("photo_id", flat=True) if i is not None}
    return found if live_only else found | _revisions_using(Leader, "photo", ids)


# Items with a list of files: model, field, and the through table's column naming the item.
FILE_LISTS: dict[str, tuple[type[Publishable], str, str]] = {
    "content.legaldocument": (LegalDocument, "attachments", "legaldocument"),
    "content.consultation": (Consultation, "files", "consultation"),
}


def _file_lists(ids: set[int], *, live_only: bool, label: str) -> set[int]:
    model, field, owner = FILE_LISTS[label]
    rows = getattr(model, field).through.objects.filter(mediafile_id__in=ids)
    if live_only:
        rows = rows.filter(**{f"{owner}__live": True})
    found = {int(i) for i in rows.values_list("mediafile_id", flat=True)}
    return found if live_only else found | _revisions_using(model, field, ids)


def _media_of(label: str, pk: int) -> Iterable[int]:
    single: dict[str, tuple[type[Publishable], str]] = {
        "content.article": (Article, "cover"),
        "content.leader": (Leader, "photo"),
    }
    if label in single:
        model, field = single[label]
        current = model._default_manager.filter(pk=pk).values_list(f"{field}_id", flat=True).first()
        kept = Revision.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk)
        return {int(i) for i in [current, *(r.data.get(field) for r in kept.only("data"))] if i}
    if label in FILE_LISTS:
        model, field, _owner = FILE_LISTS[label]
        ids: set[int] = set()
        for r in Revision.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk).only(
            "data"
        ):
            ids.update(int(i) for i in r.data.get(field) or [])
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
        name="leader.photo",
        label=_("leaders (photo)"),
        used=lambda ids: _photos(ids, live_only=False),
        public=lambda ids: _photos(ids, live_only=True),
    )
    media_usage.register(
        name="legaldocument.attachments",
        label=_("legal documents (attached files)"),
        used=lambda ids: _file_lists(ids, live_only=False, label="content.legaldocument"),
        public=lambda ids: _file_lists(ids, live_only=True, label="content.legaldocument"),
    )
    media_usage.register(
        name="consultation.files",
        label=_("consultations (files of the draft)"),
        used=lambda ids: _file_lists(ids, live_only=False, label="content.consultation"),
        public=lambda ids: _file_lists(ids, live_only=True, label="content.consultation"),
    )
    publishing.listen("content.media_visibility", _refresh_media)
