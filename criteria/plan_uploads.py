"""The upload of a table that goes into an organization's plan of a year (the
appendix, the province's criteria set): the form's organization and year, chosen
among the organizations the user may see, and the plan's mark kept for the
confirmation (``plan_mark``)."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from criteria.managers import organization_visible
from criteria.models import Organization, Plan
from criteria.plan_mark import plan_mark
from parplan import table_import
from parplan.uploads import upload_size_check

R = TypeVar("R")


class PlanYearUploadForm(forms.Form):
    """Subclasses give ``file`` its label and help."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        label=gettext_lazy("Cơ quan"),
        empty_label=None,
    )
    year = forms.IntegerField(
        label=gettext_lazy("Năm kế hoạch"), min_value=2000, max_value=2100
    )
    file = forms.FileField()

    def clean_file(self) -> object:
        return upload_size_check(self.cleaned_data["file"])


class PlanYearImport(table_import.TableImportFlow[R]):
    """A flow whose upload names the organization and the year of the plan."""

    form_class: type[PlanYearUploadForm]

    def form(
        self,
        request: HttpRequest,
        data: Any = None,
        files: Any = None,
        meta: dict[str, Any] | None = None,
    ) -> forms.Form:
        latest = Plan.objects.visible_to(request.user).current()
        initial = {
            "year": latest.year if latest else timezone.localdate().year,
            "organization": latest.organization_id if latest else None,
        }
        if meta:
            initial = {"year": meta["year"], "organization": meta["organization"]}
        form = self.form_class(data, files, initial=initial)
        choice = form.fields["organization"]
        assert isinstance(choice, forms.ModelChoiceField)
        choice.queryset = Organization.objects.filter(
            organization_visible(request.user, None)
        )
        return form

    def meta(self, request: HttpRequest, form: forms.Form) -> dict[str, Any]:
        return {
            "organization": form.cleaned_data["organization"].pk,
            "year": form.cleaned_data["year"],
        }

    def mark(self, meta: dict[str, Any]) -> dict[str, Any]:
        return {
            "previewed": plan_mark(
                organization_id=meta["organization"], year=int(meta["year"])
            )
        }
