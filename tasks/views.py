"""Pages of tasks: the task list, a task with its parts and progress, the office's
create / edit / delete, and who belongs to which unit (a unit head's page and the
update of a part are in tasks.mine_views). Rights come from parplan.roles and
tasks.access."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.managers import organization_visible
from criteria.models import Criterion
from parplan import roles
from parplan.filters import filter_form_values
from parplan.forms import errors_onto
from parplan.history import HistoryEntry, StaleEditError, history_entries
from tasks import access, editing
from tasks.forms import TaskFilterForm, TaskForm
from tasks.models import (
    Evidence,
    ProgressUpdate,
    Status,
    Task,
    TaskUnit,
    Unit,
)
from tasks.task_states import PartNote, part_notes, task_state_matches

HISTORY_SHOWN = 40


@dataclass
class TaskLine:
    """A task in a list: overdue or not, and, when it is blocked or late, its units'
    last notes as the reason."""

    task: Task
    overdue: bool
    reasons: list[PartNote]


@dataclass
class PartLine:
    """A unit's part as a page shows it: overdue or not, and whether the user may
    report on it (its form opens in the row on demand, through
    ``tasks-part-update``: a task of many units renders no form until asked)."""

    part: TaskUnit
    overdue: bool
    can_update: bool


@dataclass
class UpdateLine:
    update: ProgressUpdate
    evidence: list[Evidence]
    can_delete_evidence: bool


# Helpers: the object the user may see or change ------------------------------------


def _task_for_view(request: HttpRequest, pk: int) -> Task:
    roles.require_view(request.user)
    return get_object_or_404(access.tasks_visible(request.user), pk=pk)


def _task_for_edit(request: HttpRequest, pk: int) -> Task:
    roles.require_edit(request.user)
    return get_object_or_404(access.tasks_visible(request.user), pk=pk)


def _parts_prefetch() -> Prefetch:
    return Prefetch("parts", queryset=TaskUnit.objects.select_related("unit"))


# Lists -----------------------------------------------------------------------------


def _task_rows(
    tasks: QuerySet[Task], *, status: str = "", overdue: bool = False, state: str = ""
) -> list[TaskLine]:
    """Tasks with their parts, filtered on the derived status and state (in memory:
    the status of a task comes from its lead units' parts)."""
    today = timezone.localdate()
    rows = []
    for task in tasks.select_related("criterion").prefetch_related(_parts_prefetch()):
        task_status = task.overall_status
        if status and task_status != status:
            continue
        late = task.is_overdue(today)
        if overdue and not late:
            continue
        if state and not task_state_matches(
            state, status=task_status, due_date=task.due_date, today=today
        ):
            continue
        reasons = (
            part_notes(task.parts.all())
            if late or task_status == Status.BLOCKED
            else []
        )
        rows.append(TaskLine(task, late, reasons))
    return rows


@login_required
def task_list(request: HttpRequest, unit_pk: int | None = None) -> HttpResponse:
    plan = access.plan_asked(request.user, request.GET.get("plan", ""))
    unit = None
    if unit_pk is not None:
        unit = get_object_or_404(
            Unit.objects.filter(organization_visible(request.user)), pk=unit_pk
        )
    if plan is None:
        return render(request, "tasks/list.html", {"plan": None, "tasks": []})
    data = request.GET.copy() if request.GET else QueryDict(mutable=True)
    if unit is not None:
        data["unit"] = str(unit.pk)
    form = TaskFilterForm(data, plan=plan)
    filters = filter_form_values(request, form)
    tasks = Task.objects.filter(criterion__plan=plan)
    chosen_unit = filters.get("unit")
    if isinstance(chosen_unit, Unit):
        tasks = tasks.filter(parts__unit=chosen_unit).distinct()
    criterion = filters.get("criterion")
    if isinstance(criterion, Criterion):
        tasks = tasks.filter(criterion__in=Criterion.objects.subtree(criterion))
    rows = _task_rows(
        tasks,
        status=str(filters.get("status") or ""),
        overdue=bool(filters.get("overdue")),
        state=str(filters.get("state") or ""),
    )
    ctx = {
        "plan": plan,
        "unit": unit,
        "form": form,
        "criterion": criterion,
        "tasks": rows,
        "can_edit": roles.can_edit_plan(request.user),
    }
    return render(request, "tasks/list.html", ctx)


@login_required
def unit_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    return task_list(request, unit_pk=pk)


# Task pages ------------------------------------------------------------------------


def task_history(task: Task, parts: list[TaskUnit]) -> list[HistoryEntry]:
    """The task's own changes and its parts' (units added, removed, progress)."""
    task_records = list(
        Task.history.filter(id=task.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: HISTORY_SHOWN + 1]
    )
    part_records = list(
        TaskUnit.history.filter(task_id=task.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: HISTORY_SHOWN + 1]
    )
    names = {p.unit_id: p.unit.name for p in parts}
    missing = {r.unit_id for r in part_records} - names.keys()
    if missing:
        names.update(Unit.objects.filter(pk__in=missing).values_list("pk", "name"))
    entries = history_entries(task_records, subject=_("Nhiệm vụ"))
    for unit_id in {r.unit_id for r in part_records}:
        records = [r for r in part_records if r.unit_id == unit_id]
        entries += history_entries(
            records, subject=_("Phần việc của %(unit)s") % {"unit": names[unit_id]}
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:HISTORY_SHOWN]


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for_view(request, pk)
    prefetch_related_objects([task], _parts_prefetch())
    parts = list(task.parts.all())
    updates = list(
        ProgressUpdate.objects.filter(part__task=task).select_related(
            "author", "part__unit"
        )
    )
    evidence_by_update: dict[int, list[Evidence]] = {u.pk: [] for u in updates}
    for item in Evidence.objects.filter(progress_update__part__task=task):
        assert item.progress_update_id is not None  # filtered on its progress update
        evidence_by_update[item.progress_update_id].append(item)
    today = timezone.localdate()
    late = task.is_overdue(today)
    blocked = task.overall_status == Status.BLOCKED
    ctx = {
        "task": task,
        "criterion": task.criterion,
        "late": late,
        "reasons": part_notes(parts) if late or blocked else [],
        "parts": [
            PartLine(
                part, part.is_overdue(today), access.can_update_part(request.user, part)
            )
            for part in parts
        ],
        "updates": [
            UpdateLine(
                update,
                evidence_by_update[update.pk],
                access.can_update_part(request.user, update.part),
            )
            for update in updates
        ],
        "history": task_history(task, parts),
        "can_edit": roles.can_edit_plan(request.user),
    }
    return render(request, "tasks/detail.html", ctx)


def _task_form_save(
    request: HttpRequest, form: TaskForm, task: Task | None
) -> Task | list[HistoryEntry] | None:
    data = form.cleaned_data
    try:
        return editing.task_save(
            user=request.user,
            task=task,
            criterion=data["criterion"],
            text=data["text"],
            due_date=data["due_date"],
            due_text=data["due_text"],
            output=data["output"],
            all_units=data["all_units"],
            lead_units=list(data["lead_units"]),
            support_units=list(data["support_units"]),
            expected_version=data.get("version"),
            status=data["status"] or None,
            percent=data["percent"],
        )
    except StaleEditError as exc:
        return exc.entries
    except ValidationError as exc:
        errors_onto(form, exc)
        return None


@login_required
def create(request: HttpRequest) -> HttpResponse:
    roles.require_edit(request.user)
    criterion = None
    wanted = request.GET.get("criterion", "")
    if wanted.isdigit():
        criterion = get_object_or_404(
            Criterion.objects.visible_to(request.user).select_related("plan"),
            pk=int(wanted),
        )
    plan = (
        criterion.plan
        if criterion
        else access.plan_asked(request.user, request.GET.get("plan", ""))
    )
    if plan is None:
        messages.error(request, _("Chưa có kế hoạch nào; hãy nhập kế hoạch trước."))
        return redirect("tasks-list")
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, plan=plan)
        if form.is_valid():
            saved = _task_form_save(request, form, None)
            if isinstance(saved, Task):
                messages.success(request, _("Đã thêm nhiệm vụ."))
                return redirect(saved)
        status = 400
    else:
        form = TaskForm(plan=plan, initial={"criterion": criterion})
    ctx = {"form": form, "task": None, "plan": plan, "conflict": None}
    return render(request, "tasks/form.html", ctx, status=status)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for_edit(request, pk)
    plan = task.criterion.plan
    status, conflict = 200, None
    if request.method == "POST":
        form = TaskForm(request.POST, plan=plan, task=task)
        form.fields["version"].required = True
        if form.is_valid():
            saved = _task_form_save(request, form, task)
            if isinstance(saved, Task):
                messages.success(request, _("Đã lưu nhiệm vụ."))
                return redirect(saved)
            if isinstance(saved, list):
                task.refresh_from_db()
                conflict = saved
                posted = request.POST.copy()
                posted["version"] = str(task.version)
                form = TaskForm(posted, plan=plan, task=task)
                status = 409
            else:
                status = 400
        else:
            status = 400
    else:
        parts = list(task.parts.all())
        form = TaskForm(
            plan=plan,
            task=task,
            initial={
                "criterion": task.criterion,
                "text": task.text,
                "due_date": task.due_date,
                "due_text": task.due_text,
                "output": task.output,
                "all_units": task.all_units,
                "status": task.status,
                "percent": task.percent,
                "lead_units": [
                    p.unit_id for p in parts if p.role == TaskUnit.Role.LEAD
                ],
                "support_units": [
                    p.unit_id for p in parts if p.role == TaskUnit.Role.SUPPORT
                ],
                "version": task.version,
            },
        )
    ctx = {"form": form, "task": task, "plan": plan, "conflict": conflict}
    return render(request, "tasks/form.html", ctx, status=status)


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for_edit(request, pk)
    if request.method == "POST":
        criterion = task.criterion
        editing.task_delete(task=task, user=request.user)
        messages.success(request, _("Đã xóa nhiệm vụ."))
        return redirect(criterion)
    ctx = {
        "task": task,
        "updates": ProgressUpdate.objects.filter(part__task=task).count(),
    }
    return render(request, "tasks/delete.html", ctx)
