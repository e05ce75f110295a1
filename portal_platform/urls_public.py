"""URLs of the console host (control plane, public schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts import views as account_views
from portal_platform import views
from portal_platform.reports import api_incidents, api_yearly
from portal_platform.search import api as search_api

urlpatterns = [
    path("", views.console_home, name="console-home"),
    path("", include("portal_platform.console.urls")),
    path("admin/", admin.site.urls),
    path("tai-khoan/doi-mat-khau/", account_views.password_change, name="password-change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/search/", search_api.SearchApi.as_view(), name="api-search"),
    path("api/v1/", include("provisioning.urls_api")),
    # Yearly reports and incidents (issue 9, helper "yearly").
    path("api/v1/reports/yearly/", api_yearly.ConsoleYearlyReportListApi.as_view(), name="api-yearly-reports"),
    path("api/v1/reports/yearly/<int:pk>/", api_yearly.ConsoleYearlyReportDetailApi.as_view(), name="api-yearly-report"),
    path(
        "api/v1/reports/yearly/<int:pk>/reopen/",
        api_yearly.ConsoleYearlyReportReopenApi.as_view(),
        name="api-yearly-report-reopen",
    ),
    path(
        "api/v1/reports/yearly/<int:pk>/export/",
        api_yearly.ConsoleYearlyReportExportApi.as_view(),
        name="api-yearly-report-export",
    ),
    path("api/v1/incidents/", api_incidents.ConsoleIncidentListApi.as_view(), name="api-incidents"),
    path(
        "api/v1/incidents/<int:pk>/acknowledge/",
        api_incidents.ConsoleIncidentAcknowledgeApi.as_view(),
        name="api-incident-acknowledge",
    ),
    path("api/v1/incidents/<int:pk>/close/", api_incidents.ConsoleIncidentCloseApi.as_view(), name="api-incident-close"),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="portal_platform.urls_public"), name="api-schema"),
]

# Periodic reports and evaluation (issue 9, the "evaluation" part).
from portal_platform.reports import api_evaluation, api_periodic  # noqa: E402

urlpatterns += [
    path("api/v1/reports/periodic/", api_periodic.PeriodicReportApi.as_view(), name="api-periodic"),
    path("api/v1/reports/periodic/docx/", api_periodic.PeriodicReportDocxApi.as_view(), name="api-periodic-docx"),
    path("api/v1/reports/periodic/xlsx/", api_periodic.PeriodicReportXlsxApi.as_view(), name="api-periodic-xlsx"),
    path("api/v1/evaluation/criteria/", api_evaluation.CriteriaApi.as_view(), name="api-evaluation-criteria"),
    path("api/v1/evaluation/compute/", api_evaluation.EvaluationComputeApi.as_view(), name="api-evaluation-compute"),
    path("api/v1/evaluation/scores/", api_evaluation.EvaluationScoresApi.as_view(), name="api-evaluation-scores"),
]
