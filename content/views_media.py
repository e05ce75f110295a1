"""Serving the media library on the portal's own host: ``/tep/<id>/<rendition or goc>/<name>``.

The bytes are streamed from the S3 API (which is internal: no presigned redirect), with headers
that keep an uploaded file from ever running as active content on the portal's origin: the
content type is the sniffed one and the browser may not second-guess it (nosniff); only images and
PDF are shown inline, everything else is a download; and a CSP forbids the response from loading
or running anything.
"""

from __future__ import annotations

import hashlib

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from content.models import ORIGINAL, MediaFile
from content.services import media_object_open, media_viewable

# A public file can become private again (its article is unpublished): shared caches keep it for
# minutes, not days. Staff-only files are never stored by a shared cache.
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, no-cache"
# sandbox: even a document that a browser did render as a page gets a unique opaque origin, no
# scripts, no forms, no plugins. Chromium refuses to start its PDF viewer in a sandboxed document
# (crbug.com/413851), so PDF gets the CSP without it: the viewer runs PDF scripts in its own
# isolated process, never with the portal's origin, and nosniff keeps the bytes a PDF.
CSP = "default-src 'none'; sandbox"
CSP_PDF = "default-src 'none'"


@require_safe
def media_file(request: HttpRequest, pk: int, rendition: str, filename: str) -> HttpResponseBase:
    """One file of the library. The name in the URL is for people; the id decides."""
    media = MediaFile.objects.filter(pk=pk).first()
    # Not public and not staff: the same 404 as a missing file, so ids reveal nothing.
    if media is None or not media_viewable(media=media, user=request.user):
        raise Http404
    if rendition == ORIGINAL:
        key, content_type = media.key, media.content_type
    else:
        info = media.rendition(rendition)
        if info is None:
            raise Http404
        key, content_type = str(info["key"]), str(info["content_type"])

    # Objects are never overwritten, so the key names the content.
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    cache_control = PUBLIC_CACHE if media.is_public else PRIVATE_CACHE
    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = cache_control
        return not_modified

    response: HttpResponse | FileResponse
    if request.method == "HEAD":
        response = HttpResponse(content_type=content_type)
        size = media.size if rendition == ORIGINAL else int(media.renditions[rendition].get("size", 0))
        response["Content-Length"] = str(size)
    else:
        stored = media_object_open(key=key)
        if stored is None:
            raise Http404
        response = FileResponse(stored.body, content_type=content_type)
        response["Content-Length"] = str(stored.length)
    inline = media.type_info.inline
    response["Content-Disposition"] = content_disposition_header(not inline, media.download_name(rendition)) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CSP_PDF if media.file_type == "pdf" else CSP
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response
