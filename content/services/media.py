"""The media library: upload (checked by content, cleaned, resized), edit, delete, visibility.

Bytes go to the S3 API under the portal's prefix through ``tenants.storage`` (the default storage);
the ``MediaFile`` row says what they are. An upload stores its objects first and then writes the
row in a transaction; if anything fails, the objects it stored are deleted again, so a refused or
failed upload leaves neither a row nor an object. (Called inside a caller's transaction that later
rolls back, the objects stay behind without a row: call it outside, as the admin and API do.)
"""

from __future__ import annotations

import hashlib
import io
import logging
import posixpath
import struct
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from content import media_usage
from content.media_types import FILE_TYPES, IMAGE, FileType, sniff
from content.models import MediaFile
from content.services.site import audit_event_record
from portal_platform.errors import ApplicationError, Conflict, ValidationFailed
from tenants.context import tenant_db
from tenants.storage import storage_prefix

logger = logging.getLogger(__name__)

# Animated images are decoded frame by frame; a frame count bounds the work as the pixel limit
# bounds one frame.
MAX_FRAMES = 300
JPEG_QUALITY = 85
WEBP_QUALITY = 85
ALT_TEXT_MAX = MediaFile._meta.get_field("alt_text").max_length or 300
TITLE_MAX = MediaFile._meta.get_field("title").max_length or 255
NAME_MAX = MediaFile._meta.get_field("original_name").max_length or 255
KEY_ROOT = "media"


class StorageUnavailable(ApplicationError):
    code = "storage_unavailable"
    http_status = 503


@dataclass(frozen=True)
class _Blob:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


# --- upload -------------------------------------------------------------------------------------


def media_upload(
    *,
    file: File[Any],
    name: str,
    alt_text: str = "",
    title: str = "",
    description: str = "",
    uploaded_by: str,
) -> MediaFile:
    """Check ``file`` and add it to the current portal's media library.

    The type is read from the content; the name's extension must agree with it. Images are
    re-encoded (EXIF and other metadata dropped, orientation applied) and resized to the site's
    rendition widths. Raises ``ValidationFailed`` with codes ``file_empty``,
    ``file_type_not_allowed``, ``file_type_mismatch``, ``file_too_large``, ``file_corrupt``,
    ``image_too_large``, ``text_too_long``; ``StorageUnavailable`` when the S3 API fails. Nothing is
    left behind on any error.
    """
    name = _name_clean(name)
    alt_text, title, description = alt_text.strip(), title.strip(), description.strip()
    _texts_check(alt_text=alt_text, title=title)
    file_type = media_file_check(file=file, name=name)

    file.seek(0)
    if file_type.kind == IMAGE:
        original, renditions = _image_process(file.read(), file_type)
        objects: list[tuple[str, File[Any], str]] = []
        base = f"{KEY_ROOT}/{uuid.uuid4().hex}"
        key = f"{base}/original.{original.extension}"
        objects.append((key, ContentFile(original.data), original.content_type))
        rendition_rows: dict[str, dict[str, Any]] = {}
        for rendition, blob in renditions.items():
            rendition_key = f"{base}/{rendition}.{blob.extension}"
            objects.append((rendition_key, ContentFile(blob.data), blob.content_type))
            rendition_rows[rendition] = {
                "key": rendition_key,
                "width": blob.width,
                "height": blob.height,
                "size": len(blob.data),
                "content_type": blob.content_type,
            }
        fields: dict[str, Any] = {
            "size": len(original.data),
            "sha256": hashlib.sha256(original.data).hexdigest(),
            "width": original.width,
            "height": original.height,
            "renditions": rendition_rows,
        }
    else:
        digest = hashlib.sha256()
        for chunk in file.chunks():
            digest.update(chunk)
        key = f"{KEY_ROOT}/{uuid.uuid4().hex}/original.{file_type.extensions[0]}"
        objects = [(key, file, file_type.mime)]  # streamed as it is: documents are stored unchanged
        fields = {"size": file.size, "sha256": digest.hexdigest(), "width": None, "height": None, "renditions": {}}

    stored: list[str] = []
    try:
        for object_key, content, content_type in objects:
            stored.append(object_key)
            _object_put(object_key, content, content_type=content_type)
        with transaction.atomic():
            media = MediaFile.objects.create(
                kind=file_type.kind,
                file_type=file_type.key,
                content_type=file_type.mime,
                original_name=name,
                key=key,
                alt_text=alt_text,
                title=title,
                description=description,
                uploaded_by=uploaded_by,
                **fields,
            )
            audit_event_record(
                action="media.upload",
                actor=uploaded_by,
                object_repr=name[:255],
                data={"media_id": media.pk, "file_type": file_type.key, "size": media.size},
            )
    except BaseException:
        _objects_delete([_full_key(k) for k in stored])
        raise
    return media


