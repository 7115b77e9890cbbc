"""The admin of organizations, plans and scoring rules. Criteria are administered
with their tasks and evidence, in ``tasks.admin``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Count, F, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from criteria.models import (
    Appeal,
    Criterion,
    Organization,
    Plan,
    ScoringRule,
    SelfAssessment,
    SelfAssessmentStep,
)
from parplan.admin_readonly import ReadOnlyAdmin

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _CriteriaCount(TypedDict):  # what get_queryset annotates
        criteria_count: int


class PlanFilter(admin.SimpleListFilter):
    """Filter by plan in one query (the plan's name includes its organization)."""

    title = _("kế hoạch")
    parameter_name = "plan"
    plan_path = "plan"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        plans = Plan.objects.select_related("organization")
        return [(str(plan.pk), str(plan)) for plan in plans]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(**{f"{self.plan_path}__pk": self.value()})
        return queryset


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
    def criteria_count(self, obj: WithAnnotations[Plan, _CriteriaCount]) -> int:
        return obj.criteria_count


@admin.register(ScoringRule)
class ScoringRuleAdmin(SimpleHistoryAdmin):
    list_display = ("criterion", "kind", "levels", "updated_at")
    list_filter = ("kind",)
    search_fields = ("criterion__code", "criterion__title", "levels")
    list_select_related = ("criterion",)
    raw_id_fields = ("criterion",)

    def save_model(
        self, request: HttpRequest, obj: ScoringRule, form: Any, change: bool
    ) -> None:
        # The rule is part of its criterion: a page's form of it opened before this
        # save is stale now (see ``criteria.editing.criterion_scoring_save``).
        super().save_model(request, obj, form, change)
        Criterion.objects.filter(pk=obj.criterion_id).update(version=F("version") + 1)


# Written on the self-assessment's and the appeals' pages (their steps check the
# state, the rights and the lock); the admin only shows them.
@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("plan", "state", "edition", "updated_at")
    list_filter = ("state",)
    list_select_related = ("plan__organization",)


@admin.register(SelfAssessmentStep)
class SelfAssessmentStepAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "kind", "edition", "user", "at")
    list_filter = ("kind",)
    list_select_related = ("assessment__plan__organization", "user")
    exclude = ("figures",)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("criterion", "kind", "outcome", "recorded_by", "updated_at")
    list_filter = ("kind", "outcome")
    search_fields = ("text", "criterion__code")
    list_select_related = ("criterion__plan", "recorded_by")
