"""``GET /api/v1/search/`` on every host: public, read-only, over the shared index.

On a component portal's host the search is scoped to that portal; on the provincial portal's host
and the console it covers every active portal.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal_platform.search import selectors
from portal_platform.search.params import search_request_parse
from portal_platform.search.views import link_style, search_scope


class PortalOutput(serializers.Serializer[Any]):
    abbreviation = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    url = serializers.CharField()


class HitOutput(serializers.Serializer[Any]):
    portal = serializers.SerializerMethodField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    title_html = serializers.CharField(help_text="The title, HTML-escaped, with matched words in <mark>.")
    snippet_html = serializers.CharField(help_text="A passage of the text, HTML-escaped, matched words in <mark>.")
    url = serializers.CharField(help_text="The item on its own portal's domain.")
    language = serializers.CharField()
    date = serializers.DateField()
    published_at = serializers.DateTimeField(allow_null=True)
    details = serializers.DictField(
        source="data", help_text="Details by kind: a legal document's number, form, validity …"
    )
    score = serializers.FloatField()

    def get_portal(self, hit: selectors.Hit) -> dict[str, str]:
        p = hit.portal
        return {"abbreviation": p.abbreviation, "name": p.name, "kind": p.kind, "url": hit.portal_url}


class FacetOutput(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="The portal's abbreviation, or the kind of content.")
    name = serializers.CharField(source="label")
    count = serializers.IntegerField()


class FacetsOutput(serializers.Serializer[Any]):
    portal = FacetOutput(many=True)
    kind = FacetOutput(many=True)


class SearchOutput(serializers.Serializer[Any]):
    query = serializers.CharField()
    sort = serializers.CharField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Matches counted, up to SEARCH_COUNT_LIMIT.")
    total_is_exact = serializers.BooleanField(help_text="False when there are more matches than ``total``.")
    has_next = serializers.BooleanField()
    results = HitOutput(many=True)
    facets = FacetsOutput()


class ErrorBodyOutput(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="query_too_long, invalid_kind, unknown_portal, invalid_portal_kind, invalid_language, invalid_date, "
        "invalid_date_range, invalid_sort, invalid_page, invalid_page_size"
    )
    message = serializers.CharField()
    details = serializers.DictField(required=False)


class ErrorOutput(serializers.Serializer[Any]):
    error = ErrorBodyOutput()


PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description='Words to find, with or without diacritics; "quoted phrase".'),
    OpenApiParameter(
        "portal",
        OpenApiTypes.STR,
        description="Portal abbreviation(s); repeat or separate by commas.",
        many=True,
        explode=True,
    ),
    OpenApiParameter(
        "portal_kind", OpenApiTypes.STR, enum=["province", "department", "commune"], many=True, explode=True
    ),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, description="article, legal_document, page, announcement …", many=True, explode=True
    ),
    OpenApiParameter("field", OpenApiTypes.STR, description="Legal documents of this field (its slug)."),
    OpenApiParameter("issuer", OpenApiTypes.STR, description="Legal documents of this issuer (diacritics optional)."),
    OpenApiParameter("language", OpenApiTypes.STR, enum=["vi", "en"]),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="yyyy-mm-dd or dd/mm/yyyy"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="yyyy-mm-dd or dd/mm/yyyy"),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(selectors.SORTS)),
    OpenApiParameter("page", OpenApiTypes.INT, description=f"1 to {selectors.MAX_PAGE}"),
    OpenApiParameter("page_size", OpenApiTypes.INT, description=f"1 to {selectors.MAX_PAGE_SIZE} (default 20)"),
]


class SearchApi(APIView):
    # Public: citizens and other systems read what is already public. No session or token is read,
    # so no CSRF or lockout state is involved.
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="search",
        summary="Search the published content of the portals",
        description=(
            "Full-text search with Vietnamese folding over every public item: all portals on the "
            "provincial portal and the console, this portal alone on a component portal."
        ),
        parameters=PARAMETERS,
        responses={200: SearchOutput, 400: ErrorOutput},
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        params = search_request_parse(request.query_params)
        result = selectors.search(
            query=params.query,
            filters=params.filters,
            scope=search_scope(request),
            sort=params.sort,
            page=params.page,
            page_size=params.page_size,
            link=link_style(request),
        )
        return Response(
            SearchOutput(
                {
                    "query": result.query,
                    "sort": result.sort,
                    "page": result.page,
                    "page_size": result.page_size,
                    "total": result.total,
                    "total_is_exact": result.total_is_exact,
                    "has_next": result.has_next,
                    "results": result.hits,
                    "facets": {"portal": result.portal_facets, "kind": result.kind_facets},
                }
            ).data
        )
