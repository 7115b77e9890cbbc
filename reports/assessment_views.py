"""The page of the year's self-assessment state: the office submits, the director
approves or reopens with a reason, everyone with a role sees the steps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from criteria.models import Plan, SelfAssessment
from parplan import roles
from reports import self_assessment_steps as steps
from tasks.self_assessment_missing import self_assessment_missing


def _plan_for_view(request: HttpRequest, plan_id: int) -> Plan:
    roles.require_view(request.user)
    return get_object_or_404(
        Plan.objects.visible_to(request.user).select_related("organization"),
        pk=plan_id,
    )


def _act(request: HttpRequest, plan: Plan, action: str) -> str:
    """Take the posted step; the message to show. Raises ValidationError."""
    user = request.user
    if action == "submit":
        steps.self_assessment_submit(
            plan=plan,
            user=user,
            missing=self_assessment_missing(plan=plan),
        )
        return _("Đã nộp bảng tự đánh giá để Lãnh đạo Sở phê duyệt.")
    if action == "approve":
        steps.self_assessment_approve(plan=plan, user=user)
        return _("Đã phê duyệt và khóa bảng tự đánh giá.")
    if action == "reopen":
        steps.self_assessment_reopen(
            plan=plan, user=user, reason=request.POST.get("reason", "")
        )
        return _("Đã mở lại bảng tự đánh giá để sửa.")
    raise ValidationError(_("Thao tác không hợp lệ."))


@login_required
def state(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_view(request, plan_id)
    status, errors = 200, []
    if request.method == "POST":
        try:
            done = _act(request, plan, request.POST.get("action", ""))
        except ValidationError as exc:
            errors, status = exc.messages, 400
        else:
            messages.success(request, done)
            return redirect("reports-self-assessment-state", plan_id=plan.pk)
    assessment = SelfAssessment.objects.filter(plan=plan).first()
    current = assessment.state if assessment else SelfAssessment.State.DRAFT
    can_submit = roles.can_submit_self_assessment(request.user)
    can_approve = roles.can_approve_self_assessment(request.user)
    history = list(assessment.steps.select_related("user")) if assessment else []
    ctx = {
        "plan": plan,
        "assessment": assessment,
        "state": current,
        "status_line": steps.self_assessment_status_line(plan=plan),
        "steps": [(step, steps.snapshot_total(step)) for step in history],
        "missing": self_assessment_missing(plan=plan)
        if can_submit and current == SelfAssessment.State.DRAFT
        else [],
        "can_submit": can_submit and current == SelfAssessment.State.DRAFT,
        "can_approve": can_approve and current == SelfAssessment.State.SUBMITTED,
        "can_reopen": can_approve and current != SelfAssessment.State.DRAFT,
        "errors": errors,
        "reason": request.POST.get("reason", ""),
    }
    return render(request, "reports/self_assessment_state.html", ctx, status=status)
