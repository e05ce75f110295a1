"""The back office of the editorial workflow: one admin base for every item that goes through it.

Everything here is a thin screen over ``content.services.workflow``:

- the add/change form shows the item's *working* version (for a live item, the edit under review,
  not the published row) and saves only through ``item_save``, so every save is a revision, rich
  text is sanitised by the service, and a refused save shows the service's message on the form's
  fields with nothing stored;
- the workflow steps the user may take now (``actions_available``) are buttons on the item's page,
  each calling ``item_transition``;
- the item's page lists its transitions and revisions; two revisions can be compared
  (``revision_diff``) and an older one restored (``revision_restore``);
- the list has a "queue" filter (``content.queues``) and the admin's index shows the queue counts
  of the user's roles;
- an item that was ever published is never deleted (Decision 80/2025 Đ8.2); others only through
  ``item_delete``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_prose_editor.widgets import AdminProseEditorWidget

from accounts.models import User
from content import queues, revisions
from content.admin.base import PortalOnlyAdmin
from content.models import (
    Announcement,
    Article,
    ContactOfficer,
    DocumentField,
    Leader,
    LegalDocument,
    Publishable,
    Revision,
    Status,
    Tag,
    WorkSchedule,
)
from content.services import workflow
from portal_platform.errors import ApplicationError, ValidationFailed
from tenants.context import on_console

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec

# --- the rich-text editor ------------------------------------------------------------------------
# django-prose-editor's "configurable" preset builds the editor from this list. It offers only
# what content.sanitize lets through (tests/content/test_back_office.py holds the two in step):
# the server cleans whatever arrives anyway, and a button whose output would be stripped on save
# would only confuse the editor. Images wait for the media library.
EDITOR_EXTENSIONS: dict[str, Any] = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
}


def editor_widget() -> AdminProseEditorWidget:
    return AdminProseEditorWidget(config={"extensions": EDITOR_EXTENSIONS}, preset="configurable")


# --- labels --------------------------------------------------------------------------------------

# What the history shows for each recorded step (the workflow's own buttons plus what it records).
HISTORY_LABELS: dict[str, Any] = {
    **{key: action.label for key, action in workflow.ACTIONS.items()},
    workflow.EDIT: gettext_lazy("Saved a new version"),
    "schedule": gettext_lazy("Scheduled publication"),
    workflow.SCHEDULED_PUBLISH: gettext_lazy("Published as scheduled"),
}


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), "d/m/Y H:i") if value else ""


# Django's message for a violated CHECK constraint, which its own Vietnamese catalogue lacks; the
# item models' constraints name no message of their own yet, so ours translates this one.
_DJANGO_STRINGS = (gettext_noop("Constraint “%(name)s” is violated."),)


# --- forms ---------------------------------------------------------------------------------------


class WorkflowItemForm(forms.ModelForm):  # type: ignore[type-arg]
    """The editable fields of an item's working version, plus a note kept with the revision."""

    revision_comment = forms.CharField(
        label=gettext_lazy("Note on this version"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Optional: what changed, for the reviewers and the history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slug = self.fields.get("slug")
        if slug is not None:
            slug.required = False  # the service makes one from the title
            slug.help_text = _("Leave empty to make it from the title.")

    def _post_clean(self) -> None:
        # The model's own validation runs in item_save, which checks the whole item (with the rules
        # across fields) and whose errors are put on these fields; running it here too would check
        # twice, against a row that is not the one being saved.
        return


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=30)
    comment = forms.CharField(required=False, max_length=5000)
    publish_at = forms.DateTimeField(required=False)

    def clean_publish_at(self) -> Any:
        value = self.cleaned_data.get("publish_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future, or leave the time empty to publish now."))
        return value


def _errors_apply(form: forms.BaseForm, exc: ApplicationError) -> None:
    """The service's refusal on the form: under each field it names, above the form otherwise."""
    fields = exc.extra.get("fields") if isinstance(exc, ValidationFailed) else None
    if not fields:
        form.add_error(None, exc.message)
        return
    for name, problems in fields.items():
        for problem in problems if isinstance(problems, list | tuple) else [problems]:
            form.add_error(name if name in form.fields else None, str(problem))


