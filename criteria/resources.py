"""django-import-export resources: the row-to-model mapping of the appendix."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import Result, RowResult
from simple_history.utils import bulk_create_with_history

from criteria.models import Criterion, Plan, parent_code
from parplan.scores import ScoreParseError, format_decimal, parse_score
from tasks.models import ALL_UNITS_LABEL, Task, TaskUnit, Unit, normalize_name

if TYPE_CHECKING:
    from criteria.services import ImportReport, Problem

ALL_UNITS_KEYS = {
    normalize_name(label)
    for label in (
        ALL_UNITS_LABEL,
        "Các phòng, đơn vị",
        "Tất cả các phòng, đơn vị",
        "Các phòng chuyên môn, đơn vị trực thuộc",
        "Các phòng, đơn vị thuộc Sở",
    )
}


def split_lead(lead: str) -> tuple[bool, list[str]]:
    """``"Văn phòng Sở; Trung tâm X"`` → (False, ["Văn phòng Sở", "Trung tâm X"])."""
    names = [part.strip() for part in re.split(r"[;\n]+", lead or "") if part.strip()]
    all_units = any(normalize_name(n) in ALL_UNITS_KEYS for n in names)
    return all_units, [n for n in names if normalize_name(n) not in ALL_UNITS_KEYS]


class ScoreWidget(widgets.DecimalWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return parse_score(value)
        except ScoreParseError as exc:
            raise ValueError(str(exc)) from exc

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return format_decimal(value)


class TasksWidget(widgets.Widget):
    """A list of (task text, lead units) pairs, passed to the resource as read
    (exports write the tasks through ``AppendixResource._tasks``)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return value


