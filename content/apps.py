from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        # Registers the content app's hand-over functions for account closures (board seats; the
        # workflow's open items), at start-up rather than whenever a module happens to import them.
        from content import services  # noqa: F401
        from content.services import workflow  # noqa: F401
