"""Fixtures of the search tests: editorial staff in each portal and a one-call way to publish.

Items are published through ``content.services.workflow`` exactly as the back office does; the
index is then brought in step by the same service the actor runs (``index_item_sync``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from content import roles
from content.models import Category, DocumentField, SiteSettings
from content.services.workflow import item_save, item_transition
from portal_platform.search.services import index_item_sync
from tenants.models import Portal
from tests.board import account, roles_ready

_numbers = itertools.count(1)


class Desk:
    """A portal's editorial desk: a contributor, an editor and the board head."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        with schema_context(portal.schema_name):
            roles_ready()
            SiteSettings.objects.get_or_create(pk=1)
            tag = portal.abbreviation.replace("-", "")
            self.writer = account(f"ctv.{tag}", roles=[roles.CONTRIBUTOR])
            self.editor = account(f"btv.{tag}", roles=[roles.EDITOR])
            self.head = account(f"truongban.{tag}", roles=[roles.BOARD_HEAD])
            self.section = Category.objects.create(name="Tin tức", slug=f"tin-tuc-{next(_numbers)}")
            self.field = DocumentField.objects.create(name="Đất đai", slug="dat-dai")

    def approved(self, model: Any, **data: Any) -> Any:
        with schema_context(self.portal.schema_name):
            item = item_save(model=model, data=self._defaults(model, data), user=self.writer)
            item = item_transition(item=item, action="submit", user=self.writer)
            return item_transition(item=item, action="approve", user=self.head)

    def published(self, model: Any, *, index: bool = True, **data: Any) -> Any:
        with schema_context(self.portal.schema_name):
            item = item_transition(item=self.approved(model, **data), action="publish", user=self.head)
        if index:
            self.sync(item)
        return item

    def sync(self, item: Any) -> str:
        return index_item_sync(schema_name=self.portal.schema_name, model_label=item._meta.label_lower, pk=item.pk)

    def _defaults(self, model: Any, data: dict[str, Any]) -> dict[str, Any]:
        name = model.__name__
        if name == "Article":
            return {"body": "<p>Nội dung.</p>", "author": "Phóng viên", "sections": [self.section.pk], **data}
        if name == "LegalDocument":
            return {
                "form": "quyet-dinh",
                "number": f"{next(_numbers)}/2026/QĐ-UBND",
                "issuer": "UBND xã",
                "signer": "Chủ tịch",
                "field": self.field.pk,
                "issue_date": "2026-11-01",
                "abstract": "Ban hành quy chế",
                **data,
            }
        if name == "Announcement":
            return {"body": "<p>Thông báo.</p>", **data}
        return data


@pytest.fixture
def desk_a(portal_a: Portal) -> Desk:
    return Desk(portal_a)


@pytest.fixture
def desk_b(portal_b: Portal) -> Desk:
    return Desk(portal_b)


@pytest.fixture
def desk_province(province: Portal) -> Desk:
    return Desk(province)


@pytest.fixture
def heard_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The index jobs sent, through a StubBroker of the test's own (real message encoding)."""
    from dramatiq.brokers.stub import StubBroker

    from portal_platform.broker import build_broker
    from portal_platform.search.tasks import index_item

    broker = build_broker("stub://")
    assert isinstance(broker, StubBroker)
    broker.declare_actor(index_item)
    monkeypatch.setattr(index_item, "broker", broker)

    def drain() -> list[dict[str, Any]]:
        import dramatiq

        queue = broker.queues[index_item.queue_name]
        sent = []
        while not queue.empty():
            message = dramatiq.Message.decode(queue.get_nowait())
            sent.append(dict(message.kwargs))
        return sent

    yield drain
    broker.close()


def run_jobs(jobs: list[dict[str, Any]]) -> None:
    """Run each job as the worker would (the actor's own function, with the message's arguments)."""
    from portal_platform.search.tasks import index_item

    for kwargs in jobs:
        index_item(**kwargs)


__all__ = ["Desk", "User", "run_jobs"]
