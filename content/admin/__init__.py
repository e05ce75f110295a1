"""The portal's back office (Django admin): one module per area, each registering its models."""

from content.admin import base, citizens, media, royalty, site, workflow  # noqa: F401 - registers the models
