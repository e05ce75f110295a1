from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        # At start-up rather than whenever a module happens to import them: the hand-over functions
        # for account closures (board seats, the workflow's open items — content.services imports
        # every service module) and what the content types tell the media library.
        from content import services, usage

        del services
        usage.register()
