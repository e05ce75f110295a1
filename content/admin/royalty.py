"""Royalties in the back office: the rate table (point values, grades), the entries with their
authors and the board head's decisions, and the per-period report with its XLSX download.

Every write goes through ``content.services.royalty``; forms ask the services' checks first so a
broken rule is shown on the form, in Vietnamese, with nothing saved. Approving, rejecting and
cancelling are buttons on an entry's page, shown to the board head; anyone else who reaches them
gets the service's refusal on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.models import User
from content import services
from content.admin.base import PortalOnlyAdmin
from content.models import (
    RoyaltyAuthor,
    RoyaltyEntry,
    RoyaltyGrade,
    RoyaltyPointValue,
    RoyaltyStatus,
)
from content.models.royalty import format_number
from content.selectors import royalty as selectors
from portal_platform.errors import ApplicationError

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec

    _AuthorInlineBase = admin.TabularInline[RoyaltyAuthor, RoyaltyEntry]
    _AuthorFormSetBase = BaseInlineFormSet[RoyaltyAuthor, RoyaltyEntry, forms.ModelForm[RoyaltyAuthor]]
else:
    _FieldsetSpec = Any
    _AuthorInlineBase = admin.TabularInline
    _AuthorFormSetBase = BaseInlineFormSet


def _error_apply(form: forms.BaseForm, exc: ApplicationError) -> None:
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def vnd(amount: Any) -> str:
    """1234500 → "1.234.500 ₫" (Vietnamese digit grouping)."""
    if amount is None:
        return ""
    return f"{int(amount):,} ₫".replace(",", ".")


def _without_bulk_delete(actions: dict[str, Any]) -> dict[str, Any]:
    # Deleting goes through a service that refuses rows in use, one at a time from the row's page.
    actions.pop("delete_selected", None)
    return actions


# --- point values -----------------------------------------------------------------------------------


class RoyaltyPointValueForm(forms.ModelForm[RoyaltyPointValue]):
    class Meta:
        model = RoyaltyPointValue
        fields = ("value", "valid_from", "note")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                services.royalty_point_value_check(value=cleaned.get("value"), valid_from=cleaned.get("valid_from"))
            except ApplicationError as exc:
                _error_apply(self, exc)
        return cleaned


@admin.register(RoyaltyPointValue)
class RoyaltyPointValueAdmin(PortalOnlyAdmin):
    """A value applies from its date until the next one's; a value is a record, never edited."""

    form = RoyaltyPointValueForm
    list_display = ("valid_from", "value_display", "note", "created_by", "created_at")
    date_hierarchy = "valid_from"

    def get_fields(self, request: HttpRequest, obj: RoyaltyPointValue | None = None) -> list[Any]:
        if obj is None:
            return ["value", "valid_from", "note"]
        return ["value", "valid_from", "note", "created_by", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: RoyaltyPointValue | None = None) -> tuple[str, ...]:
        return () if obj is None else ("value", "valid_from", "note", "created_by", "created_at")

    @admin.display(description=_("value of one point (VND)"), ordering="value")
    def value_display(self, obj: RoyaltyPointValue) -> str:
        return vnd(obj.value)

    def save_model(self, request: HttpRequest, obj: RoyaltyPointValue, form: Any, change: bool) -> None:
        if change:
            return
        created = services.royalty_point_value_create(
            value=obj.value, valid_from=obj.valid_from, note=obj.note, actor=_user(request)
        )
        obj.pk = created.pk
        obj.created_at = created.created_at

    def has_change_permission(self, request: HttpRequest, obj: RoyaltyPointValue | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RoyaltyPointValue | None = None) -> bool:
        if obj is not None and RoyaltyEntry.objects.filter(point_value=obj).exists():
            return False  # used by an entry: the amount it gave must stay explainable
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: RoyaltyPointValue) -> None:
        services.royalty_point_value_delete(point_value=obj, actor=_user(request))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_bulk_delete(super().get_actions(request))


# --- grades -----------------------------------------------------------------------------------------


