"""Writes of the plan made from its pages: one named function per action, each in
one transaction, each refusing to overwrite what someone else saved meanwhile.

No lost update: every editable row carries a ``version``. A form sends back the
version it was loaded with; the save first bumps the version with a conditional
UPDATE (``WHERE version = <the form's>``), which both checks and takes the row's write
lock, so two saves of the same version cannot both pass, on PostgreSQL or SQLite.
A refused save raises ``StaleEditError`` carrying the changes made since.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import F, Max
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.models import Criterion, Evidence, Plan, ScoringRule, parent_code
from parplan.scores import format_decimal
from tasks.models import Membership, ProgressUpdate, Status, Task, TaskUnit, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Bookkeeping fields that are not worth showing to people in a history.
HIDDEN_HISTORY_FIELDS = {"version", "updated_at", "sort_key", "depth", "key", "id"}


# History ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One saved change of one row: who, when, and what changed."""

    when: datetime.datetime
    who: User | None
    kind: str
    subject: str
    changes: list[Change] = field(default_factory=list)


def _display(record: models.Model, name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    model_field = record._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d/m/Y")
    return str(value)


def _label(record: models.Model, name: str) -> str:
    return capfirst(str(record._meta.get_field(name).verbose_name))


KINDS = {
    "+": gettext_lazy("Tạo mới"),
    "~": gettext_lazy("Sửa"),
    "-": gettext_lazy("Xóa"),
}


def history_entries(
    records: Sequence[Any],
    *,
    subject: str = "",
    limit: int | None = None,
    after_version: int | None = None,
) -> list[HistoryEntry]:
    """Entries from history records of one or more rows, newest first.

    Diffs are computed in memory between each record and the previous record of
    the same row found in ``records`` (pass one record more than you show).
    Records at or before ``after_version`` only serve as the base of a diff.
    """
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    previous: dict[Any, Any] = {}
    entries = []
    for record in ordered:
        old = previous.get(record.id)
        previous[record.id] = record
        if after_version is not None and record.version <= after_version:
            continue
        changes = []
        if old is not None and record.history_type == "~":
            delta = record.diff_against(old, excluded_fields=HIDDEN_HISTORY_FIELDS)
            changes = [
                Change(
                    _label(record, c.field),
                    _display(record, c.field, c.old),
                    _display(record, c.field, c.new),
                )
                for c in delta.changes
            ]
            if not changes:
                continue
        elif old is None and record.history_type == "~":
            # The record before it was not fetched: it cannot be diffed.
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=str(KINDS[record.history_type]),
                subject=subject
                or capfirst(str(record.instance_type._meta.verbose_name)),
                changes=changes,
            )
        )
    entries.reverse()
    return entries[:limit] if limit else entries


class StaleEditError(Exception):
    """The row was saved by someone else after the form was loaded; nothing written."""

    def __init__(self, current: models.Model, entries: list[HistoryEntry]) -> None:
        super().__init__(_("Dữ liệu đã được người khác thay đổi."))
        self.current = current
        self.entries = entries


def _history_baseline(model: type[models.Model], pk: int) -> None:
    """Rows written in bulk (the appendix import) have no history yet: record their
    state as it was before the first change, so the change can be shown."""
    if model.history.filter(id=pk).exists():
        return
    row = model.objects.filter(pk=pk).first()
    if row is not None:
        model.history.bulk_history_create([row], default_date=row.updated_at)


