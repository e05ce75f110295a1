"""The media library in the back office: list with thumbnails, upload, edit the texts, delete.

Every write goes through ``content.services.media``: the upload page hands the file to
``media_upload`` and shows its refusal (wrong type, too large, damaged …) on the form, in
Vietnamese, with nothing stored; deletion asks the usage providers first and shows a file in use
as protected, on Django's own confirmation page (one file or a selection alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from content import media_usage, services
from content.admin.base import PortalOnlyAdmin
from content.admin.site import _error_apply
from content.media_types import FILE_TYPES, IMAGE
from content.models import MediaFile
from portal_platform.errors import ApplicationError


def _accepted_help() -> str:
    allowed = [FILE_TYPES[key] for key in settings.MEDIA_ALLOWED_TYPES]
    images = ", ".join(t.label for t in allowed if t.kind == IMAGE)
    documents = ", ".join(t.label for t in allowed if t.kind != IMAGE)
    parts = []
    if images:
        parts.append(
            gettext("Images (%(types)s) up to %(limit)s.")
            % {"types": images, "limit": filesizeformat(settings.MEDIA_MAX_IMAGE_BYTES)}
        )
    if documents:
        parts.append(
            gettext("Documents (%(types)s) up to %(limit)s.")
            % {"types": documents, "limit": filesizeformat(settings.MEDIA_MAX_DOCUMENT_BYTES)}
        )
    return " ".join(parts)


class MediaUploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    alt_text = forms.CharField(
        label=_("Alternative text"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("What the image shows, for readers who cannot see it. Required for an image used on the site."),
    )
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _accepted_help()


class MediaFileChangeForm(forms.ModelForm[MediaFile]):
    class Meta:
        model = MediaFile
        fields = ("alt_text", "title", "description")
        widgets = {"alt_text": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                services.media_update_check(
                    media=self.instance, alt_text=cleaned.get("alt_text", ""), title=cleaned.get("title", "")
                )
            except ApplicationError as exc:
                _error_apply(self, exc)
        return cleaned


@admin.register(MediaFile)
class MediaFileAdmin(PortalOnlyAdmin):
    form = MediaFileChangeForm
    list_display = ("thumbnail", "__str__", "file_type", "size_display", "dimensions", "is_public", "created_at")
    list_display_links = ("thumbnail", "__str__")
    list_filter = ("kind", "file_type", "is_public")
    search_fields = ("original_name", "title", "alt_text", "description", "uploaded_by")
    date_hierarchy = "created_at"
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("preview", "alt_text", "title", "description")}),
        (
            _("File"),
            {
                "fields": (
                    "original_name",
                    "file_type",
                    "size_display",
                    "dimensions",
                    "links",
                    "is_public",
                    "uploaded_by",
                    "created_at",
                    "sha256",
                )
            },
        ),
    )
    readonly_fields = (
        "preview",
        "original_name",
        "file_type",
        "size_display",
        "dimensions",
        "links",
        "is_public",
        "uploaded_by",
        "created_at",
        "sha256",
    )

    # --- list and detail ----------------------------------------------------------------------

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: MediaFile) -> SafeString | str:
        if obj.is_image:
            return format_html(
                '<img src="{}" alt="{}" loading="lazy" style="max-width:120px;max-height:90px">',
                obj.url("thumb"),
                obj.alt_text,
            )
        return obj.type_info.label

    @admin.display(description=_("preview"))
    def preview(self, obj: MediaFile) -> SafeString | str:
        if obj.is_image:
            return format_html(
                '<img src="{}" alt="{}" style="max-width:100%;max-height:480px">', obj.url("medium"), obj.alt_text
            )
        return format_html('<a href="{}">{}</a>', obj.url(), obj.original_name)

    @admin.display(description=_("size"), ordering="size")
    def size_display(self, obj: MediaFile) -> str:
        return filesizeformat(obj.size)

    @admin.display(description=_("dimensions"))
    def dimensions(self, obj: MediaFile) -> str:
        return f"{obj.width} × {obj.height}" if obj.width and obj.height else "—"

    @admin.display(description=_("addresses"))
    def links(self, obj: MediaFile) -> SafeString:
        rows = [(obj.url(), gettext("original"), f"{obj.width} × {obj.height}" if obj.width else obj.type_info.label)]
        for name in sorted(obj.renditions, key=lambda n: -int(obj.renditions[n].get("width", 0))):
            info = obj.renditions[name]
            rows.append((obj.url(name), name, f"{info.get('width')} × {info.get('height')}"))
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a> ({})', rows)

    # --- upload ---------------------------------------------------------------------------------

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None) -> Any:
        """The upload page: ``media_upload`` decides, its refusal is shown on the form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MediaUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                media = services.media_upload(
                    file=upload,
                    name=upload.name or "",
                    alt_text=form.cleaned_data["alt_text"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    uploaded_by=request.user.get_username(),
                )
            except ApplicationError as exc:
                _error_apply(form, exc)
            else:
                self.message_user(
                    request, gettext("“%(name)s” was added to the media library.") % {"name": media.original_name}
                )
                if "_addanother" in request.POST:
                    return HttpResponseRedirect(request.path)
                return HttpResponseRedirect(reverse("admin:content_mediafile_change", args=[media.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Upload to the media library"),
            "form": form,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/content/mediafile/upload.html", context)

    # --- edit -----------------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: MediaFile, form: Any, change: bool) -> None:
        if not change:
            raise PermissionDenied  # files come in through the upload page only
        services.media_update(
            media=obj,
            alt_text=form.cleaned_data["alt_text"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            actor=request.user.get_username(),
        )

    # --- delete ---------------------------------------------------------------------------------

    def get_deleted_objects(
        self, objs: Sequence[Any] | QuerySet[Any], request: HttpRequest
    ) -> tuple[list[Any], dict[Any, Any], set[Any], list[Any]]:
        """Files in use appear as protected: Django's confirmation page then refuses to delete."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        files = [obj for obj in objs if isinstance(obj, MediaFile)]
        in_use = media_usage.used_ids({obj.pk for obj in files})
        for media in files:
            if media.pk in in_use:
                try:
                    services.media_delete_check(media=media)
                except ApplicationError as exc:
                    protected.append(f"{media}: {exc.message}")
        return deleted, counts, perms_needed, protected

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> Any:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as exc:  # started being used between the page and the click
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:content_mediafile_change", args=[unquote(object_id)]))

    def delete_model(self, request: HttpRequest, obj: MediaFile) -> None:
        services.media_delete(media=obj, actor=request.user.get_username())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MediaFile]) -> None:
        # Django's bulk action ("delete selected") lands here after its confirmation page.
        for media in queryset:
            try:
                services.media_delete(media=media, actor=request.user.get_username())
            except ApplicationError as exc:  # started being used after the confirmation page
                self.message_user(request, f"{media}: {exc.message}", messages.ERROR)
