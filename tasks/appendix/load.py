"""Writing the appendix: criteria, tasks and units of a plan from the rows
``appendix_parse`` read and checked, all or nothing.

Natural keys: a criterion by (plan, code), a task by (criterion, position), a unit by
its normalised name, a unit's part by (task, unit). ``AppendixWriter`` does the
writing; ``appendix_import`` drives it for the command, the browser import and the
demo, and the admin's Import button drives it through ``AppendixResource``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from criteria.codes import code_sort_key
from criteria.models import Criterion, Organization, Plan
from criteria.plan_mark import plan_changes
from parplan.history import created_with_history
from parplan.preview_db import preview_alias
from parplan.tables import Problem, TableImportError
from tasks.appendix.attach import set_attach
from tasks.appendix.changes import FieldChange
from tasks.appendix.parse import CriterionRow, appendix_parse
from tasks.appendix.writer import (
    CREATED,
    UNCHANGED,
    UPDATED,
    AppendixWriter,
    problems_of,
)
from tasks.models import Task

__all__ = ["AppendixWriter", "ImportReport", "appendix_import", "appendix_write"]


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


def criteria_created_write(
    *, writer: AppendixWriter, rows: list[CriterionRow], with_tasks: bool
) -> list[Problem]:
    """Create the criteria of ``rows`` (none is in the plan yet) with their tasks and
    parts, in bulk: each level of the tree checked from the parsed rows, then
    inserted with its history rows (a parent before its children), and every new
    task and part of the file in one insert each. A handful of queries whatever the
    row count; returns the rows' problems (a row whose parent was refused is refused
    too, as one by one)."""
    levels: dict[int, list[CriterionRow]] = defaultdict(list)
    for row in rows:
        levels[row.code.count(".")].append(row)
    problems: list[Problem] = []
    new_tasks: list[tuple[Task, dict[int, str]]] = []
    reason = str(_("Nhập phụ lục"))
    for depth in sorted(levels):
        level: list[tuple[Criterion, CriterionRow]] = []
        for row in levels[depth]:
            criterion, _differ = writer.criterion_build(row)
            criterion.tree_fields_set()
            try:
                # The plan is the import's, the parent the row above it (checked by
                # clean()): no query per row to look them up.
                criterion.full_clean(
                    exclude=["depth", "sort_key", "plan", "parent"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                problems.extend(problems_of(exc, row.source_row))
                continue
            level.append((criterion, row))
        if not level:
            continue
        created_with_history(
            [criterion for criterion, _row in level], model=Criterion, reason=reason
        )
        for criterion, row in level:
            writer.by_code[criterion.code] = criterion
            if with_tasks:
                wanted = writer.tasks_wanted(row.tasks)
                new_tasks.extend(
                    writer.task_new(criterion, position, task)
                    for position, task in enumerate(wanted, start=1)
                )
    writer.tasks_create(new_tasks)
    return problems


def appendix_write(
    *, plan: Plan, rows: list[CriterionRow], with_tasks: bool, report: ImportReport
) -> None:
    """Write ``rows`` into ``plan`` (inside the caller's transaction), filling
    ``report``; raises TableImportError with every row's problem.

    The one place where a whole import is written: the rows that create criteria go
    in bulk first (``criteria_created_write``), then the rows that change a
    criterion of the plan one by one (their diff, their version).
    """
    writer = AppendixWriter(plan)
    if with_tasks:
        writer.units_ensure(task for row in rows for task in row.tasks)
    new = [row for row in rows if row.code not in writer.by_code]
    problems = criteria_created_write(writer=writer, rows=new, with_tasks=with_tasks)
    refused = {p.row for p in problems}
    buckets = {CREATED: report.created, UPDATED: report.updated}
    buckets[UNCHANGED] = report.unchanged
    created = {row.code for row in new if row.source_row not in refused}
    for row in rows:
        if row.code in created:
            buckets[CREATED].append(row.code)
            continue
        if row.source_row in refused:
            continue
        try:
            outcome = writer.criterion_write(row, with_tasks=with_tasks)
        except ValidationError as exc:
            problems.extend(problems_of(exc, row.source_row))
            continue
        buckets[outcome].append(row.code)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
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
