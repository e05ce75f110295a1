"""URLs of a portal's own host (tenant schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts import views as account_views
from content import views

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("tai-khoan/doi-mat-khau/", account_views.password_change, name="password-change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("content.urls_citizens")),  # /hoi-dap/, /gop-y-du-thao/, /captcha/
    path("api/schema/", SpectacularAPIView.as_view(urlconf="portal_platform.urls_tenant"), name="api-schema"),
]
