"""The appendix's rows written one by one: a criterion created, updated (its version
moved, so a form opened before the import is stale) or left, with its tasks and their
parts compared with what is stored. ``appendix_write`` (``tasks.appendix.load``) sends
it the rows that update; the admin's Import button sends it every row."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from criteria.codes import parent_code
from criteria.models import Criterion, Plan
from parplan.history import created_with_history
from parplan.tables import Problem
from parplan.text import normalize_name
from tasks.appendix.changes import (
    FieldChange,
    criterion_changes,
    task_added,
    task_changes,
)
from tasks.appendix.columns import SCORE_COLUMNS, column_labels
from tasks.appendix.parse import CriterionRow
from tasks.appendix.task_cells import TaskRow, split_lead
from tasks.models import Status, Task, TaskUnit, Unit

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


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
        changes = (
            []
            if is_new
            else criterion_changes(
                criterion=criterion,
                values=values,
                parent=parent,
                old_parent_code=self.code_by_pk.get(criterion.parent_id or 0),
            )
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

    def tasks_wanted(self, tasks: list[TaskRow]) -> list[_Wanted]:
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

    def leads_of(self, wanted: _Wanted) -> frozenset[int]:
        if wanted.all_units:
            return frozenset(u.pk for u in self.units.values())
        return wanted.leads

    def tasks_differ(self, criterion: Criterion, tasks: list[TaskRow]) -> bool:
        current = self._current(criterion)
        for position, wanted in enumerate(self.tasks_wanted(tasks), start=1):
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
        for position, wanted in enumerate(self.tasks_wanted(tasks), start=1):
            leads = self.leads_of(wanted)
            task = current.get(position)
            if task is None:
                new.append(self.task_new(criterion, position, wanted))
                if criterion.code in self.by_code_before:
                    self.changes.append(
                        task_added(code=criterion.code, task=new[-1][0])
                    )
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
        self.tasks_create(new)

    def task_new(
        self, criterion: Criterion, position: int, wanted: _Wanted
    ) -> tuple[Task, dict[int, str]]:
        """A task the file adds (not saved) and the parts it must have."""
        self.task_counts[CREATED] += 1
        task = Task(
            criterion_id=criterion.pk,
            position=position,
            text=wanted.text,
            all_units=wanted.all_units,
            due_date=wanted.due[0] if wanted.due else None,
            due_text=wanted.due[1] if wanted.due else "",
            output=wanted.output or "",
        )
        return task, _parts_wanted({}, self.leads_of(wanted), wanted.supports)

    @staticmethod
    def tasks_create(new: list[tuple[Task, dict[int, str]]]) -> None:
        """New tasks and their parts in four queries (tasks, parts, and the history
        of each) whatever their number: a province's appendix has thousands. The
        history rows name the signed-in user as ``save()`` would, and the import."""
        if not new:
            return
        reason = str(_("Nhập phụ lục"))
        tasks = created_with_history(
            [task for task, _parts in new], model=Task, reason=reason
        )
        created_with_history(
            [
                TaskUnit(task_id=task.pk, unit_id=uid, role=role)
                for task, (_same, parts) in zip(tasks, new, strict=True)
                for uid, role in sorted(parts.items())
            ],
            model=TaskUnit,
            reason=reason,
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
