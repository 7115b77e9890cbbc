"""Submit → approve → reopen of the year's self-assessment. Each step checks who may
take it and from which state, moves the state, and keeps a step with who, when, why
and the figures at that moment (``plan_figures`` as ``figures_as_dict``, plus each
criterion's self-score and explanation), all in one transaction.

What blocks a submission comes from the caller (``missing``, any rows with ``code`` and
``message``): the page passes ``tasks.self_assessment_missing.self_assessment_missing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from criteria.models import Plan, SelfAssessment, SelfAssessmentStep
from parplan import roles
from reports.figures import plan_figures
from reports.summaries import figures_as_dict

if TYPE_CHECKING:
    from parplan.roles import AnyUser

State = SelfAssessment.State
Kind = SelfAssessmentStep.Kind


class MissingRow(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def message(self) -> str: ...


def _snapshot(plan: Plan) -> dict[str, object]:
    figures = plan_figures(plan=plan)
    return figures_as_dict(figures) | {
        "self_assessment": {
            row.code: {
                "self_score": str(row.criterion.self_score)
                if row.criterion.self_score is not None
                else None,
                "explanation": row.criterion.explanation,
            }
            for row in figures.rows
            if not row.is_heading
        }
    }


def _take(plan: Plan) -> SelfAssessment:
    """The plan's self-assessment row, created if need be and locked for the step."""
    SelfAssessment.objects.get_or_create(plan=plan)
    return SelfAssessment.objects.select_for_update().get(plan=plan)


def _step(
    assessment: SelfAssessment, kind: str, user: AnyUser | None, reason: str = ""
) -> SelfAssessmentStep:
    assessment.save()
    return SelfAssessmentStep.objects.create(
        assessment=assessment,
        kind=kind,
        edition=assessment.edition,
        user=user if user is not None and user.is_authenticated else None,
        reason=reason,
        figures=_snapshot(assessment.plan),
    )


def _refuse_state(assessment: SelfAssessment, wanted: str) -> None:
    raise ValidationError(
        _(
            "Bảng tự đánh giá đang ở trạng thái “%(state)s”; bước này cần trạng thái "
            "“%(wanted)s”."
        )
        % {"state": assessment.get_state_display(), "wanted": State(wanted).label}
    )


def self_assessment_submit(
    *, plan: Plan, user: AnyUser, missing: Sequence[MissingRow]
) -> SelfAssessmentStep:
    """The office sends the draft for approval: a new edition (phiên bản). Refused
    while ``missing`` lists anything, naming the first criteria."""
    if not roles.can_submit_self_assessment(user):
        raise PermissionDenied(roles.OFFICE_NEEDED)
    if missing:
        shown = "; ".join(f"{row.code}: {row.message}" for row in missing[:5])
        raise ValidationError(
            _("Chưa nộp được: còn %(n)s mục thiếu (%(shown)s).")
            % {"n": len(missing), "shown": shown}
        )
    with transaction.atomic():
        assessment = _take(plan)
        if assessment.state != State.DRAFT:
            _refuse_state(assessment, State.DRAFT)
        assessment.state = State.SUBMITTED
        assessment.edition += 1
        return _step(assessment, Kind.SUBMIT, user)


def self_assessment_approve(*, plan: Plan, user: AnyUser) -> SelfAssessmentStep:
    """The director approves the submitted edition: every self-score, explanation
    and evidence of the plan is locked."""
    if not roles.can_approve_self_assessment(user):
        raise PermissionDenied(roles.DIRECTOR_NEEDED)
    with transaction.atomic():
        assessment = _take(plan)
        if assessment.state != State.SUBMITTED:
            _refuse_state(assessment, State.SUBMITTED)
        assessment.state = State.APPROVED
        return _step(assessment, Kind.APPROVE, user)


def self_assessment_reopen(
    *, plan: Plan, user: AnyUser, reason: str
) -> SelfAssessmentStep:
    """The director sends a submitted or approved self-assessment back to draft,
    saying why; the next submission is a new edition."""
    if not roles.can_approve_self_assessment(user):
        raise PermissionDenied(roles.DIRECTOR_NEEDED)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do mở lại.")})
    with transaction.atomic():
        assessment = _take(plan)
        if assessment.state == State.DRAFT:
            raise ValidationError(
                _("Bảng tự đánh giá đang là dự thảo, không cần mở lại.")
            )
        assessment.state = State.DRAFT
        return _step(assessment, Kind.REOPEN, user, reason)


def _who(step: SelfAssessmentStep) -> str:
    if step.user is None:
        return "—"
    return step.user.get_full_name() or step.user.get_username()


def self_assessment_status_line(*, plan: Plan) -> str:
    """The state as the exported workbook shows it, e.g. “Đã phê duyệt, phiên bản 2,
    12/12/2026 bởi Nguyễn Văn A”. Two queries."""
    assessment = SelfAssessment.objects.filter(plan=plan).first()
    step = (
        assessment.steps.select_related("user").first()
        if assessment is not None
        else None
    )
    if assessment is None or step is None:
        return _("Dự thảo, chưa nộp")
    values = {
        "edition": assessment.edition,
        "date": formats.date_format(timezone.localtime(step.at), "d/m/Y"),
        "who": _who(step),
    }
    if assessment.state == State.APPROVED:
        return _("Đã phê duyệt, phiên bản %(edition)s, %(date)s bởi %(who)s") % values
    if assessment.state == State.SUBMITTED:
        return (
            _("Đã nộp, chờ phê duyệt, phiên bản %(edition)s, %(date)s bởi %(who)s")
            % values
        )
    return _("Dự thảo, mở lại sau phiên bản %(edition)s, %(date)s bởi %(who)s") % values


def snapshot_total(step: SelfAssessmentStep) -> Decimal | None:
    """The self-assessed total kept with a step (for its list)."""
    totals = step.figures.get("totals") if isinstance(step.figures, dict) else None
    value = totals.get("self") if isinstance(totals, dict) else None
    return Decimal(value) if isinstance(value, str) else None
