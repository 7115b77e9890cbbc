from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO

from django.http import FileResponse, Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the form or link asked for, if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def int_param(request: HttpRequest, name: str) -> int | None:
    """A whole-number query parameter; 404 when it is not one."""
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise Http404(_("Tham số không hợp lệ.")) from exc


def xlsx_response(write: Callable[[IO[bytes]], None], filename: str) -> FileResponse:
    """A workbook download; ``write`` writes the workbook to the file it is given."""
    # Small workbooks stay in memory; a province-sized one spills to a temporary file.
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