def _form_data(model: type[Publishable], form: forms.BaseForm) -> dict[str, Any]:
    """The form's cleaned values as ``item_save`` takes them (ids for relations, ISO dates)."""
    data: dict[str, Any] = {}
    for name in model.revision_fields:
        if name not in form.fields or name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        field = model._meta.get_field(name)
        if field.many_to_many:
            data[name] = sorted(obj.pk for obj in value or [])
        elif field.is_relation:
            data[name] = value.pk if value is not None else None
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        else:
            data[name] = value
    return data


# --- the queue filter ----------------------------------------------------------------------------


class QueueFilter(admin.SimpleListFilter):
    title = gettext_lazy("queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(queue.key, queue.label) for queue in queues.QUEUES]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        key = self.value()
        if key not in queues.QUEUE_KEYS:
            return queryset
        user = request.user
        assert isinstance(user, User)
        return queryset.filter(queues.queue_condition(key, user=user, review_steps=workflow.review_steps()))


# --- the admin base ------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class WorkflowAdmin(PortalOnlyAdmin):
    """Admin of a ``Publishable`` model; subclasses give ``content_fieldsets`` and the list's columns."""

    form = WorkflowItemForm
    change_form_template = "admin/content/workflow/change_form.html"
    content_fieldsets: ClassVar[_FieldsetSpec] = ()
    workflow_fields: ClassVar[tuple[str, ...]] = (
        "status",
        "live",
        "publish_at",
        "published_at",
        "first_published_at",
        "owner",
        "status_comment",
    )
    readonly_fields = workflow_fields
    list_filter: ClassVar[tuple[Any, ...]] = (QueueFilter, "status", "live")
    list_select_related: ClassVar[tuple[str, ...]] = ("owner",)
    list_per_page = 50
    save_as = False

    # --- permissions: Django's model permissions, narrowed by what the service would allow -------

    def _may_edit(self, request: HttpRequest, obj: Publishable) -> bool:
        try:
            # The service's own check (role, ownership, state), so the form is read-only exactly
            # when item_save would refuse it.
            workflow._edit_check(item=obj, model=type(obj), user=_user(request))
        except ApplicationError:
            return False
        return True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._may_edit(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return obj.first_published_at is None and self._may_edit(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.workflow_fields if obj is not None else ()

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("owner")
        return queues.items_visible(queryset, user=_user(request))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # a bulk delete would skip item_delete's rules
        return found

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> _FieldsetSpec:
        sets = list(self.content_fieldsets)
        if obj is None or self.has_change_permission(request, obj):
            sets.append((_("This version"), {"fields": ("revision_comment",)}))
        if obj is not None:
            sets.append((_("Workflow"), {"fields": self.workflow_fields}))
        return sets

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.model.html_fields:
            kwargs["widget"] = editor_widget()
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")  # state agencies' sites are served over HTTPS
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # --- list columns ----------------------------------------------------------------------------

    @admin.display(boolean=True, description=gettext_lazy("edit waiting"))
    def pending(self, obj: Publishable) -> bool:
        return obj.has_pending_changes

    # --- the add/change page ---------------------------------------------------------------------

    def _working(self, obj: Publishable) -> tuple[Publishable, dict[str, Any]]:
        """A copy of ``obj`` holding its working version (never saved), and the many-to-many ids."""
        candidate = copy.copy(obj)
        m2m = revisions.apply(candidate, workflow.item_working_data(item=obj))
        return candidate, dict(m2m)

    def _changeform_view(
        self, request: HttpRequest, object_id: str | None, form_url: str, extra_context: dict[str, Any] | None
    ) -> HttpResponse:
        user = _user(request)
        add = object_id is None
        obj: Publishable | None = None
        if add:
            if not self.has_add_permission(request):
                raise PermissionDenied
        else:
            assert object_id is not None
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
            if request.method == "POST":
                if not self.has_change_permission(request, obj):
                    raise PermissionDenied
            elif not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied

        fieldsets = self.get_fieldsets(request, obj)
        form_class = self.get_form(request, obj, change=not add, fields=flatten_fieldsets(fieldsets))
        if obj is not None:
            instance, initial = self._working(obj)
        else:
            instance, initial = None, self.get_changeform_initial_data(request)

        if request.method == "POST":
            form = form_class(request.POST, request.FILES, instance=instance, initial=initial)
            if form.is_valid():
                try:
                    saved = workflow.item_save(
                        model=self.model,
                        data=_form_data(self.model, form),
                        user=user,
                        item=obj,
                        comment=form.cleaned_data.get("revision_comment") or "",
                    )
                except ApplicationError as exc:
                    _errors_apply(form, exc)  # item_save is atomic: nothing was stored
                else:
                    change_message = self.construct_change_message(request, form, [], add)  # type: ignore[arg-type]
                    if add:
                        self.log_addition(request, saved, change_message)
                        return self.response_add(request, saved)
                    self.log_change(request, saved, change_message)
                    if saved.has_pending_changes:
                        messages.info(
                            request,
                            _(
                                "This edit goes through review and approval; "
                                "until it is published the public still sees the published version."
                            ),
                        )
                    return self.response_change(request, saved)
        elif obj is not None:
            form = form_class(instance=instance, initial=initial)
        else:
            form = form_class(initial=initial)

        can_change = add or self.has_change_permission(request, obj)
        readonly = self.get_readonly_fields(request, obj) if can_change else flatten_fieldsets(fieldsets)
        admin_form = helpers.AdminForm(form, list(fieldsets), {}, readonly, model_admin=self)  # type: ignore[arg-type]
        if add:
            title = _("Add %s")
        elif can_change:
            title = _("Change %s")
        else:
            title = _("View %s")
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": title % self.opts.verbose_name,
            "subtitle": str(obj) if obj is not None else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET,
            "to_field": request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR)),
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
        }
        if obj is not None:
            context["workflow"] = self.workflow_context(request, obj)
        context.update(extra_context or {})
        return self.render_change_form(request, context, add=add, change=not add, obj=obj, form_url=form_url)

    def workflow_context(self, request: HttpRequest, obj: Publishable) -> dict[str, Any]:
        """What the item's page shows around the form: buttons, history, revisions."""
        user = _user(request)
        available = workflow.actions_available(item=obj, user=user)
        revision_rows = list(workflow.item_revisions(item=obj)[:50])
        return {
            "status": _status_label(obj.status),
            "pending": obj.has_pending_changes,
            "actions": [{"key": a.key, "label": a.label, "comment_required": a.comment_required} for a in available],
            "can_schedule": any(a.key == workflow.PUBLISH for a in available),
            "transition_url": self._url("transition", obj.pk),
            "diff_url": self._url("revision_diff", obj.pk),
            "can_restore": self.has_change_permission(request, obj),
            "history": [
                {
                    "when": t.created_at,
                    "actor": t.actor,
                    "action": HISTORY_LABELS.get(t.action, t.action),
                    "from": _status_label(t.from_status) if t.from_status else "",
                    "to": _status_label(t.to_status),
                    "comment": t.comment,
                    "revision": t.revision.number if t.revision is not None else None,
                }
                for t in workflow.item_history(item=obj).select_related("revision")[:100]
            ],
            "revisions": [
                {
                    "number": r.number,
                    "when": r.created_at,
                    "by": r.created_by,
                    "comment": r.comment,
                    "is_working": r.pk == obj.working_revision_id,
                    "is_live": r.pk == obj.live_revision_id,
                    "restore_url": self._url("revision_restore", obj.pk, r.number),
                }
                for r in revision_rows
            ],
        }

    # --- deleting: never-published items only, through the service -------------------------------

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        workflow.item_delete(item=obj, user=_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            workflow.item_delete(item=obj, user=_user(request))

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> Any:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(self._url("change", unquote(object_id)))

    # --- the workflow's own pages ----------------------------------------------------------------

    def _url(self, name: str, *args: Any) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args)

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        own = [
            path("<path:object_id>/quy-trinh/", view(self.transition_view), name=f"{info}_transition"),
            path("<path:object_id>/phien-ban/so-sanh/", view(self.revision_diff_view), name=f"{info}_revision_diff"),
            path(
                "<path:object_id>/phien-ban/<int:number>/khoi-phuc/",
                view(self.revision_restore_view),
                name=f"{info}_revision_restore",
            ),
        ]
        return own + super().get_urls()

    def _item_or_404(self, request: HttpRequest, object_id: str) -> Publishable:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(_("This item does not exist or is not visible to you."))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def transition_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """One workflow button: ``item_transition`` with the button's action, comment and time."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._item_or_404(request, object_id)
        back = HttpResponseRedirect(self._url("change", obj.pk))
        form = TransitionForm(request.POST)
        if not form.is_valid():
            for problems in form.errors.values():
                for problem in problems:
                    messages.error(request, str(problem))
            return back
        action = form.cleaned_data["action"]
        publish_at = form.cleaned_data["publish_at"] if action == workflow.PUBLISH else None
        try:
            item = workflow.item_transition(
                item=obj,
                action=action,
                user=_user(request),
                comment=form.cleaned_data["comment"],
                publish_at=publish_at,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)  # refused: the service changed nothing
            return back
        label = workflow.ACTIONS[action].label
        if item.publish_at is not None and action == workflow.PUBLISH:
            messages.success(
                request,
                _("“%(item)s” will be published at %(when)s.") % {"item": item, "when": _when(item.publish_at)},
            )
        else:
            messages.success(
                request,
                _("“%(action)s” done: “%(item)s” is now “%(status)s”.")
                % {"action": label, "item": item, "status": _status_label(item.status)},
            )
        return back

    def _revision(self, obj: Publishable, number: Any) -> Revision:
        try:
            wanted = int(number)
        except (TypeError, ValueError) as exc:
            raise Http404(_("This revision does not exist.")) from exc
        found = workflow.item_revisions(item=obj).filter(number=wanted).first()
        if found is None:
            raise Http404(_("This revision does not exist."))
        return found

    def revision_diff_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Two revisions side by side, field by field (``?old=<n>&new=<n>``; default: the last change)."""
        obj = self._item_or_404(request, object_id)
        numbers = list(workflow.item_revisions(item=obj).values_list("number", flat=True))
        if not numbers:
            raise Http404(_("This item has no revisions yet."))
        new = self._revision(obj, request.GET.get("new", numbers[0]))
        old_default = next((n for n in numbers if n < new.number), new.number)
        old = self._revision(obj, request.GET.get("old", old_default))
        changes = workflow.revision_diff(item=obj, old=old, new=new)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Changes between revision %(old)s and revision %(new)s")
            % {"old": old.number, "new": new.number},
            "subtitle": str(obj),
            "opts": self.opts,
            "original": obj,
            "old": old,
            "new": new,
            "numbers": numbers,
            # revision_diff escapes both texts and adds only its own <del>/<ins> tags.
            "changes": [{"label": c.label, "html": mark_safe(c.html)} for c in changes],  # noqa: S308
            "change_url": self._url("change", obj.pk),
            "diff_url": self._url("revision_diff", obj.pk),
            "can_restore": self.has_change_permission(request, obj),
            "restore_url": self._url("revision_restore", obj.pk, old.number),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/content/workflow/revision_diff.html", context)

    def revision_restore_view(self, request: HttpRequest, object_id: str, number: int) -> HttpResponse:
        """Save an older revision's content as the newest one (``revision_restore``); it is reviewed again."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._item_or_404(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        revision = self._revision(obj, number)
        try:
            workflow.revision_restore(item=obj, revision=revision, user=_user(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Revision %(number)s has been restored as a new version; it goes through the workflow again.")
                % {"number": revision.number},
            )
        return HttpResponseRedirect(self._url("change", obj.pk))


# --- the queue panel on the admin's index ----------------------------------------------------------


def queue_dashboard(request: HttpRequest) -> dict[str, Any] | None:
    """The queue counts of the user's roles, per item type the user may see, with links to the lists."""
    if on_console() or not request.user.is_authenticated:
        return None
    user = _user(request)
    shown = queues.queues_for(user)
    if not shown:
        return None
    steps = workflow.review_steps()
    rows: list[dict[str, Any]] = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, WorkflowAdmin) or not issubclass(model, Publishable):
            continue
        if not model_admin.has_view_permission(request):
            continue
        counts = queues.queue_counts(queryset=model._default_manager.all(), user=user, queues=shown, review_steps=steps)
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        rows.append(
            {
                "name": model._meta.verbose_name_plural,
                "url": changelist,
                "cells": [
                    {"count": counts[q.key], "url": f"{changelist}?queue={q.key}", "label": q.label} for q in shown
                ],
            }
        )
    if not rows:
        return None
    return {"queues": shown, "rows": rows}


