"""The home page moved to the public site (``content.public.views``); kept importable here."""

from content.public.views import home

__all__ = ["home"]
