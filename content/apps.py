from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        # Registers the content app's hand-over functions for account closures, and what the
        # content types tell the media library.
        from content import services, usage

        del services
        usage.register()
