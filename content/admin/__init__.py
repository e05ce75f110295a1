"""The portal's back office (Django admin): one module per area, each registering its models."""

from content.admin import media, site  # noqa: F401 - registers the models
