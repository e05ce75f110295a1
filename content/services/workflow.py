"""The editorial workflow (Decision 80/2025 Đ3.5): saving items, moving them between states, publishing.

Every path that writes an item — back office, API, import, command, scheduler — comes through here,
so the rule "nothing public without an approval by the head or a deputy head" is enforced once:
only ``_go_live`` sets ``live``, and it runs only from an approved working version, approved by an
account holding the board-head or deputy-head role at that moment.

Roles come from the account's groups through ``content.Role`` (``content.roles``). Django's model
permissions decide what the back office shows; they do not decide who may approve, because a
portal administrator can edit groups' permissions but not the board's decision.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import handover
from accounts.models import User
from content import publishing, revisions, roles
from content.models import Publishable, Revision, Role, SiteSettings, Status, Transition
from content.sanitize import html_clean
from portal_platform.errors import ApplicationError, Conflict, Forbidden, NotFound, ValidationFailed
from tenants.context import tenant_db

log = logging.getLogger(__name__)

P = TypeVar("P", bound=Publishable)

WRITERS = frozenset({roles.CONTRIBUTOR, roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD})
REVIEWERS = frozenset({roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD})
APPROVERS = frozenset({roles.BOARD_DEPUTY, roles.BOARD_HEAD})


@dataclasses.dataclass(frozen=True)
class Action:
    key: str
    label: Promise
    sources: frozenset[str]
    roles: frozenset[str]
    comment_required: bool = False


SUBMIT = "submit"
FORWARD = "forward"
RETURN = "return"
APPROVE = "approve"
PUBLISH = "publish"
UNSCHEDULE = "unschedule"
UNPUBLISH = "unpublish"
ARCHIVE = "archive"
# Not chosen by a user: recorded when a save changes the state, and by the scheduler.
EDIT = "edit"
SCHEDULED_PUBLISH = "scheduled_publish"

ACTIONS: dict[str, Action] = {
    a.key: a
    for a in (
        Action(SUBMIT, gettext_lazy("Submit for review"), frozenset({Status.DRAFT, Status.RETURNED, Status.UNPUBLISHED}), WRITERS),
        Action(FORWARD, gettext_lazy("Forward for approval"), frozenset({Status.SUBMITTED}), REVIEWERS),
        Action(RETURN, gettext_lazy("Return"), frozenset({Status.SUBMITTED, Status.REVIEWED}), REVIEWERS, comment_required=True),
        Action(APPROVE, gettext_lazy("Approve"), frozenset({Status.SUBMITTED, Status.REVIEWED}), APPROVERS),
        Action(PUBLISH, gettext_lazy("Publish"), frozenset({Status.APPROVED}), APPROVERS),
        Action(UNSCHEDULE, gettext_lazy("Cancel scheduled publication"), frozenset({Status.APPROVED}), APPROVERS),
        Action(UNPUBLISH, gettext_lazy("Unpublish"), frozenset(Status.values), APPROVERS, comment_required=True),
        Action(ARCHIVE, gettext_lazy("Archive"), frozenset({Status.DRAFT, Status.RETURNED, Status.UNPUBLISHED}), APPROVERS),
    )
}  # fmt: skip

ACTION_TARGETS: dict[str, str] = {
    SUBMIT: Status.SUBMITTED,
    FORWARD: Status.REVIEWED,
    RETURN: Status.RETURNED,
    APPROVE: Status.APPROVED,
    PUBLISH: Status.PUBLISHED,
    UNSCHEDULE: Status.APPROVED,
    UNPUBLISH: Status.UNPUBLISHED,
    ARCHIVE: Status.ARCHIVED,
}

# A contributor may touch only their own items, and only while nobody is reviewing them.
CONTRIBUTOR_EDITABLE = frozenset({Status.DRAFT, Status.RETURNED, Status.UNPUBLISHED, Status.PUBLISHED})


def actor_roles(user: User) -> frozenset[str]:
    """The editorial roles ``user`` holds in the current portal (through their groups)."""
    if not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_content_roles", None)
    if cached is None:
        cached = frozenset(Role.objects.filter(group__user=user).values_list("key", flat=True))
        user._content_roles = cached  # type: ignore[attr-defined]
    return cached


def review_steps() -> int:
    settings_row = SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_PK).only("review_steps").first()
    return settings_row.review_steps if settings_row is not None else 1


def _portal_check_publishing() -> None:
    """A suspended or archived portal publishes nothing (Decision 80/2025: suspension stops publishing)."""
    from tenants.models import Portal, PortalStatus

    status = Portal.objects.filter(schema_name=tenant_db.schema_name).values_list("status", flat=True).first()
    if status is not None and status != PortalStatus.ACTIVE:
        raise Conflict(
            _("This portal is suspended or archived: nothing can be published now."), code="portal_not_active"
        )


# --- reading -------------------------------------------------------------------------------------


def _content_type(item: Publishable | type[Publishable]) -> ContentType:
    return ContentType.objects.get_for_model(item)


def item_history(*, item: Publishable) -> models.QuerySet[Transition]:
    return Transition.objects.filter(content_type=_content_type(item), object_id=item.pk).order_by("-created_at", "-pk")


def item_revisions(*, item: Publishable) -> models.QuerySet[Revision]:
    return Revision.objects.filter(content_type=_content_type(item), object_id=item.pk).order_by("-number")


def item_working_data(*, item: Publishable) -> dict[str, Any]:
    """The working version's fields (what the board is editing; may differ from the live row)."""
    if item.working_revision is not None:
        return dict(item.working_revision.data)
    return revisions.snapshot(item)


