"""What a plan was when its import was previewed, so a confirmation that would
overwrite changes made since (another import, an edit on a page) is refused, naming
them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from criteria.codes import code_sort_key
from criteria.models import Criterion, Plan


def _state(plan: Plan) -> dict[str, list[Any]]:
    """Each criterion's code, version, and its tasks' count and version sum: any
    save of a criterion or a task (they bump ``version``) changes one of them."""
    rows = (
        Criterion.objects.filter(plan=plan)
        .annotate(task_count=Count("tasks"), task_versions=Sum("tasks__version"))
        .values_list("pk", "code", "version", "task_count", "task_versions")
    )
    return {
        str(pk): [code, version, count, versions or 0]
        for pk, code, version, count, versions in rows
    }


def plan_mark(*, organization_id: int | None, year: int) -> dict[str, Any]:
    """The plan of ``year`` as it is now, as JSON for the staged preview."""
    plan = (
        Plan.objects.filter(organization_id=organization_id, year=year).first()
        if organization_id
        else None
    )
    if plan is None:
        return {"plan": None}
    return {"plan": plan.pk, "criteria": _state(plan)}


def plan_changes(*, plan: Plan | None, year: int, mark: dict[str, Any]) -> list[str]:
    """What changed in the plan since ``mark`` was taken, in sentences (none: the
    plan is as it was previewed)."""
    if mark.get("plan") is None:
        if plan is None:
            return []
        return [
            _(
                "Kế hoạch năm %(year)s đã được tạo (bởi một lần nhập khác) sau khi bạn "
                "xem trước."
            )
            % {"year": year}
        ]
    if plan is None or plan.pk != mark["plan"]:
        return [_("Kế hoạch đã bị xóa hoặc thay thế sau khi bạn xem trước.")]
    then, now = mark.get("criteria", {}), _state(plan)
    codes = {row[0] for pk, row in now.items() if then.get(pk) != row}
    codes |= {row[0] for pk, row in then.items() if pk not in now}
    if not codes:
        return []
    return [
        _("Tiêu chí %(codes)s đã được sửa, thêm hoặc xóa sau khi bạn xem trước.")
        % {"codes": ", ".join(sorted(codes, key=code_sort_key))}
    ]
