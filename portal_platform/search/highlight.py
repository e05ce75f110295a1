"""Highlighted titles and snippets, computed in Python on the page of results only.

PostgreSQL's ``ts_headline`` would need the database to understand Vietnamese words (see
``vietnamese``); the platform compares folded forms itself, so ``nghe an`` highlights ``Nghệ An``.
"""

from __future__ import annotations

from collections.abc import Collection

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal_platform.search.vietnamese import Word, normalise, word_spans

SNIPPET_WORDS = 36
_CONTEXT_BEFORE = 6


def highlight(text: str, terms: Collection[str], *, max_words: int | None = None) -> SafeString:
    """``text`` escaped, with words whose folded form is in ``terms`` wrapped in ``<mark>``.

    With ``max_words``, only the window of that many words holding the most distinct query words
    (with a few words of context before it) is kept, and "…" marks what was cut.
    """
    text = normalise(text)
    spans = list(word_spans(text))
    if not spans:
        return mark_safe(escape(text))  # noqa: S308 - escaped just here
    first, last = 0, len(spans)
    if max_words is not None and len(spans) > max_words:
        first = _best_window(spans, terms, max_words)
        last = min(len(spans), first + max_words)
    begin = spans[first][0] if first > 0 else 0
    end = spans[last - 1][1] if last < len(spans) else len(text)
    out: list[str] = ["… "] if first > 0 else []
    cursor = begin
    for start, stop, word in spans[first:last]:
        out.append(escape(text[cursor:start]))
        piece = escape(text[start:stop])
        out.append(f"<mark>{piece}</mark>" if word.folded in terms else piece)
        cursor = stop
    out.append(escape(text[cursor:end]))
    if last < len(spans):
        out.append(" …")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def _best_window(spans: list[tuple[int, int, Word]], terms: Collection[str], size: int) -> int:
    hits = [i for i, (_, _, word) in enumerate(spans) if word.folded in terms]
    best_start, best_score = 0, -1
    for hit in hits:
        start = max(0, min(hit - _CONTEXT_BEFORE, len(spans) - size))
        window = {spans[i][2].folded for i in range(start, start + size)} & set(terms)
        if len(window) > best_score:
            best_start, best_score = start, len(window)
    return best_start