def revision_diff(*, item: Publishable, old: Revision, new: Revision) -> list[revisions.FieldDiff]:
    for rev in (old, new):
        if rev.content_type_id != _content_type(item).pk or rev.object_id != item.pk:
            raise NotFound(_("This revision does not belong to this item."), code="revision_not_found")
    return revisions.diff(type(item), old.data, new.data)


def actions_available(*, item: Publishable, user: User) -> list[Action]:
    """The workflow buttons ``user`` may press on ``item`` now."""
    out: list[Action] = []
    for action in ACTIONS.values():
        try:
            _action_check(item=item, action=action, user=user, comment="x", publish_at=None)
        except ApplicationError:
            continue
        out.append(action)
    return out


# --- saving --------------------------------------------------------------------------------------


def _slug_unique(model: type[Publishable], base: str, *, exclude_pk: int | None) -> str:
    base = base[:180].strip("-") or "bai"
    slug, n = base, 1
    while model._default_manager.filter(**{"slug": slug}).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def slug_from(text: str) -> str:
    """An ASCII slug from Vietnamese text (đ has no decomposition, so it is mapped by hand)."""
    return slugify(text.replace("đ", "d").replace("Đ", "D"))


def _errors(exc: ValidationError) -> ValidationFailed:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(fields.values()))[0]
    return ValidationFailed(first, code="invalid_content", extra={"fields": fields})


def _edit_check(*, item: Publishable | None, model: type[Publishable], user: User) -> None:
    held = actor_roles(user)
    if not held & WRITERS:
        raise Forbidden(_("Your role does not allow writing content on this portal."), code="workflow_forbidden")
    if item is None:
        return
    if item.status == Status.ARCHIVED:
        raise Conflict(_("An archived item cannot be changed."), code="item_archived")
    if not held & REVIEWERS:
        if item.owner_id != user.pk:
            raise Forbidden(_("Contributors can change only their own items."), code="workflow_forbidden")
        if item.status not in CONTRIBUTOR_EDITABLE:
            raise Forbidden(
                _("This item is being reviewed; it can be changed again if it is returned to you."),
                code="workflow_forbidden",
            )