def _claim(model: type[models.Model], pk: int, expected_version: int) -> models.Model:
    """Take the row for writing if it is still at ``expected_version``.

    Returns the row as it is now (its version already bumped), or raises
    StaleEditError listing what changed after ``expected_version``.
    """
    _history_baseline(model, pk)
    claimed = model.objects.filter(pk=pk, version=expected_version).update(
        version=F("version") + 1
    )
    current = model.objects.get(pk=pk)
    if not claimed:
        records = list(
            model.history.filter(id=pk, version__gte=expected_version)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        entries = history_entries(records, after_version=expected_version)
        raise StaleEditError(current, entries)
    return current


def _with_history_user(obj: models.Model, user: User | None) -> models.Model:
    # HistoryRequestMiddleware sets the user in views; this covers other callers.
    obj._history_user = user
    return obj


# Evidence --------------------------------------------------------------------------


def evidence_add(
    *,
    plan: Plan,
    user: User | None,
    criterion: Criterion | None = None,
    progress_update: ProgressUpdate | None = None,
    number: str = "",
    issued_on: datetime.date | None = None,
    issuer: str = "",
    summary: str = "",
    location: str = "",
    file: UploadedFile | None = None,
    link: str = "",
) -> Evidence:
    """Attach a document to a criterion or to a progress report (checked already)."""
    evidence = Evidence(
        plan=plan,
        criterion=criterion,
        progress_update=progress_update,
        number=number,
        issued_on=issued_on,
        issuer=issuer,
        summary=summary,
        location=location,
        link=link,
        uploaded_by=user,
    )
    if file:
        evidence.file = file
    evidence.full_clean(exclude=["file"])
    with transaction.atomic():
        _with_history_user(evidence, user).save()
    return evidence


def _stored_files_delete_on_commit(evidence: models.QuerySet[Evidence]) -> None:
    """Remove the files of evidence rows about to be deleted, once that commits."""
    names = [n for n in evidence.values_list("file", flat=True) if n]
    if names:
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(n) for n in names])


def evidence_delete(*, evidence: Evidence, user: User | None) -> None:
    """Delete the record and its stored file (after the transaction commits)."""
    stored = evidence.file.name if evidence.file else ""
    storage = evidence.file.storage
    with transaction.atomic():
        _with_history_user(evidence, user).delete()
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))


# Progress of a unit's part ---------------------------------------------------------


def progress_normalize(status: str, percent: int) -> tuple[str, int]:
    """Status and percent that agree: done is 100 %, 100 % is done, work started
    is no longer 'not started'."""
    if status == Status.DONE:
        return status, 100
    if percent >= 100:
        return Status.DONE, 100
    if percent > 0 and status == Status.NOT_STARTED:
        return Status.IN_PROGRESS, percent
    return status, percent


def progress_record(
    *,
    part: TaskUnit,
    user: User | None,
    status: str,
    percent: int,
    note: str,
    expected_version: int,
    evidence: dict[str, Any] | None = None,
) -> ProgressUpdate:
    """Report a unit's progress: append a ProgressUpdate (old and new values), update
    the part and attach the evidence, or change nothing if the part is stale."""
    if status not in Status.values:
        raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Tiến độ phải từ 0 đến 100%.")})
    status, percent = progress_normalize(status, percent)
    with transaction.atomic():
        current = _claim(TaskUnit, part.pk, expected_version)
        update = ProgressUpdate.objects.create(
            part=current,
            author=user,
            old_status=current.status,
            status=status,
            old_percent=current.percent,
            percent=percent,
            note=note,
        )
        current.status, current.percent = status, percent
        if note:
            current.note = note
        _with_history_user(current, user).save()
        if evidence:
            evidence_add(
                plan=part.task.criterion.plan,
                user=user,
                progress_update=update,
                **evidence,
            )
    part.status, part.percent, part.note = current.status, current.percent, current.note
    part.version = current.version
    return update


def tasks_progress_mean(tasks: Iterable[Task]) -> Decimal | None:
    """Completion of a criterion: the mean progress of its tasks (None if none)."""
    values = [t.progress for t in tasks]
    if not values:
        return None
    return sum(values, Decimal(0)) / len(values)


# Tasks -----------------------------------------------------------------------------


def _part_has_reports(part: TaskUnit) -> bool:
    return bool(
        part.percent or part.status != Status.NOT_STARTED or part.updates.exists()
    )


