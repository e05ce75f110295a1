"""The content app's sources: articles, legal documents, background pages, announcements, answered
citizens' questions and consultations on drafts.

Public paths are the public site's (issue 6): ``/tin-tuc/<slug>/``, ``/van-ban/<pk>/``,
``/gioi-thieu/<slug>/``, ``/thong-bao/<slug>/``, ``/hoi-dap/<pk>/``, ``/gop-y-du-thao/<slug>/``.
Only rows with ``live=True`` are public (``content.publishing``); each builder reads the live row,
whose columns hold the published version while an edit waits for approval.

Citizens' questions: only the published ``QuestionAnswer`` (the board's wording, with no personal
data) is a source. The citizen's own ``Question`` — name, email, phone, the original text — is
never read here, not even through ``QuestionAnswer.source``. Consultations: the draft, its summary,
the drafting agency and (once approved) the synthesis report; citizens' comments carry names and
are never indexed.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal_platform.search.registry import Document, Source, register

_TAG = re.compile(r"<[^>]*>")


def plain_text(markup: str) -> str:
    """Text of sanitised HTML: tags become spaces (``<p>a</p><p>b</p>`` is two words), entities decoded."""
    if not markup:
        return ""
    text = _TAG.sub(" ", markup)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def _local_date(moment: dt.datetime | None) -> dt.date:
    return timezone.localdate(moment) if moment is not None else timezone.localdate()


def _articles() -> QuerySet[Any]:
    from content.models import Article

    return Article.objects.filter(live=True).prefetch_related("tags", "sections")


def _article(item: Any) -> list[Document]:
    sections = [s.name for s in item.sections.all()]
    return [
        Document(
            title=item.title,
            path=f"/tin-tuc/{item.slug}/",
            date=_local_date(item.first_published_at),
            published_at=item.first_published_at,
            language=item.language,
            summary=item.summary,
            body=plain_text(item.body),
            keywords=" ".join(t.name for t in item.tags.all()),
            metadata=" ".join([*sections, item.author, item.source_name]),
            data={"sections": sections},
        )
    ]


def _legal_documents() -> QuerySet[Any]:
    from content.models import LegalDocument

    return LegalDocument.objects.filter(live=True).select_related("field")


def _legal_document(item: Any) -> list[Document]:
    from content.models import DocumentForm, Validity

    with translation.override("vi"):
        form = str(DocumentForm(item.form).label) if item.form in DocumentForm.values else item.form
        validity = str(Validity(item.validity).label) if item.validity in Validity.values else item.validity
    return [
        Document(
            title=f"{form} {item.number}",
            path=f"/van-ban/{item.pk}/",
            date=item.issue_date,
            published_at=item.first_published_at,
            summary=item.abstract,
            keywords=item.number,
            metadata=" ".join([item.issuer, item.signer, item.field.name]),
            doc_field=item.field.slug,
            doc_field_name=item.field.name,
            issuer=item.issuer,
            data={
                "number": item.number,
                "form": item.form,
                "form_label": form,
                "validity": item.validity,
                "validity_label": validity,
                "issue_date": item.issue_date.isoformat(),
                "effective_date": item.effective_date.isoformat() if item.effective_date else None,
            },
        )
    ]


def _pages() -> QuerySet[Any]:
    from content.models import Page

    return Page.objects.filter(live=True)


def _page(item: Any) -> list[Document]:
    common = {
        "path": f"/gioi-thieu/{item.slug}/",
        "date": _local_date(item.published_at),
        "published_at": item.published_at,
        "data": {"page_kind": item.kind},
    }
    documents = [Document(title=item.title, body=plain_text(item.body), **common)]
    if item.title_en or item.body_en:
        # Organisation and contacts in English (NĐ 42/2022 Đ7.2): its own row, language "en".
        documents.append(
            Document(title=item.title_en or item.title, body=plain_text(item.body_en), language="en", **common)
        )
    return documents


def _announcements() -> QuerySet[Any]:
    from content.models import Announcement

    return Announcement.objects.filter(live=True)


def _announcement(item: Any) -> list[Document]:
    return [
        Document(
            title=item.title,
            path=f"/thong-bao/{item.slug}/",
            date=_local_date(item.first_published_at),
            published_at=item.first_published_at,
            language=item.language,
            body=plain_text(item.body),
            data={"valid_until": item.valid_until.isoformat() if item.valid_until else None},
        )
    ]


def _question_answers() -> QuerySet[Any]:
    from content.models import QuestionAnswer
    from content.selectors_citizens import PUBLIC_QA_FIELDS

    # Only the columns the public page shows: nothing else of the row can reach a document.
    return (
        QuestionAnswer.objects.filter(live=True)
        .select_related("field", "unit")
        .only(*PUBLIC_QA_FIELDS, "first_published_at", "field__name", "field__slug", "unit__name")
    )


def _question_answer(item: Any) -> list[Document]:
    field_name = item.field.name if item.field_id else ""
    unit_name = item.unit.name if item.unit_id else ""
    return [
        Document(
            title=item.title,
            path=f"/hoi-dap/{item.pk}/",
            # The date the public page shows for the answer; the publication date when it has none.
            date=item.answered_on or _local_date(item.first_published_at),
            published_at=item.first_published_at,
            summary=item.question,
            body=item.answer,
            metadata=" ".join([field_name, unit_name]),
            doc_field=item.field.slug if item.field_id else "",
            doc_field_name=field_name,
            data={
                "field": field_name,
                "unit": unit_name,
                "asked_on": item.asked_on.isoformat() if item.asked_on else None,
                "answered_on": item.answered_on.isoformat() if item.answered_on else None,
            },
        )
    ]


def _consultations() -> QuerySet[Any]:
    from content.models import Consultation

    return Consultation.objects.filter(live=True)


def _consultation(item: Any) -> list[Document]:
    body = plain_text(item.body)
    if item.synthesis:
        body = f"{body} {plain_text(item.synthesis)}".strip()
    return [
        Document(
            title=item.title,
            path=f"/gop-y-du-thao/{item.slug}/",
            date=item.opens_on,
            published_at=item.first_published_at,
            summary=item.summary,
            body=body,
            metadata=item.issuer,
            data={
                "issuer": item.issuer,
                "opens_on": item.opens_on.isoformat(),
                "closes_on": item.closes_on.isoformat(),
                "has_synthesis": bool(item.synthesis),
            },
        )
    ]


ARTICLE = "article"
LEGAL_DOCUMENT = "legal_document"
PAGE = "page"
ANNOUNCEMENT = "announcement"
QUESTION = "question"
CONSULTATION = "consultation"


def register_content_sources() -> None:
    register(Source("content.article", ARTICLE, _("News"), _articles, _article))
    register(Source("content.legaldocument", LEGAL_DOCUMENT, _("Legal documents"), _legal_documents, _legal_document))
    register(Source("content.page", PAGE, _("Background information"), _pages, _page))
    register(Source("content.announcement", ANNOUNCEMENT, _("Announcements"), _announcements, _announcement))
    register(
        Source("content.questionanswer", QUESTION, _("Questions and answers"), _question_answers, _question_answer)
    )
    register(Source("content.consultation", CONSULTATION, _("Consultations on drafts"), _consultations, _consultation))
