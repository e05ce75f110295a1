"""A portal's public content for the site tests, made through the workflow services as production does.

``site_build`` fills the current schema with one of everything the public site shows — and with
what it must never show (drafts, unpublished items, a pending edit, a hidden section, an unpublished
page) — every title carrying ``marker`` so a test can tell two portals' pages apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils import timezone

from accounts.models import User
from content import roles
from content.models import (
    Announcement,
    Article,
    Category,
    DocumentField,
    LegalDocument,
    Menu,
    MenuItem,
    Page,
    Publishable,
    SiteSettings,
    Tag,
    WorkSchedule,
)
from content.services.workflow import item_save, item_transition
from tests.board import account, roles_ready

P = TypeVar("P", bound=Publishable)


def publish(model: type[P], data: dict[str, Any], user: User) -> P:
    item = item_save(model=model, data=data, user=user)
    return publish_item(item, user)


def publish_item(item: P, user: User) -> P:
    item = item_transition(item=item, action="submit", user=user)
    item = item_transition(item=item, action="approve", user=user)
    return item_transition(item=item, action="publish", user=user)


@dataclass
class SiteContent:
    marker: str
    head: User
    news: Category
    sub: Category
    hidden: Category
    article: Article
    featured: Article
    english: Article
    draft: Article
    withdrawn: Article
    pending: Article
    hidden_only: Article
    document: LegalDocument
    old_document: LegalDocument
    draft_document: LegalDocument
    field: DocumentField
    announcement: Announcement
    draft_announcement: Announcement
    schedule: WorkSchedule
    intro: Page
    contacts: Page
    spokesperson: Page
    draft_page: Page


def site_build(*, marker: str, username: str) -> SiteContent:
    """Fill the current portal schema (see the module docstring). ``marker``: ASCII, e.g. "an"."""
    roles_ready()
    head = account(username, roles=[roles.BOARD_HEAD])
    m = marker
    settings_row, _created = SiteSettings.objects.get_or_create(pk=SiteSettings.SINGLETON_PK)
    settings_row.footer_text = f"Chân trang {m}"
    settings_row.copyright = f"© Bản quyền thuộc về cơ quan {m}"
    settings_row.agency_name_en = f"People's Committee of {m.title()} commune"
    settings_row.link_groups = f"# Sở, ban, ngành {m} | Departments {m}\nSở Tư pháp {m} | https://stp-{m}.example.vn\n"
    settings_row.save()

    news = Category.objects.create(name=f"Tin tức {m}", name_en=f"News {m}", slug=f"tin-tuc-{m}", order=1)
    sub = Category.objects.create(name=f"Tin xã {m}", slug=f"tin-xa-{m}", parent=news, order=1)
    hidden = Category.objects.create(name=f"Mục ẩn {m}", slug=f"muc-an-{m}", is_visible=False, order=2)
    tag = Tag.objects.create(name=f"nông thôn mới {m}", slug=f"nong-thon-moi-{m}")

    def article(title: str, **extra: Any) -> dict[str, Any]:
        return {
            "title": title,
            "summary": f"Tóm tắt: {title}",
            "body": f"<p>Nội dung của bài {title}.</p><h2>Chi tiết</h2><p>Đoạn tiếp theo.</p>",
            "author": f"Phóng viên {m}",
            "sections": [news.pk],
            "tags": [tag.pk],
            **extra,
        }

    featured = publish(Article, article(f"Bài nổi bật {m}", featured=True), head)
    article_live = publish(
        Article,
        article(
            f"Hội nghị tổng kết {m}",
            sections=[sub.pk],
            is_republished=True,
            source_name=f"Báo Nghệ An {m}",
            source_url=f"https://baonghean.example.vn/{m}",
            source_published_at=(timezone.now() - dt.timedelta(days=1)).isoformat(),
        ),
        head,
    )
    english = publish(Article, article(f"Commune news in English {m}", language="en"), head)
    draft = item_save(model=Article, data=article(f"Bản nháp bí mật {m}"), user=head)
    withdrawn = publish(Article, article(f"Bài đã gỡ {m}"), head)
    withdrawn = item_transition(item=withdrawn, action="unpublish", user=head, comment="Sai thông tin")
    pending = publish(Article, article(f"Bài đang sửa {m}"), head)
    pending = item_save(model=Article, item=pending, data={"title": f"Tiêu đề chưa duyệt {m}"}, user=head)
    hidden_only = publish(Article, article(f"Bài trong mục ẩn {m}", sections=[hidden.pk]), head)

    field = DocumentField.objects.create(name=f"Đất đai {m}", slug=f"dat-dai-{m}")
    doc_base = {
        "form": "quyet-dinh",
        "issuer": f"UBND xã {m}",
        "signer": f"Chủ tịch {m}",
        "field": field.pk,
        "abstract": f"Ban hành quy chế quản lý đất đai {m}",
    }
    old_document = publish(
        LegalDocument, {**doc_base, "number": f"01/2025/QĐ-{m.upper()}", "issue_date": "2025-03-10"}, head
    )
    document = publish(
        LegalDocument,
        {**doc_base, "number": f"12/2026/QĐ-{m.upper()}", "issue_date": "2026-11-02", "effective_date": "2026-11-15"},
        head,
    )
    draft_document = item_save(
        model=LegalDocument,
        data={
            **doc_base,
            "number": f"99/2026/NHAP-{m.upper()}",
            "issue_date": "2026-11-03",
            "abstract": f"Dự thảo mật {m}",
        },
        user=head,
    )

    announcement = publish(
        Announcement,
        {"title": f"Thông báo tuyển dụng {m}", "body": f"<p>Nội dung thông báo {m}</p>"},
        head,
    )
    draft_announcement = item_save(
        model=Announcement, data={"title": f"Thông báo nháp {m}", "body": "<p>x</p>"}, user=head
    )

    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    schedule = publish(
        WorkSchedule,
        {
            "week_start": monday.isoformat(),
            "title": f"Lịch công tác tuần {m}",
            "entries": [
                {
                    "date": today.isoformat(),
                    "time": "08:00",
                    "leader": f"Chủ tịch {m}",
                    "activity": f"Họp giao ban {m}",
                    "location": "Hội trường",
                    "participants": "Các phòng",
                },
                {
                    "date": monday.isoformat(),
                    "time": "14:00",
                    "leader": f"Phó Chủ tịch {m}",
                    "activity": f"Tiếp công dân {m}",
                    "location": "Phòng tiếp dân",
                    "participants": "",
                },
            ],
        },
        head,
    )

    intro = publish(
        Page,
        {
            "kind": "intro",
            "slug": f"gioi-thieu-{m}",
            "title": f"Giới thiệu chung {m}",
            "body": f"<p>Lịch sử xã {m}</p>",
        },
        head,
    )
    contacts = publish(
        Page,
        {
            "kind": "contacts",
            "slug": f"lien-he-{m}",
            "title": f"Thông tin liên hệ {m}",
            "title_en": f"Contact officers {m}",
            "body": f"<p>Cán bộ đầu mối {m}</p>",
            "body_en": f"<p>Contact officer {m}</p>",
        },
        head,
    )
    spokesperson = publish(
        Page,
        {
            "kind": "spokesperson",
            "slug": f"nguoi-phat-ngon-{m}",
            "title": f"Người phát ngôn {m}",
            "body": "<p>Ông A</p>",
        },
        head,
    )
    draft_page = item_save(
        model=Page,
        data={"kind": "other", "slug": f"trang-nhap-{m}", "title": f"Trang nháp {m}", "body": "x"},
        user=head,
    )

    main = Menu.objects.create(key="main", name="Trình đơn chính")
    footer = Menu.objects.create(key="footer", name="Chân trang")
    MenuItem.objects.create(menu=main, label="Trang chủ", label_en="Home", url="/", order=1)
    about = MenuItem.objects.create(menu=main, label="Giới thiệu", label_en="About us", page=intro, order=2)
    MenuItem.objects.create(menu=main, parent=about, page=contacts, order=1)
    MenuItem.objects.create(menu=main, parent=about, page=draft_page, order=2)
    MenuItem.objects.create(
        menu=main, label="Dịch vụ công trực tuyến", label_en="Online public services",
        url="https://dichvucong.nghean.gov.vn", order=3,
    )  # fmt: skip
    MenuItem.objects.create(menu=main, label="Sơ đồ cổng", label_en="Site map", url="/so-do-cong/", order=4)
    MenuItem.objects.create(menu=main, category=news, order=5)
    MenuItem.objects.create(menu=main, category=hidden, order=6)
    MenuItem.objects.create(menu=footer, label=f"Cổng tỉnh {m}", url="https://nghean.gov.vn", order=1)

    return SiteContent(
        marker=m,
        head=head,
        news=news,
        sub=sub,
        hidden=hidden,
        article=article_live,
        featured=featured,
        english=english,
        draft=draft,
        withdrawn=withdrawn,
        pending=pending,
        hidden_only=hidden_only,
        document=document,
        old_document=old_document,
        draft_document=draft_document,
        field=field,
        announcement=announcement,
        draft_announcement=draft_announcement,
        schedule=schedule,
        intro=intro,
        contacts=contacts,
        spokesperson=spokesperson,
        draft_page=draft_page,
    )


def forbidden_texts(content: SiteContent) -> list[str]:
    """Texts of what is not public in ``content``: none may appear on any page, feed or map."""
    return [
        content.draft.title,
        content.withdrawn.title,
        f"Tiêu đề chưa duyệt {content.marker}",  # the pending edit of a live article
        content.draft_document.number,
        content.draft_announcement.title,
        content.draft_page.title,
        content.hidden.name,
        content.draft.slug,
        content.withdrawn.slug,
    ]
