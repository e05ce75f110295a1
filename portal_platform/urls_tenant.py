"""URLs of a portal's own host (tenant schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts import views as account_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("tai-khoan/doi-mat-khau/", account_views.password_change, name="password-change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="portal_platform.urls_tenant"), name="api-schema"),
    # The public site (home, sections, articles, documents, …); last, so its paths never shadow the above.
    path("", include("content.urls_public")),
]
