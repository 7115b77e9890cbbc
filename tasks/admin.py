from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from criteria.admin import PlanFilter
from tasks.models import Membership, ProgressUpdate, Task, TaskUnit, Unit
from tasks.resources import TaskResource


class TaskUnitInline(admin.TabularInline):
    model = TaskUnit
    fields = ("unit", "role", "status", "percent", "note")
    extra = 0
    autocomplete_fields = ("unit",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "is_office", "is_illustrative", "position")
    list_filter = ("organization", "is_office", "is_illustrative")
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
class TaskAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [TaskResource]
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
    list_display = ("task", "unit", "role", "status", "percent", "updated_at")
    list_filter = ("unit", "role", "status")
    search_fields = ("task__text", "unit__name")
    list_select_related = ("task__criterion", "unit")
    raw_id_fields = ("task",)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ("part", "author", "created_at", "old_percent", "percent", "status")
    list_filter = ("status", "part__unit")
    search_fields = ("note", "part__task__text")
    list_select_related = ("part__task__criterion", "part__unit", "author")
    raw_id_fields = ("part",)
    date_hierarchy = "created_at"
