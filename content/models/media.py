"""The media library — tenant schema (one copy of the table per portal).

A ``MediaFile`` is one uploaded image or document. Its bytes live on the S3 API under the portal's
prefix (``portals/<schema>/media/<uuid>/…``, see ``tenants.storage``); the row records what the
bytes really are (sniffed, never taken from the name), where they are, and, for an image, the
resized copies (renditions) the site uses. Rows and objects are written only by
``content.services.media``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from content.media_types import DOCUMENT, FILE_TYPES, IMAGE, FileType

# The URL segment that names the uploaded file itself (gốc: original) rather than a rendition.
ORIGINAL = "goc"


class MediaKind(models.TextChoices):
    IMAGE = IMAGE, _("image")
    DOCUMENT = DOCUMENT, _("document")


class MediaFile(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=MediaKind.choices, db_index=True)
    file_type = models.CharField(
        _("file type"),
        max_length=10,
        choices=[(key, file_type.label) for key, file_type in FILE_TYPES.items()],
        help_text=_("Read from the file's content, not from its name."),
    )
    content_type = models.CharField(_("content type"), max_length=100)
    original_name = models.CharField(_("file name"), max_length=255)
    # Relative to the portal's storage prefix; objects are never overwritten, so a key names
    # one content for ever (the serving view's ETag relies on it).
    key = models.CharField(_("storage key"), max_length=500, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    width = models.PositiveIntegerField(_("width (px)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height (px)"), null=True, blank=True)
    # rendition name → {"key", "width", "height", "size", "content_type"}; only the sizes smaller
    # than the original exist (an image is never enlarged).
    renditions = models.JSONField(_("renditions"), default=dict, blank=True)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it. Required for an image used on the site."),
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    uploaded_by = models.CharField(_("uploaded by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set by media_visibility_refresh from the content that uses the file: only files used by
    # published content are served to the public.
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Used by published content, so anyone may open it."),
    )

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media library")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["is_public"], name="content_media_public_idx")]

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def type_info(self) -> FileType:
        return FILE_TYPES[self.file_type]

    @property
    def is_image(self) -> bool:
        return self.kind == MediaKind.IMAGE

    def rendition(self, name: str) -> dict[str, Any] | None:
        value = self.renditions.get(name) if isinstance(self.renditions, dict) else None
        return value if isinstance(value, dict) else None

    def download_name(self, rendition: str = ORIGINAL) -> str:
        """The file name a browser saves it as: the uploaded name, suffixed for a rendition."""
        info = self.rendition(rendition) if rendition != ORIGINAL else None
        if info is None:
            return self.original_name
        stem = self.original_name.rsplit(".", 1)[0] or "anh"
        extension = str(info.get("key", "")).rsplit(".", 1)[-1]
        return f"{stem}-{rendition}.{extension}"

    def url(self, rendition: str = ORIGINAL) -> str:
        """Where the portal serves this file (or the named rendition) on its own host.

        A rendition the image does not have (it is smaller than that size) falls back to the
        original, so templates can always ask for the size they want.
        """
        if rendition != ORIGINAL and self.rendition(rendition) is None:
            rendition = ORIGINAL
        return reverse(
            "media-file",
            # reverse() percent-encodes the name (Vietnamese letters, spaces, "?", "#").
            kwargs={"pk": self.pk, "rendition": rendition, "filename": self.download_name(rendition)},
        )
