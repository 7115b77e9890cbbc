"""A unit head's page (their units' parts, the most urgent first, paged) and the
update of one part: its form opens in the row (htmx) or on a page of its own, and
after saving the person is back at that row with what they sent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from criteria.models import Plan
from parplan.forms import errors_onto
from parplan.history import StaleEditError
from parplan.http import safe_next
from tasks import access
from tasks.forms import progress_form_for
from tasks.models import REMINDER_DAYS, TaskUnit, Unit
from tasks.part_rows import part_page_of, parts_page
from tasks.progress import progress_record

# The part just saved, shown as “Đã lưu” at its row on the next page view.
SAVED_KEY = "tasks-part-saved"


def _page_param(request: HttpRequest) -> int:
    """``?page=`` as a number (anything else is the first page)."""
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def mine_url(*, plan: Plan, page: int = 1, part: TaskUnit | None = None) -> str:
    """The unit head's page of ``plan`` at ``page``, at ``part``'s row."""
    url = f"{reverse('tasks-mine')}?plan={plan.pk}"
    if page > 1:
        url += f"&page={page}"
    return url + (f"#part-{part.pk}" if part is not None else "")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A unit head's page: their units' parts, overdue first, then due soon, then
    the rest; a form only for the row being updated."""
    plan = access.plan_asked(request.user, request.GET.get("plan", ""))
    unit_ids = access.user_unit_ids(request.user)
    if not unit_ids:
        return redirect("tasks-list")
    today = timezone.localdate()
    page = None
    if plan is not None:
        page = parts_page(
            unit_ids=unit_ids, plan=plan, page=request.GET.get("page"), today=today
        )
        saved = request.session.pop(SAVED_KEY, None)
        for row in page.rows:
            row.saved = row.part.pk == saved
    ctx = {
        "plan": plan,
        "page": page,
        "units": list(
            Unit.objects.filter(pk__in=unit_ids)
            .order_by("position", "name")
            .values_list("name", flat=True)
        ),
        "reminder_days": REMINDER_DAYS,
        "today": today,
    }
    return render(request, "tasks/mine.html", ctx)


@login_required
def part_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Record progress on one unit's part. A GET from the unit head's row or the
    task page's (htmx) answers the form alone; without JavaScript the link opens
    this page. Saved or cancelled, the person goes back to the ``next`` they came
    from, else to their row on the unit head's page (the task page for the
    office)."""
    part = access.part_for_update(request.user, pk)
    own = part.unit_id in access.user_unit_ids(request.user)
    plan = part.task.criterion.plan
    status, conflict = 200, None
    if request.method == "POST":
        form = progress_form_for(part, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                progress_record(
                    part=part,
                    user=request.user,
                    status=data["status"],
                    percent=data["percent"],
                    note=data["note"],
                    expected_version=data["version"],
                    evidence=form.evidence(),
                )
            except StaleEditError as exc:
                conflict, status = exc.entries, 409
                assert isinstance(exc.current, TaskUnit)  # claim(TaskUnit, …) raised
                posted = request.POST.copy()
                posted[f"p{pk}-version"] = str(exc.current.version)
                part = exc.current
                form = progress_form_for(part, posted)
            except ValidationError as exc:
                errors_onto(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("Đã cập nhật tiến độ: %(unit)s – %(percent)s%%.")
                    % {"unit": part.unit.name, "percent": part.percent},
                )
                asked = safe_next(request, "")
                if asked:  # the task page's row, say
                    return redirect(asked)
                if own:
                    request.session[SAVED_KEY] = part.pk
                    page = part_page_of(
                        part=part,
                        unit_ids=access.user_unit_ids(request.user),
                        today=timezone.localdate(),
                    )
                    return redirect(mine_url(plan=plan, page=page, part=part))
                return redirect(part.task.get_absolute_url())
        else:
            status = 400
    else:
        form = progress_form_for(part)
    part = TaskUnit.objects.select_related("task__criterion__plan", "unit").get(pk=pk)
    back = safe_next(request, "") or (
        mine_url(plan=plan, page=_page_param(request), part=part)
        if own
        else part.task.get_absolute_url()
    )
    ctx = {
        "part": part,
        "task": part.task,
        "form": form,
        "conflict": conflict,
        "next": safe_next(request, ""),
        "back": back,
    }
    if request.method == "GET" and request.headers.get("HX-Request"):
        form.fields["status"].widget.attrs["autofocus"] = True  # htmx focuses it
        response = render(request, "tasks/_part_edit.html", ctx)
    else:
        response = render(request, "tasks/part_update.html", ctx, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
