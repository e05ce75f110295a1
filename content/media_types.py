"""What a file really is, read from its bytes (never from its name), for the media library.

The library accepts a short allowlist of image and document formats (settings.MEDIA_ALLOWED_TYPES);
everything else — SVG, HTML, XML, scripts, executables, archives, macro-enabled Office files — is
refused whatever the file is called. ``filetype`` recognises the plain formats by their magic
numbers; the two container formats it cannot tell apart reliably are opened here:

- Office Open XML (DOCX, XLSX) and OpenDocument (ODT, ODS) are ZIP archives: the part names (or
  the ODF ``mimetype`` entry) say which one, and a VBA project inside means macros.
- Legacy Word and Excel files (DOC, XLS) are OLE2 compound files: their directory names a
  ``WordDocument`` or a ``Workbook`` stream. An MSI installer or an Outlook message is OLE2 too.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from typing import IO, Final

import filetype
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

IMAGE: Final = "image"
DOCUMENT: Final = "document"


@dataclass(frozen=True)
class FileType:
    key: str
    kind: str  # IMAGE or DOCUMENT
    mime: str
    extensions: tuple[str, ...]  # the first one is used for names the library makes
    label: str
    # Shown in the browser rather than downloaded: images and PDF only; nothing else can ever be
    # rendered inline by a browser from this library.
    inline: bool = False
    pillow_format: str = ""


FILE_TYPES: Final[dict[str, FileType]] = {
    t.key: t
    for t in (
        FileType("jpeg", IMAGE, "image/jpeg", ("jpg", "jpeg"), "JPEG", True, "JPEG"),
        FileType("png", IMAGE, "image/png", ("png",), "PNG", True, "PNG"),
        FileType("webp", IMAGE, "image/webp", ("webp",), "WebP", True, "WEBP"),
        FileType("gif", IMAGE, "image/gif", ("gif",), "GIF", True, "GIF"),
        FileType("pdf", DOCUMENT, "application/pdf", ("pdf",), "PDF", True),
        FileType("doc", DOCUMENT, "application/msword", ("doc",), "DOC"),
        FileType(
            "docx",
            DOCUMENT,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
            "DOCX",
        ),
        FileType("xls", DOCUMENT, "application/vnd.ms-excel", ("xls",), "XLS"),
        FileType(
            "xlsx",
            DOCUMENT,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
            "XLSX",
        ),
        FileType("odt", DOCUMENT, "application/vnd.oasis.opendocument.text", ("odt",), "ODT"),
        FileType("ods", DOCUMENT, "application/vnd.oasis.opendocument.spreadsheet", ("ods",), "ODS"),
    )
}


@dataclass(frozen=True)
class Sniffed:
    """The verdict on a file's bytes: a known type (``file_type``) or what it was instead."""

    file_type: FileType | None = None
    refused_as: str | Promise = ""  # a short description of a refused kind, for the message
    corrupt: bool = False


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_HEAD = 8192


def sniff(stream: IO[bytes]) -> Sniffed:
    """Read ``stream`` (seekable, binary) and say what it is. Leaves the position at 0."""
    stream.seek(0)
    head = stream.read(_HEAD)
    stream.seek(0)
    try:
        if head.startswith(_OLE2_MAGIC):
            return _sniff_ole2(stream)
        if head.startswith(_ZIP_MAGIC):
            return _sniff_zip(stream)
    finally:
        stream.seek(0)
    if head.startswith(b"%PDF-"):
        return Sniffed(FILE_TYPES["pdf"])
    guess = filetype.guess(head)
    by_filetype = {"jpg": "jpeg", "png": "png", "webp": "webp", "gif": "gif"}
    if guess is not None and guess.extension in by_filetype:
        return Sniffed(FILE_TYPES[by_filetype[guess.extension]])
    return Sniffed(refused_as=_describe_refused(head, guess.extension if guess is not None else ""))


