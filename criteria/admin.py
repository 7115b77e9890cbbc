from __future__ import annotations

from typing import Any

import tablib
from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import Format
from import_export.forms import ConfirmImportForm, ImportForm
from simple_history.admin import SimpleHistoryAdmin

from criteria.models import Criterion, Evidence, Organization, Plan, ScoringRule
from criteria.resources import AppendixResource
from criteria.services import AppendixImportError, appendix_parse
from tasks.models import Task


class AppendixFormat(Format):
    """The appendix as people have it, read by the same parser as the command.

    A file that cannot be read becomes a dataset of its problems, which
    ``AppendixResource.before_import`` reports row by row instead of a bare exception.
    """

    extension = "xlsx"
    title = _("Phụ lục kế hoạch (.xlsx)")

    def __init__(self, encoding: str | None = None) -> None:
        self.encoding = encoding

    def get_title(self) -> Any:
        return self.title

    def get_extension(self) -> str:
        return self.extension

    def can_import(self) -> bool:
        return True

    def create_dataset(self, in_stream: bytes, **kwargs: Any) -> tablib.Dataset:
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        try:
            table = appendix_parse(data=in_stream, filename=f"upload.{self.extension}")
        except AppendixImportError as exc:
            data = tablib.Dataset(headers=["problem"])
            for problem in exc.problems:
                data.append([str(problem)])
            return data
        return table.dataset()


class AppendixCSV(AppendixFormat):
    extension = "csv"
    title = _("Phụ lục kế hoạch (.csv)")


class AppendixText(AppendixFormat):
    extension = "tsv"
    title = _("Phụ lục kế hoạch (.tsv, .txt dán từ văn bản)")


class PlanFilter(admin.SimpleListFilter):
    """Filter by plan in one query (the plan's name includes its organization)."""

    title = _("kế hoạch")
    parameter_name = "plan"
    plan_path = "plan"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[int, str]]:
        plans = Plan.objects.select_related("organization")
        return [(plan.pk, str(plan)) for plan in plans]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(**{f"{self.plan_path}__pk": self.value()})
        return queryset


class PlanImportForm(ImportForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), label=_("Kế hoạch"))


class PlanConfirmImportForm(ConfirmImportForm):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.all(), widget=forms.HiddenInput()
    )


class TaskInline(admin.TabularInline):
    model = Task
    fields = ("position", "text", "all_units", "due_date", "status", "percent")
    extra = 0
    show_change_link = True


class EvidenceInline(admin.StackedInline):
    model = Evidence
    fk_name = "criterion"
    fields = ("number", "issued_on", "issuer", "summary", "location", "file", "link")
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "province")
    search_fields = ("name", "short_name")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "organization",
        "year",
        "baseline_year",
        "rank_goal",
        "criteria_count",
    )
    list_filter = ("year", "organization")
    search_fields = ("title", "number", "organization__name")
    list_select_related = ("organization",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Plan]:
        return super().get_queryset(request).annotate(criteria_count=Count("criteria"))

    @admin.display(description=_("số tiêu chí"), ordering="criteria_count")
    def criteria_count(self, obj: Plan) -> int:
        return obj.criteria_count


@admin.register(Criterion)
class CriterionAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [AppendixResource]
    formats = [AppendixFormat, AppendixCSV, AppendixText]
    import_form_class = PlanImportForm
    confirm_form_class = PlanConfirmImportForm
    list_display = (
        "code",
        "short_title",
        "plan",
        "max_score",
        "baseline_score",
        "target_score",
        "self_score",
        "task_count",
    )
    list_display_links = ("code", "short_title")
    list_filter = (PlanFilter, "depth")
    search_fields = ("code", "title", "explanation")
    list_select_related = ("plan__organization",)
    ordering = ("plan", "sort_key")
    readonly_fields = ("depth",)
    autocomplete_fields = ("parent",)
    inlines = [TaskInline, EvidenceInline]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[Criterion]:
        return super().get_queryset(request).annotate(task_count=Count("tasks"))

    @admin.display(description=_("lĩnh vực, tiêu chí"), ordering="title")
    def short_title(self, obj: Criterion) -> str:
        return obj.title if len(obj.title) <= 90 else obj.title[:88] + "…"

    @admin.display(description=_("số nhiệm vụ"), ordering="task_count")
    def task_count(self, obj: Criterion) -> int:
        return obj.task_count

    # The appendix import needs to know which plan it fills.
    def get_import_resource_kwargs(
        self, request: HttpRequest, **kwargs: Any
    ) -> dict[str, Any]:
        form = kwargs.get("form")
        plan = (
            form.cleaned_data.get("plan")
            if form is not None and hasattr(form, "cleaned_data")
            else None
        )
        if plan is None:
            plan = Plan.objects.order_by("-year").first()
        return {"plan": plan}

    def get_confirm_form_initial(
        self, request: HttpRequest, import_form: Any
    ) -> dict[str, Any]:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["plan"] = import_form.cleaned_data["plan"].pk
        return initial

    def get_export_resource_kwargs(
        self, request: HttpRequest, **kwargs: Any
    ) -> dict[str, Any]:
        return {"plan": Plan.objects.order_by("-year").first()}


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = (
        "__str__",
        "criterion",
        "issued_on",
        "issuer",
        "uploaded_by",
        "created_at",
    )
    list_filter = (PlanFilter,)
    search_fields = ("number", "summary", "issuer")
    list_select_related = ("criterion", "uploaded_by")
    raw_id_fields = ("criterion", "progress_update")


@admin.register(ScoringRule)
class ScoringRuleAdmin(SimpleHistoryAdmin):
    list_display = ("criterion", "kind", "levels", "updated_at")
    list_filter = ("kind",)
    search_fields = ("criterion__code", "criterion__title", "levels")
    list_select_related = ("criterion",)
    raw_id_fields = ("criterion",)