class AppendixResource(resources.ModelResource):
    """One appendix row per criterion; its tasks and their lead units come along.

    Natural keys: a criterion by (plan, code), a task by (criterion, position), a
    unit by its normalised name, a unit's part by (task, unit).
    """

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

    def __init__(self, plan: Plan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan
        self.by_code: dict[str, Criterion] = {}
        self.units: dict[str, Unit] = {}
        self.units_created: list[str] = []
        self.task_counts: Counter[str] = Counter()
        self.outcomes: list[tuple[str, str]] = []

    def get_queryset(self) -> Any:
        return Criterion.objects.filter(plan=self.plan)

    def _tasks(self, obj: Criterion) -> str:
        return "\n".join(task.text for task in obj.tasks.all())

    # Import --------------------------------------------------------------------------

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        if "problem" in (dataset.headers or []):
            # The file could not be read (see criteria.admin.AppendixFormat).
            raise ValidationError([row[0] for row in dataset])
        self.by_code = {c.code: c for c in self.get_queryset()}
        organization = self.plan.organization
        self.units = {u.key: u for u in Unit.objects.filter(organization=organization)}
        position = max((u.position for u in self.units.values()), default=0)
        for row in dataset.dict:
            for _text, lead in row.get("tasks") or []:
                for name in split_lead(lead)[1]:
                    key = normalize_name(name)
                    if key not in self.units:
                        position += 1
                        self.units[key] = Unit.objects.create(
                            organization=organization, name=name, position=position
                        )
                        self.units_created.append(name)

    def import_instance(self, instance: Criterion, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        instance.plan = self.plan
        code = parent_code(instance.code)
        instance.parent = self.by_code.get(code) if code else None

    def skip_row(
        self,
        instance: Any,
        original: Any,
        row: Any,
        import_validation_errors: Any = None,
    ) -> bool:
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        return instance.parent_id == original.parent_id and not self._tasks_differ(
            instance, row
        )

    def before_save_instance(
        self, instance: Criterion, row: Any, **kwargs: Any
    ) -> None:
        # A form opened before this import must see its version as stale.
        if instance.pk:
            instance.version += 1

    def after_save_instance(self, instance: Criterion, row: Any, **kwargs: Any) -> None:
        self.by_code[instance.code] = instance
        self._sync_tasks(instance, row)

    def after_import_row(self, row: Any, row_result: RowResult, **kwargs: Any) -> None:
        self.outcomes.append((row["code"], row_result.import_type))
        if (
            row_result.import_type == RowResult.IMPORT_TYPE_SKIP
            and row.get("tasks") is not None
        ):
            self.task_counts["unchanged"] += len(row["tasks"])

    def _wanted(self, row: Any) -> list[tuple[str, bool, frozenset[int]]]:
        wanted = []
        for text, lead in row.get("tasks") or []:
            all_units, names = split_lead(lead)
            unit_ids = frozenset(self.units[normalize_name(n)].pk for n in names)
            wanted.append((text, all_units, unit_ids))
        return wanted

    def _current(self, criterion: Criterion) -> dict[int, Task]:
        if not criterion.pk:
            return {}
        tasks = Task.objects.filter(criterion=criterion).prefetch_related("parts")
        return {t.position: t for t in tasks}

    @staticmethod
    def _lead_ids(task: Task) -> frozenset[int]:
        return frozenset(
            p.unit_id for p in task.parts.all() if p.role == TaskUnit.Role.LEAD
        )

    def _tasks_differ(self, instance: Criterion, row: Any) -> bool:
        if row.get("tasks") is None:
            return False
        current = self._current(instance)
        for position, (text, all_units, unit_ids) in enumerate(
            self._wanted(row), start=1
        ):
            task = current.get(position)
            if task is None or task.text != text or task.all_units != all_units:
                return True
            if not all_units and self._lead_ids(task) != unit_ids:
                return True
        return False

    def _sync_tasks(self, criterion: Criterion, row: Any) -> None:
        if row.get("tasks") is None:
            return
        current = self._current(criterion)
        every_unit = frozenset(
            u.pk
            for u in self.units.values()
            if u.organization_id == self.plan.organization_id
        )
        new: list[tuple[Task, frozenset[int]]] = []
        for position, (text, all_units, unit_ids) in enumerate(
            self._wanted(row), start=1
        ):
            leads = every_unit if all_units else unit_ids
            task = current.get(position)
            if task is None:
                task = Task(
                    criterion=criterion,
                    position=position,
                    text=text,
                    all_units=all_units,
                )
                new.append((task, leads))
                self.task_counts["created"] += 1
                continue
            had = self._lead_ids(task)
            if task.text == text and task.all_units == all_units and had == leads:
                self.task_counts["unchanged"] += 1
                continue
            task.text, task.all_units = text, all_units
            task.version += 1
            task.save()
            self._set_leads(task, had, leads)
            self.task_counts["updated"] += 1
        self._tasks_create(new)

    @staticmethod
    def _tasks_create(new: list[tuple[Task, frozenset[int]]]) -> None:
        """A criterion's new tasks and their lead parts in three queries (tasks, their
        history, parts) rather than three per task: a province's appendix has
        thousands. The history rows name the signed-in user as ``save()`` would."""
        if not new:
            return
        tasks = bulk_create_with_history([task for task, _leads in new], Task)
        TaskUnit.objects.bulk_create(
            TaskUnit(task=task, unit_id=uid, role=TaskUnit.Role.LEAD)
            for task, (_same, leads) in zip(tasks, new, strict=True)
            for uid in sorted(leads)
        )

    def _set_leads(
        self, task: Task, had: frozenset[int], leads: frozenset[int]
    ) -> None:
        removed = [
            p
            for p in task.parts.all()
            if p.role == TaskUnit.Role.LEAD and p.unit_id not in leads
        ]
        reported = [
            p
            for p in removed
            if p.percent or p.status != "not_started" or p.updates.exists()
        ]
        if reported:
            raise ValidationError(
                _(
                    "Không thể bỏ %(units)s khỏi đơn vị chủ trì nhiệm vụ %(position)s vì đơn vị đã "
                    "báo cáo tiến độ. Hãy sửa trong trang nhiệm vụ."
                )
                % {
                    "units": ", ".join(p.unit.name for p in reported),
                    "position": task.position,
                }
            )
        TaskUnit.objects.filter(pk__in=[p.pk for p in removed]).delete()
        existing = {p.unit_id: p for p in task.parts.all()}
        for uid in leads - had:
            if uid in existing:  # a supporting unit becomes a lead
                TaskUnit.objects.filter(pk=existing[uid].pk).update(
                    role=TaskUnit.Role.LEAD
                )
            else:
                TaskUnit.objects.create(task=task, unit_id=uid, role=TaskUnit.Role.LEAD)

    # Results --------------------------------------------------------------------------

    def problems_from(self, result: Result) -> list[Problem]:
        from criteria.services import Problem, column_labels

        labels = column_labels()
        problems: list[Problem] = []
        for error in result.base_errors:
            problems.append(Problem(str(error.error)))
        for _number, errors in result.row_errors():
            for error in errors:
                source = (error.row or {}).get("source_row")
                problems.append(Problem(_translate(error.error), source))
        for invalid in result.invalid_rows:
            source = invalid.values[0] if invalid.values else None
            for field_name, messages in invalid.error_dict.items():
                column = (
                    None
                    if field_name == NON_FIELD_ERRORS
                    else labels.get(field_name, field_name)
                )
                for message in messages:
                    problems.append(Problem(str(message), source, column))
        return problems

    def fill_report(self, result: Result, report: ImportReport) -> None:
        buckets = {
            RowResult.IMPORT_TYPE_NEW: report.created,
            RowResult.IMPORT_TYPE_UPDATE: report.updated,
            RowResult.IMPORT_TYPE_SKIP: report.unchanged,
        }
        for code, import_type in self.outcomes:
            if import_type in buckets:
                buckets[import_type].append(code)
        report.tasks_created = self.task_counts["created"]
        report.tasks_updated = self.task_counts["updated"]
        report.tasks_unchanged = self.task_counts["unchanged"]
        report.units_created = list(self.units_created)


def _translate(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return _("lỗi khi ghi dữ liệu (%(kind)s): %(detail)s") % {
        "kind": type(error).__name__,
        "detail": error,
    }
