"""The search page (``/tim-kiem/``) of every portal and the provincial portal's integration feeds.

The provincial portal searches every active portal, each result naming its portal and linking to
the item on that portal's own domain; a component portal's page searches that portal alone.
"""

from __future__ import annotations

import html
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal_platform.errors import ValidationFailed
from portal_platform.search import registry, selectors
from portal_platform.search.params import SearchRequest, search_request_parse
from tenants.models import Portal, PortalKind


def search_scope(request: HttpRequest) -> Portal | None:
    """The portal whose host the request came to (None on the console)."""
    tenant = getattr(request, "tenant", None)
    return tenant if isinstance(tenant, Portal) else None


def link_style(request: HttpRequest) -> selectors.LinkStyle:
    return selectors.LinkStyle(scheme=request.scheme or "https", port=str(request.get_port()))


def search_page(request: HttpRequest) -> HttpResponse:
    portal = search_scope(request)
    if portal is None:
        raise Http404
    is_province = portal.kind == PortalKind.PROVINCE
    context: dict[str, Any] = {
        "portal": portal,
        "is_province": is_province,
        "kinds": sorted(((k, str(label)) for k, label in registry.kinds().items()), key=lambda kv: kv[1]),
        "sorts": [(selectors.RELEVANCE, _("relevance")), (selectors.DATE, _("newest first"))],
        "params": SearchRequest(),
        "result": None,
        "error": "",
    }
    if is_province:
        directory = selectors.portal_directory().values()
        context["portals"] = sorted((p for p in directory if p.is_active), key=lambda p: (p.kind != "province", p.name))
    status = 200
    try:
        params = search_request_parse(request.GET)
        context["params"] = params
        if params.query:
            result = selectors.search(
                query=params.query,
                filters=params.filters,
                scope=portal,
                sort=params.sort,
                page=params.page,
                page_size=params.page_size,
                link=link_style(request),
            )
            context["result"] = result
            context["first_rank"] = (params.page - 1) * params.page_size + 1
            context["previous_url"] = _page_url(request, params.page - 1) if params.page > 1 else ""
            context["next_url"] = _page_url(request, params.page + 1) if result.has_next else ""
    except ValidationFailed as exc:
        context["error"] = exc.message
        status = 400
    return render(request, "search/search.html", context, status=status)


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"?{query.urlencode()}"


# --- the integration feed ------------------------------------------------------------------------------


class ComponentFeed(Feed):  # type: ignore[type-arg]
    """RSS 2.0: the newest news and legal documents of the province's component portals.

    ``?kind=article|legal_document`` and ``?portal_kind=department|commune`` narrow it.
    """

    title = gettext_lazy("News and documents of the province's agencies and communes")
    description = gettext_lazy("The newest news and legal documents published on the component portals.")

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        portal = search_scope(request)
        if portal is None or portal.kind != PortalKind.PROVINCE:
            raise Http404
        params = search_request_parse(request.GET)
        kinds = params.filters.kinds or ("article", "legal_document")
        portal_kinds = params.filters.portal_kinds or selectors.COMPONENT_KINDS
        items = selectors.component_latest(kinds=kinds, portal_kinds=portal_kinds, limit=30, link=link_style(request))
        return {"items": items, "link": link_style(request).url(request.get_host().split(":")[0], "/tim-kiem/")}

    def link(self, obj: dict[str, Any]) -> str:
        return str(obj["link"])

    def items(self, obj: dict[str, Any]) -> list[selectors.Hit]:
        return list(obj["items"])

    def item_title(self, item: selectors.Hit) -> str:
        return f"{item.title} — {item.portal.name}"

    def item_description(self, item: selectors.Hit) -> str:
        return html.unescape(str(item.snippet_html))

    def item_link(self, item: selectors.Hit) -> str:
        return item.url

    def item_guid(self, item: selectors.Hit) -> str:
        return item.url

    def item_pubdate(self, item: selectors.Hit) -> Any:
        return item.published_at

    def item_author_name(self, item: selectors.Hit) -> str:
        return item.portal.name

    def item_categories(self, item: selectors.Hit) -> list[str]:
        return [item.kind_label, item.portal.name]


class ComponentAtomFeed(ComponentFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: dict[str, Any]) -> str:
        return str(self.description)


def _feed_view(feed: Feed) -> Any:  # type: ignore[type-arg]
    def view(request: HttpRequest) -> HttpResponse:
        try:
            return feed(request)
        except ValidationFailed as exc:
            return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")

    return view


component_rss = _feed_view(ComponentFeed())
component_atom = _feed_view(ComponentAtomFeed())
