"""The “Lập kế hoạch năm N+1” page built on a new criteria set: the office uploads
the set (and a crosswalk file, or types the crosswalk), sees every criterion
matched, new or dropped, edits the crosswalk and the targets, and confirms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from criteria.criteria_set.parse import criteria_set_parse
from criteria.models import Plan
from criteria.plan_mark import plan_mark
from parplan.scores import ScoreParseError, format_decimal, parse_score
from parplan.tables import TableImportError
from parplan.uploads import (
    StagingError,
    upload_discard,
    upload_size_check,
    upload_stage,
    upload_take,
)
from reports.next_year import NextYearPreview, next_year_plan_create
from reports.next_year_crosswalk import (
    BY_CODE,
    BY_CROSSWALK,
    DROPPED,
    NEW,
    CrosswalkEntry,
    CrosswalkMatch,
    crosswalk_match,
    crosswalk_parse_text,
    crosswalk_read,
    crosswalk_text,
)

KIND = "next_year_set"


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    if isinstance(exc, TableImportError):
        return [str(p) for p in exc.problems]
    return [str(exc)]


def _mark(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"plan": None}


def _targets(request: HttpRequest, match: CrosswalkMatch) -> dict[str, Decimal]:
    targets: dict[str, Decimal] = {}
    errors = []
    for row in match.rows:
        if row.new is None or row.new.is_heading:
            continue
        raw = request.POST.get(f"target-{row.code}")
        if raw is None:
            continue
        try:
            value = parse_score(raw)
        except ScoreParseError as exc:
            errors.append(
                _("Tiêu chí %(code)s, mục tiêu: %(reason)s.")
                % {"code": row.code, "reason": exc}
            )
            continue
        if value is not None:
            targets[row.code] = value
    if errors:
        raise ValidationError(errors)
    return targets


def next_year_from_set(
    request: HttpRequest, plan: Plan, preview: NextYearPreview
) -> HttpResponse:
    """The POSTs of the set mode: ``step`` ``upload`` reads the files and shows the
    match; ``review`` matches again with the crosswalk as edited; ``confirm``
    creates the plan."""
    step = request.POST.get("step", "upload")
    errors: list[str] = []
    ctx: dict[str, Any] = {"plan": plan, "preview": preview}
    entries: list[CrosswalkEntry] = []
    text = request.POST.get("crosswalk", "")
    try:
        if step == "upload":
            upload = request.FILES.get("criteria_set")
            if upload is None:
                raise ValidationError(_("Hãy chọn tệp bộ tiêu chí năm mới."))
            upload_size_check(upload)
            data = upload.read()
            filename = upload.name or "bo-tieu-chi"
            table = criteria_set_parse(data=data, filename=filename)
            walk = request.FILES.get("crosswalk_file")
            if walk is not None:
                upload_size_check(walk)
                entries = crosswalk_read(data=walk.read(), filename=walk.name or "")
                text = crosswalk_text(entries)
            else:
                entries = crosswalk_parse_text(text=text)
            staged = upload_stage(
                request=request,
                kind=KIND,
                data=data,
                filename=filename,
                meta={
                    "plan": plan.pk,
                    "previewed": plan_mark(
                        organization_id=plan.organization_id, year=plan.year
                    ),
                },
            )
        else:
            staged, data = upload_take(
                request=request, kind=KIND, token=request.POST.get("token", "")
            )
            if staged.meta.get("plan") != plan.pk:
                raise StagingError(_("Bản xem trước này là của kế hoạch khác."))
            table = criteria_set_parse(data=data, filename=staged.filename)
            entries = crosswalk_parse_text(text=text)
        ctx["token"] = staged.token
        ctx["filename"] = staged.filename
        match = crosswalk_match(
            old_rows=list(preview.rows), table=table, entries=entries, year=plan.year
        )
        ctx["match"] = match
        if step == "confirm":
            created = next_year_plan_create(
                plan=plan,
                user=request.user,
                carried_task_ids=[
                    int(v) for v in request.POST.getlist("carry") if v.isdigit()
                ],
                targets=_targets(request, match),
                criteria_set=table,
                criteria_set_name=staged.filename,
                crosswalk=entries,
                previewed=_mark(staged.meta.get("previewed")),
            )
            upload_discard(request=request, kind=KIND)
            messages.success(
                request,
                _(
                    "Đã lập kế hoạch “%(title)s” theo bộ tiêu chí “%(name)s”: "
                    "%(code)s tiêu chí giữ mã, %(moved)s đối chiếu sang mã mới, "
                    "%(new)s tiêu chí mới, %(dropped)s tiêu chí bỏ."
                )
                % {
                    "title": created.title,
                    "name": staged.filename,
                    "code": match.count(BY_CODE),
                    "moved": match.count(BY_CROSSWALK),
                    "new": match.count(NEW),
                    "dropped": match.count(DROPPED),
                },
            )
            return redirect(f"{reverse('reports-tree')}?year={created.year}")
    except (ValidationError, TableImportError, StagingError) as exc:
        errors = _messages(exc)
    ctx["errors"] = errors
    ctx["crosswalk"] = text
    found: CrosswalkMatch | None = ctx.get("match")
    if found is not None:
        ctx["counts"] = {
            k: match.count(k) for k in (BY_CODE, BY_CROSSWALK, NEW, DROPPED)
        }
    carried = (
        set(request.POST.getlist("carry"))
        if step == "confirm"
        else {str(t.pk) for r in found.rows if r.new for t in r.open_tasks}
        if found
        else set()
    )
    ctx["lines"] = (
        [
            (
                row,
                request.POST.get(f"target-{row.code}", format_decimal(row.target))
                if step == "confirm"
                else format_decimal(row.target),
                [(task, str(task.pk) in carried) for task in row.open_tasks],
            )
            for row in found.rows
        ]
        if found
        else []
    )
    status = 400 if errors else 200
    return render(request, "reports/next_year_set.html", ctx, status=status)
