from django.urls import include, path

from provisioning import api

urlpatterns = [
    path("provisioning/requests/", api.RequestListApi.as_view(), name="api-requests"),
    path("provisioning/requests/<int:pk>/approve/", api.RequestApproveApi.as_view(), name="api-request-approve"),
    path("provisioning/requests/<int:pk>/reject/", api.RequestRejectApi.as_view(), name="api-request-reject"),
    path("provisioning/jobs/<int:pk>/", api.JobDetailApi.as_view(), name="api-job"),
    path("provisioning/jobs/<int:pk>/retry/", api.JobRetryApi.as_view(), name="api-job-retry"),
    path("provisioning/jobs/<int:pk>/admin-password/", api.JobAdminPasswordApi.as_view(), name="api-job-password"),
    path("portals/", api.PortalListApi.as_view(), name="api-portals"),
    path("portals/<int:pk>/suspend/", api.PortalTransitionApi.as_view(action="suspend"), name="api-portal-suspend"),
    path("portals/<int:pk>/resume/", api.PortalTransitionApi.as_view(action="resume"), name="api-portal-resume"),
    path("portals/<int:pk>/archive/", api.PortalTransitionApi.as_view(action="archive"), name="api-portal-archive"),
    path("portals/<int:pk>/downtime/", api.PortalDowntimeApi.as_view(), name="api-portal-downtime"),
]

# Accounts of a portal, account closures and the audit log (issue 4).
urlpatterns += [
    path("portals/<int:pk>/accounts/", api.PortalAccountListApi.as_view(), name="api-portal-accounts"),
    path(
        "portals/<int:pk>/accounts/<str:username>/unlock/",
        api.PortalAccountUnlockApi.as_view(),
        name="api-portal-account-unlock",
    ),
    path("closures/", api.ClosureListApi.as_view(), name="api-closures"),
    path("closures/<int:pk>/execute/", api.ClosureExecuteApi.as_view(), name="api-closure-execute"),
    path("closures/<int:pk>/reject/", api.ClosureRejectApi.as_view(), name="api-closure-reject"),
    path("audit/", api.AuditListApi.as_view(), name="api-audit"),
]

# Backups and restore (issue 8).
urlpatterns.append(path("", include("provisioning.backup_urls_api")))  # type: ignore[arg-type]
