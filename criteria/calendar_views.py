"""The office sets a plan year's PAR calendar (self-assessment due date, appraisal
window, explanation period) that ``send_reminders`` announces."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from criteria.forms import PlanCalendarForm
from criteria.models import Plan
from parplan import roles


def _plan_for_edit(request: HttpRequest, pk: int) -> Plan:
    roles.require_edit(request.user)
    return get_object_or_404(
        Plan.objects.visible_to(request.user).select_related("organization"), pk=pk
    )


@login_required
def plan_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for_edit(request, pk)
    form = PlanCalendarForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu lịch cải cách hành chính của kế hoạch."))
        return redirect("criteria-plan-calendar", pk=plan.pk)
    status = 400 if form.is_bound else 200
    ctx = {"form": form, "plan": plan}
    return render(request, "criteria/plan_calendar.html", ctx, status=status)
