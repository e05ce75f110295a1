"""The media library (issue 5, item 6): upload validation by content, images cleaned and resized,
nothing left behind on a refusal, serving headers, who sees what, and portal isolation — on the real
S3 API (SeaweedFS) and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image, PngImagePlugin

from accounts.models import User
from content import media_usage, services
from content.media_types import FILE_TYPES
from content.models import AuditEvent, MediaFile
from content.services import media as media_services
from infra.s3 import s3_client
from portal_platform.errors import ApplicationError
from tenants.models import Portal
from tests.board import account
from tests.conftest import ROOT, host_of, subprocess_env

pytestmark = pytest.mark.django_db


# --- real files, made here ---------------------------------------------------------------------------


def image_bytes(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **params: Any) -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode in ("RGB", "RGBA") else 128)
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def noise_png(width: int, height: int) -> bytes:
    """An image that does not compress: its file is about as large as its pixels."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def gif_animated(frames: int = 3) -> bytes:
    images = [Image.new("RGB", (30, 20), (i * 60, 255 - i * 60, 0)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0, comment=b"secret note")
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def zip_bytes(entries: dict[str, bytes], *, first_stored: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries.items()):
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if first_stored and index == 0 else None)
    return out.getvalue()


def docx(*, macros: bool = False) -> bytes:
    entries = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body/></w:document>',
    }
    if macros:
        entries["word/vbaProject.bin"] = b"\x00" * 32
    return zip_bytes(entries)


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Nhuận bút"  # type: ignore[index]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def odf(media_type: str) -> bytes:
    return zip_bytes(
        {
            "mimetype": media_type.encode(),
            "content.xml": b"<office:document-content/>",
            "META-INF/manifest.xml": b"<m/>",
        },
        first_stored=True,
    )


def ole2(stream_name: str) -> bytes:
    """A minimal compound file ([MS-CFB]): sector 0 is the FAT, sector 1 the directory."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", header, 0x48, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))

    def entry(name: str, object_type: int) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\x00").encode("utf-16-le")
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), object_type, 1)
        struct.pack_into("<III", raw, 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if object_type == 5 else 0xFFFFFFFF)
        struct.pack_into("<I", raw, 116, 0xFFFFFFFE)
        return bytes(raw)

    directory = entry("Root Entry", 5) + entry(stream_name, 2) + bytes(256)
    return bytes(header) + fat + directory


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims a huge bitmap (a decompression bomb as far as its header goes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


ACCEPTED: dict[str, tuple[str, Any]] = {
    "jpeg": ("anh-hoi-nghi.jpg", lambda: image_bytes("JPEG")),
    "png": ("so-do.png", lambda: image_bytes("PNG", mode="RGBA")),
    "webp": ("anh.webp", lambda: image_bytes("WEBP")),
    "gif": ("bieu-tuong.gif", lambda: image_bytes("GIF", mode="P")),
    "pdf": ("Quyết định 80.pdf", lambda: PDF),
    "doc": ("cong-van.doc", lambda: ole2("WordDocument")),
    "docx": ("du-thao.docx", docx),
    "xls": ("bang-ke.xls", lambda: ole2("Workbook")),
    "xlsx": ("nhuan-but.xlsx", xlsx),
    "odt": ("van-ban.odt", lambda: odf("application/vnd.oasis.opendocument.text")),
    "ods": ("bang-tinh.ods", lambda: odf("application/vnd.oasis.opendocument.spreadsheet")),
}


# --- helpers ----------------------------------------------------------------------------------------


def upload(data: bytes, name: str, **extra: Any) -> MediaFile:
    return services.media_upload(
        file=SimpleUploadedFile(name, data, content_type="application/octet-stream"),
        name=name,
        uploaded_by=extra.pop("uploaded_by", "bientap.xa-a"),
        **extra,
    )


def refused(data: bytes, name: str, **extra: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        upload(data, name, **extra)
    assert caught.value.message
    return caught.value


def s3() -> Any:
    return s3_client(
        endpoint_url=django_settings.S3_ENDPOINT_URL,
        access_key=django_settings.S3_ACCESS_KEY_ID,
        secret_key=django_settings.S3_SECRET_ACCESS_KEY,
        region=django_settings.S3_REGION,
    )


def object_keys(portal: Portal) -> set[str]:
    prefix = f"portals/{portal.schema_name}/media/"
    keys: set[str] = set()
    for page in s3().get_paginator("list_objects_v2").paginate(Bucket=django_settings.S3_BUCKET, Prefix=prefix):
        keys.update(obj["Key"] for obj in page.get("Contents", []))
    return keys


def object_bytes(portal: Portal, key: str) -> bytes:
    response = s3().get_object(Bucket=django_settings.S3_BUCKET, Key=f"portals/{portal.schema_name}/{key}")
    return bytes(response["Body"].read())


def all_keys(media: MediaFile) -> set[str]:
    return {media.key, *(info["key"] for info in media.renditions.values())}


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


def staff(username: str, *perms: str) -> User:
    user = account(username)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="content", codename=codename))
    return user


def on(portal: Portal, user: User | None = None) -> Client:
    """A client on ``portal``'s host, logged in as ``user`` (an account of that portal) if given."""
    client = Client(HTTP_HOST=host_of(portal))
    if user is not None:
        with schema_context(portal.schema_name):  # the login is recorded in the portal's schema
            client.force_login(user)
    return client


