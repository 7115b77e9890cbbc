"""Writing the appendix: criteria, tasks and units of a plan from the rows
``appendix_parse`` read and checked, all or nothing.

Natural keys: a criterion by (plan, code), a task by (criterion, position), a unit by
its normalised name, a unit's part by (task, unit). ``AppendixWriter`` does the
writing; ``appendix_import`` drives it for the command, the browser import and the
demo, and the admin's Import button drives it through ``AppendixResource``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from criteria.codes import code_sort_key, parent_code
from criteria.models import Criterion, Organization, Plan
from criteria.plan_mark import plan_changes
from parplan.preview_db import preview_alias
from parplan.tables import Problem, TableImportError
from parplan.text import normalize_name
from tasks.appendix.attach import set_attach
from tasks.appendix.changes import (
    FieldChange,
    criterion_changes,
    task_added,
    task_changes,
)
from tasks.appendix.columns import SCORE_COLUMNS, column_labels
from tasks.appendix.parse import CriterionRow, appendix_parse
from tasks.appendix.task_cells import TaskRow, split_lead
from tasks.models import Status, Task, TaskUnit, Unit

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class ImportReport:
    plan: Plan
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # in the plan, not in the file
    tasks_created: int = 0
    tasks_updated: int = 0
    tasks_unchanged: int = 0
    units_created: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rows: list[CriterionRow] = field(default_factory=list)  # as read, in code order
    ignored_columns: list[str] = field(default_factory=list)  # not read: not imported
    changes: list[FieldChange] = field(default_factory=list)  # old → new

    def preview(self) -> list[tuple[CriterionRow, str, list[FieldChange]]]:
        """Each row of the file with what the import does to it and, for an update,
        each field it changes, for the preview."""
        created, updated = set(self.created), set(self.updated)
        by_code: dict[str, list[FieldChange]] = {}
        for change in self.changes:
            by_code.setdefault(change.code, []).append(change)
        return [
            (
                row,
                CREATED
                if row.code in created
                else UPDATED
                if row.code in updated
                else UNCHANGED,
                by_code.get(row.code, []),
            )
            for row in self.rows
        ]

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.tasks_created or self.tasks_updated
        )


@dataclass(frozen=True)
class _Wanted:
    """A task as the file has it. ``supports``, ``due`` and ``output`` are None when
    the file has no such column: the task keeps what it has."""

    text: str
    all_units: bool
    leads: frozenset[int]
    supports: frozenset[int] | None
    due: tuple[datetime.date | None, str] | None
    output: str | None

    def differs(self, task: Task, leads: frozenset[int], parts: dict[int, str]) -> bool:
        """Whether ``task`` (whose parts are ``parts``: unit → role) differs from
        this; ``leads`` are the lead units the task must have."""
        if task.text != self.text or task.all_units != self.all_units:
            return True
        if self.due is not None and (task.due_date, task.due_text) != self.due:
            return True
        if self.output is not None and task.output != self.output:
            return True
        return _parts_wanted(parts, leads, self.supports) != parts


def _parts_wanted(
    parts: dict[int, str], leads: frozenset[int], supports: frozenset[int] | None
) -> dict[int, str]:
    """The parts a task must have: ``leads`` as leads, ``supports`` as supporting
    units (the current supporting units when the file has no such column)."""
    if supports is None:
        supports = frozenset(u for u, r in parts.items() if r == TaskUnit.Role.SUPPORT)
    wanted = dict.fromkeys(supports - leads, str(TaskUnit.Role.SUPPORT))
    wanted.update(dict.fromkeys(leads, str(TaskUnit.Role.LEAD)))
    return wanted


class AppendixWriter:
    """Writes the rows of one appendix into ``plan``; rows come in code order, so a
    criterion's parent is written before it."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.by_code = {c.code: c for c in Criterion.objects.filter(plan=plan)}
        self.by_code_before = set(self.by_code)  # stored before this import
        self.code_by_pk = {c.pk: code for code, c in self.by_code.items()}
        self.units = {
            u.key: u for u in Unit.objects.filter(organization=plan.organization_id)
        }
        self.units_created: list[str] = []
        self.task_counts: Counter[str] = Counter()
        self.changes: list[FieldChange] = []  # old → new, for the preview

    # Units ------------------------------------------------------------------------

    def units_ensure(self, tasks: Iterable[TaskRow]) -> None:
        """Create the lead and supporting units the rows name that the organization
        does not have."""
        position = max((u.position for u in self.units.values()), default=0)
        for task in tasks:
            names = split_lead(task.lead)[1] + split_lead(task.support or "")[1]
            for name in names:
                key = normalize_name(name)
                if key not in self.units:
                    position += 1
                    self.units[key] = Unit.objects.create(
                        organization=self.plan.organization,
                        name=name,
                        position=position,
                    )
                    self.units_created.append(name)

    # Criteria ---------------------------------------------------------------------

    def criterion_build(self, row: CriterionRow) -> tuple[Criterion, bool]:
        """The row's criterion with the file's values (not saved) and whether they
        differ from what is stored."""
        criterion = self.by_code.get(row.code)
        is_new = criterion is None
        if criterion is None:
            criterion = Criterion(plan=self.plan, code=row.code)
        code = parent_code(row.code)
        parent = self.by_code.get(code) if code else None
        values = {"title": row.title, **{r: row.scores[r] for r in SCORE_COLUMNS}}
        changes = criterion_changes(
            criterion=criterion,
            values=values,
            parent=parent,
            old_parent_code=self.code_by_pk.get(criterion.parent_id or 0),
        )
        differ = is_new or bool(changes)
        self.changes += changes
        criterion.parent = parent
        for name, value in values.items():
            setattr(criterion, name, value)
        return criterion, differ

    def criterion_write(self, row: CriterionRow, *, with_tasks: bool) -> str:
        """Create, update or leave the row's criterion and its tasks; returns which.

        Raises ValidationError (by field) when the criterion is not valid, or when a
        lead unit that reported progress would be dropped.
        """
        criterion, differ = self.criterion_build(row)
        if not differ and not (with_tasks and self.tasks_differ(criterion, row.tasks)):
            self.task_counts[UNCHANGED] += len(row.tasks) if with_tasks else 0
            return UNCHANGED
        outcome = UPDATED if criterion.pk else CREATED
        # Uniqueness is the parser's (one row per code); the checks are clean()'s.
        criterion.full_clean(
            exclude=["depth", "sort_key"],
            validate_unique=False,
            validate_constraints=False,
        )
        if criterion.pk:
            criterion.version += 1  # a form opened before this import is now stale
        criterion.save()
        self.by_code[criterion.code] = criterion
        if with_tasks:
            self.tasks_sync(criterion, row.tasks)
        return outcome

    # Tasks ------------------------------------------------------------------------

    def _ids(self, names: list[str]) -> frozenset[int]:
        return frozenset(self.units[normalize_name(n)].pk for n in names)

    def _wanted(self, tasks: list[TaskRow]) -> list[_Wanted]:
        every_unit = frozenset(u.pk for u in self.units.values())
        wanted = []
        for task in tasks:
            all_units, names = split_lead(task.lead)
            supports = None
            if task.support is not None:
                every, support_names = split_lead(task.support)
                supports = every_unit if every else self._ids(support_names)
            due = None if task.due_text is None else (task.due_date, task.due_text)
            wanted.append(
                _Wanted(
                    task.text,
                    all_units,
                    self._ids(names),
                    supports,
                    due,
                    task.output,
                )
            )
        return wanted

    @staticmethod
    def _current(criterion: Criterion) -> dict[int, Task]:
        if not criterion.pk:
            return {}
        tasks = Task.objects.filter(criterion=criterion).prefetch_related("parts")
        return {t.position: t for t in tasks}

    @staticmethod
    def _parts(task: Task) -> dict[int, str]:
        return {p.unit_id: p.role for p in task.parts.all()}

    def _leads_of(self, wanted: _Wanted) -> frozenset[int]:
        if wanted.all_units:
            return frozenset(u.pk for u in self.units.values())
        return wanted.leads

    def tasks_differ(self, criterion: Criterion, tasks: list[TaskRow]) -> bool:
        current = self._current(criterion)
        for position, wanted in enumerate(self._wanted(tasks), start=1):
            task = current.get(position)
            if task is None:
                return True
            parts = self._parts(task)
            # Every unit leads: units added since need no import to read as unchanged.
            leads = (
                frozenset(u for u, r in parts.items() if r == TaskUnit.Role.LEAD)
                if wanted.all_units
                else wanted.leads
            )
            if wanted.differs(task, leads, parts):
                return True
        return False

    def tasks_sync(self, criterion: Criterion, tasks: list[TaskRow]) -> None:
        current = self._current(criterion)
        new: list[tuple[Task, dict[int, str]]] = []
        for position, wanted in enumerate(self._wanted(tasks), start=1):
            leads = self._leads_of(wanted)
            task = current.get(position)
            if task is None:
                task = Task(
                    criterion=criterion,
                    position=position,
                    text=wanted.text,
                    all_units=wanted.all_units,
                    due_date=wanted.due[0] if wanted.due else None,
                    due_text=wanted.due[1] if wanted.due else "",
                    output=wanted.output or "",
                )
                new.append((task, _parts_wanted({}, leads, wanted.supports)))
                self.task_counts[CREATED] += 1
                if criterion.code in self.by_code_before:
                    self.changes.append(task_added(code=criterion.code, task=task))
                continue
            had = self._parts(task)
            if not wanted.differs(task, leads, had):
                self.task_counts[UNCHANGED] += 1
                continue
            before = (
                task.text,
                task.all_units,
                task.due_date,
                task.due_text,
                task.output,
            )
            task.text, task.all_units = wanted.text, wanted.all_units
            if wanted.due is not None:
                task.due_date, task.due_text = wanted.due
            if wanted.output is not None:
                task.output = wanted.output
            task.version += 1
            task.save()
            parts = _parts_wanted(had, leads, wanted.supports)
            self.changes += task_changes(
                code=criterion.code,
                task=task,
                before=before,
                had=had,
                wanted=parts,
                unit_names={u.pk: u.name for u in self.units.values()},
            )
            self._parts_set(task, had, parts)
            self.task_counts[UPDATED] += 1
        self._tasks_create(new)

    @staticmethod
    def _tasks_create(new: list[tuple[Task, dict[int, str]]]) -> None:
        """A criterion's new tasks and their parts in three queries (tasks, their
        history, parts) rather than three per task: a province's appendix has
        thousands. The history rows name the signed-in user as ``save()`` would."""
        if not new:
            return
        tasks = bulk_create_with_history([task for task, _parts in new], Task)
        TaskUnit.objects.bulk_create(
            TaskUnit(task=task, unit_id=uid, role=role)
            for task, (_same, parts) in zip(tasks, new, strict=True)
            for uid, role in sorted(parts.items())
        )

    @staticmethod
    def _parts_set(task: Task, had: dict[int, str], wanted: dict[int, str]) -> None:
        """Give ``task`` the ``wanted`` parts (unit → role). A unit that reported
        progress is never dropped: its history and evidence would go with it."""
        removed = [p for p in task.parts.all() if p.unit_id not in wanted]
        reported = [
            p
            for p in removed
            if p.percent or p.status != Status.NOT_STARTED or p.updates.exists()
        ]
        messages = {
            TaskUnit.Role.LEAD: _(
                "Không thể bỏ %(units)s khỏi đơn vị chủ trì nhiệm vụ %(position)s vì đơn vị đã "
                "báo cáo tiến độ. Hãy sửa trong trang nhiệm vụ."
            ),
            TaskUnit.Role.SUPPORT: _(
                "Không thể bỏ %(units)s khỏi đơn vị phối hợp nhiệm vụ %(position)s vì đơn vị "
                "đã báo cáo tiến độ. Hãy sửa trong trang nhiệm vụ."
            ),
        }
        for kind, message in messages.items():
            names = [p.unit.name for p in reported if p.role == kind]
            if names:
                raise ValidationError(
                    message % {"units": ", ".join(names), "position": task.position}
                )
        TaskUnit.objects.filter(pk__in=[p.pk for p in removed]).delete()
        existing = {p.unit_id: p for p in task.parts.all()}
        for uid, role in wanted.items():
            if uid not in existing:
                TaskUnit.objects.create(task=task, unit_id=uid, role=role)
            elif had[uid] != role:  # a supporting unit becomes a lead, or back
                TaskUnit.objects.filter(pk=existing[uid].pk).update(role=role)