# The index lists the queue panel above the apps (the template asks queue_dashboard through a tag).
admin.site.index_template = "admin/content/index.html"


# --- the item types ------------------------------------------------------------------------------


@admin.register(Article)
class ArticleAdmin(WorkflowAdmin):
    content_fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body", "cover", "cover_alt")}),
        (gettext_lazy("Classification"), {"fields": ("sections", "tags", "author", "language", "featured")}),
        (
            gettext_lazy("Source of re-published information"),
            {"fields": ("is_republished", "source_name", "source_url", "source_published_at")},
        ),
    )
    list_display = ("title", "status", "live", "pending", "owner", "published_at", "updated_at")
    list_filter = (
        QueueFilter,
        "status",
        "live",
        "language",
        "featured",
        ("sections", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("title", "summary", "author", "slug")
    filter_horizontal = ("sections", "tags")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        user = _user(request)
        initial.setdefault("author", getattr(user, "full_name", "") or user.get_username())
        return initial


@admin.register(LegalDocument)
class LegalDocumentAdmin(WorkflowAdmin):
    content_fieldsets = (
        (None, {"fields": ("form", "number", "issuer", "signer", "field", "issue_date", "effective_date", "abstract")}),
        (gettext_lazy("Files"), {"fields": ("attachments",)}),
        (gettext_lazy("Validity"), {"fields": ("validity", "replaced_by")}),
        (None, {"fields": ("national_db_url",)}),
    )
    list_display = ("number", "form", "issuer", "issue_date", "validity", "status", "live", "pending")
    list_filter = (QueueFilter, "status", "live", "form", "validity", ("field", admin.RelatedOnlyFieldListFilter))
    search_fields = ("number", "abstract", "issuer", "signer")
    autocomplete_fields = ("replaced_by",)
    list_select_related = ("owner", "field")


@admin.register(Announcement)
class AnnouncementAdmin(WorkflowAdmin):
    content_fieldsets = ((None, {"fields": ("title", "slug", "body", "language", "valid_until")}),)
    list_display = ("title", "status", "live", "pending", "valid_until", "updated_at")
    list_filter = (QueueFilter, "status", "live", "language")
    search_fields = ("title", "slug")


@admin.register(Leader)
class LeaderAdmin(WorkflowAdmin):
    content_fieldsets = (
        (None, {"fields": ("name", "position", "photo", "phone", "email", "profile", "order")}),
        (gettext_lazy("English"), {"fields": ("position_en", "profile_en")}),
    )
    list_display = ("name", "position", "order", "status", "live", "pending", "updated_at")
    list_filter = (QueueFilter, "status", "live")
    search_fields = ("name", "position")


@admin.register(ContactOfficer)
class ContactOfficerAdmin(WorkflowAdmin):
    content_fieldsets = (
        (None, {"fields": ("name", "position", "area", "phone", "email", "order")}),
        (gettext_lazy("English"), {"fields": ("area_en",)}),
    )
    list_display = ("name", "area", "phone", "email", "order", "status", "live", "pending")
    list_filter = (QueueFilter, "status", "live")
    search_fields = ("name", "area", "position")


@admin.register(WorkSchedule)
class WorkScheduleAdmin(WorkflowAdmin):
    content_fieldsets = ((None, {"fields": ("week_start", "title", "entries", "notes")}),)
    list_display = ("__str__", "week_start", "status", "live", "pending", "updated_at")
    list_filter = (QueueFilter, "status", "live")
    search_fields = ("title", "notes")


@admin.register(Tag)
class TagAdmin(PortalOnlyAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(DocumentField)
class DocumentFieldAdmin(PortalOnlyAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