def _describe_refused(head: bytes, extension: str) -> str | Promise:
    """A name for what the file is, so the message can say more than "not allowed"."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower().replace(b"\x00", b"")
    if b"<svg" in text:
        return "SVG"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or b"<html" in text:
        return "HTML"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "XML"
    if text.startswith(b"#!"):
        return _("script")
    if head.startswith((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")):
        return _("program")
    if extension:
        return extension.upper()
    return _("unknown type")


def _sniff_zip(stream: IO[bytes]) -> Sniffed:
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            # OpenDocument: the first entry is "mimetype", stored, holding the media type.
            if infos and infos[0].filename == "mimetype" and infos[0].file_size <= 100:
                media_type = archive.read(infos[0]).decode("ascii", errors="replace").strip()
                if any(name.startswith(("Basic/", "Scripts/")) for name in names):
                    return Sniffed(refused_as=_("document with macros"))
                for key in ("odt", "ods"):
                    if media_type == FILE_TYPES[key].mime:
                        return Sniffed(FILE_TYPES[key])
                return Sniffed(refused_as="OpenDocument")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return Sniffed(corrupt=True)
    if "[Content_Types].xml" in names:
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            return Sniffed(refused_as=_("document with macros"))
        if "word/document.xml" in names:
            return Sniffed(FILE_TYPES["docx"])
        if "xl/workbook.xml" in names:
            return Sniffed(FILE_TYPES["xlsx"])
        return Sniffed(refused_as="Office Open XML")
    return Sniffed(refused_as="ZIP")


_FREE_OR_END = 0xFFFFFFFA  # sector ids from here up are markers (end of chain, free, FAT, DIFAT)


def _sniff_ole2(stream: IO[bytes]) -> Sniffed:
    try:
        names = _ole2_entry_names(stream)
    except (struct.error, ValueError, IndexError):
        return Sniffed(corrupt=True)
    if "WordDocument" in names:
        return Sniffed(FILE_TYPES["doc"])
    if "Workbook" in names or "Book" in names:
        return Sniffed(FILE_TYPES["xls"])
    return Sniffed(refused_as="OLE2")


def _ole2_entry_names(stream: IO[bytes]) -> set[str]:
    """The names in an OLE2 compound file's directory ([MS-CFB] §2.2, §2.6)."""
    stream.seek(0)
    header = stream.read(512)
    if len(header) < 512:
        raise ValueError("short header")
    (sector_shift,) = struct.unpack_from("<H", header, 0x1E)
    if sector_shift not in (9, 12):
        raise ValueError("sector size")
    size = 1 << sector_shift
    fat_count, first_dir = struct.unpack_from("<II", header, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    total_sectors = _stream_size(stream) // size  # bounds every loop below

    def sector(sid: int) -> bytes:
        if sid >= total_sectors:
            raise ValueError("sector out of range")
        stream.seek((sid + 1) * size)
        data = stream.read(size)
        if len(data) < size:
            raise ValueError("short sector")
        return data

    fat_sids = [sid for sid in struct.unpack_from("<109I", header, 0x4C) if sid < _FREE_OR_END]
    difat_sid, seen = first_difat, 0
    while difat_sid < _FREE_OR_END and seen <= difat_count and seen <= total_sectors:
        words = struct.unpack(f"<{size // 4}I", sector(difat_sid))
        fat_sids.extend(sid for sid in words[:-1] if sid < _FREE_OR_END)
        difat_sid, seen = words[-1], seen + 1
    fat: list[int] = []
    for sid in fat_sids[:fat_count]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(sid)))

    names: set[str] = set()
    sid, visited = first_dir, set[int]()
    while sid < _FREE_OR_END and sid not in visited:
        visited.add(sid)
        data = sector(sid)
        for offset in range(0, size, 128):
            (name_length,) = struct.unpack_from("<H", data, offset + 64)
            object_type = data[offset + 66]
            if object_type in (1, 2, 5) and 2 <= name_length <= 64 and name_length % 2 == 0:
                names.add(data[offset : offset + name_length - 2].decode("utf-16-le", errors="replace"))
        sid = fat[sid] if sid < len(fat) else _FREE_OR_END
    return names


def _stream_size(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size
