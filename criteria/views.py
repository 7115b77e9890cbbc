"""The office's pages of the criteria tree: create, edit and delete a criterion, its
self-assessed score (a partial each tree row of the plan includes) and its scoring
rule. Rights come from parplan.roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from criteria import editing
from criteria.forms import CriterionForm, LayersForm, ScoringRuleForm, SelfScoreForm
from criteria.models import Criterion, Plan, ScoringRule
from criteria.scoring import EXAMPLES
from parplan import roles
from parplan.forms import errors_onto, rebound
from parplan.history import HistoryEntry, StaleEditError
from parplan.http import safe_next
from parplan.scores import format_decimal


def _criterion_for_edit(request: HttpRequest, pk: int) -> Criterion:
    roles.require_edit(request.user)
    return get_object_or_404(
        Criterion.objects.visible_to(request.user).select_related("plan"), pk=pk
    )


@login_required
def scoring(request: HttpRequest, pk: int) -> HttpResponse:
    """The office enters the province's rule for a criterion and the figures it
    needs (e.g. 45 of 50 documents); PAR Plan computes the score and, on request,
    takes it as the self-assessed score."""
    roles.require_edit(request.user)
    criterion = get_object_or_404(
        Criterion.objects.visible_to(request.user).select_related(
            "plan", "scoring_rule"
        ),
        pk=pk,
    )
    if not criterion.is_scored:
        raise Http404(_("Tiêu chí tiêu đề không chấm điểm riêng."))
    status, score, conflict = 200, None, None
    if request.method == "POST":
        form = ScoringRuleForm(
            request.POST,
            instance=getattr(criterion, "scoring_rule", None)
            or ScoringRule(criterion=criterion),
            prefix="rule",
        )
        kind = form.chosen_kind
        apply = request.POST.get("action") == "apply"
        if form.is_valid():
            try:
                criterion, score = editing.criterion_scoring_save(
                    criterion=criterion,
                    user=request.user,
                    rule=form.save(commit=False),
                    apply=apply,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEditError as exc:
                conflict, status = exc.entries, 409
                assert isinstance(exc.current, Criterion)  # claim(Criterion, …) raised
                criterion = exc.current
            except ValidationError as exc:
                errors_onto(form, exc)
                status = 400
            else:
                if apply:
                    messages.success(
                        request,
                        _(
                            "Tiêu chí %(code)s được %(score)s điểm theo cách chấm; đã "
                            "dùng làm điểm tự đánh giá."
                        )
                        % {"code": criterion.code, "score": format_decimal(score)},
                    )
                    return redirect(criterion.get_absolute_url())
                form = ScoringRuleForm.for_criterion(criterion, kind=kind)
        else:
            status = 400
    else:
        form = ScoringRuleForm.for_criterion(criterion, kind=request.GET.get("kind"))
    ctx = {
        "criterion": criterion,
        "form": form,
        "score": score,
        "conflict": conflict,
        "kinds": [
            (value, label, EXAMPLES[value]) for value, label in ScoringRule.Kind.choices
        ],
    }
    return render(request, "criteria/scoring.html", ctx, status=status)


@dataclass
class SelfScoreAnswer:
    """What a self-score request came to: the criterion as it now stands, the form
    to show again, a conflict's history, whether it was saved."""

    criterion: Criterion
    form: SelfScoreForm
    conflict: list[HistoryEntry] | None
    saved: bool
    status: int


def self_score_handle(request: HttpRequest, pk: int) -> SelfScoreAnswer:
    """Read or save a criterion's self-assessed score and explanation, for the
    criterion's page and for the plan tree's inline form (``reports``), which then
    shows the figures the score changed."""
    criterion = _criterion_for_edit(request, pk)
    status, conflict, saved = 200, None, False
    if request.method != "POST":
        form = SelfScoreForm.for_criterion(criterion)
        return SelfScoreAnswer(criterion, form, conflict, saved, status)
    form = SelfScoreForm(request.POST, prefix=f"c{criterion.pk}")
    if not form.is_valid():
        return SelfScoreAnswer(criterion, form, conflict, saved, 400)
    try:
        criterion = editing.criterion_self_score_set(
            criterion=criterion,
            user=request.user,
            self_score=form.cleaned_data["self_score"],
            explanation=form.cleaned_data["explanation"],
            expected_version=form.cleaned_data["version"],
        )
    except StaleEditError as exc:
        conflict, status = exc.entries, 409
        assert isinstance(exc.current, Criterion)  # claim(Criterion, …) raised
        form = SelfScoreForm(
            rebound(request.POST, f"c{pk}-version", exc.current.version),
            prefix=f"c{pk}",
        )
        criterion = exc.current
    except ValidationError as exc:
        errors_onto(form, exc)
        status = 400
    else:
        form, saved = SelfScoreForm.for_criterion(criterion), True
    return SelfScoreAnswer(criterion, form, conflict, saved, status)


