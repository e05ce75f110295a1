"""The public pages of citizens' questions (/hoi-dap/) and consultations on drafts (/gop-y-du-thao/).

Reading pages show only what the editorial workflow has published (``live``) and comments a
moderator approved, never a citizen's email or phone. The two forms are guarded, in this order, by
a rate limit per client address (``settings.CITIZEN_SUBMISSIONS_PER_HOUR``; a flood gets the 429
page and nothing is stored), a honeypot field (filled in only by robots) and a CAPTCHA; the
services then check every field and say what is wrong, in Vietnamese, next to it, keeping what the
citizen typed. Form pages are never cached: each carries its own CAPTCHA and CSRF token.
"""

from __future__ import annotations

from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from content import selectors_citizens as selectors
from content import services
from content.models import Consultation, DocumentField
from portal_platform.audit import client_ip
from portal_platform.errors import ApplicationError

PER_PAGE = 20
HONEYPOT = "website"
QUESTION_GROUP = "citizens.question"
COMMENT_GROUP = "citizens.comment"


# --- forms: presentation, the CAPTCHA and the honeypot; the services check the rest ----------------


class CaptchaWidget(CaptchaTextInput):
    """The CAPTCHA with a text alternative that says what the picture is for (WCAG 1.1.1)."""

    template_name = "content/citizens/captcha_widget.html"


