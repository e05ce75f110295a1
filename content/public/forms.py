"""The legal-document search form (NĐ 42/2022 Đ4: search by number, issuer, field, dates, validity)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from content.models import DocumentField, DocumentForm, Validity
from content.public import selectors


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class DocumentSearchForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=100, required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=300, required=False)
    q = forms.CharField(label=_("Words in the abstract"), max_length=200, required=False)
    field = forms.ModelChoiceField(
        label=_("Field"),
        queryset=DocumentField.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All fields"),
    )
    type = forms.ChoiceField(label=_("Form"), choices=[("", _("All forms")), *DocumentForm.choices], required=False)
    validity = forms.ChoiceField(
        label=_("Validity"), choices=[("", _("Any validity")), *Validity.choices], required=False
    )
    issued_from = forms.DateField(
        label=_("Issued from"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )
    issued_to = forms.DateField(
        label=_("Issued until"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["field"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.document_fields_used()
        self.fields["issued_from"].error_messages["invalid"] = _("Enter a date as dd/mm/yyyy.")
        self.fields["issued_to"].error_messages["invalid"] = _("Enter a date as dd/mm/yyyy.")
        field.error_messages["invalid_choice"] = _("This field has no published documents; choose one from the list.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("issued_from"), cleaned.get("issued_to")
        if start and end and end < start:
            self.add_error("issued_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> selectors.DocumentFilters:
        data = self.cleaned_data
        return selectors.DocumentFilters(
            number=(data.get("number") or "").strip(),
            issuer=(data.get("issuer") or "").strip(),
            text=(data.get("q") or "").strip(),
            field=data.get("field"),
            form=data.get("type") or "",
            validity=data.get("validity") or "",
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
        )