@login_required
def self_score(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the self-assessed score and explanation. Answers the partial alone to
    htmx requests (a tree row swaps it in place), a full page otherwise."""
    answer = self_score_handle(request, pk)
    partial = request.headers.get("HX-Request") == "true"
    if answer.saved and not partial:
        messages.success(
            request,
            _("Đã lưu điểm tự đánh giá của tiêu chí %(code)s.")
            % {"code": answer.criterion.code},
        )
        return redirect(safe_next(request, answer.criterion.get_absolute_url()))
    ctx = {
        "criterion": answer.criterion,
        "form": answer.form,
        "conflict": answer.conflict,
        "saved": answer.saved,
        "next": safe_next(request, ""),
    }
    if partial:
        # htmx swaps only 2xx answers; the partial carries the errors or conflict.
        return render(request, "criteria/_self_score_form.html", ctx)
    return render(request, "criteria/self_score.html", ctx, status=answer.status)


@login_required
def layers(request: HttpRequest, pk: int) -> HttpResponse:
    """The office enters what the province decided on a criterion: its scoring
    method, whether it applies, the appraised and survey scores and the council's
    note (version-checked like every edit of the criterion)."""
    criterion = _criterion_for_edit(request, pk)
    if not criterion.is_scored:
        raise Http404(_("Tiêu chí tiêu đề không chấm điểm riêng."))
    status, conflict = 200, None
    if request.method == "POST":
        form = LayersForm(request.POST)
        if form.is_valid():
            try:
                criterion = editing.criterion_layers_set(
                    criterion=criterion,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                    **{k: v for k, v in form.cleaned_data.items() if k != "version"},
                )
            except StaleEditError as exc:
                conflict, status = exc.entries, 409
                assert isinstance(exc.current, Criterion)  # claim(Criterion, …) raised
                form = LayersForm(rebound(request.POST, "version", exc.current.version))
                criterion = exc.current
            except ValidationError as exc:
                errors_onto(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("Đã lưu kết quả thẩm định của tiêu chí %(code)s.")
                    % {"code": criterion.code},
                )
                return redirect(criterion.get_absolute_url())
        else:
            status = 400
    else:
        form = LayersForm.for_criterion(criterion)
    ctx = {"criterion": criterion, "form": form, "conflict": conflict}
    return render(request, "criteria/layers.html", ctx, status=status)


def _criterion_form_save(
    request: HttpRequest, form: CriterionForm, criterion: Criterion | None
) -> Criterion | list[HistoryEntry] | None:
    """Save a valid form; the conflict entries if stale; None if refused."""
    data = form.cleaned_data
    try:
        return editing.criterion_save(
            user=request.user,
            criterion=criterion,
            plan=data["plan"] if criterion is None else criterion.plan,
            code=data["code"],
            title=data["title"],
            max_score=data["max_score"],
            baseline_score=data["baseline_score"],
            target_score=data["target_score"],
            expected_version=data.get("version"),
        )
    except StaleEditError as exc:
        return exc.entries
    except ValidationError as exc:
        errors_onto(form, exc)
        return None


@login_required
def create(request: HttpRequest) -> HttpResponse:
    roles.require_edit(request.user)
    status = 200
    if request.method == "POST":
        form = CriterionForm(request.POST, user=request.user)
        if form.is_valid():
            saved = _criterion_form_save(request, form, None)
            if isinstance(saved, Criterion):
                messages.success(
                    request, _("Đã thêm tiêu chí %(code)s.") % {"code": saved.code}
                )
                return redirect(saved)
        status = 400
    else:
        wanted = request.GET.get("parent", "")
        parent = (
            Criterion.objects.visible_to(request.user).filter(pk=int(wanted)).first()
            if wanted.isdigit()
            else None
        )
        plan = (
            parent.plan
            if parent
            else Plan.objects.visible_to(request.user).order_by("-year").first()
        )
        code = ""
        if parent is not None:
            code = f"{parent.code}.{parent.children.count() + 1}"
        form = CriterionForm(initial={"plan": plan, "code": code}, user=request.user)
    ctx = {"form": form, "criterion": None, "conflict": None}
    return render(request, "criteria/form.html", ctx, status=status)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _criterion_for_edit(request, pk)
    status, conflict = 200, None
    if request.method == "POST":
        data = request.POST.copy()
        data["plan"] = str(criterion.plan_id)
        form = CriterionForm(data, user=request.user)
        form.fields["version"].required = True
        if form.is_valid():
            saved = _criterion_form_save(request, form, criterion)
            if isinstance(saved, Criterion):
                messages.success(
                    request, _("Đã lưu tiêu chí %(code)s.") % {"code": saved.code}
                )
                return redirect(saved)
            if isinstance(saved, list):
                criterion.refresh_from_db()
                conflict, status = saved, 409
                form = CriterionForm(
                    rebound(data, "version", criterion.version), user=request.user
                )
            else:
                status = 400
        else:
            status = 400
    else:
        form = CriterionForm(
            initial={
                "plan": criterion.plan,
                "code": criterion.code,
                "title": criterion.title,
                "max_score": criterion.max_score,
                "baseline_score": criterion.baseline_score,
                "target_score": criterion.target_score,
                "version": criterion.version,
            },
            user=request.user,
        )
    form.fields["plan"].disabled = True
    ctx = {"form": form, "criterion": criterion, "conflict": conflict}
    return render(request, "criteria/form.html", ctx, status=status)


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _criterion_for_edit(request, pk)
    if request.method == "POST":
        parent = criterion.parent
        code = criterion.code
        try:
            editing.criterion_delete(criterion=criterion, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(criterion)
        messages.success(request, _("Đã xóa tiêu chí %(code)s.") % {"code": code})
        return redirect(parent.get_absolute_url() if parent else "reports-tree")
    # What goes with it, counted through the reverse relations of the rows below.
    counts = Criterion.objects.subtree(criterion).aggregate(
        rows=Count("pk", distinct=True), tasks=Count("tasks", distinct=True)
    )
    ctx = {
        "criterion": criterion,
        "descendants": counts["rows"] - 1,
        "tasks": counts["tasks"],
        "evidence": criterion.evidence.count(),
    }
    return render(request, "criteria/delete.html", ctx)