def media_file_check(*, file: File[Any], name: str) -> FileType:
    """What ``file`` is, if the library accepts it under ``name``; else ``ValidationFailed``.

    Cheap (reads the head of the file and, for Office and OpenDocument files, their directory):
    images are decoded only by ``media_upload``.
    """
    size = file.size or 0
    if size <= 0:
        raise ValidationFailed(_("The file is empty."), code="file_empty", extra={"field": "file"})
    sniffed = sniff(file)
    if sniffed.corrupt:
        raise ValidationFailed(
            _("The file is damaged or incomplete and cannot be read."), code="file_corrupt", extra={"field": "file"}
        )
    allowed = [FILE_TYPES[key] for key in settings.MEDIA_ALLOWED_TYPES]
    file_type = sniffed.file_type
    if file_type is None or file_type not in allowed:
        found = file_type.label if file_type is not None else str(sniffed.refused_as)
        raise ValidationFailed(
            _("Files of this type cannot be uploaded (%(found)s). Allowed types: %(allowed)s.")
            % {"found": found, "allowed": ", ".join(t.label for t in allowed)},
            code="file_type_not_allowed",
            extra={"field": "file", "found": found},
        )
    extension = _extension(name)
    if extension not in file_type.extensions:
        if extension:
            message = _(
                "The file name ends in .%(extension)s but the file is a %(actual)s file. "
                "Rename it to .%(expected)s or choose the right file."
            )
        else:
            message = _("The file name has no extension but the file is a %(actual)s file. Name it .%(expected)s.")
        raise ValidationFailed(
            message % {"extension": extension, "actual": file_type.label, "expected": file_type.extensions[0]},
            code="file_type_mismatch",
            extra={"field": "file", "found": file_type.key},
        )
    limit = settings.MEDIA_MAX_IMAGE_BYTES if file_type.kind == IMAGE else settings.MEDIA_MAX_DOCUMENT_BYTES
    if size > limit:
        template = (
            _("The image is %(size)s, over the limit of %(limit)s.")
            if file_type.kind == IMAGE
            else _("The document is %(size)s, over the limit of %(limit)s.")
        )
        raise ValidationFailed(
            template % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
            extra={"field": "file", "limit": limit},
        )
    return file_type


