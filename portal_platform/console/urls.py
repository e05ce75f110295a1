"""The console's provisioning screens, on the console host only (included by urls_public)."""

from django.urls import path

from portal_platform.console import views

app_name = "console"

urlpatterns = [
    path("cong-thong-tin/", views.portal_list, name="portals"),
    path("cong-thong-tin/<int:pk>/tam-dung/", views.portal_suspend, name="portal-suspend"),
    path("cong-thong-tin/<int:pk>/hoat-dong-lai/", views.portal_resume, name="portal-resume"),
    path("cong-thong-tin/<int:pk>/luu-tru/", views.portal_archive, name="portal-archive"),
    path("cong-thong-tin/<int:pk>/bao-tri/", views.portal_downtime, name="portal-downtime"),
    path("yeu-cau/", views.request_list, name="requests"),
    path("yeu-cau/moi/", views.request_new, name="request-new"),
    path("yeu-cau/<int:pk>/", views.request_detail, name="request"),
    path("yeu-cau/<int:pk>/phe-duyet/", views.request_approve, name="request-approve"),
    path("yeu-cau/<int:pk>/tu-choi/", views.request_reject, name="request-reject"),
    path("tac-vu/<int:pk>/", views.job_detail, name="job"),
    path("tac-vu/<int:pk>/chay-lai/", views.job_retry, name="job-retry"),
    path("tac-vu/<int:pk>/mat-khau/", views.job_password, name="job-password"),
    path("kho-luoc-do/", views.pool, name="pool"),
    path("kho-luoc-do/bo-sung/", views.pool_top_up, name="pool-top-up"),
]
