from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        # Registers the content app's hand-over functions for account closures.
        from content import services  # noqa: F401
        from content.public import receivers

        # The public site's page cache hears publications and site-structure changes.
        receivers.connect()
