"""Pages of evidence (tài liệu kiểm chứng): the office adds it to a criterion, a unit
head or the office deletes it, anyone with a role downloads its file."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from criteria.assessment_lock import lock_message, self_assessment_locked
from criteria.models import Criterion
from parplan import roles
from parplan.http import safe_next
from tasks import access, evidence
from tasks.forms import EvidenceForm


@login_required
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_edit(request.user)
    criterion = get_object_or_404(
        Criterion.objects.visible_to(request.user).select_related("plan"), pk=pk
    )
    status = 200
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                evidence.evidence_add(
                    plan=criterion.plan,
                    criterion=criterion,
                    user=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Đã thêm tài liệu kiểm chứng cho tiêu chí %(code)s.")
                    % {"code": criterion.code},
                )
                return redirect(criterion)
        status = 400
    else:
        form = EvidenceForm()
    ctx = {"criterion": criterion, "form": form, "locked": _locked(criterion)}
    return render(request, "tasks/evidence_form.html", ctx, status=status)


def _locked(criterion: Criterion) -> str:
    """The lock's message when the plan's self-assessment is approved: the page
    says so at once instead of offering a form whose save would be refused."""
    if self_assessment_locked(plan_id=criterion.plan_id):
        return lock_message()
    return ""


@login_required
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a document's metadata; who may delete it may correct it."""
    item = access.evidence_for_delete(request.user, pk)
    if item.criterion is not None:
        criterion = item.criterion
    else:
        assert item.progress_update is not None  # the check constraint
        criterion = item.progress_update.part.task.criterion
    status = 200
    fields = ("number", "issued_on", "issuer", "summary", "location", "link")
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES, has_file=bool(item.file))
        if form.is_valid():
            try:
                evidence.evidence_update(
                    evidence=item, user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã sửa tài liệu kiểm chứng."))
                return redirect(safe_next(request, criterion.get_absolute_url()))
        status = 400
    else:
        form = EvidenceForm(
            initial={f: getattr(item, f) for f in fields}, has_file=bool(item.file)
        )
    ctx = {"criterion": criterion, "form": form, "evidence": item}
    return render(request, "tasks/evidence_form.html", ctx, status=status)


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.evidence_for_delete(request.user, pk)
    if item.criterion is not None:
        default = item.criterion.get_absolute_url()
    else:
        # A check constraint: evidence belongs to a criterion or to a progress report.
        assert item.progress_update is not None
        default = item.progress_update.part.task.get_absolute_url()
    try:
        evidence.evidence_delete(evidence=item, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xóa tài liệu kiểm chứng."))
    return redirect(safe_next(request, default))


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Stored evidence, to signed-in users with a role only (never a static route)."""
    item = access.evidence_for_download(request.user, pk)
    if not item.file:
        raise Http404
    name = item.file_label
    content_type = (
        evidence.content_type_of(name)
        or mimetypes.guess_type(name)[0]
        or "application/octet-stream"
    )
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    inline = content_type in {"application/pdf", "image/png", "image/jpeg"}
    response = FileResponse(
        handle, as_attachment=not inline, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