def problems_of(error: ValidationError, row: int | None) -> list[Problem]:
    """A model's ValidationError as problems of one row, each in its column."""
    if not hasattr(error, "error_dict"):
        return [Problem(" ".join(error.messages), row)]
    labels = column_labels()
    return [
        Problem(
            str(message),
            row,
            None if name == NON_FIELD_ERRORS else labels.get(name, name),
        )
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def appendix_write(
    *, plan: Plan, rows: list[CriterionRow], with_tasks: bool, report: ImportReport
) -> None:
    """Write ``rows`` into ``plan`` (inside the caller's transaction), filling
    ``report``; raises TableImportError with every row's problem."""
    writer = AppendixWriter(plan)
    if with_tasks:
        writer.units_ensure(task for row in rows for task in row.tasks)
    problems: list[Problem] = []
    buckets = {CREATED: report.created, UPDATED: report.updated}
    buckets[UNCHANGED] = report.unchanged
    for row in rows:
        try:
            outcome = writer.criterion_write(row, with_tasks=with_tasks)
        except ValidationError as exc:
            problems.extend(problems_of(exc, row.source_row))
            continue
        buckets[outcome].append(row.code)
    if problems:
        raise TableImportError(problems)
    report.tasks_created = writer.task_counts[CREATED]
    report.tasks_updated = writer.task_counts[UPDATED]
    report.tasks_unchanged = writer.task_counts[UNCHANGED]
    report.units_created = list(writer.units_created)
    report.changes = writer.changes


def appendix_import(
    *,
    organization: Organization,
    year: int,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    previewed: dict[str, Any] | None = None,
) -> ImportReport:
    """Create or update ``organization``'s plan of ``year`` from an appendix file.

    All or nothing: any problem raises TableImportError and the database is left as
    it was. With ``dry_run`` the report says what would change and nothing is kept.
    An ``organization`` not saved yet is created with the plan, in the same
    transaction. ``previewed`` (``plan_mark`` taken at the preview) refuses the
    import if the plan changed since. The organization's row is locked first, so
    two imports of its plans run one after the other.
    """
    plan = (
        Plan.objects.filter(organization=organization, year=year).first()
        if organization.pk
        else None
    )
    existing = (
        set(Criterion.objects.filter(plan=plan).values_list("code", flat=True))
        if plan
        else set()
    )
    table = appendix_parse(
        data=data, filename=filename, year=year, existing_codes=existing
    )
    if plan is not None and plan.criteria_set_name:
        set_attach(plan=plan, rows=table.rows, notices=table.notices)
    with transaction.atomic(using=preview_alias()):
        if not organization.pk:  # not saved yet: created with its plan
            organization.save()
        else:
            locked = Organization.objects.select_for_update().filter(pk=organization.pk)
            list(locked.values("pk"))
            plan = Plan.objects.filter(organization=organization, year=year).first()
        if previewed is not None:
            changes = plan_changes(plan=plan, year=year, mark=previewed)
            if changes:
                raise TableImportError([Problem(change) for change in changes])
        if plan is None:
            plan = Plan.objects.create(
                organization=organization,
                year=year,
                baseline_year=table.baseline_year or year - 1,
                title=_(
                    "Kế hoạch cải thiện, nâng cao Chỉ số cải cách hành chính năm %(year)s"
                )
                % {"year": year},
            )
        report = ImportReport(
            plan=plan,
            dry_run=dry_run,
            notices=table.notices,
            rows=table.rows,
            ignored_columns=table.ignored_columns,
        )
        appendix_write(
            plan=plan, rows=table.rows, with_tasks=table.has_tasks, report=report
        )
        report.kept = sorted(existing - {r.code for r in table.rows}, key=code_sort_key)
        if dry_run:
            transaction.set_rollback(True, using=preview_alias())
    return report