class RoyaltyGradeForm(forms.ModelForm[RoyaltyGrade]):
    class Meta:
        model = RoyaltyGrade
        fields = ("kind", "name", "min_points", "max_points", "order", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                services.royalty_grade_check(
                    kind=cleaned.get("kind", ""),
                    name=cleaned.get("name", ""),
                    min_points=cleaned.get("min_points"),
                    max_points=cleaned.get("max_points"),
                    grade=self.instance if self.instance.pk is not None else None,
                )
            except ApplicationError as exc:
                _error_apply(self, exc)
        return cleaned


@admin.register(RoyaltyGrade)
class RoyaltyGradeAdmin(PortalOnlyAdmin):
    form = RoyaltyGradeForm
    list_display = ("name", "kind", "min_points", "max_points", "order", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)

    def save_model(self, request: HttpRequest, obj: RoyaltyGrade, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {
            "kind": data["kind"],
            "name": data["name"],
            "min_points": data["min_points"],
            "max_points": data["max_points"],
            "order": data.get("order") or 0,
            "is_active": bool(data.get("is_active")),
        }
        if change:
            services.royalty_grade_update(grade=obj, actor=_user(request), **values)
            return
        grade = services.royalty_grade_create(actor=_user(request), **values)
        obj.pk = grade.pk

    def has_delete_permission(self, request: HttpRequest, obj: RoyaltyGrade | None = None) -> bool:
        if obj is not None and RoyaltyEntry.objects.filter(grade=obj).exists():
            return False  # used: retire it instead ("in use" off)
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: RoyaltyGrade) -> None:
        services.royalty_grade_delete(grade=obj, actor=_user(request))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_bulk_delete(super().get_actions(request))


# --- entries ----------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


class RoyaltyAuthorForm(forms.ModelForm[RoyaltyAuthor]):
    class Meta:
        model = RoyaltyAuthor
        fields = ("account", "name", "share")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Only for an author without an account on this portal.")
        account_field = self.fields["account"]
        if isinstance(account_field, ModelChoiceField):
            account_field.queryset = User.objects.filter(is_active=True).order_by("full_name", "username")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        account = cleaned.get("account")
        if account is not None:
            # An account author's name is the account's (the service fills it in).
            cleaned["name"] = account.full_name or account.get_username()
        return cleaned


class RoyaltyAuthorFormSet(_AuthorFormSetBase):
    authors: list[services.AuthorShare]

    def clean(self) -> None:
        super().clean()
        self.authors = []
        if any(self.errors):
            return
        given: list[services.AuthorShare] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and data.get("DELETE")):
                continue
            account = data.get("account")
            given.append(
                services.AuthorShare(
                    share=data.get("share"),
                    account=account,
                    name="" if account is not None else (data.get("name") or ""),
                )
            )
        try:
            self.authors = services.royalty_authors_check(authors=given)
        except ApplicationError as exc:
            raise ValidationError(exc.message, code=exc.code) from None