def _validated(model: type[P], item: P | None, data: dict[str, Any]) -> tuple[P, dict[str, list[int]]]:
    """A candidate row holding ``data``, cleaned and validated; never saved by this function."""
    candidate: P = model() if item is None else copy.copy(item)
    m2m = revisions.apply(candidate, data)
    for name in model.html_fields:
        setattr(candidate, name, html_clean(getattr(candidate, name) or ""))
    if "slug" in model.revision_fields and not getattr(candidate, "slug", ""):
        source = getattr(candidate, "title", "") or ""
        candidate.slug = _slug_unique(model, slug_from(source), exclude_pk=candidate.pk)  # type: ignore[attr-defined]
    m2m_names = [n for n in model.revision_fields if model._meta.get_field(n).many_to_many]
    try:
        candidate.full_clean(exclude=m2m_names)
    except ValidationError as exc:
        raise _errors(exc) from exc
    for name in m2m_names:
        field = model._meta.get_field(name)
        ids = m2m.get(name, [])
        assert isinstance(field, models.ManyToManyField)
        if not ids and not field.blank:
            raise ValidationFailed(
                _("%(field)s: choose at least one.") % {"field": field.verbose_name},
                code="invalid_content",
                extra={"fields": {name: [_("This field is required.")]}},
            )
        target = field.related_model
        assert isinstance(target, type)
        if len(set(ids)) != target._default_manager.filter(pk__in=ids).count():
            raise ValidationFailed(
                _("%(field)s: a chosen entry does not exist.") % {"field": field.verbose_name},
                code="invalid_content",
                extra={"fields": {name: [_("Unknown entry.")]}},
            )
    problems = candidate.relation_errors(m2m)
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationFailed(first, code="invalid_content", extra={"fields": problems})
    return candidate, m2m


def _revision_add(*, item: Publishable, data: dict[str, Any], user: User | None, comment: str) -> Revision:
    ct = _content_type(item)
    last = Revision.objects.filter(content_type=ct, object_id=item.pk).aggregate(n=models.Max("number"))["n"] or 0
    return Revision.objects.create(
        content_type=ct,
        object_id=item.pk,
        number=last + 1,
        data=data,
        created_by=user.get_username() if user is not None else "",
        comment=comment[:500],
    )


def _transition_add(
    *,
    item: Publishable,
    action: str,
    from_status: str,
    user: User | None,
    comment: str = "",
    revision: Revision | None = None,
) -> Transition:
    return Transition.objects.create(
        content_type=_content_type(item),
        object_id=item.pk,
        action=action,
        from_status=from_status,
        to_status=item.status,
        actor=user.get_username() if user is not None else "",
        comment=comment,
        revision=revision,
    )


def _locked(item: P) -> P:
    """``item`` re-read under a row lock, so two editors' actions are applied one after the other."""
    return type(item)._default_manager.select_for_update().get(pk=item.pk)


@transaction.atomic
def item_save(*, model: type[P], data: dict[str, Any], user: User, item: P | None = None, comment: str = "") -> P:
    """Create an item or save a new version of it. Every save is a revision.

    ``data`` holds the fields of ``model.revision_fields`` (many-to-many ones as lists of ids);
    fields left out keep their working values. Rich-text fields are sanitised here, whatever sent
    them. While the item is live the public keeps the published version: the new one waits in
    ``working_revision`` and needs approval again. Saving an approved item withdraws the approval.
    """
    unknown = set(data) - set(model.revision_fields)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}, code="unknown_fields"
        )
    if item is not None:
        item = _locked(item)
    _edit_check(item=item, model=model, user=user)
    merged = {**(item_working_data(item=item) if item is not None else {}), **data}
    candidate, m2m = _validated(model, item, merged)
    clean_data = revisions.snapshot(candidate, m2m=m2m)

    if item is None:
        candidate.owner = user
        candidate.status = Status.DRAFT
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError as exc:
            raise Conflict(_("An item with the same address or number already exists."), code="item_conflict") from exc
        revisions.m2m_set(candidate, m2m)
        revision = _revision_add(item=candidate, data=clean_data, user=user, comment=comment)
        candidate.working_revision = revision
        candidate.save(update_fields=["working_revision", "updated_at"])
        _transition_add(item=candidate, action=EDIT, from_status="", user=user, comment=comment, revision=revision)
        return candidate

    if item.working_revision is not None and item.working_revision.data == clean_data:
        return item  # nothing changed: no empty revision
    from_status = item.status
    revision = _revision_add(item=item, data=clean_data, user=user, comment=comment)
    item.working_revision = revision
    if from_status == Status.APPROVED:
        item.status, item.publish_at = Status.SUBMITTED, None
    elif from_status in (Status.PUBLISHED, Status.UNPUBLISHED):
        item.status = Status.DRAFT
    fields = ["working_revision", "status", "publish_at", "updated_at"]
    if not item.live:
        revisions.apply(item, clean_data)
        fields += [n for n in model.revision_fields if not model._meta.get_field(n).many_to_many]
    try:
        with transaction.atomic():
            item.save(update_fields=fields)
    except IntegrityError as exc:
        raise Conflict(_("An item with the same address or number already exists."), code="item_conflict") from exc
    if not item.live:
        revisions.m2m_set(item, m2m)
    if item.status != from_status:
        _transition_add(item=item, action=EDIT, from_status=from_status, user=user, comment=comment, revision=revision)
    return item


