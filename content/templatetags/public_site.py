"""Template filters of the public site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import template
from django.core.paginator import Page
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

from content.sanitize import html_clean

register = template.Library()


@register.filter
def public_html(value: str | None) -> SafeString:
    """Stored rich text, sanitised again on the way out (a second line of defence; it was cleaned
    when saved). Plain text, such as a site template's placeholder page, becomes paragraphs."""
    text = value or ""
    if "<" not in text:
        return mark_safe(linebreaks(text, autoescape=True))  # noqa: S308 - escaped by linebreaks
    return mark_safe(html_clean(text))  # noqa: S308 - nh3's allowlist output


@register.filter
def elided_range(page: Page[Any]) -> Iterator[int | str]:
    """The page numbers to link, with ellipses, around ``page``."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