class RoyaltyAuthorInline(_AuthorInlineBase):
    model = RoyaltyAuthor
    form = RoyaltyAuthorForm
    formset = RoyaltyAuthorFormSet
    fields = ("account", "name", "share")
    extra = 1
    min_num = 0

    def _editable(self, obj: RoyaltyEntry | None) -> bool:
        return obj is None or obj.status == RoyaltyStatus.PROPOSED

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and request.user.has_perm(
            "content.change_royaltyentry" if obj else "content.add_royaltyentry"
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and request.user.has_perm(
            "content.change_royaltyentry" if obj else "content.add_royaltyentry"
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and request.user.has_perm(
            "content.change_royaltyentry" if obj else "content.add_royaltyentry"
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("content.view_royaltyentry") or request.user.has_perm(
            "content.change_royaltyentry"
        )

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "account":
            kwargs["queryset"] = User.objects.filter(is_active=True).order_by("full_name", "username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _content_type_label(content_type: ContentType) -> str:
    model = content_type.model_class()
    return str(model._meta.verbose_name).capitalize() if model is not None else content_type.model


class RoyaltyEntryForm(forms.ModelForm[RoyaltyEntry]):
    published_at = forms.SplitDateTimeField(
        label=capfirst(_("published at")),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_("Only for items that do not record their own publication time (background pages)."),
    )

    class Meta:
        model = RoyaltyEntry
        fields = ("content_type", "object_id", "grade", "points", "note")
        help_texts = {"object_id": _("The item's number, as in the address of its page in the back office.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item: Any = None
        if "content_type" in self.fields:
            content_type_field = self.fields["content_type"]
            if isinstance(content_type_field, ModelChoiceField):
                content_type_field.queryset = selectors.royalty_item_content_types()
                content_type_field.label_from_instance = _content_type_label  # type: ignore[method-assign,assignment]
        grade_field = self.fields.get("grade")
        if isinstance(grade_field, ModelChoiceField):
            grades = RoyaltyGrade.objects.filter(is_active=True)
            if self.instance.pk is not None:
                grades = RoyaltyGrade.objects.filter(is_active=True) | RoyaltyGrade.objects.filter(
                    pk=self.instance.grade_id
                )
            grade_field.queryset = grades.order_by("kind", "order", "name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        entry = self.instance if self.instance.pk is not None else None
        if entry is None:
            item = selectors.royalty_item_find(content_type=cleaned["content_type"], object_id=cleaned["object_id"])
            if item is None:
                self.add_error("object_id", _("There is no item of this type with this number."))
                return cleaned
        else:
            item = selectors.royalty_entry_item(entry=entry)
            if item is None:
                self.add_error(None, _("The item of this royalty entry no longer exists."))
                return cleaned
        self.item = item
        try:
            services.royalty_entry_check(
                item=item,
                grade=cleaned["grade"],
                points=cleaned["points"],
                published_at=cleaned.get("published_at"),
                entry=entry,
            )
        except ApplicationError as exc:
            _error_apply(self, exc)
        return cleaned


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ReportForm(forms.Form):
    date_from = forms.DateField(label=_("from"), widget=AdminDateWidget)
    date_to = forms.DateField(label=_("to"), widget=AdminDateWidget)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                selectors.royalty_report_check(date_from=cleaned.get("date_from"), date_to=cleaned.get("date_to"))
            except ApplicationError as exc:
                _error_apply(self, exc)
        return cleaned


# The decisions the entry's page offers: the service, whether it needs a reason, its title.
DECISIONS: dict[str, tuple[Any, bool, Any]] = {
    "approve": (services.royalty_entry_approve, False, _("Approve the royalty")),
    "reject": (services.royalty_entry_reject, True, _("Reject the royalty")),
    "cancel": (services.royalty_entry_cancel, True, _("Cancel the approved royalty")),
}
DECISION_DONE: dict[str, Any] = {
    "approve": _("The royalty for “%(title)s” has been approved."),
    "reject": _("The royalty for “%(title)s” has been rejected."),
    "cancel": _("The royalty for “%(title)s” has been cancelled."),
}


@admin.register(RoyaltyEntry)
class RoyaltyEntryAdmin(PortalOnlyAdmin):
    form = RoyaltyEntryForm
    inlines = (RoyaltyAuthorInline,)
    list_display = (
        "item_title",
        "item_published_at",
        "kind",
        "grade_name",
        "points",
        "amount_display",
        "authors_display",
        "status",
    )
    list_filter = ("status", "kind")
    search_fields = ("item_title", "authors__name", "authors__account__username")
    date_hierarchy = "item_published_at"
    actions = ("approve_selected",)

    # -- the form ----------------------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: RoyaltyEntry | None = None) -> _FieldsetSpec:
        if obj is None:
            return [
                (_("Published item"), {"fields": ("content_type", "object_id", "published_at")}),
                (_("Royalty"), {"fields": ("grade", "points", "note")}),
            ]
        decision: tuple[str, ...] = ("status", "proposed_by", "proposed_at", "decided_by", "decided_at")
        if obj.decision_reason:
            decision += ("decision_reason",)
        fieldsets: _FieldsetSpec = [
            (_("Published item"), {"fields": ("item_title", "item_type", "item_published_at")}),
            (_("Royalty"), {"fields": ("grade", "points", "value_display", "amount_display", "note")}),
            (_("Decision"), {"fields": decision}),
        ]
        if obj.status == RoyaltyStatus.CANCELLED:
            fieldsets = [
                *fieldsets,
                (_("Cancellation"), {"fields": ("cancelled_by", "cancelled_at", "cancel_reason")}),
            ]
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: RoyaltyEntry | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        fixed = (
            "item_title",
            "item_type",
            "item_published_at",
            "value_display",
            "amount_display",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "cancelled_by",
            "cancelled_at",
            "cancel_reason",
        )
        if obj.status != RoyaltyStatus.PROPOSED:
            return (*fixed, "grade", "points", "note")
        return fixed

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoyaltyEntry]:
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description=_("type of item"))
    def item_type(self, obj: RoyaltyEntry) -> str:
        # The foreign key reads this schema's row (ContentType's id cache is not per schema).
        return _content_type_label(obj.content_type)

    @admin.display(description=_("value of one point (VND)"))
    def value_display(self, obj: RoyaltyEntry) -> str:
        return vnd(obj.value_per_point)

    @admin.display(description=_("amount (VND)"), ordering="amount")
    def amount_display(self, obj: RoyaltyEntry) -> str:
        return vnd(obj.amount)

    @admin.display(description=_("authors"))
    def authors_display(self, obj: RoyaltyEntry) -> str:
        return "; ".join(str(author) for author in obj.authors.all())

    def has_change_permission(self, request: HttpRequest, obj: RoyaltyEntry | None = None) -> bool:
        if obj is not None and obj.status != RoyaltyStatus.PROPOSED:
            return False  # decided entries are final; the head cancels one to correct it
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: RoyaltyEntry | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RoyaltyEntry, form: Any, change: bool) -> None:
        # Written with its authors in save_related, where the inline's cleaned authors are at hand.
        return

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        authors_formset = next(fs for fs in formsets if isinstance(fs, RoyaltyAuthorFormSet))
        data = form.cleaned_data
        if change:
            entry = services.royalty_entry_update(
                entry=form.instance,
                grade=data["grade"],
                points=data["points"],
                authors=authors_formset.authors,
                note=data.get("note", ""),
                actor=_user(request),
            )
        else:
            entry = services.royalty_entry_propose(
                item=form.item,
                grade=data["grade"],
                points=data["points"],
                authors=authors_formset.authors,
                proposed_by=_user(request),
                note=data.get("note", ""),
                published_at=data.get("published_at"),
            )
        form.instance.pk = entry.pk
        form.instance.item_title = entry.item_title
        for formset in formsets:
            # The admin's change message reads what formset.save() would have set.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

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
            # A rule broken between the form's check and the write (another proposal for the same
            # item at the same moment): the transaction is rolled back, the page says why.
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        entry = self.get_object(request, object_id)
        if entry is not None and selectors.royalty_is_board_head(account=_user(request)):
            context["royalty_decisions"] = [
                (name, DECISIONS[name][2], reverse(f"admin:content_royaltyentry_{name}", args=[entry.pk]))
                for name in self._decisions_for(entry)
            ]
        return super().change_view(request, object_id, form_url, context)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        context = dict(extra_context or {})
        context["royalty_report_url"] = reverse("admin:content_royaltyentry_report")
        return super().changelist_view(request, context)

    @staticmethod
    def _decisions_for(entry: RoyaltyEntry) -> list[str]:
        if entry.status == RoyaltyStatus.PROPOSED:
            return ["approve", "reject"]
        if entry.status == RoyaltyStatus.APPROVED:
            return ["cancel"]
        return []

    # -- decisions ---------------------------------------------------------------------------------

    @admin.action(description=_("Approve the selected royalties"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[RoyaltyEntry]) -> None:
        approved = 0
        for entry in queryset.order_by("pk"):
            try:
                services.royalty_entry_approve(entry=entry, actor=_user(request))
            except ApplicationError as exc:
                self.message_user(request, f"{entry.item_title}: {exc.message}", messages.ERROR)
                if exc.code == "royalty_approve_forbidden":
                    return  # the same answer for every other entry
            else:
                approved += 1
        if approved:
            self.message_user(request, _("%(count)d royalties approved.") % {"count": approved}, messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("report/", self.admin_site.admin_view(self.report_view), name="content_royaltyentry_report"),
        ]
        for name in DECISIONS:
            own.append(
                path(
                    f"<int:object_id>/{name}/",
                    self.admin_site.admin_view(self.decision_view),
                    {"decision": name},
                    name=f"content_royaltyentry_{name}",
                )
            )
        return own + super().get_urls()

    def decision_view(self, request: HttpRequest, object_id: int, decision: str) -> HttpResponse:
        entry = RoyaltyEntry.objects.filter(pk=object_id).first()
        if entry is None:
            raise Http404
        if not self.has_view_permission(request, entry):
            raise PermissionDenied
        service, needs_reason, title = DECISIONS[decision]
        form = DecisionForm(request.POST if request.method == "POST" else None)
        form.fields["reason"].required = needs_reason
        if request.method == "POST" and form.is_valid():
            kwargs: dict[str, Any] = {"entry": entry, "actor": _user(request)}
            if needs_reason:
                kwargs["reason"] = form.cleaned_data["reason"]
            try:
                service(**kwargs)
            except ApplicationError as exc:
                _error_apply(form, exc)
            else:
                self.message_user(request, DECISION_DONE[decision] % {"title": entry.item_title}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:content_royaltyentry_change", args=[entry.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "entry": entry,
            "amount": vnd(entry.amount),
            "authors": list(entry.authors.all()),
            "form": form,
            "needs_reason": needs_reason,
            "decision": decision,
            "change_url": reverse("admin:content_royaltyentry_change", args=[entry.pk]),
        }
        return TemplateResponse(request, "admin/content/royaltyentry/decision.html", context)

    # -- report ------------------------------------------------------------------------------------

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        first = today.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        form = ReportForm(request.GET or None, initial={"date_from": first, "date_to": last})
        report = None
        if form.is_bound and form.is_valid():
            date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
            report = selectors.royalty_report(date_from=date_from, date_to=date_to)
            if request.GET.get("export") == "xlsx":
                response = HttpResponse(
                    selectors.royalty_report_xlsx(report=report),
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                filename = selectors.royalty_report_filename(date_from=date_from, date_to=date_to)
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Royalty report"),
            "form": form,
            "report": report,
            "export_query": _export_query(request),
            "media": self.media + form.media,
        }
        if report is not None:
            context.update(_report_tables(report))
        return TemplateResponse(request, "admin/content/royaltyentry/report.html", context)


def _report_tables(report: selectors.RoyaltyReport) -> dict[str, Any]:
    """The report as the screen shows it: the XLSX's headers, figures written the Vietnamese way."""
    summary = [
        [
            str(number),
            author.name,
            author.account_username,
            str(author.items),
            format_number(author.points),
            vnd(author.amount),
        ]
        for number, author in enumerate(report.authors, start=1)
    ]
    detail = [
        [
            str(number),
            line.published_on.strftime("%d/%m/%Y"),
            line.title,
            line.kind_label,
            line.grade_name,
            format_number(line.entry_points),
            vnd(line.value_per_point),
            vnd(line.entry_amount),
            line.author_name,
            line.account_username,
            format_number(line.share),
            format_number(line.points),
            vnd(line.amount),
        ]
        for number, line in enumerate(report.lines, start=1)
    ]
    total = pgettext("royalty report", "Total")
    return {
        "report_title": selectors.royalty_report_title(report=report),
        "summary_headers": selectors.royalty_report_summary_headers(),
        "summary_rows": summary,
        "summary_total": ["", total, "", str(report.items), format_number(report.points), vnd(report.amount)],
        "detail_headers": selectors.royalty_report_detail_headers(),
        "detail_rows": detail,
        "detail_total": ["", "", total, *[""] * 8, format_number(report.points), vnd(report.amount)],
    }


def _export_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["export"] = "xlsx"
    return query.urlencode()