def revision_restore(*, item: P, revision: Revision, user: User) -> P:
    """Save an earlier revision's content as the newest one; it goes through the workflow again."""
    if revision.content_type_id != _content_type(item).pk or revision.object_id != item.pk:
        raise NotFound(_("This revision does not belong to this item."), code="revision_not_found")
    known = {k: v for k, v in revision.data.items() if k in type(item).revision_fields}
    return item_save(
        model=type(item),
        item=item,
        data=known,
        user=user,
        comment=_("Restored from revision %(number)s") % {"number": revision.number},
    )


# --- transitions ---------------------------------------------------------------------------------


def _action_check(
    *, item: Publishable, action: Action, user: User | None, comment: str, publish_at: dt.datetime | None
) -> None:
    if user is not None:
        held = actor_roles(user)
        if not held & action.roles:
            raise Forbidden(
                _("Your role does not allow this step (%(action)s).") % {"action": action.label},
                code="workflow_forbidden",
            )
        if action.key == SUBMIT and not held & REVIEWERS and item.owner_id != user.pk:
            raise Forbidden(_("Contributors can submit only their own items."), code="workflow_forbidden")
    sources = action.sources
    if action.key in (APPROVE, FORWARD):
        two_step = review_steps() == 2
        if action.key == APPROVE and two_step:
            sources = frozenset({Status.REVIEWED})  # two-step review: an editor forwards first
        if action.key == FORWARD and not two_step:
            sources = frozenset()
    if action.key == UNPUBLISH and not item.live:
        sources = frozenset()
    if action.key == UNSCHEDULE and item.publish_at is None:
        sources = frozenset()
    if action.key == ARCHIVE and item.live:
        sources = frozenset()
    if item.status not in sources:
        raise Conflict(
            _("“%(action)s” is not possible while the item is “%(status)s”.")
            % {"action": action.label, "status": Status(item.status).label},
            code="workflow_invalid_transition",
        )
    if action.comment_required and not comment.strip():
        raise ValidationFailed(
            _("Give a reason for “%(action)s”.") % {"action": action.label},
            code="comment_required",
            extra={"fields": {"comment": [_("This field is required.")]}},
        )
    if publish_at is not None and action.key != PUBLISH:
        raise ValidationFailed(_("Only publishing can be scheduled."), code="invalid_schedule")


def _go_live(item: Publishable, *, now: dt.datetime) -> None:
    """Copy the approved working version into the row and make it public. The only way to ``live=True``."""
    revision = item.working_revision
    if revision is None:
        raise Conflict(_("This item has no saved version to publish."), code="workflow_invalid_transition")
    m2m = revisions.apply(item, revision.data)
    item.live = True
    item.status = Status.PUBLISHED
    item.published_at = now
    item.first_published_at = item.first_published_at or now
    item.live_revision = revision
    item.publish_at = None
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise Conflict(_("Another published item already uses this address or number."), code="item_conflict") from exc
    revisions.m2m_set(item, m2m)
    publishing.item_changed(item)


def _withdraw(item: Publishable) -> None:
    """Not public any more; the row goes back to holding the working version."""
    item.live = False
    if item.working_revision is not None and item.working_revision_id != item.live_revision_id:
        m2m = revisions.apply(item, item.working_revision.data)
        item.save()
        revisions.m2m_set(item, m2m)
    publishing.item_changed(item)