def _name_clean(name: str) -> str:
    """The last path segment, NFC-normalised (macOS sends NFD), printable, at most NAME_MAX long."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(base) > NAME_MAX:
        stem, dot, extension = base.rpartition(".")
        if dot and len(extension) < 16:
            base = stem[: NAME_MAX - len(extension) - 1] + "." + extension
        else:
            base = base[:NAME_MAX]
    return base


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _texts_check(*, alt_text: str, title: str) -> None:
    if len(alt_text) > ALT_TEXT_MAX:
        raise ValidationFailed(
            _("The alternative text is too long (at most %(limit)s characters).") % {"limit": ALT_TEXT_MAX},
            code="text_too_long",
            extra={"field": "alt_text"},
        )
    if len(title) > TITLE_MAX:
        raise ValidationFailed(
            _("The title is too long (at most %(limit)s characters).") % {"limit": TITLE_MAX},
            code="text_too_long",
            extra={"field": "title"},
        )


# --- images -------------------------------------------------------------------------------------


def _image_process(data: bytes, file_type: FileType) -> tuple[_Blob, dict[str, _Blob]]:
    """The cleaned original and the renditions of an image, or ``ValidationFailed``."""
    limit = settings.MEDIA_MAX_IMAGE_PIXELS
    width = height = 0
    try:
        # Only the sniffed format's decoder may open it: a PNG-looking file is decoded as PNG or not at all.
        with Image.open(io.BytesIO(data), formats=[file_type.pillow_format]) as image:
            width, height = image.size
            # Checked on the header, before a single pixel is decoded (decompression bombs).
            if width * height > limit:
                raise _image_too_large(width, height, limit)
            frames = int(getattr(image, "n_frames", 1))
            if frames > MAX_FRAMES:
                raise ValidationFailed(
                    _("The image has too many frames (%(frames)s); the limit is %(limit)s.")
                    % {"frames": frames, "limit": MAX_FRAMES},
                    code="image_too_large",
                    extra={"field": "file"},
                )
            image.load()
            # Only GIF and WebP animate in a browser. A camera's JPEG with several pictures
            # (MPO: the photo plus previews or a depth map) is kept as its first picture.
            animated = frames > 1 and file_type.pillow_format in ("GIF", "WEBP")
            # EXIF orientation applied to the pixels: the EXIF block itself is not written again.
            base = image.copy() if animated else ImageOps.exif_transpose(image)
            original = _original_encode(image, base, file_type, animated=animated)
            renditions = _renditions_make(base, file_type)
    except ApplicationError:
        raise
    except Image.DecompressionBombError:  # beyond twice Pillow's own limit: refused by open()
        raise _image_too_large(width, height, limit) from None
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError, ValueError, struct.error, IndexError):
        raise ValidationFailed(
            _("The file is damaged or incomplete and cannot be read as a %(type)s image.") % {"type": file_type.label},
            code="file_corrupt",
            extra={"field": "file"},
        ) from None
    return original, renditions


def _image_too_large(width: int, height: int, limit: int) -> ValidationFailed:
    if width and height:
        message = _("The image is too large (%(width)s × %(height)s pixels); the limit is %(limit)s megapixels.") % {
            "width": width,
            "height": height,
            "limit": f"{limit / 1_000_000:g}",
        }
    else:
        message = _("The image is too large; the limit is %(limit)s megapixels.") % {"limit": f"{limit / 1_000_000:g}"}
    return ValidationFailed(message, code="image_too_large", extra={"field": "file"})


def _original_encode(image: Image.Image, base: Image.Image, file_type: FileType, *, animated: bool) -> _Blob:
    out = io.BytesIO()
    fmt = file_type.pillow_format
    params: dict[str, Any] = {}
    if icc := image.info.get("icc_profile"):
        params["icc_profile"] = icc  # colour, not a description of the photo or its author
    if animated:
        # GIF and WebP animations carry no orientation; the writers take frames from ``image``.
        # The GIF writer copies the first frame's comment unless given one.
        params.update({"save_all": True, "loop": image.info.get("loop", 0)})
        if fmt == "GIF":
            params["comment"] = b""
        else:
            params.update({"quality": WEBP_QUALITY, "method": 4})
        image.seek(0)
        image.save(out, fmt, **params)
        return _Blob(out.getvalue(), file_type.mime, file_type.extensions[0], base.width, base.height)

    clean = base
    if fmt == "JPEG":
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        params.update({"quality": JPEG_QUALITY, "optimize": True, "progressive": True})
    elif fmt == "WEBP":
        params.update({"quality": WEBP_QUALITY, "method": 4})
    elif fmt == "GIF":
        params["comment"] = b""
    if "transparency" in base.info and fmt in ("PNG", "GIF"):
        params["transparency"] = base.info["transparency"]
    if clean is image:
        clean = image.copy()
    # The writers fall back on .info for comments, EXIF, XMP, text chunks: leave them nothing.
    clean.info = {}
    clean.save(out, fmt, **params)
    return _Blob(out.getvalue(), file_type.mime, file_type.extensions[0], clean.width, clean.height)


def _renditions_make(base: Image.Image, file_type: FileType) -> dict[str, _Blob]:
    """One smaller copy per configured width that is narrower than the image (never enlarged)."""
    if file_type.pillow_format == "GIF":
        # A still of the first frame: small sizes serve lists and cards, not animations.
        fmt, content_type, extension = "PNG", "image/png", "png"
    else:
        fmt, content_type, extension = file_type.pillow_format, file_type.mime, file_type.extensions[0]
    source = _web_mode(base, alpha=fmt != "JPEG")
    source.info = {}
    renditions: dict[str, _Blob] = {}
    # Largest first, each from the one before: far less work than from the full image every time.
    for name, width in sorted(settings.MEDIA_IMAGE_RENDITIONS.items(), key=lambda item: -item[1]):
        if width >= base.width:
            continue
        height = max(1, round(base.height * width / base.width))
        source = source.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        params: dict[str, Any] = {}
        if fmt == "JPEG":
            params = {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
        elif fmt == "WEBP":
            params = {"quality": WEBP_QUALITY, "method": 4}
        source.save(out, fmt, **params)
        renditions[name] = _Blob(out.getvalue(), content_type, extension, width, height)
    return renditions


def _web_mode(image: Image.Image, *, alpha: bool) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode in ("RGB", "L") or (alpha and image.mode in ("RGBA", "LA")):
        return image.copy()
    if alpha and has_alpha:
        return image.convert("RGBA")
    if image.mode in ("LA", "1", "I;16", "I", "F") and not has_alpha:
        return image.convert("L")
    return image.convert("RGB")


# --- edit, delete, visibility ---------------------------------------------------------------------


def media_update_check(*, media: MediaFile, alt_text: str, title: str) -> None:
    """Whether ``media_update`` would accept these values; ``ValidationFailed`` if not."""
    alt_text, title = alt_text.strip(), title.strip()
    _texts_check(alt_text=alt_text, title=title)
    if media.is_image and not alt_text and media_usage.used_ids({media.pk}):
        raise ValidationFailed(
            _("This image is used on the site, so it needs an alternative text."),
            code="alt_text_required",
            extra={"field": "alt_text"},
        )


def media_update(
    *, media: MediaFile, alt_text: str, title: str, description: str | None = None, actor: str = ""
) -> MediaFile:
    """Change what the library says about a file (its bytes never change: upload a new one)."""
    media_update_check(media=media, alt_text=alt_text, title=title)
    media.alt_text, media.title = alt_text.strip(), title.strip()
    update_fields = ["alt_text", "title", "updated_at"]
    if description is not None:
        media.description = description.strip()
        update_fields.append("description")
    with transaction.atomic():
        media.save(update_fields=update_fields)
        audit_event_record(
            action="media.update", actor=actor, object_repr=str(media)[:255], data={"media_id": media.pk}
        )
    return media


def media_delete_check(*, media: MediaFile) -> None:
    """``Conflict`` (code ``media_in_use``) when some content uses the file."""
    users = media_usage.users_of(media.pk)
    if users:
        raise _in_use([str(provider.label) for provider in users])


def media_delete(*, media: MediaFile, actor: str = "") -> None:
    """Delete a file nothing uses (``Conflict`` with code ``media_in_use`` otherwise).

    The S3 objects go after the commit, so a rolled-back deletion never loses the bytes.
    """
    with transaction.atomic():
        locked = MediaFile.objects.select_for_update().filter(pk=media.pk).first()
        if locked is None:
            return  # already deleted
        media_delete_check(media=locked)
        keys = [_full_key(locked.key)] + [
            _full_key(str(info["key"])) for info in locked.renditions.values() if isinstance(info, dict)
        ]
        try:
            locked.delete()
        except ProtectedError:
            # A foreign key with on_delete=PROTECT that no provider reported.
            raise _in_use([]) from None
        audit_event_record(
            action="media.delete",
            actor=actor,
            object_repr=str(locked)[:255],
            data={"media_id": media.pk, "key": locked.key},
        )
        transaction.on_commit(lambda: _objects_delete(keys))


def _in_use(labels: list[str]) -> Conflict:
    if labels:
        message = _("This file is used in %(users)s and cannot be deleted. Remove it from there first.") % {
            "users": ", ".join(labels)
        }
    else:
        message = _("This file is used by other content and cannot be deleted. Remove it from there first.")
    return Conflict(message, code="media_in_use", extra={"used_by": labels})


def media_visibility_refresh(*, media_ids: Iterable[int] | None = None) -> None:
    """Set ``is_public`` from the usage providers: public exactly when live content uses the file.

    The workflow calls it with the media of an item that went live or was unpublished;
    ``None`` refreshes the whole library (after a provider is added, or from a command).
    """
    ids = set(media_ids) if media_ids is not None else set(MediaFile.objects.values_list("pk", flat=True))
    if not ids:
        return
    public = media_usage.public_ids(ids)
    now = timezone.now()
    MediaFile.objects.filter(pk__in=public, is_public=False).update(is_public=True, updated_at=now)
    MediaFile.objects.filter(pk__in=ids - public, is_public=True).update(is_public=False, updated_at=now)


def media_viewable(*, media: MediaFile, user: User | AnonymousUser) -> bool:
    """Anyone sees a public file; the others only staff who may view (or change) the library."""
    if media.is_public:
        return True
    # Those who may change the library see it in the back office, as Django's admin has it.
    return bool(
        user.is_active and (user.has_perm("content.view_mediafile") or user.has_perm("content.change_mediafile"))
    )


# --- S3 objects -----------------------------------------------------------------------------------


@dataclass
class MediaObject:
    body: Any  # botocore's StreamingBody: read(amt), close()
    length: int


def media_object_open(*, key: str) -> MediaObject | None:
    """A stream of the object ``key`` of the current portal, or None when it does not exist."""
    client = default_storage.connection.meta.client  # type: ignore[attr-defined]
    try:
        response = client.get_object(Bucket=settings.S3_BUCKET, Key=_full_key(key))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            return None
        raise
    return MediaObject(body=response["Body"], length=int(response["ContentLength"]))


def _full_key(key: str) -> str:
    """The bucket key of a portal-relative key, fixed now (``on_commit`` may run elsewhere)."""
    return posixpath.join(storage_prefix(tenant_db.schema_name), key)


def _object_put(key: str, content: File[Any], *, content_type: str) -> None:
    client = default_storage.connection.meta.client  # type: ignore[attr-defined]
    content.seek(0)
    try:
        # Straight to its fresh key: default_storage.save would first probe for a free name.
        client.put_object(Bucket=settings.S3_BUCKET, Key=_full_key(key), Body=content.file, ContentType=content_type)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("media: storing %s failed: %s", key, exc)
        raise StorageUnavailable(
            _("The file could not be stored right now. Try again in a few minutes."), extra={"field": "file"}
        ) from exc


def _objects_delete(full_keys: list[str]) -> None:
    """Best effort: a leftover object costs space, an exception here would hide the real error."""
    client = default_storage.connection.meta.client  # type: ignore[attr-defined]
    for full_key in full_keys:
        try:
            client.delete_object(Bucket=settings.S3_BUCKET, Key=full_key)
        except (BotoCoreError, ClientError) as exc:
            logger.warning("media: could not delete %s: %s", full_key, exc)
