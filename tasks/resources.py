"""django-import-export resource of tasks: the office's task list as a spreadsheet."""

from __future__ import annotations

from typing import Any

from import_export import fields, resources, widgets

from tasks.models import Task


class TaskResource(resources.ModelResource):
    """Tasks keyed by (plan year, criterion code, position); units as the appendix writes them."""

    year = fields.Field(
        attribute="criterion__plan__year", column_name="year", readonly=True
    )
    criterion = fields.Field(
        attribute="criterion",
        column_name="criterion",
        widget=widgets.ForeignKeyWidget("criteria.Criterion", field="code"),
        readonly=True,
    )
    lead = fields.Field(column_name="lead", readonly=True, dehydrate_method="_lead")
    progress = fields.Field(
        column_name="progress", readonly=True, dehydrate_method="_progress"
    )

    class Meta:
        model = Task
        fields = (
            "id",
            "year",
            "criterion",
            "position",
            "text",
            "lead",
            "due_date",
            "status",
            "progress",
        )
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self) -> Any:
        return Task.objects.select_related("criterion__plan").prefetch_related(
            "parts__unit"
        )

    def _lead(self, task: Task) -> str:
        return task.lead_label()

    def _progress(self, task: Task) -> str:
        return f"{task.progress:.0f}"
