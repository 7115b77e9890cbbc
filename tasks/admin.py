"""The admin of units, tasks, progress and evidence, and of criteria: a criterion's
admin page shows its tasks and evidence and imports the appendix, so it lives here,
where it can see all three."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ConfirmImportForm, ImportForm
from simple_history.admin import SimpleHistoryAdmin

from criteria.admin import PlanFilter
from criteria.assessment_lock import lock_message, self_assessment_locked
from criteria.models import Criterion, Plan
from parplan.admin_imports import (
    EXPORT_FORMATS,
    TableCSV,
    TableFormat,
    TableImportAdminMixin,
)
from parplan.admin_versions import VersionedAdminForm
from tasks.appendix.resource import (
    AppendixCSV,
    AppendixFormat,
    AppendixResource,
    AppendixText,
)
from tasks.models import (
    Evidence,
    Membership,
    ProgressUpdate,
    QuarterlyReview,
    Task,
    TaskUnit,
    Unit,
)
from tasks.resources import TaskResource

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _TaskCount(TypedDict):  # what get_queryset annotates
        task_count: int


class TaskUnitInline(admin.TabularInline):
    model = TaskUnit
    form = VersionedAdminForm
    fields = ("unit", "role", "status", "percent", "note", "loaded_version")
    extra = 0
    autocomplete_fields = ("unit",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organization",
        "is_office",
        "is_illustrative",
        "is_active",
        "position",
    )
    list_filter = ("organization", "is_office", "is_illustrative", "is_active")
    search_fields = ("name",)
    list_editable = ("position",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit")
    list_filter = ("unit",)
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "unit__name",
    )
    list_select_related = ("user", "unit")
    autocomplete_fields = ("user", "unit")


class TaskPlanFilter(PlanFilter):
    plan_path = "criterion__plan"


@admin.register(Task)
class TaskAdmin(TableImportAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    form = VersionedAdminForm
    resource_classes = [TaskResource]
    # Read by the bounded reader every import uses, not by tablib's.
    import_formats = [TableFormat, TableCSV]
    export_formats = EXPORT_FORMATS
    list_display = (
        "criterion_code",
        "position",
        "short_text",
        "lead",
        "due_date",
        "status",
    )
    list_filter = (TaskPlanFilter, "status", "parts__unit")
    search_fields = ("text", "criterion__code", "criterion__title")
    list_select_related = ("criterion__plan",)
    ordering = ("criterion__plan", "criterion__sort_key", "position")
    raw_id_fields = ("criterion",)
    inlines = [TaskUnitInline]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        return super().get_queryset(request).prefetch_related("parts__unit").distinct()

    @admin.display(description=_("STT"), ordering="criterion__sort_key")
    def criterion_code(self, obj: Task) -> str:
        return obj.criterion.code

    @admin.display(description=_("nhiệm vụ, giải pháp"))
    def short_text(self, obj: Task) -> str:
        return obj.text if len(obj.text) <= 90 else obj.text[:88] + "…"

    @admin.display(description=_("đơn vị chủ trì"))
    def lead(self, obj: Task) -> str:
        return obj.lead_label()


@admin.register(TaskUnit)
class TaskUnitAdmin(SimpleHistoryAdmin):
    form = VersionedAdminForm
    list_display = ("task", "unit", "role", "status", "percent", "updated_at")
    list_filter = ("unit", "role", "status")
    search_fields = ("task__text", "unit__name")
    list_select_related = ("task__criterion", "unit")
    raw_id_fields = ("task",)


@admin.register(QuarterlyReview)
class QuarterlyReviewAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "quarter", "held_on", "notice_number")
    list_filter = ("plan", "quarter")
    search_fields = ("notice_number", "conclusions")
    list_select_related = ("plan__organization",)
    raw_id_fields = ("criteria", "tasks")


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ("part", "author", "created_at", "old_percent", "percent", "status")
    list_filter = ("status", "part__unit")
    search_fields = ("note", "part__task__text")
    list_select_related = ("part__task__criterion", "part__unit", "author")
    raw_id_fields = ("part",)
    date_hierarchy = "created_at"

    # A report is what a unit head said at a time: the admin shows it, never
    # rewrites or deletes it (a correction is a new report on the unit's page).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ProgressUpdate | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ProgressUpdate | None = None
    ) -> bool:
        return False


class PlanImportForm(ImportForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), label=_("Kế hoạch"))


class PlanConfirmImportForm(ConfirmImportForm):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.all(), widget=forms.HiddenInput()
    )


class TaskInline(admin.TabularInline):
    model = Task
    form = VersionedAdminForm
    fields = (
        "position",
        "text",
        "all_units",
        "due_date",
        "status",
        "percent",
        "loaded_version",
    )
    extra = 0
    show_change_link = True


def _locked(obj: Criterion | Evidence | None) -> bool:
    """An approved self-assessment locks self-scores and explanations in the admin
    too: those rows show read-only and cannot be deleted (nor cascaded). Evidence is
    read-only in the admin whatever the state (``ReadOnlyEvidence``)."""
    return obj is not None and self_assessment_locked(plan_id=obj.plan_id)


class ReadOnlyEvidence:
    """Evidence is added and removed on the criterion's page, where its file is
    checked by content and size (``tasks.evidence``); the admin only shows it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(ReadOnlyEvidence, admin.StackedInline):
    model = Evidence
    fk_name = "criterion"
    fields = ("number", "issued_on", "issuer", "summary", "location", "file", "link")
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(TableImportAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    form = VersionedAdminForm
    resource_classes = [AppendixResource]
    import_formats = [AppendixFormat, AppendixCSV, AppendixText]
    export_formats = EXPORT_FORMATS
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

    def get_readonly_fields(
        self, request: HttpRequest, obj: Criterion | None = None
    ) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if _locked(obj):
            if request.method == "GET":
                self.message_user(request, lock_message(), level=messages.WARNING)
            return (*fields, "self_score", "explanation")
        return fields

    def has_delete_permission(
        self, request: HttpRequest, obj: Criterion | None = None
    ) -> bool:
        return not _locked(obj) and super().has_delete_permission(request, obj)

    @admin.display(description=_("lĩnh vực, tiêu chí"), ordering="title")
    def short_title(self, obj: Criterion) -> str:
        return obj.title if len(obj.title) <= 90 else obj.title[:88] + "…"

    @admin.display(description=_("số nhiệm vụ"), ordering="task_count")
    def task_count(self, obj: WithAnnotations[Criterion, _TaskCount]) -> int:
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
class EvidenceAdmin(ReadOnlyEvidence, SimpleHistoryAdmin):
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
