"""The media library and the people of the background pages on the public site (issues 5 and 6)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from content.models import ContactOfficer, Leader, Page
from content.services.media import media_upload
from content.services.workflow import item_save
from tenants.models import Portal
from tests.site.content import SiteContent, publish, publish_item

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (20, 90, 40)).save(out, "JPEG")
    return out.getvalue()


def test_cover_attachments_leaders_and_officers_appear_once_published(
    portal_a: Portal, site_a: SiteContent, visitor_a: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with schema_context(portal_a.schema_name):
        head = site_a.head
        cover = media_upload(file=SimpleUploadedFile("hoi-nghi.jpg", _jpeg()), name="hoi-nghi.jpg", uploaded_by="t")
        pdf = media_upload(file=SimpleUploadedFile("quyet-dinh.pdf", PDF), name="quyet-dinh.pdf", uploaded_by="t")
        portrait = media_upload(
            file=SimpleUploadedFile("chan-dung.jpg", _jpeg()), name="chan-dung.jpg", uploaded_by="t"
        )
        with django_capture_on_commit_callbacks(execute=True):
            article = item_save(
                model=type(site_a.article),
                item=site_a.article,
                data={"cover": cover.pk, "cover_alt": "Toàn cảnh hội nghị"},
                user=head,
            )
            publish_item(article, head)
            document = item_save(
                model=type(site_a.document), item=site_a.document, data={"attachments": [pdf.pk]}, user=head
            )
            publish_item(document, head)
            leaders_page = publish(Page, {"kind": "leaders", "slug": "lanh-dao", "title": "Lãnh đạo"}, head)
            publish(
                Leader,
                {"name": "Nguyễn Văn Lãnh", "position": "Chủ tịch UBND xã", "photo": portrait.pk, "phone": "0238 1"},
                head,
            )
            item_save(model=Leader, data={"name": "Người Chưa Duyệt", "position": "Phó Chủ tịch"}, user=head)
            publish(
                ContactOfficer,
                {"name": "Trần Đầu Mối", "position": "Công chức", "area": "Đất đai", "email": "a@b.vn"},
                head,
            )
    page = visitor_a.get(f"/tin-tuc/{site_a.article.slug}/").content.decode()
    assert 'alt="Toàn cảnh hội nghị"' in page and f'src="/tep/{cover.pk}/' in page and 'property="og:image"' in page
    assert visitor_a.get(f"/tep/{cover.pk}/goc/hoi-nghi.jpg").status_code == 200  # public now
    page = visitor_a.get(f"/van-ban/{site_a.document.pk}/").content.decode()
    assert f"/tep/{pdf.pk}/goc/" in page
    page = visitor_a.get(f"/gioi-thieu/{leaders_page.slug}/").content.decode()
    assert "Nguyễn Văn Lãnh" in page and "Người Chưa Duyệt" not in page and f"/tep/{portrait.pk}/" in page
    contacts = visitor_a.get(f"/gioi-thieu/{site_a.contacts.slug}/").content.decode()
    assert "Trần Đầu Mối" in contacts
