from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalPlatformConfig(AppConfig):
    name = "portal_platform"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Actors bind to the global broker when their module is imported, so it must be set
        # before any tasks module loads; app loading is the earliest point with settings.
        from django.conf import settings

        from portal_platform.broker import install_broker

        install_broker(settings.BROKER_URL)
