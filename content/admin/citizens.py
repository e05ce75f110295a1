"""The back office of citizens' questions and consultations on drafts.

- **Questions** (the inbox): routing to a unit, answering, setting aside, the deadline and an
  overdue flag, filter and count; the public version of an answer is prepared from here and then
  goes through the editorial workflow. The citizen's name, email and phone appear — in lists,
  forms and search — only for accounts with ``content.view_citizen_personal_data``.
- **Published questions and answers** and **consultations** are workflow items: edits are saved
  as revisions by ``item_save`` and the workflow's buttons call ``item_transition``, so the back
  office has no way to make anything public without the board's approval.
- **Comments on drafts**: approved or rejected by moderators, one by one or in bulk.
- **Units** and the area's **settings**.

Every write calls ``content.services``; an error a service raises at save time is shown on the
form again, next to its field, with nothing saved (the admin's transaction is rolled back).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from content import revisions, services
from content.admin.base import PortalOnlyAdmin
from content.models import (
    CitizenSettings,
    CommentStatus,
    Consultation,
    ConsultationComment,
    Publishable,
    Question,
    QuestionAnswer,
    QuestionStatus,
    Unit,
)
from content.selectors_citizens import consultation_is_open, questions_overdue_count, questions_with_overdue
from content.services import workflow
from content.services.citizens import APPROVE, REJECT
from portal_platform.errors import ApplicationError

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin

PERSONAL_DATA_PERMISSION = "content.view_citizen_personal_data"
_SERVICE_ERROR = "_citizens_service_error"


def _error_apply(form: forms.BaseForm, exc: ApplicationError) -> None:
    """Put a service's error on the form: next to each field it names, else at the top."""
    fields: dict[str, list[str]] = dict(exc.extra.get("fields") or {})
    if not fields and exc.extra.get("field"):
        fields = {str(exc.extra["field"]): [exc.message]}
    placed = False
    for name, errors in fields.items():
        if name in form.fields:
            for error in errors:
                form.add_error(name, str(error))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class ServiceFormAdmin(PortalOnlyAdmin):
    """Saves through services; a refusal at save time is shown on the form instead of a server error."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            # The admin's transaction has rolled back; show the same form again with the message.
            setattr(request, _SERVICE_ERROR, exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        found: ApplicationError | None = getattr(request, _SERVICE_ERROR, None)
        if found is None:
            return form_class
        exc = found

        class WithServiceError(form_class):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean() or {}
                _error_apply(self, exc)
                return cleaned

        return WithServiceError

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing to save: the services have written everything, relations included."""


# --- workflow items ----------------------------------------------------------------------------