@transaction.atomic
def item_transition(*, item: P, action: str, user: User, comment: str = "", publish_at: dt.datetime | None = None) -> P:
    """Take one workflow step on ``item`` as ``user``; refused (and nothing changed) when not allowed.

    ``publish`` with a future ``publish_at`` schedules the publication instead; the scheduler then
    publishes it at that minute (``items_publish_due``).
    """
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationFailed(_("Unknown workflow step."), code="workflow_unknown_action")
    item = _locked(item)
    _action_check(item=item, action=spec, user=user, comment=comment, publish_at=publish_at)
    from_status = item.status
    now = timezone.now()
    recorded = action
    if action == PUBLISH:
        _portal_check_publishing()
        if publish_at is not None and publish_at > now:
            item.publish_at = publish_at
            recorded = "schedule"
            comment = comment or publish_at.isoformat()
        else:
            _go_live(item, now=now)
    elif action == UNPUBLISH:
        _withdraw(item)
        item.status = Status.UNPUBLISHED
    elif action == UNSCHEDULE:
        item.publish_at = None
    else:
        item.status = ACTION_TARGETS[action]
    item.status_comment = comment
    item.save()
    _transition_add(
        item=item, action=recorded, from_status=from_status, user=user, comment=comment, revision=item.working_revision
    )
    return item


@transaction.atomic
def item_delete(*, item: Publishable, user: User) -> None:
    """Delete an item that was never published (Đ8.2: published content is kept, never destroyed)."""
    item = _locked(item)
    _edit_check(item=item, model=type(item), user=user)
    if item.first_published_at is not None:
        raise Conflict(
            _("Published content is never deleted; unpublish or archive it instead."), code="item_was_published"
        )
    ct = _content_type(item)
    pk = item.pk
    item.working_revision = None
    item.save(update_fields=["working_revision"])
    item.delete()
    Transition.objects.filter(content_type=ct, object_id=pk).delete()
    Revision.objects.filter(content_type=ct, object_id=pk).delete()


# --- the scheduler -------------------------------------------------------------------------------


def publishable_models() -> list[type[Publishable]]:
    from django.apps import apps

    return [m for m in apps.get_app_config("content").get_models() if issubclass(m, Publishable)]


def items_publish_due(*, now: dt.datetime | None = None) -> int:
    """Publish every approved item whose time has come, exactly once; returns how many.

    Each item is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and its status re-checked under
    the lock, so two schedulers (or a redelivered job) never publish it twice.
    """
    now = now or timezone.now()
    try:
        _portal_check_publishing()
    except Conflict:
        return 0
    published = 0
    for model in publishable_models():
        ids = list(
            model._default_manager.filter(status=Status.APPROVED, publish_at__lte=now).values_list("pk", flat=True)
        )
        for pk in ids:
            with transaction.atomic():
                item = (
                    model._default_manager.select_for_update(skip_locked=True)
                    .filter(pk=pk, status=Status.APPROVED, publish_at__lte=now)
                    .first()
                )
                if item is None:
                    continue
                approved_by = (
                    Transition.objects.filter(content_type=_content_type(item), object_id=item.pk, action=APPROVE)
                    .order_by("-created_at", "-pk")
                    .values_list("actor", flat=True)
                    .first()
                )
                try:
                    with transaction.atomic():
                        _go_live(item, now=now)
                        _transition_add(
                            item=item,
                            action=SCHEDULED_PUBLISH,
                            from_status=Status.APPROVED,
                            user=None,
                            comment=_("Published as scheduled (approved by %(actor)s).")
                            % {"actor": approved_by or "?"},
                            revision=item.working_revision,
                        )
                except ApplicationError as exc:
                    log.warning("scheduled publication of %s %s failed: %s", model.__name__, pk, exc.message)
                    continue
                published += 1
    return published


# --- account closure hand-over (accounts/handover.py) ---------------------------------------------


def _items_hand_over(from_user: User, to_user: User) -> int:
    """The closed account's unfinished items (not yet approved) pass to the successor."""
    moved = 0
    open_states: Iterable[str] = (Status.DRAFT, Status.SUBMITTED, Status.REVIEWED, Status.RETURNED)
    for model in publishable_models():
        moved += model._default_manager.filter(owner=from_user, status__in=open_states).update(owner=to_user)
    return moved


handover.register(_items_hand_over, name="content.items")
