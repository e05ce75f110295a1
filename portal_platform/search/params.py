"""Reading a search request's parameters, the same way for the search page, the API and the feed.

Names: ``q``, ``portal`` (abbreviation; repeated or comma-separated), ``portal_kind``
(department, commune, province), ``kind`` (article, legal_document, page, announcement, …),
``field`` (a legal-document field's slug), ``issuer``, ``language``, ``date_from``/``date_to``
(dd/mm/yyyy or yyyy-mm-dd), ``sort`` (relevance, date), ``page``, ``page_size``. Malformed values
raise ``ValidationFailed`` with a stable code; ``selectors.search`` checks the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portal_platform.errors import ValidationFailed
from portal_platform.search.selectors import DEFAULT_PAGE_SIZE, RELEVANCE, Filters

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str = RELEVANCE
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def _values(data: Mapping[str, object], name: str) -> tuple[str, ...]:
    getlist = getattr(data, "getlist", None)
    raw = getlist(name) if getlist is not None else ([data[name]] if name in data else [])
    values: list[str] = []
    for item in raw:
        values.extend(part.strip() for part in str(item).split(",") if part.strip())
    return tuple(dict.fromkeys(values))


def _one(data: Mapping[str, object], name: str) -> str:
    value = data.get(name)
    return str(value).strip() if value is not None else ""


def _date(data: Mapping[str, object], name: str) -> dt.date | None:
    value = _one(data, name)
    if not value:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValidationFailed(
        _("“%(value)s” is not a date (dd/mm/yyyy).") % {"value": value[:40]}, code="invalid_date", extra={"field": name}
    )


def _number(data: Mapping[str, object], name: str, default: int) -> int:
    value = _one(data, name)
    if not value:
        return default
    if not value.isdigit() or len(value) > 6:
        raise ValidationFailed(
            _("“%(value)s” is not a whole number.") % {"value": value[:40]},
            code=f"invalid_{name}",
            extra={"field": name},
        )
    return int(value)


def search_request_parse(data: Mapping[str, object]) -> SearchRequest:
    """A ``SearchRequest`` from query parameters (a QueryDict or a plain dict)."""
    return SearchRequest(
        query=_one(data, "q"),
        filters=Filters(
            portals=_values(data, "portal"),
            portal_kinds=_values(data, "portal_kind"),
            kinds=_values(data, "kind"),
            doc_field=_one(data, "field"),
            issuer=_one(data, "issuer"),
            language=_one(data, "language"),
            date_from=_date(data, "date_from"),
            date_to=_date(data, "date_to"),
        ),
        sort=_one(data, "sort") or RELEVANCE,
        page=_number(data, "page", 1),
        page_size=_number(data, "page_size", DEFAULT_PAGE_SIZE),
    )
