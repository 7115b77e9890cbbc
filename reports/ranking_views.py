"""The ranking table of a year: read by every role, edited and imported by the
office (upload, preview, confirm or cancel through ``parplan.table_import``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.models import Organization, Plan
from parplan import roles, table_import
from parplan.tables import Problem, TableImportError
from parplan.uploads import StagedUpload
from reports.forms import PeerRankForm, PeerRankFormSet, RankingUploadForm
from reports.models import PeerRank, table_stamp
from reports.ranking import (
    RankingReport,
    ranking_changes,
    ranking_import,
    ranking_is_illustrative,
    ranking_rows_place,
)
from reports.ranking_columns import ROLES, ranking_labels
from reports.ranking_read import ColumnsRefused

if TYPE_CHECKING:
    from parplan.roles import AnyUser


def _ranking_year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    if raw:
        try:
            return int(raw)
        except ValueError as exc:
            raise Http404(_("Năm không hợp lệ.")) from exc
    plan = Plan.objects.visible_to(request.user).current()
    if plan is not None:
        return plan.baseline_year
    latest = (
        PeerRank.objects.filter(table_of=None)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or timezone.localdate().year - 1


def _ranking_url(year: int) -> str:
    return f"{reverse('reports-ranking')}?year={year}"


def _organization_for_year(
    year: int, user: AnyUser | None = None
) -> Organization | None:
    """The real organization whose plan starts from ``year`` (among those ``user``
    may see, when given)."""
    plans = Plan.objects.visible_to(user) if user is not None else Plan.objects
    plan = (
        plans.filter(baseline_year=year, organization__is_synthetic=False)
        .select_related("organization")
        .order_by("-year")
        .first()
    )
    if plan is not None:
        return plan.organization
    only = list(Organization.objects.filter(is_synthetic=False)[:2])
    return only[0] if len(only) == 1 else None


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    """The ranking table of a year: read by every role, edited and imported by the
    office."""
    roles.require_view(request.user)
    year = _ranking_year(request)
    editable = roles.can_edit_plan(request.user)
    table = PeerRank.objects.filter(year=year, table_of=None).order_by(
        "position", "name"
    )
    formset = upload = None
    status = 200
    stamp = table_stamp(table)
    full_scale = _full_scale_for(year)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(roles.OFFICE_NEEDED)
        formset = PeerRankFormSet(
            request.POST,
            queryset=table,
            prefix="rows",
            form_kwargs={"full_scale": full_scale},
        )
        posted = request.POST.get("stamp", "")
        stale = posted != stamp
        if not stale and formset.is_valid():
            if _ranking_save(
                year, formset, request.user, stamp=posted, full_scale=full_scale
            ):
                messages.success(
                    request, _("Đã lưu bảng xếp hạng năm %(year)s.") % {"year": year}
                )
                return redirect(_ranking_url(year))
            stale = True
        if stale:
            # Someone saved the table since this form was opened: never overwrite it.
            messages.error(
                request,
                _(
                    "Bảng xếp hạng năm %(year)s đã được người khác sửa sau khi bạn mở "
                    "trang. Thay đổi của bạn chưa được lưu; bảng dưới đây là bảng hiện "
                    "tại, hãy nhập lại thay đổi."
                )
                % {"year": year},
            )
            formset, status = None, 409
            table, stamp = table.all(), table_stamp(table.all())
    if editable:
        formset = formset or PeerRankFormSet(
            queryset=table, prefix="rows", form_kwargs={"full_scale": full_scale}
        )
        upload = RankingUploadForm(initial={"year": year})
    rows = list(table.select_related("organization"))
    problems = _formset_problems(formset)
    years = sorted(
        set(PeerRank.objects.filter(table_of=None).values_list("year", flat=True))
        | {year},
        reverse=True,
    )
    ctx = {
        "year": year,
        "years": years,
        "rows": rows,
        "editable": editable,
        "formset": formset,
        "upload": upload,
        "illustrative": ranking_is_illustrative(rows),
        "sources": sorted({r.source for r in rows if r.source}),
        "stamp": stamp,
        "problems": problems,
        "problem_rows": sorted({p.row for p in problems if p.row is not None}),
    }
    return render(request, "reports/ranking.html", ctx, status=status)


def _formset_problems(
    formset: forms.BaseModelFormSet[PeerRank, PeerRankForm] | None,
) -> list[Problem]:
    """Every error of a refused save, by the form's row (1, 2 … as on the page) and
    column, for the summary above the form."""
    if formset is None or not formset.is_bound:
        return []
    problems: list[Problem] = []
    for number, form in enumerate(formset.forms, start=1):
        for name, errors in form.errors.items():
            column = form.fields[name].label if name in form.fields else None
            problems.extend(
                Problem(str(message), row=number, column=str(column or "") or None)
                for message in errors
            )
    problems.extend(Problem(str(message)) for message in formset.non_form_errors())
    return problems


def _full_scale_for(year: int) -> Decimal:
    """The scale of the plans that take this year as their baseline (100 if none)."""
    scale = (
        Plan.objects.filter(baseline_year=year)
        .order_by("-full_scale")
        .values_list("full_scale", flat=True)
        .first()
    )
    return scale or Decimal(100)


def _ranking_save(
    year: int,
    formset: forms.BaseModelFormSet[PeerRank, PeerRankForm],
    user: AnyUser,
    *,
    stamp: str,
    full_scale: Decimal,
) -> bool:
    """Save the edited table if it is still the one the form showed (``stamp``);
    False, with nothing written, if someone saved it meanwhile. The year's rows are
    locked before the table is compared, so of two saves of one table only the
    first is kept (SQLite serialises writers already)."""
    organization = _organization_for_year(year, user)
    with transaction.atomic():
        table = PeerRank.objects.filter(year=year, table_of=None)
        list(table.select_for_update().values("pk"))
        if table_stamp(table.order_by("position", "name")) != stamp:
            return False
        for form in formset.deleted_forms:
            if form.instance.pk:
                form.instance.delete()
        kept = [
            form
            for form in formset.forms
            if form not in formset.deleted_forms and form.cleaned_data.get("name")
        ]
        rows: list[PeerRank] = []
        new: list[PeerRank] = []
        for form in kept:
            row = form.save(commit=False)
            row.year = year
            row.organization = organization if form.cleaned_data["is_self"] else None
            if "rank" in form.changed_data and row.rank is not None:
                row.rank_computed = False  # typed by the office: the published rank
            (rows if form.cleaned_data.get("position") is not None else new).append(row)
        rows.sort(key=lambda r: r.position)  # the order the office typed
        for row in ranking_rows_place(rows=rows, new=new, full_scale=full_scale):
            row.save()
    return True


def _self_label() -> str:
    """The upload form's field for the organization's row, as the page names it."""
    return str(RankingUploadForm.base_fields["self_name"].label)


class RankingImport(table_import.TableImportFlow[RankingReport]):
    """Like the appendix import: a dry run shows the table as read and how it replaces
    the year's table (or every problem), then a confirmation imports the very file
    previewed."""

    kind = "ranking"
    template = "reports/ranking_import.html"
    preview_template = "reports/ranking_import_preview.html"
    upload_url = "reports-ranking-import"
    forbidden = gettext_lazy("Chỉ Văn phòng Sở được nhập bảng xếp hạng.")
    # Another import of the same year committed between the two steps.
    failures = (IntegrityError,)

    def form(
        self,
        request: HttpRequest,
        data: Any = None,
        files: Any = None,
        meta: dict[str, Any] | None = None,
    ) -> forms.Form:
        if data is not None:
            return RankingUploadForm(data, files)
        year = int(meta["year"]) if meta else _ranking_year(request)
        return RankingUploadForm(initial={"year": year})

    def meta(self, request: HttpRequest, form: forms.Form) -> dict[str, Any]:
        year = form.cleaned_data["year"]
        organization = _organization_for_year(year, request.user)
        return {
            "year": year,
            "organization": organization.pk if organization else None,
            "self_name": form.cleaned_data["self_name"],
            "source": form.cleaned_data["source"],
        }

    def run(
        self, *, data: bytes, filename: str, meta: dict[str, Any], dry_run: bool
    ) -> RankingReport:
        organization = None
        if meta["organization"] is not None:
            organization = get_object_or_404(Organization, pk=meta["organization"])
        year = int(meta["year"])
        roles = {int(i): str(r) for i, r in (meta.get("roles") or {}).items()}
        return ranking_import(
            year=year,
            data=data,
            filename=filename,
            self_name=str(meta["self_name"]) or None,
            organization=organization,
            source=str(meta["source"]),
            full_scale=_full_scale_for(year),
            roles=roles or None,
            dry_run=dry_run,
            self_label=_self_label(),
            # The preview shows a table without our row (and why it cannot be
            # confirmed); the confirmation refuses it.
            own_required=not dry_run,
        )

    def refusal_context(self, error: TableImportError) -> dict[str, Any] | None:
        if not isinstance(error, ColumnsRefused):
            return None
        return {
            "columns": error.columns,
            "reread_url": reverse("reports-ranking-import-reread"),
            "role_choices": [("", _("(bỏ qua)")), *ranking_labels().items()],
        }

    def reread(self, data: Any, meta: dict[str, Any]) -> dict[str, Any]:
        """The roles the office chose for the file's columns in the preview, or the
        name of the organization's row it chose there."""
        if "self_name" in data:
            return meta | {"self_name": str(data["self_name"]).strip()}
        roles = dict(meta.get("roles") or {})
        for key, value in data.items():
            if key.startswith("role-") and key[5:].isdigit():
                if value not in {"", *ROLES}:
                    raise PermissionDenied
                roles[key[5:]] = value
        return meta | {"roles": roles}

    def page_context(self, meta: dict[str, Any] | None) -> dict[str, Any]:
        return {"year": int(meta["year"])} if meta else {}

    def preview_context(
        self, report: RankingReport, meta: dict[str, Any]
    ) -> dict[str, Any]:
        year = int(meta["year"])
        organization = None
        if meta["organization"] is not None:
            organization = Organization.objects.filter(pk=meta["organization"]).first()
        refused = None
        if organization is not None and report.self_name is None:
            refused = _(
                "Chưa xác nhận được: không nhận ra dòng của “%(name)s” trong bảng. "
                "Hãy chọn dòng của cơ quan dưới đây rồi đọc lại."
            ) % {"name": organization.name}
        return {
            "confirm_refused": refused,
            "self_label": _self_label(),
            "row_names": [row.name for row in report.rows],
            "changes": ranking_changes(year=year, rows=report.rows),
            "year": year,
            "organization": organization,
            "source": meta["source"],
            "ranking_url": _ranking_url(year),
            "confirm_url": reverse("reports-ranking-import-confirm"),
            "cancel_url": reverse("reports-ranking-import-cancel"),
            "reread_url": reverse("reports-ranking-import-reread"),
            "role_choices": [("", _("(bỏ qua)")), *ranking_labels().items()],
        }

    def conflict_problems(
        self, error: Exception, meta: dict[str, Any]
    ) -> list[Problem]:
        return [
            Problem(
                _(
                    "Bảng xếp hạng năm %(year)s vừa được thay đổi cùng lúc; "
                    "hãy xem lại bảng rồi nhập lại."
                )
                % {"year": meta["year"]}
            )
        ]

    def done(
        self, request: HttpRequest, report: RankingReport, staged: StagedUpload
    ) -> str:
        messages.success(
            request,
            _("Đã nhập %(n)s đơn vị vào bảng xếp hạng năm %(year)s.")
            % {"n": len(report.rows), "year": report.year},
        )
        for notice in report.notices:
            messages.warning(request, notice)
        return _ranking_url(report.year)

    def after_cancel(self, request: HttpRequest) -> str:
        return _ranking_url(_ranking_year(request))


RANKING = RankingImport()
VIEWS = table_import.import_views(RANKING)
