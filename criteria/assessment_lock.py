"""The lock of an approved self-assessment: every write of a self-score, an
explanation (giải trình) or evidence asks ``self_assessment_lock_check`` first."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from criteria.assessment_models import SelfAssessment


def self_assessment_locked(*, plan_id: int) -> bool:
    """Whether the plan's self-assessment is approved. Inside a transaction the row
    is locked for it, so an approval cannot slip between this check and the write."""
    rows = SelfAssessment.objects.filter(plan_id=plan_id)
    if connection.in_atomic_block:
        rows = rows.select_for_update()
    states = list(rows.values_list("state", flat=True))
    return SelfAssessment.State.APPROVED in states


def lock_message() -> str:
    return _(
        "Bảng tự đánh giá của kế hoạch này đã được phê duyệt và khóa: không sửa được "
        "điểm tự đánh giá, giải trình hay tài liệu kiểm chứng. Lãnh đạo Sở mở lại "
        "(ghi lý do) nếu cần sửa."
    )


def self_assessment_lock_check(*, plan_id: int) -> None:
    """Raise ValidationError (the message says why and who can reopen) when the
    plan's self-assessment is approved."""
    if self_assessment_locked(plan_id=plan_id):
        raise ValidationError(lock_message())
