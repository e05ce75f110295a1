"""URLs of a portal's own host (tenant schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts import views as account_views
from content import views_media
from portal_platform.reports import api_incidents, api_yearly, backoffice_views
from portal_platform.search import api as search_api
from portal_platform.search import views as search_views

urlpatterns = [
    # Shared search (issue 7): the page, the integration feeds, and the API. The API's own line comes
    # before any include of "api/v1/" so that another app's routes there never shadow it.
    path("tim-kiem/", search_views.search_page, name="search"),
    path("tich-hop/rss/", search_views.component_rss, name="integration-rss"),
    path("tich-hop/atom/", search_views.component_atom, name="integration-atom"),
    path("api/v1/search/", search_api.SearchApi.as_view(), name="api-search"),
    # The yearly report and incident reports in the back office (issue 9, helper "yearly"); before the
    # admin's own URLs, whose catch-all would take them.
    path("admin/bao-cao/", backoffice_views.home, name="office-reports"),
    path("admin/bao-cao/nam/<int:year>/", backoffice_views.report, name="office-report"),
    path("admin/bao-cao/nam/<int:year>/tai-ve/", backoffice_views.export, name="office-report-export"),
    path("admin/bao-cao/su-co/moi/", backoffice_views.incident_new, name="office-incident-new"),
    path("admin/bao-cao/su-co/<int:pk>/", backoffice_views.incident_edit, name="office-incident"),
    path("admin/", admin.site.urls),
    # The media library's files (tệp): /tep/<id>/<rendition, or goc for the original>/<file name>.
    path("tep/<int:pk>/<slug:rendition>/<str:filename>", views_media.media_file, name="media-file"),
    path("tai-khoan/doi-mat-khau/", account_views.password_change, name="password-change"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Yearly report and incidents of this portal (issue 9, helper "yearly").
    path("api/v1/reports/yearly/<int:year>/", api_yearly.YearlyReportApi.as_view(), name="api-yearly-report"),
    path(
        "api/v1/reports/yearly/<int:year>/submit/",
        api_yearly.YearlyReportSubmitApi.as_view(),
        name="api-yearly-report-submit",
    ),
    path(
        "api/v1/reports/yearly/<int:year>/export/",
        api_yearly.YearlyReportExportApi.as_view(),
        name="api-yearly-report-export",
    ),
    path("api/v1/reports/incidents/", api_incidents.PortalIncidentListApi.as_view(), name="api-incidents"),
    path("api/v1/reports/incidents/<int:pk>/", api_incidents.PortalIncidentDetailApi.as_view(), name="api-incident"),
    path("api/v1/", include("content.urls_api")),
    path("", include("content.urls_citizens")),  # /hoi-dap/, /gop-y-du-thao/, /captcha/
    path("api/schema/", SpectacularAPIView.as_view(urlconf="portal_platform.urls_tenant"), name="api-schema"),
    # The public site (home, sections, articles, documents, …); last, so its paths never shadow the above.
    path("", include("content.urls_public")),
]