def _parts_sync(
    task: Task, leads: list[Unit], supports: list[Unit], user: User | None
) -> None:
    wanted = {u.pk: TaskUnit.Role.SUPPORT for u in supports}
    wanted.update({u.pk: TaskUnit.Role.LEAD for u in leads})
    existing = {
        p.unit_id: p for p in TaskUnit.objects.filter(task=task).select_related("unit")
    }
    reported = [
        part.unit.name
        for unit_id, part in existing.items()
        if unit_id not in wanted and _part_has_reports(part)
    ]
    if reported:
        # Removing the unit would delete its progress history and evidence with it.
        raise ValidationError(
            {
                "lead_units": _(
                    "Không thể bỏ %(units)s khỏi nhiệm vụ vì đơn vị đã báo cáo tiến độ "
                    "(lịch sử và tài liệu kiểm chứng sẽ mất). Hãy giữ đơn vị, hoặc chuyển "
                    "sang vai trò phối hợp."
                )
                % {"units": ", ".join(reported)}
            }
        )
    for unit_id, part in existing.items():
        if unit_id not in wanted:
            _with_history_user(part, user).delete()
        elif part.role != wanted[unit_id]:
            _history_baseline(TaskUnit, part.pk)
            part.role = wanted[unit_id]
            _with_history_user(part, user).save()
    for unit_id, role in wanted.items():
        if unit_id not in existing:
            part = TaskUnit(task=task, unit_id=unit_id, role=role)
            _with_history_user(part, user).save()


