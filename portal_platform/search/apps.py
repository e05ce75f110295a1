from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "portal_platform.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from content import publishing
        from portal_platform.search.documents import register_content_sources
        from portal_platform.search.listeners import item_changed

        register_content_sources()
        publishing.listen("search", item_changed)
