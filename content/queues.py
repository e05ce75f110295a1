"""The back office's work queues: which items wait for whom (issue 5: per-role queues).

A queue is a filter over any workflow item type, read with the portal's review setting:

- my drafts: the user's own items that are drafts or were returned to them;
- waiting for review: submitted items (an editor forwards or returns them);
- waiting for approval: in two-step review the items an editor forwarded, in one-step review the
  submitted ones (the head or a deputy approves or returns them);
- approved, not yet published: approved, no time set;
- scheduled: approved with a publication time;
- published: public now.

Each role's dashboard shows the queues its work comes from (``Queue.roles``); the list filter
offers them all.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from content import roles
from content.models import Publishable, Status
from content.services import workflow

P = TypeVar("P", bound=Publishable)

MINE = "mine"
REVIEW = "review"
APPROVAL = "approval"
APPROVED = "approved"
SCHEDULED = "scheduled"
PUBLISHED = "published"


@dataclasses.dataclass(frozen=True)
class Queue:
    key: str
    label: Promise
    roles: frozenset[str]


QUEUES: tuple[Queue, ...] = (
    Queue(MINE, _("My drafts"), workflow.WRITERS),
    Queue(REVIEW, _("Waiting for review"), workflow.REVIEWERS),
    Queue(APPROVAL, _("Waiting for approval"), workflow.APPROVERS),
    Queue(APPROVED, _("Approved, not yet published"), workflow.APPROVERS),
    Queue(SCHEDULED, _("Scheduled"), workflow.REVIEWERS),
    Queue(PUBLISHED, _("Published"), workflow.WRITERS),
)
QUEUE_KEYS = frozenset(q.key for q in QUEUES)


def queue_condition(key: str, *, user: User, review_steps: int) -> Q:
    """The filter of queue ``key`` for ``user`` (``review_steps``: the portal's 1 or 2)."""
    if key == MINE:
        return Q(owner=user, status__in=[Status.DRAFT, Status.RETURNED])
    if key == REVIEW:
        return Q(status=Status.SUBMITTED)
    if key == APPROVAL:
        return Q(status=Status.REVIEWED if review_steps == 2 else Status.SUBMITTED)
    if key == APPROVED:
        return Q(status=Status.APPROVED, publish_at__isnull=True)
    if key == SCHEDULED:
        return Q(status=Status.APPROVED, publish_at__isnull=False)
    if key == PUBLISHED:
        return Q(live=True)
    raise ValueError(key)


def queues_for(user: User) -> list[Queue]:
    """The queues whose work ``user``'s roles do, in workflow order."""
    held = workflow.actor_roles(user)
    return [queue for queue in QUEUES if held & queue.roles]


def items_visible(queryset: QuerySet[P], *, user: User) -> QuerySet[P]:
    """What ``user`` sees of ``queryset`` in the back office: contributors, their own items and public ones."""
    if workflow.actor_roles(user) & (workflow.REVIEWERS | {roles.TENANT_ADMIN}) or user.is_superuser:
        return queryset
    return queryset.filter(Q(owner=user) | Q(live=True))


def queue_counts(*, queryset: QuerySet[P], user: User, queues: list[Queue], review_steps: int) -> dict[str, int]:
    """How many items of ``queryset`` each queue holds, in one query."""
    if not queues:
        return {}
    visible = items_visible(queryset, user=user)
    aggregates = {
        q.key: Count("pk", filter=queue_condition(q.key, user=user, review_steps=review_steps)) for q in queues
    }
    return {key: int(value) for key, value in visible.aggregate(**aggregates).items()}
