"""A unit head's parts as their page lists them: grouped by urgency (overdue, due
within ``REMINDER_DAYS``, later, done), ordered in the database and paged, so the page
stays small however many parts a unit has; each row with the evidence last sent."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from criteria.models import Plan
from tasks.models import REMINDER_DAYS, Evidence, ProgressUpdate, Status, TaskUnit

# 50 rows of a few hundred bytes each, whatever the unit's number of parts.
PAGE_SIZE = 50
# The reminders' digest names at most this many parts (all of them come first).
REMINDERS_SHOWN = 10  # templates/tasks/_reminders.html says “mười” (ten)

OVERDUE, SOON, LATER, DONE = 0, 1, 2, 3
GROUP_KEYS = {OVERDUE: "overdue", SOON: "soon", LATER: "later", DONE: "done"}


@dataclass
class PartGroup:
    """One urgency group: its key (for the anchor and the label), its size, and the
    page where it starts."""

    urgency: int
    key: str
    label: str
    count: int
    page: int


@dataclass
class PartRow:
    part: TaskUnit
    urgency: int
    overdue: bool
    # The group heading shown above this row (its first row on the page), or None.
    heading: PartGroup | None
    # The whole task's progress (its lead parts' mean).
    task_progress: Decimal = Decimal(0)
    # The evidence of the last report that brought some.
    evidence: list[Evidence] = field(default_factory=list)
    saved: bool = False


@dataclass
class PartsPage:
    rows: list[PartRow]
    groups: list[PartGroup]
    number: int
    num_pages: int
    total: int

    @property
    def reminders(self) -> list[PartRow]:
        """The first overdue and soon-due rows (they open the first page)."""
        if self.number != 1:
            return []
        return [r for r in self.rows if r.urgency <= SOON][:REMINDERS_SHOWN]

    @property
    def due_count(self) -> int:
        """Parts overdue or due within ``REMINDER_DAYS``."""
        return sum(g.count for g in self.groups if g.urgency <= SOON)

    @property
    def reminders_more(self) -> int:
        return max(0, self.due_count - len(self.reminders))

    @property
    def overdue_count(self) -> int:
        return sum(g.count for g in self.groups if g.urgency == OVERDUE)


def parts_ordered(
    *, unit_ids: Collection[int], plan: Plan, today: datetime.date
) -> QuerySet[TaskUnit]:
    """The units' parts in the plan, each with its ``urgency``, most urgent first
    (then by due date, criterion and task)."""
    not_done = ~Q(status=Status.DONE)
    soon = today + datetime.timedelta(days=REMINDER_DAYS)
    urgency = Case(
        When(not_done & Q(task__due_date__lt=today), then=Value(OVERDUE)),
        When(not_done & Q(task__due_date__lte=soon), then=Value(SOON)),
        When(not_done, then=Value(LATER)),
        default=Value(DONE),
        output_field=IntegerField(),
    )
    return (
        TaskUnit.objects.filter(unit_id__in=unit_ids, task__criterion__plan=plan)
        .annotate(urgency=urgency)
        .order_by(
            "urgency",
            F("task__due_date").asc(nulls_last=True),
            "task__criterion__sort_key",
            "task__position",
            "pk",
        )
    )


def part_page_of(
    *, part: TaskUnit, unit_ids: Collection[int], today: datetime.date
) -> int:
    """The page of the unit head's list where ``part`` now stands: the parts before
    it in ``parts_ordered``'s order, counted by the database (a unit of thousands of
    parts is not read to find one)."""
    ordered = parts_ordered(
        unit_ids=unit_ids, plan=part.task.criterion.plan, today=today
    )
    own = ordered.filter(pk=part.pk).values(  # type: ignore[misc]  # django-stubs: an annotation
        "urgency", "task__due_date", "task__criterion__sort_key", "task__position"
    )
    key = own.first()
    if key is None:
        return 1
    due = key["task__due_date"]
    # due dates ascending, the parts without one last
    due_before = (
        Q(task__due_date__isnull=False) if due is None else Q(task__due_date__lt=due)
    )
    due_same = Q(task__due_date__isnull=True) if due is None else Q(task__due_date=due)
    sort_key, position = key["task__criterion__sort_key"], key["task__position"]
    before = Q(urgency__lt=key["urgency"]) | Q(urgency=key["urgency"]) & (
        due_before
        | due_same
        & (
            Q(task__criterion__sort_key__lt=sort_key)
            | Q(task__criterion__sort_key=sort_key)
            & (
                Q(task__position__lt=position)
                | Q(task__position=position, pk__lt=part.pk)
            )
        )
    )
    return ordered.filter(before).order_by().count() // PAGE_SIZE + 1


def _group_label(urgency: int) -> str:
    if urgency == OVERDUE:
        return _("Quá hạn")
    if urgency == SOON:
        return ngettext(
            "Đến hạn trong %(days)s ngày tới",
            "Đến hạn trong %(days)s ngày tới",
            REMINDER_DAYS,
        ) % {"days": REMINDER_DAYS}
    if urgency == LATER:
        return _("Chưa đến hạn")
    return _("Đã hoàn thành")


def _groups(urgencies: list[int]) -> list[PartGroup]:
    """The groups of an ordered list of urgencies, each with the page it starts on."""
    groups, start = [], 0
    for urgency, key in GROUP_KEYS.items():
        count = urgencies.count(urgency)
        groups.append(
            PartGroup(
                urgency, key, _group_label(urgency), count, start // PAGE_SIZE + 1
            )
        )
        start += count
    return groups


def parts_page(
    *,
    unit_ids: Collection[int],
    plan: Plan,
    page: str | int | None,
    today: datetime.date,
) -> PartsPage:
    """One page of the unit head's parts (a page number out of range, or not a
    number, gives the nearest page)."""
    ordered = parts_ordered(unit_ids=unit_ids, plan=plan, today=today)
    # One light query orders them all (a few thousand pairs at province scale);
    # the page's rows are then read whole by their keys.
    order = list(ordered.values_list("pk", "urgency"))  # type: ignore[misc]  # django-stubs: an annotation
    groups = _groups([urgency for _pk, urgency in order])
    total = len(order)
    num_pages = max(1, -(-total // PAGE_SIZE))
    try:
        number = min(max(1, int(page or 1)), num_pages)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * PAGE_SIZE
    last_evidence = (
        ProgressUpdate.objects.filter(part=OuterRef("pk"), evidence__isnull=False)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    # The whole task's progress as Task.progress has it: the mean of its lead
    # parts, or its own percent while it has none.
    lead_mean = (
        TaskUnit.objects.filter(task=OuterRef("task"), role=TaskUnit.Role.LEAD)
        .order_by()
        .values("task")
        .annotate(mean=Avg("percent", output_field=DecimalField()))
        .values("mean")
    )
    keys = [pk for pk, _urgency in order[start : start + PAGE_SIZE]]
    position = {pk: i for i, pk in enumerate(keys)}
    found = (
        ordered.filter(pk__in=keys)
        .order_by()
        .select_related("task__criterion", "unit")
        .annotate(
            evidence_update_id=Subquery(last_evidence),
            task_progress=Coalesce(
                Subquery(lead_mean, output_field=DecimalField()),
                F("task__percent"),
                output_field=DecimalField(),
            ),
        )
    )
    parts = sorted(found, key=lambda part: position[part.pk])
    update_ids = {p.evidence_update_id for p in parts} - {None}
    evidence: dict[int, list[Evidence]] = {}
    if update_ids:
        for item in Evidence.objects.filter(progress_update_id__in=update_ids):
            assert item.progress_update_id is not None  # filtered on it
            evidence.setdefault(item.progress_update_id, []).append(item)
    by_urgency = {g.urgency: g for g in groups}
    rows, previous = [], None
    for part in parts:
        urgency: int = part.urgency  # type: ignore[attr-defined]  # annotated above
        rows.append(
            PartRow(
                part=part,
                urgency=urgency,
                overdue=urgency == OVERDUE,
                heading=by_urgency[urgency] if urgency != previous else None,
                task_progress=Decimal(str(part.task_progress)),
                evidence=evidence.get(part.evidence_update_id, []),
            )
        )
        previous = urgency
    return PartsPage(rows, groups, number, num_pages, total)
