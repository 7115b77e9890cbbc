"""Giải trình, kiến nghị: the office records, per appraised criterion, the
department's explanation or appeal and the council's outcome. An accepted appeal sets
the final appraised score through ``criterion_layers_set`` (version-checked, with
history); the dashboard shows the points appeals recovered and those still open."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from criteria.editing import criterion_layers_set
from criteria.models import Appeal, Criterion, Plan

if TYPE_CHECKING:
    from parplan.history import AnyUser

Outcome = Appeal.Outcome


def appeal_save(
    *,
    criterion: Criterion,
    user: AnyUser | None,
    kind: str,
    text: str,
    outcome: str,
    final_score: Decimal | None,
    expected_version: int,
) -> Appeal:
    """Record the appeal of ``criterion`` and its outcome, all or nothing. Accepted
    needs the final score, which becomes the criterion's; pending or rejected leave
    the council's score as it is (and clear a final score an earlier acceptance set)."""
    if criterion.appraised_score is None:
        raise ValidationError(
            _("Tiêu chí %(code)s chưa có điểm thẩm định để giải trình, kiến nghị.")
            % {"code": criterion.code}
        )
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi nội dung giải trình, kiến nghị.")})
    if outcome == Outcome.ACCEPTED and final_score is None:
        raise ValidationError(
            {"final_score": _("Kiến nghị được chấp nhận cần điểm sau giải trình.")}
        )
    if outcome != Outcome.ACCEPTED and final_score is not None:
        raise ValidationError(
            {
                "final_score": _(
                    "Chỉ ghi điểm sau giải trình khi kiến nghị được chấp nhận."
                )
            }
        )
    with transaction.atomic():
        appeal = Appeal.objects.filter(criterion=criterion).first() or Appeal(
            criterion=criterion
        )
        appeal.kind, appeal.text, appeal.outcome = kind, text.strip(), outcome
        appeal.recorded_by = (
            user if user is not None and user.is_authenticated else None
        )
        appeal.full_clean(exclude=["criterion"])
        appeal.save()
        if criterion.final_score != final_score:
            criterion_layers_set(
                criterion=criterion,
                user=user,
                method=criterion.method,
                applicable=criterion.applicable,
                not_applicable_reason=criterion.not_applicable_reason,
                appraised_score=criterion.appraised_score,
                final_score=final_score,
                appraisal_note=criterion.appraisal_note,
                survey_score=criterion.survey_score,
                expected_version=expected_version,
            )
    return appeal


@dataclass(frozen=True)
class AppealsSummary:
    recovered: Decimal  # final − appraised over accepted appeals
    open: list[Appeal]  # pending, in code order
    count: int


def appeals_summary(*, plan: Plan) -> AppealsSummary:
    """Points recovered by accepted appeals and the appeals still open (one query)."""
    appeals = list(
        Appeal.objects.filter(criterion__plan=plan)
        .select_related("criterion")
        .order_by("criterion__sort_key")
    )
    recovered = sum(
        (
            a.criterion.final_score - a.criterion.appraised_score
            for a in appeals
            if a.outcome == Outcome.ACCEPTED
            and a.criterion.final_score is not None
            and a.criterion.appraised_score is not None
        ),
        Decimal(0),
    )
    open_ = [a for a in appeals if a.outcome == Outcome.PENDING]
    return AppealsSummary(recovered=recovered, open=open_, count=len(appeals))