class _GuardedForm(forms.Form):
    """Fields are plain text here so that whatever the citizen typed comes back on the page."""

    # A field people never see (hidden by style, out of the tab order) and robots fill in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    captcha = CaptchaField(
        label=_("Security check"),
        help_text=_("Type the characters shown in the picture (upper or lower case)."),
        widget=CaptchaWidget(),
        error_messages={
            "required": _("Type the characters shown in the picture."),
            "invalid": _("The characters do not match the picture. Type the characters of the new picture."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["captcha"].show_required = True  # type: ignore[attr-defined]

    def honeypot_filled(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def errors_apply(self, exc: ApplicationError) -> None:
        """Show a service's refusal next to the fields it names (at the top otherwise)."""
        fields: dict[str, list[str]] = exc.extra.get("fields") or {}
        placed = False
        for name, messages in fields.items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)

    def captcha_describe(self) -> None:
        """Point the CAPTCHA's answer box at its help and error (Django does so only for single widgets)."""
        bound = self["captcha"]
        ids = [f"{bound.auto_id}_helptext"] + ([f"{bound.auto_id}_error"] if bound.errors else [])
        self.fields["captcha"].widget.attrs["aria-describedby"] = " ".join(ids)


def _text(label: Any, *, widget: forms.Widget | None = None, required: bool = True, **attrs: str) -> forms.CharField:
    """A text field the services check; ``required`` only marks it for the browser and the reader."""
    field = forms.CharField(label=label, required=False, strip=False, widget=widget or forms.TextInput())
    field.widget.attrs.update(attrs)
    if required:
        field.widget.attrs["required"] = True
    field.show_required = required  # type: ignore[attr-defined]
    return field


class QuestionForm(_GuardedForm):
    name = _text(_("Full name"), autocomplete="name", maxlength="150")
    email = _text(_("Email"), widget=forms.EmailInput(), required=False, autocomplete="email", maxlength="254")
    phone = _text(_("Phone"), widget=forms.TelInput(), required=False, autocomplete="tel", maxlength="20")
    field = forms.CharField(label=_("Field"), required=False, widget=forms.Select())
    title = _text(_("Subject"), maxlength="300")
    body = _text(_("Your question"), widget=forms.Textarea(attrs={"rows": "8"}), maxlength="5000")

    field_order = ["name", "email", "phone", "field", "title", "body", HONEYPOT, "captcha"]

    def __init__(self, *args: Any, fields: list[DocumentField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("Give an email address or a phone number (at least one).")
        select = self.fields["field"].widget
        assert isinstance(select, forms.Select)
        select.choices = [("", _("— Choose a field —")), *((str(f.pk), f.name) for f in fields)]
        # A portal that lists no fields yet does not ask for one (the service requires it only then).
        self.has_fields = bool(fields)
        if fields:
            select.attrs["required"] = True
        self.fields["field"].show_required = bool(fields)  # type: ignore[attr-defined]


class CommentForm(_GuardedForm):
    name = _text(_("Full name"), autocomplete="name", maxlength="150")
    email = _text(_("Email"), widget=forms.EmailInput(), autocomplete="email", maxlength="254")
    body = _text(_("Your comment"), widget=forms.Textarea(attrs={"rows": "10"}), maxlength="5000")

    field_order = ["name", "email", "body", HONEYPOT, "captcha"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("Never shown on the portal.")


# --- the guards -------------------------------------------------------------------------------------


def _client_key(group: str, request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _rate(group: str, request: HttpRequest) -> str:
    return f"{settings.CITIZEN_SUBMISSIONS_PER_HOUR}/h"


def _flooded(request: HttpRequest, group: str) -> bool:
    """Count this submission against the client's hourly allowance on this portal; True once over it."""
    # The default cache's keys carry the portal's schema, so each portal counts on its own.
    return bool(
        is_ratelimited(request=request, group=group, key=_client_key, rate=_rate, method="POST", increment=True)
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "content/citizens/rate_limited.html",
        {"per_hour": settings.CITIZEN_SUBMISSIONS_PER_HOUR},
        status=429,
    )
    response["Retry-After"] = "3600"
    return response


def _refused(request: HttpRequest, *, title: Any, message: Any, status: int, back: str = "") -> HttpResponse:
    return render(
        request, "content/citizens/refused.html", {"title": title, "message": message, "back": back}, status=status
    )


def _spam(request: HttpRequest, back: str) -> HttpResponse:
    return _refused(
        request,
        title=_("Your submission was not accepted"),
        message=_("The form was not filled in as expected. Please fill it in again."),
        status=400,
        back=back,
    )


def _posted(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in names}


# --- questions ----------------------------------------------------------------------------------


@require_GET
def question_list(request: HttpRequest) -> HttpResponse:
    field_slug = request.GET.get("linh-vuc", "")
    rows = selectors.question_answers_public(field_slug=field_slug)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("trang"))
    return render(
        request,
        "content/citizens/question_list.html",
        {"page": page, "fields": selectors.question_fields_public(), "field_slug": field_slug},
    )


@require_GET
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.question_answer_public(pk=pk)
    if item is None:
        raise Http404
    return render(request, "content/citizens/question_detail.html", {"item": item})


QUESTION_FIELDS = ("name", "email", "phone", "title", "body", "field")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def question_ask(request: HttpRequest) -> HttpResponse:
    fields = list(selectors.question_fields())
    if request.method != "POST":
        return _question_form(request, QuestionForm(fields=fields))
    if _flooded(request, QUESTION_GROUP):
        return _too_many(request)
    form = QuestionForm(request.POST, fields=fields)
    if form.honeypot_filled():
        return _spam(request, back=request.path)
    valid = form.is_valid()  # the CAPTCHA, checked (and used up) whatever else is wrong
    data = _posted(request, QUESTION_FIELDS)
    kwargs = {**{k: v for k, v in data.items() if k != "field"}, "field_id": data["field"]}
    try:
        services.question_validate(**kwargs)
    except ApplicationError as exc:
        form.errors_apply(exc)
        valid = False
    if valid:
        try:
            question = services.question_submit(**kwargs)
        except ApplicationError as exc:
            form.errors_apply(exc)
        else:
            return render(request, "content/citizens/question_thanks.html", {"question": question})
    return _question_form(request, form, status=400)


def _question_form(request: HttpRequest, form: QuestionForm, *, status: int = 200) -> HttpResponse:
    form.captcha_describe()
    return render(request, "content/citizens/question_form.html", {"form": form}, status=status)


# --- consultations ---------------------------------------------------------------------------------


@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.consultations_public(), PER_PAGE).get_page(request.GET.get("trang"))
    for item in page:
        item.is_open = selectors.consultation_is_open(item)  # type: ignore[attr-defined]
    return render(request, "content/citizens/consultation_list.html", {"page": page})


def _consultation(slug: str) -> Consultation:
    item = selectors.consultation_public(slug=slug)
    if item is None:
        raise Http404
    return item


@require_GET
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    item = _consultation(slug)
    return render(
        request,
        "content/citizens/consultation_detail.html",
        {
            "item": item,
            "is_open": selectors.consultation_is_open(item),
            "comments": selectors.consultation_comments_public(consultation=item),
        },
    )


COMMENT_FIELDS = ("name", "email", "body")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def consultation_comment(request: HttpRequest, slug: str) -> HttpResponse:
    item = _consultation(slug)
    if request.method == "POST" and _flooded(request, COMMENT_GROUP):
        return _too_many(request)
    try:
        services.consultation_comment_check_open(consultation=item)
    except ApplicationError as exc:
        # Outside the comment period the form is gone; a POST sent anyway is refused, nothing stored.
        return _refused(
            request,
            title=_("Comments are not accepted now"),
            message=exc.message,
            status=exc.http_status if request.method == "POST" else 200,
            back=item_url(item),
        )
    if request.method != "POST":
        return _comment_form(request, item, CommentForm())
    form = CommentForm(request.POST)
    if form.honeypot_filled():
        return _spam(request, back=request.path)
    valid = form.is_valid()
    data = _posted(request, COMMENT_FIELDS)
    try:
        services.consultation_comment_validate(**data)
    except ApplicationError as exc:
        form.errors_apply(exc)
        valid = False
    if valid:
        try:
            services.consultation_comment_submit(consultation=item, **data)
        except ApplicationError as exc:
            form.errors_apply(exc)
        else:
            return render(request, "content/citizens/comment_thanks.html", {"item": item})
    return _comment_form(request, item, form, status=400)


def item_url(item: Consultation) -> str:
    return reverse("consultation-detail", args=[item.slug])


def _comment_form(request: HttpRequest, item: Consultation, form: CommentForm, *, status: int = 200) -> HttpResponse:
    form.captcha_describe()
    return render(request, "content/citizens/comment_form.html", {"item": item, "form": form}, status=status)
