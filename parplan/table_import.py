"""The two-step import of a table, shared by every import page: upload → preview
(a dry run, every problem with its row and column, or what would change) → confirm
(the very file previewed, staged by ``parplan.uploads``) or cancel.

An app describes its import with a ``TableImportFlow``: the form, what the import
needs besides the file (``meta``), the import itself (``run``), the preview's context
and where to go afterwards. The three views below do the rest, the same way for the
appendix and for the ranking table.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from parplan.preview_db import preview_database
from parplan.roles import can_edit_plan
from parplan.tables import Problem, TableImportError
from parplan.uploads import (
    StagedUpload,
    StagingError,
    upload_discard,
    upload_stage,
    upload_take,
    upload_too_big,
    upload_too_big_message,
)

Report = TypeVar("Report")

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class TableImportFlow(ABC, Generic[Report]):
    kind: str  # the session key of the staged file
    template: str  # the upload page (extends parplan/table_import.html)
    preview_template: str  # the preview (extends parplan/table_import_preview.html)
    upload_url: str  # URL name of the upload page
    forbidden: StrOrPromise  # why someone who is not the office is refused

    def allowed(self, request: HttpRequest) -> bool:
        return can_edit_plan(request.user)

    @abstractmethod
    def form(
        self,
        request: HttpRequest,
        data: Any = None,
        files: Any = None,
        meta: dict[str, Any] | None = None,
    ) -> forms.Form:
        """The upload form, bound to ``data`` and ``files`` when posted (``meta``:
        of the file staged before, when it is shown again)."""

    @abstractmethod
    def meta(self, request: HttpRequest, form: forms.Form) -> dict[str, Any]:
        """What the import needs besides the file, as JSON (kept in the session),
        as the signed-in user may ask for it (their organizations only)."""

    @abstractmethod
    def run(
        self, *, data: bytes, filename: str, meta: dict[str, Any], dry_run: bool
    ) -> Report:
        """The import; raises TableImportError with every problem."""

    @abstractmethod
    def preview_context(self, report: Report, meta: dict[str, Any]) -> dict[str, Any]:
        """What the preview shows besides the report and the staged file."""

    @abstractmethod
    def done(self, request: HttpRequest, report: Report, staged: StagedUpload) -> str:
        """Say what was imported (messages) and return where to go next."""

    def mark(self, meta: dict[str, Any]) -> dict[str, Any]:
        """What the data the import would change is like before the preview, kept
        with the staged file so ``run`` can refuse a confirmation if it changed."""
        return {}

    def page_context(self, meta: dict[str, Any] | None) -> dict[str, Any]:
        """Extra context of the upload page (``meta`` of the file shown, if any)."""
        return {}

    def conflict_problems(
        self, error: Exception, meta: dict[str, Any]
    ) -> list[Problem]:
        """Problems of an error other than TableImportError raised at confirmation."""
        raise error

    failures: tuple[type[Exception], ...] = ()  # other errors confirmation reports

    def after_cancel(self, request: HttpRequest) -> str:
        return self.upload_url

    def refusal_context(self, error: TableImportError) -> dict[str, Any] | None:
        """For a refusal the office can resolve on the page (by choosing how to read
        the file), what the page needs; the file is then kept for ``reread``."""
        return None

    def reread(self, data: Any, meta: dict[str, Any]) -> dict[str, Any]:
        """``meta`` with the choices the preview's form posted (e.g. a column's
        role), to read the staged file again; the import may refuse them with a
        TableImportError. Only flows whose preview has such a form override it."""
        raise PermissionDenied


def _page(
    request: HttpRequest,
    flow: TableImportFlow[Any],
    ctx: dict[str, Any],
    meta: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(request, flow.template, flow.page_context(meta) | ctx, status=status)


def _check(request: HttpRequest, flow: TableImportFlow[Any]) -> None:
    if not flow.allowed(request):
        raise PermissionDenied(flow.forbidden)


def import_upload(request: HttpRequest, flow: TableImportFlow[Any]) -> HttpResponse:
    """The upload page and its post (the preview). Its view is ``csrf_exempt``: the
    size is checked before anything reads the body, then the CSRF token."""
    _check(request, flow)
    if upload_too_big(request):
        ctx = {"form": flow.form(request), "upload_error": upload_too_big_message()}
        return _page(request, flow, ctx, status=413)
    return _upload(request, flow)


@csrf_protect
def _upload(request: HttpRequest, flow: TableImportFlow[Any]) -> HttpResponse:
    if request.method != "POST":
        return _page(request, flow, {"form": flow.form(request)})
    form = flow.form(request, request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, flow, {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    return _preview(
        request,
        flow,
        data=upload.read(),
        filename=upload.name,
        meta=flow.meta(request, form),
        form=form,
    )


def _preview(
    request: HttpRequest,
    flow: TableImportFlow[Any],
    *,
    data: bytes,
    filename: str,
    meta: dict[str, Any],
    form: forms.Form,
) -> HttpResponse:
    """Dry-run the import and stage the file, or show every problem."""
    meta = meta | flow.mark(meta)
    try:
        with preview_database():
            report = flow.run(data=data, filename=filename, meta=meta, dry_run=True)
    except TableImportError as exc:
        ctx = {"form": form, "problems": exc.problems, "filename": filename}
        extra = flow.refusal_context(exc)
        if extra is not None:
            staged = upload_stage(
                request=request,
                kind=flow.kind,
                data=data,
                filename=filename,
                meta=meta,
            )
            ctx |= extra | {"staged": staged}
        return _page(request, flow, ctx, meta)
    staged = upload_stage(
        request=request, kind=flow.kind, data=data, filename=filename, meta=meta
    )
    ctx = {"report": report, "staged": staged} | flow.preview_context(report, meta)
    return render(request, flow.preview_template, ctx)


def import_reread(request: HttpRequest, flow: TableImportFlow[Any]) -> HttpResponse:
    """Read the staged file again with the choices made in the preview."""
    _check(request, flow)
    try:
        staged, data = upload_take(
            request=request, kind=flow.kind, token=request.POST.get("token", "")
        )
    except StagingError as exc:
        messages.error(request, str(exc))
        return redirect(flow.upload_url)
    upload_discard(request=request, kind=flow.kind)
    meta = flow.reread(request.POST, dict(staged.meta))
    return _preview(
        request,
        flow,
        data=data,
        filename=staged.filename,
        meta=meta,
        form=flow.form(request, meta=meta),
    )


def import_confirm(request: HttpRequest, flow: TableImportFlow[Any]) -> HttpResponse:
    """Import the staged file exactly as previewed, then forget it."""
    _check(request, flow)
    try:
        staged, data = upload_take(
            request=request, kind=flow.kind, token=request.POST.get("token", "")
        )
    except StagingError as exc:
        messages.error(request, str(exc))
        return redirect(flow.upload_url)
    failures: tuple[type[Exception], ...] = (TableImportError, *flow.failures)
    try:
        report = flow.run(
            data=data, filename=staged.filename, meta=staged.meta, dry_run=False
        )
    except failures as exc:
        # The data changed since the preview (or the file no longer fits it): nothing
        # was written; the user sees why and uploads again.
        problems = (
            exc.problems
            if isinstance(exc, TableImportError)
            else flow.conflict_problems(exc, staged.meta)
        )
        ctx = {
            "form": flow.form(request, meta=staged.meta),
            "problems": problems,
            "filename": staged.filename,
            "confirm_failed": True,
        }
        return _page(request, flow, ctx, staged.meta, status=409)
    finally:
        upload_discard(request=request, kind=flow.kind)
    return redirect(flow.done(request, report, staged))


def import_cancel(request: HttpRequest, flow: TableImportFlow[Any]) -> HttpResponse:
    """Forget the staged file; nothing is written."""
    _check(request, flow)
    upload_discard(request=request, kind=flow.kind)
    messages.info(request, _("Đã hủy nhập; không có gì được ghi."))
    return redirect(flow.after_cancel(request))


View = Callable[[HttpRequest], HttpResponse]


@dataclass(frozen=True)
class ImportViews:
    upload: View
    confirm: View
    cancel: View
    reread: View


def import_views(flow: TableImportFlow[Any]) -> ImportViews:
    """The upload, confirm, cancel and re-read views of ``flow``, for its app's
    urls.py."""

    # The upload is csrf_exempt: import_upload checks the size before anything reads
    # the body, then the CSRF token.
    @csrf_exempt
    @login_required
    def upload(request: HttpRequest) -> HttpResponse:
        return import_upload(request, flow)

    @login_required
    @require_POST
    def confirm(request: HttpRequest) -> HttpResponse:
        return import_confirm(request, flow)

    @login_required
    @require_POST
    def cancel(request: HttpRequest) -> HttpResponse:
        return import_cancel(request, flow)

    @login_required
    @require_POST
    def reread(request: HttpRequest) -> HttpResponse:
        return import_reread(request, flow)

    return ImportViews(upload, confirm, cancel, reread)
