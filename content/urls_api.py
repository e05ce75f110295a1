"""The content API of a portal's host, included under ``/api/v1/`` by portal_platform.urls_tenant."""

from __future__ import annotations

from django.urls import URLPattern, path

from content.api import citizens, public
from content.api.staff import KINDS, kind_views

urlpatterns: list[URLPattern] = [
    path("sections/", public.SectionListApi.as_view(), name="api-sections"),
    path("sections/<slug:slug>/", public.SectionDetailApi.as_view(), name="api-section"),
    path("tags/", public.TagListApi.as_view(), name="api-tags"),
    path("articles/", public.ArticleListApi.as_view(), name="api-articles"),
    path("articles/<slug:slug>/", public.ArticleDetailApi.as_view(), name="api-article"),
    path("legal-documents/", public.LegalDocumentListApi.as_view(), name="api-legal-documents"),
    path("legal-documents/<int:pk>/", public.LegalDocumentDetailApi.as_view(), name="api-legal-document"),
    path("document-fields/", public.DocumentFieldListApi.as_view(), name="api-document-fields"),
    path("pages/", public.PageListApi.as_view(), name="api-pages"),
    path("pages/<slug:slug>/", public.PageDetailApi.as_view(), name="api-page"),
    path("schedules/", public.ScheduleListApi.as_view(), name="api-schedules"),
    path("schedules/<str:week>/", public.ScheduleDetailApi.as_view(), name="api-schedule"),
    path("leaders/", public.LeaderListApi.as_view(), name="api-leaders"),
    path("leaders/<int:pk>/", public.LeaderDetailApi.as_view(), name="api-leader"),
    path("contact-officers/", public.ContactOfficerListApi.as_view(), name="api-contact-officers"),
    path("contact-officers/<int:pk>/", public.ContactOfficerDetailApi.as_view(), name="api-contact-officer"),
    path("announcements/", public.AnnouncementListApi.as_view(), name="api-announcements"),
    path("announcements/<slug:slug>/", public.AnnouncementDetailApi.as_view(), name="api-announcement"),
    path("questions/", citizens.QuestionListApi.as_view(), name="api-questions"),
    path("questions/<int:pk>/", citizens.QuestionDetailApi.as_view(), name="api-question"),
    path("consultations/", citizens.ConsultationListApi.as_view(), name="api-consultations"),
    path("consultations/<slug:slug>/", citizens.ConsultationDetailApi.as_view(), name="api-consultation"),
]

# The editorial staff's endpoints, the same for every item type (content.api.staff).
for kind in KINDS:
    views = kind_views(kind)
    prefix, name = f"staff/{kind.segment}/", f"api-staff-{kind.segment}"
    urlpatterns += [
        path(prefix, views["List"].as_view(), name=name),
        path(f"{prefix}<int:pk>/", views["Detail"].as_view(), name=f"{name}-item"),
        path(f"{prefix}<int:pk>/transitions/", views["Transition"].as_view(), name=f"{name}-transition"),
        path(f"{prefix}<int:pk>/history/", views["History"].as_view(), name=f"{name}-history"),
        path(f"{prefix}<int:pk>/revisions/", views["RevisionList"].as_view(), name=f"{name}-revisions"),
        path(
            f"{prefix}<int:pk>/revisions/<int:number>/",
            views["RevisionDetail"].as_view(),
            name=f"{name}-revision",
        ),
        path(
            f"{prefix}<int:pk>/revisions/<int:number>/restore/",
            views["Restore"].as_view(),
            name=f"{name}-restore",
        ),
        path(f"{prefix}<int:pk>/diff/", views["Diff"].as_view(), name=f"{name}-diff"),
    ]
