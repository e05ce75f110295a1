"""URLs of a portal's own host (tenant schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts import views as account_views
from content import views, views_media

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    # The media library's files (tệp): /tep/<id>/<rendition, or goc for the original>/<file name>.
    path("tep/<int:pk>/<slug:rendition>/<str:filename>", views_media.media_file, name="media-file"),
    path("tai-khoan/doi-mat-khau/", account_views.password_change, name="password-change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("content.urls_api")),
    path("", include("content.urls_citizens")),  # /hoi-dap/, /gop-y-du-thao/, /captcha/
    path("api/schema/", SpectacularAPIView.as_view(urlconf="portal_platform.urls_tenant"), name="api-schema"),
]