@pytest.fixture
def usage() -> Iterator[tuple[set[int], set[int]]]:
    """A content type that uses media, as the articles' and documents' providers will."""
    used: set[int] = set()
    public: set[int] = set()
    media_usage.register(
        name="test.items", label="tin bài thử", used=lambda ids: ids & used, public=lambda ids: ids & public
    )
    yield used, public
    media_usage.unregister("test.items")


# --- accepted files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(ACCEPTED))
def test_each_allowed_type_is_accepted_and_stored_under_the_portal_prefix(portal_a: Portal, key: str) -> None:
    name, make = ACCEPTED[key]
    data = make()
    with schema_context(portal_a.schema_name):
        media = upload(data, name, alt_text="  Ảnh hội nghị  ", title="Tài liệu")
        file_type = FILE_TYPES[key]
        assert (media.file_type, media.kind, media.content_type) == (key, file_type.kind, file_type.mime)
        assert media.original_name == name and media.alt_text == "Ảnh hội nghị" and not media.is_public
        stored = object_bytes(portal_a, media.key)
        assert media.key.startswith("media/") and media.key.endswith("." + file_type.extensions[0])
        assert len(stored) == media.size and hashlib.sha256(stored).hexdigest() == media.sha256
        if file_type.kind == "document":
            assert stored == data and media.width is None  # documents are stored as they came
        else:
            assert Image.open(io.BytesIO(stored)).format == file_type.pillow_format
            assert (media.width, media.height) == (40, 30)
        assert MediaFile.objects.filter(pk=media.pk).exists()
        assert AuditEvent.objects.filter(action="media.upload", data__media_id=media.pk, actor="bientap.xa-a").exists()
    assert f"portals/{portal_a.schema_name}/{media.key}" in object_keys(portal_a)


def test_settings_list_every_known_type() -> None:
    assert set(django_settings.MEDIA_TYPES_KNOWN) == set(FILE_TYPES)


