"""The console's provisioning screens, on the console host only (included by urls_public)."""

from django.urls import path

from portal_platform.console import backup_views, views

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

# Backups and restore (issue 8).
urlpatterns += [
    path("sao-luu/", backup_views.backup_list, name="backups"),
    path("sao-luu/sao-luu-ngay/", backup_views.backup_now, name="backup-now"),
    path("sao-luu/<int:pk>/", backup_views.backup_detail, name="backup"),
    path("sao-luu/<int:pk>/kiem-tra/", backup_views.backup_verify, name="backup-verify"),
    path("sao-luu/<int:pk>/dien-tap/", backup_views.backup_drill, name="backup-drill"),
    path("sao-luu/<int:pk>/khoi-phuc/", backup_views.backup_restore, name="backup-restore"),
    path("sao-luu/tac-vu/<int:pk>/", backup_views.backup_job, name="backup-job"),
]

# Periodic reports and evaluation (issue 9, the "evaluation" part).
from portal_platform.console import evaluation_views  # noqa: E402

urlpatterns += [
    path("bao-cao-dinh-ky/", evaluation_views.periodic_report_view, name="periodic"),
    path("bao-cao-dinh-ky/tai-ve.docx", evaluation_views.periodic_export, {"fmt": "docx"}, name="periodic-docx"),
    path("bao-cao-dinh-ky/tai-ve.xlsx", evaluation_views.periodic_export, {"fmt": "xlsx"}, name="periodic-xlsx"),
    path("danh-gia/", evaluation_views.evaluation_ranking_view, name="evaluation"),
    path("danh-gia/tinh-diem/", evaluation_views.evaluation_compute_view, name="evaluation-compute"),
    path("danh-gia/tieu-chi/", evaluation_views.criteria_edit, name="criteria"),
]