def task_save(
    *,
    user: User | None,
    task: Task | None,
    criterion: Criterion,
    text: str,
    due_date: datetime.date | None,
    all_units: bool,
    lead_units: Sequence[Unit],
    support_units: Sequence[Unit],
    expected_version: int | None = None,
    status: str | None = None,
    percent: int | None = None,
) -> Task:
    """Create a task (``task=None``) or change one, with its lead and supporting
    units. ``all_units`` makes every unit of the organization a lead unit.
    ``status`` and ``percent`` are the task's own progress, kept only while it has
    no lead unit (otherwise progress comes from the lead units' parts)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Nhiệm vụ, giải pháp không được để trống.")})
    leads = list(lead_units)
    if all_units:
        leads = list(Unit.objects.filter(organization=criterion.plan.organization))
    lead_ids = {u.pk for u in leads}
    supports = [u for u in support_units if u.pk not in lead_ids]
    both = [u.name for u in support_units if u.pk in lead_ids and not all_units]
    if both:
        raise ValidationError(
            {
                "support_units": _(
                    "Đơn vị vừa chủ trì vừa phối hợp: %(names)s. Chọn một vai trò."
                )
                % {"names": ", ".join(both)}
            }
        )
    with transaction.atomic():
        if task is None:
            last = criterion.tasks.aggregate(m=Max("position"))["m"] or 0
            current = Task(criterion=criterion, position=last + 1)
        else:
            if expected_version is None:
                raise ValueError("expected_version is required to change a task")
            current = _claim(Task, task.pk, expected_version)
            if current.criterion_id != criterion.pk:
                last = criterion.tasks.aggregate(m=Max("position"))["m"] or 0
                current.criterion, current.position = criterion, last + 1
        current.text, current.due_date, current.all_units = text, due_date, all_units
        if not leads and status is not None and percent is not None:
            current.status, current.percent = progress_normalize(status, percent)
        _with_history_user(current, user).save()
        _parts_sync(current, leads, supports, user)
    return current


def task_delete(*, task: Task, user: User | None) -> None:
    """Delete a task with its parts, progress reports and their evidence files."""
    with transaction.atomic():
        _stored_files_delete_on_commit(
            Evidence.objects.filter(progress_update__part__task=task)
        )
        for part in task.parts.all():
            _with_history_user(part, user).delete()
        _with_history_user(task, user).delete()


# Criteria --------------------------------------------------------------------------


def criterion_self_score_set(
    *,
    criterion: Criterion,
    user: User | None,
    self_score: Decimal | None,
    explanation: str,
    expected_version: int,
) -> Criterion:
    """Enter the self-assessed score and the explanation of one criterion."""
    with transaction.atomic():
        current = _claim(Criterion, criterion.pk, expected_version)
        current.self_score, current.explanation = self_score, explanation.strip()
        current.full_clean(validate_unique=False, validate_constraints=False)
        _with_history_user(current, user).save()
    return current


def criterion_save(
    *,
    user: User | None,
    criterion: Criterion | None,
    plan: Plan,
    code: str,
    title: str,
    max_score: Decimal | None,
    baseline_score: Decimal | None,
    target_score: Decimal | None,
    expected_version: int | None = None,
) -> Criterion:
    """Create or change a criterion row; its parent follows from its code."""
    code = code.strip()
    with transaction.atomic():
        if criterion is None:
            current = Criterion(plan=plan)
        else:
            if expected_version is None:
                raise ValueError("expected_version is required to change a criterion")
            current = _claim(Criterion, criterion.pk, expected_version)
            if current.code != code and current.children.exists():
                raise ValidationError(
                    {
                        "code": _(
                            "Không đổi được mã %(code)s vì tiêu chí này có tiêu chí con."
                        )
                        % {"code": current.code}
                    }
                )
        has_children = criterion is not None and current.children.exists()
        if has_children and any(
            v is not None for v in (max_score, baseline_score, target_score)
        ):
            raise ValidationError(
                {
                    "max_score": _(
                        "Tiêu chí %(code)s có tiêu chí con: điểm của nó là tổng điểm các tiêu chí con, không nhập riêng."
                    )
                    % {"code": code}
                }
            )
        wanted_parent = parent_code(code)
        current.parent = (
            Criterion.objects.filter(plan=plan, code=wanted_parent).first()
            if wanted_parent
            else None
        )
        if wanted_parent and current.parent is None:
            raise ValidationError(
                {
                    "code": _(
                        "Chưa có tiêu chí %(parent)s để tiêu chí %(code)s thuộc vào; hãy tạo nó trước."
                    )
                    % {"parent": wanted_parent, "code": code}
                }
            )
        current.code, current.title = code, title.strip()
        current.max_score = max_score
        current.baseline_score = baseline_score
        current.target_score = target_score
        current.full_clean(exclude=["depth", "sort_key"])
        _with_history_user(current, user).save()
    return current


def criterion_delete(*, criterion: Criterion, user: User | None) -> None:
    """Delete a criterion with its sub-criteria, tasks and evidence (files too)."""
    subtree = models.Q(pk=criterion.pk) | models.Q(
        plan_id=criterion.plan_id, sort_key__startswith=criterion.sort_key + "."
    )
    with transaction.atomic():
        crit_ids = list(Criterion.objects.filter(subtree).values_list("pk", flat=True))
        _stored_files_delete_on_commit(
            Evidence.objects.filter(
                models.Q(criterion_id__in=crit_ids)
                | models.Q(progress_update__part__task__criterion_id__in=crit_ids)
            )
        )
        _with_history_user(criterion, user).delete()


# Users' units ----------------------------------------------------------------------


def memberships_set(*, member: User, units: Iterable[Unit]) -> None:
    """Make ``member`` belong to exactly ``units`` (whose tasks they report on)."""
    wanted = {u.pk for u in units}
    with transaction.atomic():
        Membership.objects.filter(user=member).exclude(unit_id__in=wanted).delete()
        have = set(
            Membership.objects.filter(user=member).values_list("unit_id", flat=True)
        )
        Membership.objects.bulk_create(
            Membership(user=member, unit_id=uid) for uid in wanted - have
        )


def criterion_scoring_save(
    *,
    criterion: Criterion,
    user: User | None,
    rule: ScoringRule,
    apply: bool,
    expected_version: int,
) -> tuple[Criterion, Decimal]:
    """Keep a criterion's scoring rule and figures, and the score they give; with
    ``apply`` that score becomes the self-assessed score (version-checked like any
    edit of the criterion). Raises ValidationError naming the missing figure."""
    with transaction.atomic():
        rule.criterion = criterion
        score = rule.score()
        _with_history_user(rule, user).save()
        if apply:
            criterion = criterion_self_score_set(
                criterion=criterion,
                user=user,
                self_score=score,
                explanation=criterion.explanation,
                expected_version=expected_version,
            )
    return criterion, score
