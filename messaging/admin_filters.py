"""The admin's date filter by range: created between two days, served by the index on ``created_at``."""

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.utils import timezone


class CreatedBetweenForm(forms.Form):
    created_from = forms.DateField(required=False, label="from", widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(required=False, label="to", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and end < start:
            raise forms.ValidationError("The range ends before it starts.")
        return cleaned


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight starting ``day`` in the admin's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class CreatedBetweenFilter(admin.ListFilter):
    """Messages created from one day through another, both inclusive, either end open.

    A range on ``created_at`` (``>=`` the first midnight, ``<`` the midnight after the last day), never a
    date function of the column, so PostgreSQL reads only the range from the index.
    """

    title = "creation date range"
    template = "admin/messaging/created_between_filter.html"
    parameter_names = ("created_from", "created_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.parameter_names:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]
        self.form = CreatedBetweenForm(self.used_parameters or None)
        # The form submits the range with the list's other parameters, so it narrows the current list, from
        # its first page.
        replaced = {*self.parameter_names, PAGE_VAR, ERROR_FLAG}
        self.kept_parameters = [
            (name, value) for name, values in request.GET.lists() if name not in replaced for value in values
        ]

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return list(self.parameter_names)

    def choices(self, changelist):
        return []

    def queryset(self, request, queryset):
        if not self.used_parameters:
            return queryset
        if not self.form.is_valid():
            raise IncorrectLookupParameters(self.form.errors.as_text())
        start, end = self.form.cleaned_data["created_from"], self.form.cleaned_data["created_to"]
        if start:
            queryset = queryset.filter(created_at__gte=day_start(start))
        # The last day a date can name has no midnight after it: the range is open at that end.
        if end and end < datetime.date.max:
            queryset = queryset.filter(created_at__lt=day_start(end + datetime.timedelta(days=1)))
        return queryset
