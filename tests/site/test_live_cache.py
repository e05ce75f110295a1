"""The page cache across processes: a real gunicorn with two workers sharing Redis (issue 6, Speed)."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from django_tenants.utils import schema_context

from content.models import Article
from content.public.cache import CACHE_HEADER
from content.services.workflow import item_transition
from tests.conftest import LiveServer
from tests.site.conftest import LiveSite
from tests.site.content import publish

pytestmark = pytest.mark.integration


def test_the_live_server_caches_pages_and_publishing_refreshes_every_worker(
    live_site: LiveSite, live_server_process: LiveServer, django_db_blocker: Any
) -> None:
    def get(path: str) -> tuple[str, str]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{live_server_process.port}{path}", headers={"Host": live_site.host}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers.get(CACHE_HEADER, ""), response.read().decode()

    for _ in range(4):
        get("/")
    assert [get("/")[0] for _ in range(4)] == ["hit"] * 4  # whichever worker answers
    with django_db_blocker.unblock(), schema_context(live_site.portal.schema_name):
        fresh = publish(
            Article,
            {
                "title": "Tin nóng trên máy chủ thật",
                "body": "<p>x</p>",
                "author": "PV",
                "sections": [live_site.content.news.pk],
            },
            live_site.content.head,
        )
    # The version is bumped after the commit, before publish() returns: no waiting needed.
    assert all(fresh.title in get("/")[1] for _ in range(4))
    with django_db_blocker.unblock(), schema_context(live_site.portal.schema_name):
        item_transition(item=fresh, action="unpublish", user=live_site.content.head, comment="Thử")
    assert all(fresh.title not in get("/")[1] for _ in range(4))
    assert [get(f"/tin-tuc/{live_site.content.article.slug}/")[0] for _ in range(3)][-1] == "hit"