def test_renditions_are_the_site_sizes_and_never_enlarge(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        big = upload(image_bytes("JPEG", (2000, 1000)), "toan-canh.jpg")
        sizes = {name: (info["width"], info["height"]) for name, info in big.renditions.items()}
        assert sizes == {"thumb": (320, 160), "medium": (800, 400), "large": (1600, 800)}
        for name, info in big.renditions.items():
            stored = Image.open(io.BytesIO(object_bytes(portal_a, info["key"])))
            assert (stored.format, stored.size) == ("JPEG", sizes[name])
            assert info["content_type"] == "image/jpeg" and info["size"] > 0

        middle = upload(image_bytes("PNG", (500, 300), mode="RGBA"), "logo.png")
        assert set(middle.renditions) == {"thumb"}
        thumb = Image.open(io.BytesIO(object_bytes(portal_a, middle.renditions["thumb"]["key"])))
        assert (thumb.format, thumb.size, thumb.mode) == ("PNG", (320, 192), "RGBA")
        assert middle.url("large") == middle.url()  # no larger copy: the original is served
        assert middle.url("thumb") != middle.url()

        small = upload(image_bytes("WEBP", (200, 100)), "nho.webp")
        assert small.renditions == {}

        animated = upload(gif_animated(), "dong.gif")
        stored = Image.open(io.BytesIO(object_bytes(portal_a, animated.key)))
        assert getattr(stored, "n_frames", 1) == 3 and "comment" not in stored.info  # animation kept, comment dropped
        assert animated.renditions == {}  # 30 px wide: smaller than every size


def test_a_camera_jpeg_with_several_pictures_keeps_the_first(portal_a: Portal) -> None:
    first, second = Image.new("RGB", (500, 400), (255, 0, 0)), Image.new("RGB", (500, 400), (0, 255, 0))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    with schema_context(portal_a.schema_name):
        media = upload(out.getvalue(), "dien-thoai.jpg")
        stored = Image.open(io.BytesIO(object_bytes(portal_a, media.key)))
        assert (media.file_type, stored.format, getattr(stored, "n_frames", 1)) == ("jpeg", "JPEG", 1)
        red, green, _blue = stored.convert("RGB").getpixel((10, 10))  # type: ignore[misc]
        assert red > 200 and green < 50
        assert set(media.renditions) == {"thumb"}


def test_gif_renditions_are_still_png(portal_a: Portal, settings: Any) -> None:
    settings.MEDIA_IMAGE_RENDITIONS = {"thumb": 16}
    with schema_context(portal_a.schema_name):
        media = upload(gif_animated(), "dong.gif")
        assert media.renditions["thumb"]["content_type"] == "image/png"
        still = Image.open(io.BytesIO(object_bytes(portal_a, media.renditions["thumb"]["key"])))
        assert (still.format, still.size) == ("PNG", (16, 11))


def test_exif_and_metadata_are_stripped_and_orientation_applied(portal_a: Portal) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "MayAnhBiMat"  # camera make
    exif[0x013B] = "Nguyen Van An"  # artist
    photo = image_bytes("JPEG", (60, 20), exif=exif.tobytes(), comment=b"ghi chu rieng")
    assert b"MayAnhBiMat" in photo
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Nguyen Van An")
    diagram = image_bytes("PNG", (60, 20), pnginfo=text)
    assert b"Nguyen Van An" in diagram

    with schema_context(portal_a.schema_name):
        media = upload(photo, "chan-dung.jpg")
        assert (media.width, media.height) == (20, 60)  # rotated as the camera meant
        stored = object_bytes(portal_a, media.key)
        assert b"MayAnhBiMat" not in stored and b"Nguyen Van An" not in stored and b"ghi chu rieng" not in stored
        cleaned = Image.open(io.BytesIO(stored))
        assert cleaned.size == (20, 60) and not cleaned.getexif() and "exif" not in cleaned.info
        assert "comment" not in cleaned.info

        png = upload(diagram, "so-do.png")
        stored = object_bytes(portal_a, png.key)
        assert b"Nguyen Van An" not in stored and "Author" not in Image.open(io.BytesIO(stored)).info


# --- refused files ----------------------------------------------------------------------------------


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "name", "code", "found"),
    [
        (image_bytes("PNG"), "bao-cao.pdf", "file_type_mismatch", "png"),
        (PDF, "anh.jpg", "file_type_mismatch", "pdf"),
        (image_bytes("JPEG"), "anh", "file_type_mismatch", "jpeg"),
        (docx(), "du-thao.doc", "file_type_mismatch", "docx"),
        (ole2("WordDocument"), "cong-van.xls", "file_type_mismatch", "doc"),
        (SVG_WITH_SCRIPT, "logo.png", "file_type_not_allowed", "SVG"),
        (b"  \n" + SVG_WITH_SCRIPT, "logo.svg", "file_type_not_allowed", "SVG"),
        (HTML, "quyet-dinh.pdf", "file_type_not_allowed", "HTML"),
        (b'<?xml version="1.0"?><feed/>', "du-lieu.docx", "file_type_not_allowed", "XML"),
        (b"#!/bin/sh\nrm -rf /\n", "cong-van.doc", "file_type_not_allowed", None),
        (b"MZ\x90\x00" + bytes(200), "du-thao.docx", "file_type_not_allowed", None),
        (zip_bytes({"a.txt": b"x"}), "du-thao.docx", "file_type_not_allowed", "ZIP"),
        (docx(macros=True), "du-thao.docx", "file_type_not_allowed", None),
        (ole2("__properties_version1.0"), "thu.doc", "file_type_not_allowed", "OLE2"),
        (b"just some text", "ghi-chu.pdf", "file_type_not_allowed", None),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(
    portal_a: Portal, data: bytes, name: str, code: str, found: str | None
) -> None:
    with schema_context(portal_a.schema_name):
        error = refused(data, name)
        assert error.code == code and error.extra["field"] == "file"
        if found is not None:
            assert error.extra["found"] == found


def test_types_outside_the_settings_list_are_refused(portal_a: Portal, settings: Any) -> None:
    settings.MEDIA_ALLOWED_TYPES = ["jpeg", "pdf"]
    with schema_context(portal_a.schema_name):
        error = refused(image_bytes("PNG"), "anh.png")
        assert error.code == "file_type_not_allowed" and "JPEG, PDF" in error.message
        assert upload(PDF, "a.pdf").file_type == "pdf"


def test_size_limits_empty_corrupt_and_bombs(portal_a: Portal, settings: Any) -> None:
    with schema_context(portal_a.schema_name):
        assert refused(b"", "trong.pdf").code == "file_empty"

        settings.MEDIA_MAX_IMAGE_BYTES = 1000
        settings.MEDIA_MAX_DOCUMENT_BYTES = len(PDF)
        photo = noise_png(300, 300)
        assert len(photo) > 1000
        error = refused(photo, "anh.png")
        assert error.code == "file_too_large" and error.extra["limit"] == 1000
        assert upload(PDF, "vua-du.pdf").size == len(PDF)
        assert refused(PDF + b" ", "qua-lon.pdf").code == "file_too_large"

        settings.MEDIA_MAX_IMAGE_BYTES = 10 * 1024 * 1024
        png = image_bytes("PNG", (50, 50))
        assert refused(png[: len(png) // 2], "cat-doi.png").code == "file_corrupt"
        assert refused(b"\xff\xd8\xff\xe0" + b"\x00" * 300, "hong.jpg").code == "file_corrupt"
        assert refused(b"PK\x03\x04" + b"\x00" * 100, "hong.docx").code == "file_corrupt"

        # Far beyond Pillow's own limit (refused on opening) and just beyond ours (refused before decoding).
        assert refused(png_header_only(100_000, 100_000), "bom.png").code == "image_too_large"
        error = refused(png_header_only(10_000, 6_000), "bom.png")
        assert error.code == "image_too_large" and "10000 × 6000" in error.message
        settings.MEDIA_MAX_IMAGE_PIXELS = 1000
        assert refused(image_bytes("JPEG", (40, 30)), "nho-nhung-qua-gioi-han.jpg").code == "image_too_large"


def test_long_texts_are_refused_and_names_are_cleaned(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        error = refused(PDF, "a.pdf", alt_text="x" * 301)
        assert (error.code, error.extra["field"]) == ("text_too_long", "alt_text")
        media = upload(PDF, "C:\\Users\\an\\Desktop\\Quye\u0302\u0301t đi\u0323nh\x00.pdf")
        assert media.original_name == "Quyết định.pdf"  # last segment, NFC, printable only
        long = upload(PDF, "a" * 300 + ".pdf")
        assert len(long.original_name) == 255 and long.original_name.endswith(".pdf")


def test_a_refused_or_failed_upload_leaves_no_row_and_no_object(
    portal_a: Portal, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with schema_context(portal_a.schema_name):
        rows, keys = MediaFile.objects.count(), object_keys(portal_a)
        for data, name in [
            (b"", "a.pdf"),
            (SVG_WITH_SCRIPT, "a.png"),
            (image_bytes("PNG"), "a.pdf"),
            (png_header_only(10_000, 6_000), "a.png"),
            (image_bytes("PNG")[:60], "a.png"),
        ]:
            refused(data, name)
        assert MediaFile.objects.count() == rows and object_keys(portal_a) == keys

        # A failure after the objects are stored (the database refuses the row): they are removed again.
        def database_down(**kwargs: Any) -> None:
            raise RuntimeError("database went away")

        monkeypatch.setattr(media_services, "audit_event_record", database_down)
        with pytest.raises(RuntimeError):
            upload(image_bytes("JPEG", (900, 600)), "anh.jpg")
        assert MediaFile.objects.count() == rows and object_keys(portal_a) == keys


# --- serving ----------------------------------------------------------------------------------------


def test_serving_headers(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        photo = upload(image_bytes("JPEG", (1000, 500)), "ảnh hội nghị.jpg", alt_text="Hội nghị")
        word = upload(docx(), "dự thảo.docx")
        pdf = upload(PDF, "quyết định.pdf")
        MediaFile.objects.filter(pk__in=[photo.pk, word.pk, pdf.pk]).update(is_public=True)
        stored = object_bytes(portal_a, photo.key)
    client = on(portal_a)

    response = client.get(photo.url())
    assert response.status_code == 200 and body(response) == stored
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(len(stored))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%E1%BA%A3nh%20h%E1%BB%99i%20ngh%E1%BB%8B.jpg" in response["Content-Disposition"]
    assert response["Cache-Control"] == "public, max-age=300" and response["ETag"]

    again = client.get(photo.url(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and not again.content
    head = client.head(photo.url())
    assert head.status_code == 200 and head["Content-Length"] == str(len(stored)) and not head.content

    medium = client.get(photo.url("medium"))
    assert Image.open(io.BytesIO(body(medium))).size == (800, 400)
    assert medium["ETag"] != response["ETag"]
    assert photo.url() == f"/tep/{photo.pk}/goc/%E1%BA%A3nh%20h%E1%BB%99i%20ngh%E1%BB%8B.jpg"
    assert client.get(photo.url().replace("/goc/", "/huge/")).status_code == 404
    # The name in the address is for people; the id decides.
    assert body(client.get(f"/tep/{photo.pk}/goc/khac.jpg")) == stored

    download = client.get(word.url())
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == FILE_TYPES["docx"].mime
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"

    shown = client.get(pdf.url())
    assert shown["Content-Type"] == "application/pdf" and shown["Content-Disposition"].startswith("inline;")
    assert shown["Content-Security-Policy"] == "default-src 'none'"  # Chromium's viewer refuses a sandbox
    assert shown["X-Content-Type-Options"] == "nosniff"

    assert client.post(photo.url()).status_code == 405


def test_anonymous_visitors_see_only_public_files_and_staff_see_all(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        media = upload(image_bytes("PNG", (400, 300)), "nhap.png")
        viewer = staff("xemthuvien.xa-a", "view_mediafile")
        outsider = staff("khac.xa-a")
    assert on(portal_a).get(media.url()).status_code == 404
    assert on(portal_a).get(media.url("thumb")).status_code == 404
    assert on(portal_a, outsider).get(media.url()).status_code == 404
    seen = on(portal_a, viewer).get(media.url())
    assert seen.status_code == 200 and seen["Cache-Control"] == "private, no-cache"

    with schema_context(portal_a.schema_name):
        MediaFile.objects.filter(pk=media.pk).update(is_public=True)
    assert on(portal_a).get(media.url("thumb")).status_code == 200


def test_a_portal_never_serves_another_portals_file(portal_a: Portal, portal_b: Portal) -> None:
    with schema_context(portal_a.schema_name):
        of_a = upload(image_bytes("JPEG", (64, 64)), "cua-a.jpg")
        of_a.is_public = True
        of_a.save(update_fields=["is_public"])
        url = of_a.url()
    with schema_context(portal_b.schema_name):
        of_b = upload(PDF, "cua-b.pdf")
        MediaFile.objects.filter(pk=of_b.pk).update(is_public=True)
        MediaFile.objects.filter(pk=of_a.pk).delete()  # B may hold a row with A's id: not in this test
        viewer_b = staff("xemthuvien.xa-b", "view_mediafile")

    assert on(portal_a).get(url).status_code == 200
    assert on(portal_b).get(url).status_code == 404
    assert on(portal_b, viewer_b).get(url).status_code == 404
    assert on(portal_b).get(f"/tep/{of_b.pk}/goc/x.pdf").status_code == 200
    with schema_context(portal_a.schema_name):
        if not MediaFile.objects.filter(pk=of_b.pk).exists():
            assert on(portal_a).get(f"/tep/{of_b.pk}/goc/x.pdf").status_code == 404
    # The same relative key lives under each portal's own prefix.
    assert f"portals/{portal_a.schema_name}/{of_a.key}" in object_keys(portal_a)
    assert not any(key.endswith(of_a.key) for key in object_keys(portal_b))


# --- usage, visibility, delete ------------------------------------------------------------------------


def test_visibility_follows_public_usage(portal_a: Portal, usage: tuple[set[int], set[int]]) -> None:
    used, public = usage
    with schema_context(portal_a.schema_name):
        cover = upload(image_bytes("JPEG", (400, 200)), "bia.jpg", alt_text="Ảnh bìa")
        other = upload(PDF, "dinh-kem.pdf")
        used.update({cover.pk, other.pk})
        services.media_visibility_refresh(media_ids=[cover.pk, other.pk])
        assert not MediaFile.objects.get(pk=cover.pk).is_public

        public.add(cover.pk)  # its article went live
        services.media_visibility_refresh(media_ids=[cover.pk, other.pk])
        assert MediaFile.objects.get(pk=cover.pk).is_public and not MediaFile.objects.get(pk=other.pk).is_public
    assert on(portal_a).get(cover.url("thumb")).status_code == 200

    with schema_context(portal_a.schema_name):
        public.clear()  # unpublished
        services.media_visibility_refresh()
        assert not MediaFile.objects.get(pk=cover.pk).is_public
    assert on(portal_a).get(cover.url("thumb")).status_code == 404


def test_delete_is_refused_while_used_and_removes_the_objects_after_commit(
    portal_a: Portal, usage: tuple[set[int], set[int]], django_capture_on_commit_callbacks: Any
) -> None:
    used, _public = usage
    with schema_context(portal_a.schema_name):
        media = upload(image_bytes("JPEG", (900, 600)), "bia.jpg", alt_text="Ảnh bìa")
        keys = {f"portals/{portal_a.schema_name}/{key}" for key in all_keys(media)}
        assert len(keys) == 3 and keys <= object_keys(portal_a)
        used.add(media.pk)

        with pytest.raises(ApplicationError) as in_use:
            services.media_delete(media=media, actor="admin.xa-a")
        assert in_use.value.code == "media_in_use" and "tin bài thử" in in_use.value.message
        with pytest.raises(ApplicationError) as no_alt:
            services.media_update(media=media, alt_text=" ", title="Bìa")
        assert no_alt.value.code == "alt_text_required"
        assert MediaFile.objects.filter(pk=media.pk).exists() and keys <= object_keys(portal_a)

        services.media_update(media=media, alt_text="Ảnh bìa mới", title="Bìa", actor="bientap.xa-a")
        assert MediaFile.objects.get(pk=media.pk).alt_text == "Ảnh bìa mới"

        used.discard(media.pk)
        with django_capture_on_commit_callbacks(execute=True):
            services.media_delete(media=media, actor="admin.xa-a")
            assert keys <= object_keys(portal_a)  # not before the commit
        assert not MediaFile.objects.filter(pk=media.pk).exists()
        assert not keys & object_keys(portal_a)
        assert AuditEvent.objects.filter(action="media.delete", actor="admin.xa-a").exists()
        services.media_delete(media=media)  # twice: nothing to do


# --- back office --------------------------------------------------------------------------------------


def test_back_office_upload_list_edit_and_delete(portal_a: Portal, usage: tuple[set[int], set[int]]) -> None:
    used, _public = usage
    with schema_context(portal_a.schema_name):
        librarian = staff("thuvien.xa-a", "add_mediafile", "change_mediafile", "delete_mediafile", "view_mediafile")
        before = MediaFile.objects.count()
    client = on(portal_a, librarian)

    page = client.get("/admin/content/mediafile/add/")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.content

    bad = client.post(
        "/admin/content/mediafile/add/",
        {"file": SimpleUploadedFile("logo.png", SVG_WITH_SCRIPT), "alt_text": "", "title": "", "description": ""},
    )
    assert bad.status_code == 200 and bad.context["form"].errors["file"]
    with schema_context(portal_a.schema_name):
        assert MediaFile.objects.count() == before

    good = client.post(
        "/admin/content/mediafile/add/",
        {"file": SimpleUploadedFile("hoi-nghi.jpg", image_bytes("JPEG", (800, 400))), "alt_text": "Hội nghị"},
    )
    assert good.status_code == 302
    with schema_context(portal_a.schema_name):
        media = MediaFile.objects.get(original_name="hoi-nghi.jpg")
        assert media.uploaded_by == "thuvien.xa-a" and media.alt_text == "Hội nghị"

    listing = client.get("/admin/content/mediafile/")
    assert listing.status_code == 200 and media.url("thumb").encode() in listing.content
    assert on(portal_a, librarian).get(media.url("thumb")).status_code == 200  # the thumbnail loads for staff

    change = client.post(
        f"/admin/content/mediafile/{media.pk}/change/",
        {"alt_text": "Toàn cảnh hội nghị", "title": "", "description": ""},
    )
    assert change.status_code == 302
    with schema_context(portal_a.schema_name):
        assert MediaFile.objects.get(pk=media.pk).alt_text == "Toàn cảnh hội nghị"

    used.add(media.pk)
    refused_page = client.post(
        f"/admin/content/mediafile/{media.pk}/change/", {"alt_text": "", "title": "", "description": ""}
    )
    assert refused_page.status_code == 200 and refused_page.context["adminform"].form.errors["alt_text"]
    confirm = client.get(f"/admin/content/mediafile/{media.pk}/delete/")
    assert confirm.status_code == 200 and confirm.context["protected"]
    assert client.post(f"/admin/content/mediafile/{media.pk}/delete/", {"post": "yes"}).status_code == 200
    bulk = client.post(
        "/admin/content/mediafile/", {"action": "delete_selected", "_selected_action": [media.pk], "post": "yes"}
    )
    assert bulk.status_code == 200 and bulk.context["protected"]
    with schema_context(portal_a.schema_name):
        assert MediaFile.objects.filter(pk=media.pk).exists()

    used.discard(media.pk)
    assert client.post(f"/admin/content/mediafile/{media.pk}/delete/", {"post": "yes"}).status_code == 302
    with schema_context(portal_a.schema_name):
        assert not MediaFile.objects.filter(pk=media.pk).exists()


def test_back_office_needs_the_permissions(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        reader = staff("chixem.xa-a", "view_mediafile")
    client = on(portal_a, reader)
    assert client.get("/admin/content/mediafile/").status_code == 200
    assert client.get("/admin/content/mediafile/add/").status_code == 403


# --- settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [("MEDIA_ALLOWED_TYPES", "png,svg"), ("MEDIA_IMAGE_RENDITIONS", "thumb=abc"), ("MEDIA_MAX_IMAGE_BYTES", "0")],
)
def test_bad_media_settings_stop_start_up(name: str, value: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=subprocess_env(**{name: value}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and name in result.stderr


def test_frames_of_a_gif_are_bounded(portal_a: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media_services, "MAX_FRAMES", 2)
    with schema_context(portal_a.schema_name):
        assert refused(gif_animated(3), "dong.gif").code == "image_too_large"
        assert upload(gif_animated(2), "hai-khung.gif").file_type == "gif"