def _revision_value(value: Any) -> Any:
    """A form's cleaned value as ``item_save`` takes it: ids for relations, ISO text for dates."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk") and hasattr(value, "_meta"):
        return value.pk
    return value


class WorkflowItemAdmin(ServiceFormAdmin):
    """A workflow item's page: the working version to edit, the workflow's buttons and its history."""

    change_form_template = "content/citizens/admin/workflow_change_form.html"
    publication_fields = ("status", "live", "publish_at", "published_at", "status_comment", "owner")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.publication_fields if obj is not None else ()

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        item = super().get_object(request, object_id, from_field)
        if isinstance(item, Publishable) and item.has_pending_changes:
            # While an item is live its row holds the published version; the board edits the
            # working version, which waits in its latest revision.
            revisions.apply(item, workflow.item_working_data(item=item))
        return item

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        model = type(obj)
        data = {
            name: _revision_value(value) for name, value in form.cleaned_data.items() if name in model.revision_fields
        }
        current = model._default_manager.get(pk=obj.pk) if change else None
        user = request.user
        assert isinstance(user, User)
        saved = workflow.item_save(model=model, data=data, user=user, item=current)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        user = request.user
        assert isinstance(user, User)
        workflow.item_delete(item=obj, user=user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Published content is kept (Decision 80/2025 Đ8): never deleted, unpublished or archived instead.
        if obj is not None and obj.first_published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes one by one through item_delete
        return actions

    def get_urls(self) -> list[URLPattern]:
        info = (self.model._meta.app_label, self.model._meta.model_name)
        return [
            path(
                "<path:object_id>/workflow/",
                self.admin_site.admin_view(self.workflow_view),
                name=f"{info[0]}_{info[1]}_workflow",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        item = self.model._default_manager.filter(pk=object_id).first() if object_id.isdigit() else None
        user = request.user
        if isinstance(item, Publishable) and isinstance(user, User):
            info = (self.model._meta.app_label, self.model._meta.model_name)
            extra["workflow"] = {
                "item": item,
                "actions": workflow.actions_available(item=item, user=user),
                "history": list(workflow.item_history(item=item)[:30]),
                "url": reverse(f"admin:{info[0]}_{info[1]}_workflow", args=[item.pk]),
            }
        return super().change_view(request, object_id, form_url, extra)

    def workflow_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """One workflow step (submit, approve, publish …) from the item's page, as the signed-in user."""
        info = (self.model._meta.app_label, self.model._meta.model_name)
        item = self.model._default_manager.filter(pk=object_id).first() if object_id.isdigit() else None
        if item is None:
            raise Http404
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_change", args=[item.pk]))
        if request.method != "POST":
            return back
        user = request.user
        assert isinstance(user, User)
        action = request.POST.get("action", "")
        try:
            workflow.item_transition(item=item, action=action, user=user, comment=request.POST.get("comment", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            label = workflow.ACTIONS[action].label
            messages.success(request, _("Done: %(action)s.") % {"action": label})
        return back


@admin.register(QuestionAnswer)
class QuestionAnswerAdmin(WorkflowItemAdmin):
    list_display = ("title", "field", "unit", "status", "live", "published_at", "updated_at")
    list_filter = ("status", "live", ("field", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "question", "answer")
    list_select_related = ("field", "unit")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        sets: list[Any] = [
            (
                None,
                {
                    "fields": ("title", "question", "answer", "field", "unit", "asked_on", "answered_on"),
                    "description": _(
                        "The public sees this text only: remove any name, address or other personal detail "
                        "the citizen wrote into the question before submitting it for approval."
                    ),
                },
            )
        ]
        if obj is not None:
            sets.append((_("Publication"), {"fields": self.publication_fields}))
        return sets


@admin.register(Consultation)
class ConsultationAdmin(WorkflowItemAdmin):
    list_display = ("title", "opens_on", "closes_on", "open_now", "status", "live", "comments_link")
    list_filter = ("status", "live")
    search_fields = ("title", "summary", "issuer")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "opens_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Consultation]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                pending_count=Count("comments", filter=Q(comments__status=CommentStatus.PENDING)),
                comment_total=Count("comments"),
            )
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        sets: list[Any] = [
            (None, {"fields": ("title", "slug", "issuer", "summary", "body", "files")}),
            (_("Comment period"), {"fields": ("opens_on", "closes_on")}),
            (
                _("Synthesis report"),
                {
                    "fields": ("synthesis",),
                    "description": _(
                        "Once the comment period is over, write the synthesis here; it is published with the "
                        "next approved version of the consultation."
                    ),
                },
            ),
        ]
        if obj is not None:
            sets.append((_("Publication"), {"fields": self.publication_fields}))
        return sets

    @admin.display(description=_("open for comments"), boolean=True)
    def open_now(self, obj: Consultation) -> bool:
        return consultation_is_open(obj)

    @admin.display(description=_("comments"))
    def comments_link(self, obj: Consultation) -> str:
        url = reverse("admin:content_consultationcomment_changelist")
        pending: int = getattr(obj, "pending_count", 0)
        total: int = getattr(obj, "comment_total", 0)
        return format_html(
            '<a href="{}?consultation__id__exact={}">{}</a>',
            url,
            obj.pk,
            _("%(total)s (%(pending)s waiting)") % {"total": total, "pending": pending},
        )


# --- questions ---------------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Overdue")), ("no", _("On time"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(is_overdue=True)
        if self.value() == "no":
            return queryset.filter(is_overdue=False)
        return queryset


class QuestionForm(forms.ModelForm[Question]):
    set_aside = forms.BooleanField(
        label=_("Set aside (not handled)"),
        required=False,
        help_text=_("For spam, duplicates or matters of another agency; write the reason in the handling note."),
    )

    class Meta:
        model = Question
        fields = ("unit", "answer", "handling_note")


@admin.register(Question)
class QuestionAdmin(ServiceFormAdmin):
    form = QuestionForm
    change_list_template = "content/citizens/admin/question_change_list.html"
    change_form_template = "content/citizens/admin/question_change_form.html"
    list_filter = (OverdueFilter, "status", ("unit", admin.RelatedOnlyFieldListFilter), "field")
    list_select_related = ("unit", "field")
    date_hierarchy = "received_at"
    ordering = ("-received_at",)
    actions = ("publication_prepare",)

    # -- who sees personal data --

    def _personal(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PERSONAL_DATA_PERMISSION)

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        base = ("reference", "title", "field", "unit", "status", "received_at", "due_date", "overdue")
        return (*base[:2], *Question.PERSONAL_FIELDS, *base[2:]) if self._personal(request) else base

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        base = ("title", "body")
        return (*base, *Question.PERSONAL_FIELDS) if self._personal(request) else base

    def get_fieldsets(self, request: HttpRequest, obj: Question | None = None) -> Any:
        sets: list[Any] = [
            (
                _("Question"),
                {"fields": ("reference", "status", "received_at", "due_date", "overdue", "title", "body", "field")},
            ),
        ]
        if self._personal(request):
            sets.append((_("The citizen (personal data)"), {"fields": Question.PERSONAL_FIELDS}))
        handling: tuple[str, ...] = ("handling_note", "publication_link")
        if self._may_set_aside(request, obj):
            handling = ("handling_note", "set_aside", "publication_link")
        sets += [
            (_("Routing"), {"fields": ("unit", "routed_at", "routed_by")}),
            (_("Answer"), {"fields": ("answer", "answered_at", "answered_by")}),
            (_("Handling"), {"fields": handling}),
        ]
        return sets

    def _may_set_aside(self, request: HttpRequest, obj: Question | None) -> bool:
        return (
            obj is not None
            and obj.status in (QuestionStatus.RECEIVED, QuestionStatus.ROUTED)
            and request.user.has_perm("content.route_question")
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Question | None = None) -> tuple[str, ...]:
        fixed = (
            "reference",
            "status",
            "received_at",
            "due_date",
            "overdue",
            "title",
            "body",
            "field",
            *Question.PERSONAL_FIELDS,
            "routed_at",
            "routed_by",
            "answered_at",
            "answered_by",
            "publication_link",
        )
        user = request.user
        closed = obj is not None and obj.status == QuestionStatus.REJECTED
        extra: list[str] = []
        if closed or not user.has_perm("content.route_question"):
            extra += ["unit", "handling_note"]
        if closed or not user.has_perm("content.answer_question"):
            extra += ["answer"]
        return (*fixed, *extra)

    def get_exclude(self, request: HttpRequest, obj: Question | None = None) -> tuple[str, ...]:
        # Personal fields are never part of the form, whatever the fieldsets say.
        return (*(super().get_exclude(request, obj) or ()), *Question.PERSONAL_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return questions_with_overdue(super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # questions come from citizens, through the public form

    # -- columns --

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, obj: Question) -> str:
        return obj.reference

    @admin.display(description=_("overdue"), boolean=True, ordering="due_date")
    def overdue(self, obj: Question) -> bool:
        flag = getattr(obj, "is_overdue", None)
        if flag is None:
            from content.selectors_citizens import question_is_overdue

            return question_is_overdue(obj)
        return bool(flag)

    @admin.display(description=_("public version"))
    def publication_link(self, obj: Question) -> str:
        if obj.publication_id is None:
            return "—"
        url = reverse("admin:content_questionanswer_change", args=[obj.publication_id])
        return format_html('<a href="{}">{}</a>', url, _("Open the public version"))

    # -- pages --

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {**(extra_context or {}), "overdue_count": questions_overdue_count()}
        return super().changelist_view(request, extra)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/publication/",
                self.admin_site.admin_view(self.publication_view),
                name="content_question_publication",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        question = Question.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if question is not None and question.status == QuestionStatus.ANSWERED and question.publication_id is None:
            extra["publication_url"] = reverse("admin:content_question_publication", args=[question.pk])
        return super().change_view(request, object_id, form_url, extra)

    def save_model(self, request: HttpRequest, obj: Question, form: Any, change: bool) -> None:
        user = request.user
        assert isinstance(user, User)
        question = Question.objects.get(pk=obj.pk)
        data = form.cleaned_data
        changed = set(form.changed_data)
        if data.get("set_aside"):
            services.question_reject(question=question, user=user, reason=data.get("handling_note") or "")
            return
        if "unit" in changed and data.get("unit") is not None:
            question = services.question_route(
                question=question, unit=data["unit"], user=user, note=data.get("handling_note") or ""
            )
        elif "handling_note" in changed:
            question = services.question_note_save(question=question, note=data.get("handling_note") or "", user=user)
        if "answer" in changed:
            services.question_answer(question=question, answer=data.get("answer") or "", user=user)

    def publication_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Make the public version of an answered question (a workflow draft) and open it."""
        question = Question.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if question is None:
            raise Http404
        back = HttpResponseRedirect(reverse("admin:content_question_change", args=[question.pk]))
        if request.method != "POST":
            return back
        if not request.user.has_perm("content.add_questionanswer"):
            raise PermissionDenied
        user = request.user
        assert isinstance(user, User)
        try:
            item = services.question_publication_create(question=question, user=user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return back
        messages.success(
            request,
            _("A draft of the public version was made. Check the text for personal details, then submit it."),
        )
        return HttpResponseRedirect(reverse("admin:content_questionanswer_change", args=[item.pk]))

    @admin.action(description=_("Prepare the public version of the selected answered questions"))
    def publication_prepare(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        user = request.user
        assert isinstance(user, User)
        if not user.has_perm("content.add_questionanswer"):
            messages.error(request, _("Your account may not prepare public versions."))
            return
        made = 0
        for question in queryset:
            try:
                services.question_publication_create(question=question, user=user)
            except ApplicationError as exc:
                messages.warning(request, f"{question.reference}: {exc.message}")
            else:
                made += 1
        if made:
            messages.success(request, _("%(count)s draft(s) made.") % {"count": made})


# --- comments on drafts --------------------------------------------------------------------------


class CommentForm(forms.ModelForm[ConsultationComment]):
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", "—"), (APPROVE, _("Approve")), (REJECT, _("Reject"))],
    )

    class Meta:
        model = ConsultationComment
        fields = ("moderation_note",)


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(ServiceFormAdmin):
    form = CommentForm
    list_filter = ("status", ("consultation", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("consultation",)
    date_hierarchy = "created_at"
    actions = ("approve_selected", "reject_selected")

    def _personal(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PERSONAL_DATA_PERMISSION)

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        base = ("__str__", "consultation", "excerpt", "name", "status", "created_at", "moderated_by")
        return (*base[:4], "email", *base[4:]) if self._personal(request) else base

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        return ("name", "body", "email") if self._personal(request) else ("name", "body")

    def get_fields(self, request: HttpRequest, obj: ConsultationComment | None = None) -> list[Any]:
        fields = ["consultation", "name", "body", "created_at", "status", "moderated_at", "moderated_by"]
        if self._personal(request):
            fields.insert(2, "email")
        if request.user.has_perm("content.moderate_consultationcomment"):
            fields += ["decision", "moderation_note"]
        else:
            fields += ["moderation_note"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: ConsultationComment | None = None) -> tuple[str, ...]:
        fixed = ("consultation", "name", "email", "body", "created_at", "status", "moderated_at", "moderated_by")
        if not request.user.has_perm("content.moderate_consultationcomment"):
            return (*fixed, "moderation_note")
        return fixed

    def get_exclude(self, request: HttpRequest, obj: ConsultationComment | None = None) -> tuple[str, ...]:
        return (*(super().get_exclude(request, obj) or ()), *ConsultationComment.PERSONAL_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from citizens, through the public form

    @admin.display(description=_("comment"))
    def excerpt(self, obj: ConsultationComment) -> str:
        return obj.body if len(obj.body) <= 120 else obj.body[:119] + "…"

    def save_model(self, request: HttpRequest, obj: ConsultationComment, form: Any, change: bool) -> None:
        decision = form.cleaned_data.get("decision")
        if not decision:
            return
        user = request.user
        assert isinstance(user, User)
        services.consultation_comment_moderate(
            comment=obj, decision=decision, user=user, note=form.cleaned_data.get("moderation_note") or ""
        )

    def _moderate(self, request: HttpRequest, queryset: QuerySet[ConsultationComment], decision: str) -> None:
        user = request.user
        assert isinstance(user, User)
        try:
            count = services.consultation_comments_moderate(comments=list(queryset), decision=decision, user=user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return
        messages.success(request, _("%(count)s comment(s) moderated.") % {"count": count})

    @admin.action(description=_("Approve the selected comments (they appear on the public page)"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[ConsultationComment]) -> None:
        self._moderate(request, queryset, APPROVE)

    @admin.action(description=_("Reject the selected comments"))
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[ConsultationComment]) -> None:
        self._moderate(request, queryset, REJECT)


# --- units and settings --------------------------------------------------------------------------


@admin.register(Unit)
class UnitAdmin(PortalOnlyAdmin):
    list_display = ("name", "email", "is_active", "order", "open_questions")
    list_editable = ("is_active", "order")
    list_filter = ("is_active",)
    search_fields = ("name",)
    fields = ("name", "email", "is_active", "order")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_count=Count(
                    "questions", filter=Q(questions__status__in=[QuestionStatus.RECEIVED, QuestionStatus.ROUTED])
                )
            )
        )

    @admin.display(description=_("open questions"), ordering="open_count")
    def open_questions(self, obj: Unit) -> int:
        return int(getattr(obj, "open_count", 0))


@admin.register(CitizenSettings)
class CitizenSettingsAdmin(PortalOnlyAdmin):
    list_display = ("__str__", "answer_working_days", "updated_at")
    fields = ("answer_working_days",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not CitizenSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: CitizenSettings | None = None) -> bool:
        return False
