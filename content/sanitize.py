"""The one allowlist for rich text, applied on the server to everything that is stored.

Whatever the browser sent — an editor widget, a paste from Word, an API client, a crafted request —
what is stored has no script, no event handler, no style, no ``javascript:`` or ``data:`` URL
(Decision 80/2025 Đ3.5 makes the board answerable for every byte that is published). nh3 (ammonia)
parses HTML the way browsers do, so tricks that fool regular expressions do not get through.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
        "blockquote", "pre", "code", "ul", "ol", "li", "a", "img", "figure", "figcaption",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "tel"})
# Word pastes <style> sheets and <xml> blocks whose text must go with the tag, not be left behind.
DROP_WITH_CONTENT: frozenset[str] = frozenset({"script", "style", "xml", "title", "head", "template"})


def html_clean(html: str) -> str:
    """``html`` reduced to the allowlist; links get ``rel="noopener noreferrer"``."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Word leaves paragraphs holding only a non-breaking space between blocks.
    for empty in ("<p>&nbsp;</p>", "<p>\u00a0</p>", "<p></p>"):
        cleaned = cleaned.replace(empty, "")
    return cleaned.strip()
