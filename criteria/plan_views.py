"""The page of a plan's self-assessment settings: its score columns, the governing
body and place of its official heading. The office edits it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from criteria.forms import PlanSettingsForm
from criteria.models import Plan
from criteria.plan_settings import plan_settings_save
from parplan import roles


def _plan_for_edit(request: HttpRequest, pk: int) -> Plan:
    roles.require_edit(request.user)
    return get_object_or_404(
        Plan.objects.visible_to(request.user).select_related("organization"), pk=pk
    )


@login_required
def plan_settings(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for_edit(request, pk)
    organization = plan.organization
    status = 200
    if request.method == "POST":
        form = PlanSettingsForm(request.POST)
        if form.is_valid():
            plan_settings_save(plan=plan, user=request.user, **form.cleaned_data)
            messages.success(request, _("Đã lưu thiết lập bảng tự đánh giá."))
            return redirect(reverse("reports-self-assessment", args=[plan.pk]))
        status = 400
    else:
        form = PlanSettingsForm(
            initial={
                "score_columns": plan.score_columns,
                "governing_body": organization.governing_body,
                "place": organization.place,
            }
        )
    ctx = {"plan": plan, "form": form}
    return render(request, "criteria/plan_settings.html", ctx, status=status)
