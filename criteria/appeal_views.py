"""The office's pages of giải trình, kiến nghị: the appraised criteria of a plan with
their appeals, and one criterion's appeal and outcome."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from criteria.appeals import appeal_save
from criteria.forms import AppealForm
from criteria.models import Appeal, Criterion, Plan
from parplan import roles
from parplan.forms import errors_onto, rebound
from parplan.history import StaleEditError
from parplan.http import int_param


@login_required
def appeals(request: HttpRequest) -> HttpResponse:
    """Every appraised criterion of the plan, its appeal and outcome (two queries
    after the plan: the criteria with their appeals)."""
    roles.require_view(request.user)
    year = int_param(request, "year")
    plan = Plan.objects.visible_to(request.user).current(year)
    if plan is None and year is not None:
        raise Http404(_("Không có kế hoạch năm này."))
    rows: list[tuple[Criterion, Appeal | None]] = []
    if plan is not None:
        criteria = (
            Criterion.objects.filter(plan=plan, appraised_score__isnull=False)
            .select_related("appeal")
            .order_by("sort_key")
        )
        rows = [(c, getattr(c, "appeal", None)) for c in criteria]
    ctx = {"plan": plan, "rows": rows, "can_edit": roles.can_edit_plan(request.user)}
    return render(request, "criteria/appeals.html", ctx)


@login_required
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_edit(request.user)
    criterion = get_object_or_404(
        Criterion.objects.visible_to(request.user).select_related("plan"), pk=pk
    )
    if criterion.appraised_score is None:
        raise Http404(_("Tiêu chí chưa có điểm thẩm định."))
    current = Appeal.objects.filter(criterion=criterion).first()
    status, conflict = 200, None
    if request.method == "POST":
        form = AppealForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal_save(
                    criterion=criterion,
                    user=request.user,
                    kind=data["kind"],
                    text=data["text"],
                    outcome=data["outcome"],
                    final_score=data["final_score"],
                    expected_version=data["version"],
                )
            except StaleEditError as exc:
                conflict, status = exc.entries, 409
                assert isinstance(exc.current, Criterion)  # claim(Criterion, …) raised
                form = AppealForm(rebound(request.POST, "version", exc.current.version))
            except ValidationError as exc:
                errors_onto(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("Đã lưu giải trình, kiến nghị của tiêu chí %(code)s.")
                    % {"code": criterion.code},
                )
                url = reverse("criteria-appeals")
                return redirect(f"{url}?year={criterion.plan.year}")
        else:
            status = 400
    else:
        form = AppealForm.for_criterion(criterion, current)
    ctx = {"criterion": criterion, "form": form, "conflict": conflict}
    return render(request, "criteria/appeal.html", ctx, status=status)
