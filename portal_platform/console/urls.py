"""The console's provisioning screens, on the console host only (included by urls_public)."""

from django.urls import path

from portal_platform.console import backup_views, evaluation_views, report_views, views

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

# Yearly reports and incident reports (issue 9, helper "yearly").
urlpatterns += [
    path("bao-cao-nam/", report_views.yearly_list, name="yearly-reports"),
    path("bao-cao-nam/<int:pk>/", report_views.yearly_detail, name="yearly-report"),
    path("bao-cao-nam/<int:pk>/mo-lai/", report_views.yearly_reopen, name="yearly-report-reopen"),
    path("bao-cao-nam/<int:pk>/tai-ve/", report_views.yearly_export, name="yearly-report-export"),
    path("su-co/", report_views.incident_list, name="incidents"),
    path("su-co/<int:pk>/", report_views.incident_detail, name="incident"),
    path("su-co/<int:pk>/tiep-nhan/", report_views.incident_acknowledge, name="incident-acknowledge"),
    path("su-co/<int:pk>/dong/", report_views.incident_close, name="incident-close"),
]

# Periodic reports and evaluation (issue 9, the "evaluation" part).
urlpatterns += [
    path("bao-cao-dinh-ky/", evaluation_views.periodic_report_view, name="periodic"),
    path("bao-cao-dinh-ky/tai-ve.docx", evaluation_views.periodic_export, {"fmt": "docx"}, name="periodic-docx"),
    path("bao-cao-dinh-ky/tai-ve.xlsx", evaluation_views.periodic_export, {"fmt": "xlsx"}, name="periodic-xlsx"),
    path("danh-gia/", evaluation_views.evaluation_ranking_view, name="evaluation"),
    path("danh-gia/tinh-diem/", evaluation_views.evaluation_compute_view, name="evaluation-compute"),
    path("danh-gia/tieu-chi/", evaluation_views.criteria_edit, name="criteria"),
]
