"""Quarterly reviews (giao ban quý): the office records them, anyone with a role
reads them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from criteria.managers import organization_visible
from criteria.models import Criterion, Plan
from parplan import roles
from parplan.history import recent_history
from tasks.forms import QuarterlyReviewForm
from tasks.models import QuarterlyReview

HISTORY_SHOWN = 30


def _plan_for_view(request: HttpRequest, plan_id: int | None) -> Plan | None:
    roles.require_view(request.user)
    plans = Plan.objects.visible_to(request.user).select_related("organization")
    if plan_id is None:
        return plans.order_by("-year", "organization__name").first()
    return get_object_or_404(plans, pk=plan_id)


def _review_for_edit(request: HttpRequest, pk: int) -> QuarterlyReview:
    roles.require_edit(request.user)
    return get_object_or_404(
        QuarterlyReview.objects.filter(
            organization_visible(request.user, "plan__")
        ).select_related("plan__organization"),
        pk=pk,
    )


@login_required
def review_list(request: HttpRequest, plan_id: int | None = None) -> HttpResponse:
    plan = _plan_for_view(request, plan_id)
    reviews: list[QuarterlyReview] = []
    criterion = None
    if plan is not None:
        reviews = list(
            QuarterlyReview.objects.filter(plan=plan).annotate(
                criteria_count=Count("criteria", distinct=True),
                tasks_count=Count("tasks", distinct=True),
            )
        )
        if plan.review_criterion_code:
            criterion = Criterion.objects.filter(
                plan=plan, code=plan.review_criterion_code
            ).first()
    ctx: dict[str, Any] = {
        "plan": plan,
        "plans": Plan.objects.visible_to(request.user)
        .select_related("organization")
        .order_by("-year"),
        "reviews": reviews,
        "review_criterion": criterion,
        "can_edit": roles.can_edit_plan(request.user),
    }
    return render(request, "tasks/review_list.html", ctx)


@login_required
def review_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    roles.require_edit(request.user)
    plan = get_object_or_404(
        Plan.objects.visible_to(request.user).select_related("organization"),
        pk=plan_id,
    )
    form = QuarterlyReviewForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Đã ghi cuộc giao ban quý."))
        return redirect("tasks-review-list-plan", plan_id=plan.pk)
    status = 400 if form.is_bound else 200
    ctx = {"form": form, "plan": plan, "review": None}
    return render(request, "tasks/review_form.html", ctx, status=status)


@login_required
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_edit(request, pk)
    plan = review.plan
    form = QuarterlyReviewForm(request.POST or None, instance=review, plan=plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Đã lưu cuộc giao ban quý."))
        return redirect("tasks-review-list-plan", plan_id=plan.pk)
    status = 400 if form.is_bound else 200
    ctx = {
        "form": form,
        "plan": plan,
        "review": review,
        "history": recent_history(QuarterlyReview, limit=HISTORY_SHOWN, id=review.pk),
    }
    return render(request, "tasks/review_form.html", ctx, status=status)


@login_required
def review_delete(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_for_edit(request, pk)
    if request.method == "POST":
        plan_id = review.plan_id
        review.delete()
        messages.success(request, _("Đã xóa cuộc giao ban quý."))
        return redirect(reverse("tasks-review-list-plan", kwargs={"plan_id": plan_id}))
    return render(request, "tasks/review_delete.html", {"review": review})
