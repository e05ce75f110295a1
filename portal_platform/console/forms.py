"""Forms of the console. They only parse input into the types the services take; the services
check the rules (abbreviation, domains, template, notice period) and their ``ApplicationError``
is put back on the form by ``form_error_apply``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal_platform.errors import ApplicationError
from provisioning.models import RequestStatus
from provisioning.site_templates import available_templates, load_template
from tenants.models import Portal, PortalKind, PortalStatus

# dd/mm/yyyy HH:MM first (what the console shows); the ISO forms are what browsers send for
# <input type="datetime-local"> and what scripts tend to type.
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATETIME_INPUT_FORMATS = [DATETIME_FORMAT, "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def form_error_apply(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's error on the field it names (``extra["field"]``), else on the whole form."""
    field = exc.extra.get("field")
    form.add_error(field if isinstance(field, str) and field in form.fields else None, exc.message)


def template_choices() -> list[tuple[str, str]]:
    """The shipped site templates, labelled with their human name and version when they load."""
    choices: list[tuple[str, str]] = []
    for key in available_templates():
        try:
            template = load_template(key)
        except ApplicationError:
            # A broken template is still listed: filing with it shows the loader's precise error.
            choices.append((key, key))
            continue
        label = f"{template.name} ({key}, v{template.version})" if template.name else f"{key} (v{template.version})"
        choices.append((key, label))
    return choices


def _with_blank(choices: Any, blank_label: Any) -> list[tuple[str, Any]]:
    return [("", blank_label), *choices]


class PortalFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_with_blank(PortalStatus.choices, _("All statuses"))
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_with_blank(PortalKind.choices, _("All kinds")))


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_with_blank(RequestStatus.choices, _("All statuses"))
    )


class ProvisioningRequestForm(forms.Form):
    """Every field of an agency's written request that ``services.request_file`` takes."""

    required_css_class = "required"

    # The agency
    name = forms.CharField(label=_("Agency full name"), max_length=255)
    abbreviation = forms.CharField(
        label=_("Abbreviation"),
        max_length=40,
        help_text=_("Lower-case unaccented letters, digits and hyphens, for example: sokhcn, xa-con-cuong."),
    )
    kind = forms.ChoiceField(label=_("Kind of portal"), choices=PortalKind.choices, initial=PortalKind.COMMUNE)
    parent = forms.ModelChoiceField(
        label=_("Parent portal"),
        queryset=Portal.objects.filter(kind=PortalKind.PROVINCE),
        required=False,
        empty_label=_("(none: this is the provincial portal)"),
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=64, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False, widget=forms.EmailInput)
    responsible_person = forms.CharField(label=_("Person responsible"), max_length=255, required=False)
    # The portal
    domains = forms.CharField(
        label=_("Domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "none"}),
    )
    template = forms.ChoiceField(label=_("Site template"), choices=template_choices)
    # The first admin account
    admin_name = forms.CharField(label=_("First admin's full name"), max_length=255)
    admin_email = forms.CharField(label=_("First admin's email"), max_length=254, widget=forms.EmailInput)
    admin_department = forms.CharField(
        label=_("Department abbreviation of the first admin"),
        max_length=40,
        required=False,
        help_text=_("Optional: gives the account admin.<department>.<abbreviation> instead of admin.<abbreviation>."),
    )
    # The written request
    request_reference = forms.CharField(
        label=_("Reference of the written request"),
        max_length=100,
        help_text=_("Number and symbol of the agency's written request, for example: 123/UBND-VP."),
    )
    approve_now = forms.BooleanField(
        label=_("Approve now"),
        required=False,
        help_text=_("File and approve in one step: the portal is created at once."),
    )

    fieldsets: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (
            _("The agency"),
            ("name", "abbreviation", "kind", "parent", "address", "phone", "email", "responsible_person"),
        ),
        (_("The portal"), ("domains", "template")),
        (_("The first admin account"), ("admin_name", "admin_email", "admin_department")),
        (_("The written request"), ("request_reference", "approve_now")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].initial = (
            Portal.objects.filter(kind=PortalKind.PROVINCE).values_list("pk", flat=True).first()
        )
        self.fields["domains"].help_text = _(
            "One domain per line, the primary one first. Leave empty for <abbreviation>.%(domain)s."
        ) % {"domain": settings.PLATFORM_DOMAIN}
        if PortalKind.COMMUNE in dict(self.fields["template"].choices):  # type: ignore[attr-defined]
            self.fields["template"].initial = PortalKind.COMMUNE

    def clean_domains(self) -> list[str]:
        raw: str = self.cleaned_data.get("domains") or ""
        return [line.strip() for line in raw.splitlines() if line.strip()]

    def bound_fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of ``services.request_file`` (and ``request_file_and_approve``)."""
        data = dict(self.cleaned_data)
        data.pop("approve_now")
        data["domains"] = data["domains"] or None  # None: the service's default domain
        return data


class RejectForm(forms.Form):
    required_css_class = "required"
    reason = forms.CharField(
        label=_("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the request: say what the agency must correct."),
    )


class DowntimeForm(forms.Form):
    required_css_class = "required"
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"placeholder": "dd/mm/yyyy HH:MM"}),
        help_text=_("dd/mm/yyyy HH:MM"),
    )
    expected_end = forms.DateTimeField(
        label=_("Expected restoration"),
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"placeholder": "dd/mm/yyyy HH:MM"}),
        help_text=_("dd/mm/yyyy HH:MM"),
    )
    message = forms.CharField(
        label=_("Message shown on the portal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["urgent"].help_text = _(
            "Downtime must be announced at least %(days)s working days ahead; only urgent downtime may be announced later."
        ) % {"days": settings.DOWNTIME_NOTICE_WORKING_DAYS}
