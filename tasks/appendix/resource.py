"""The admin's Import and Export buttons on criteria (django-import-export).

The admin reads the file with the same parser as every other import and writes it
with the same ``AppendixWriter``; django-import-export adds its preview, its natural
key (the code) and its log. Everywhere else ``appendix_import`` drives the writer
directly, without a ``tablib.Dataset`` in between.
"""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import Format
from import_export.instance_loaders import CachedInstanceLoader

from criteria.codes import parent_code
from criteria.models import Criterion, Plan
from parplan.scores import ScoreParseError, format_decimal, parse_score
from parplan.tables import TableImportError
from tasks.appendix.parse import AppendixTable, TaskRow, appendix_parse
from tasks.appendix.writer import AppendixWriter

DATASET_HEADERS = [
    "source_row",
    "code",
    "title",
    "max_score",
    "baseline_score",
    "target_score",
    "tasks",
]


def appendix_dataset(table: AppendixTable) -> tablib.Dataset:
    """The parsed appendix as the admin's import needs it: one row per criterion,
    its tasks as tuples of their cells (None when the file has no task column)."""
    data = tablib.Dataset(headers=DATASET_HEADERS)
    for row in table.rows:
        tasks = [astuple(t) for t in row.tasks] if table.has_tasks else None
        data.append(
            [
                row.source_row,
                row.code,
                row.title,
                row.scores["max_score"],
                row.scores["baseline_score"],
                row.scores["target_score"],
                tasks,
            ]
        )
    return data


class AppendixFormat(Format):
    """The appendix as people have it, read by the same parser as the command.

    A file that cannot be read becomes a dataset of its problems, which
    ``AppendixResource.before_import`` reports row by row instead of a bare exception.
    """

    extension = "xlsx"
    title: Any = _("Phụ lục kế hoạch (.xlsx)")

    def __init__(self, encoding: str | None = None) -> None:
        self.encoding = encoding

    def get_title(self) -> Any:
        return self.title

    def get_extension(self) -> str:
        return self.extension

    def can_import(self) -> bool:
        return True

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        try:
            table = appendix_parse(data=in_stream, filename=f"upload.{self.extension}")
        except TableImportError as exc:
            data = tablib.Dataset(headers=["problem"])
            for problem in exc.problems:
                data.append([str(problem)])
            return data
        return appendix_dataset(table)


class AppendixCSV(AppendixFormat):
    extension = "csv"
    title = _("Phụ lục kế hoạch (.csv)")


class AppendixText(AppendixFormat):
    extension = "tsv"
    title = _("Phụ lục kế hoạch (.tsv, .txt dán từ văn bản)")


class ScoreWidget(widgets.DecimalWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return parse_score(value)
        except ScoreParseError as exc:
            raise ValueError(str(exc)) from exc

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return format_decimal(value)


class TasksWidget(widgets.Widget):
    """A list of tasks (text, lead units, supporting units, due, output), passed to
    the resource as read."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return value


def _task_rows(row: Any) -> list[TaskRow] | None:
    tasks = row.get("tasks")
    return None if tasks is None else [TaskRow(*cells) for cells in tasks]


class AppendixResource(resources.ModelResource):
    """One appendix row per criterion; its tasks and their lead units come along."""

    code = fields.Field(attribute="code", column_name="code")
    title = fields.Field(attribute="title", column_name="title")
    max_score = fields.Field(
        attribute="max_score", column_name="max_score", widget=ScoreWidget()
    )
    baseline_score = fields.Field(
        attribute="baseline_score", column_name="baseline_score", widget=ScoreWidget()
    )
    target_score = fields.Field(
        attribute="target_score", column_name="target_score", widget=ScoreWidget()
    )
    tasks = fields.Field(
        column_name="tasks", widget=TasksWidget(), dehydrate_method="_tasks"
    )

    class Meta:
        model = Criterion
        fields = (
            "code",
            "title",
            "max_score",
            "baseline_score",
            "target_score",
            "tasks",
        )
        import_id_fields = ("code",)
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True
        skip_html_diff = True

    writer: AppendixWriter  # made by before_import, for the plan imported into

    # The export form makes one without a plan, only to list its columns.
    def __init__(self, plan: Plan | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan

    def get_queryset(self) -> Any:
        return Criterion.objects.filter(plan=self.plan)

    def _tasks(self, obj: Criterion) -> str:
        return "\n".join(task.text for task in obj.tasks.all())

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        if "problem" in (dataset.headers or []):
            raise ValidationError([row[0] for row in dataset])
        if self.plan is None:
            raise ValidationError(_("Hãy chọn kế hoạch để nhập vào."))
        self.writer = AppendixWriter(self.plan)
        self.writer.units_ensure(
            task for row in dataset.dict for task in (_task_rows(row) or [])
        )

    def import_instance(self, instance: Criterion, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        instance.plan = self.writer.plan
        code = parent_code(instance.code)
        instance.parent = self.writer.by_code.get(code) if code else None

    def skip_row(
        self,
        instance: Any,
        original: Any,
        row: Any,
        import_validation_errors: Any = None,
    ) -> bool:
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        tasks = _task_rows(row)
        return instance.parent_id == original.parent_id and not (
            tasks is not None and self.writer.tasks_differ(instance, tasks)
        )

    def before_save_instance(
        self, instance: Criterion, row: Any, **kwargs: Any
    ) -> None:
        # A form opened before this import must see its version as stale.
        if instance.pk:
            instance.version += 1

    def after_save_instance(self, instance: Criterion, row: Any, **kwargs: Any) -> None:
        self.writer.by_code[instance.code] = instance
        tasks = _task_rows(row)
        if tasks is not None:
            self.writer.tasks_sync(instance, tasks)
