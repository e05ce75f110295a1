"""API routes of backups, included by provisioning.urls_api (console host, /api/v1/)."""

from django.urls import path

from provisioning import backup_api

urlpatterns = [
    path("backups/", backup_api.BackupListApi.as_view(), name="api-backups"),
    path("backups/prune/", backup_api.BackupPruneApi.as_view(), name="api-backups-prune"),
    path("backups/alerts/", backup_api.BackupAlertsApi.as_view(), name="api-backups-alerts"),
    path("backups/<int:pk>/", backup_api.BackupDetailApi.as_view(), name="api-backup"),
    path("backups/<int:pk>/verify/", backup_api.BackupVerifyApi.as_view(), name="api-backup-verify"),
    path("backups/<int:pk>/drill/", backup_api.BackupDrillApi.as_view(), name="api-backup-drill"),
    path("backups/<int:pk>/restore/", backup_api.BackupRestoreApi.as_view(), name="api-backup-restore"),
    path("backup-jobs/<int:pk>/", backup_api.BackupJobDetailApi.as_view(), name="api-backup-job"),
]
