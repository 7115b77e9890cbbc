"""Files waiting between an import's preview and its confirmation: a plain store
(stage, take, discard) and the size checks every upload form makes.

The uploaded bytes go to a private staging folder under a random token; the session
keeps the token, the file's SHA-256, the user and what the import needs. Confirmation
reads the file back only if the token is the session's and the bytes hash to the same
value, so what is written is exactly what was previewed. Staged files older than an
hour (the browser's and the admin's) are removed whenever a new one is staged, and by
the ``purge_staged_imports`` command that cron runs.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _

MAX_AGE_SECONDS = 60 * 60
# The admin's Import buttons keep their files here too (``parplan.admin_imports``).
STAGED_PATTERNS = ("*.upload", "*.admin-upload")
SESSION_PREFIX = "parplan-upload:"


class StagingError(Exception):
    """The staged file is gone, expired, or not the one previewed; the message is for
    the user."""


@dataclass
class StagedUpload:
    token: str
    filename: str
    sha256: str
    size: int
    user_id: int
    meta: dict[str, object] = field(default_factory=dict)


def staging_dir() -> Path:
    folder = Path(settings.IMPORT_STAGING_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _path(token: str) -> Path:
    return staging_dir() / f"{token}.upload"


def staged_purge(*, max_age: int = MAX_AGE_SECONDS) -> int:
    """Remove the staged files older than ``max_age`` seconds; how many."""
    limit = time.time() - max_age
    removed = 0
    folder = staging_dir()
    for pattern in STAGED_PATTERNS:
        for old in folder.glob(pattern):
            try:
                if old.stat().st_mtime < limit:
                    old.unlink()
                    removed += 1
            except OSError:
                continue  # another worker removed it first
    return removed


def upload_stage(
    *,
    request: HttpRequest,
    kind: str,
    data: bytes,
    filename: str,
    meta: dict[str, object],
) -> StagedUpload:
    """Keep ``data`` for the confirmation step; replaces any file staged before."""
    assert request.user.is_authenticated  # only the office stages an import
    upload_discard(request=request, kind=kind)
    staged_purge()
    token = secrets.token_urlsafe(24)
    descriptor = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    staged = StagedUpload(
        token=token,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        user_id=request.user.pk,
        meta=meta,
    )
    request.session[SESSION_PREFIX + kind] = staged.__dict__
    return staged


def upload_take(
    *, request: HttpRequest, kind: str, token: str
) -> tuple[StagedUpload, bytes]:
    """The staged file for ``token`` and its bytes, exactly as previewed."""
    info = request.session.get(SESSION_PREFIX + kind)
    if not info or not token or not secrets.compare_digest(info["token"], token):
        raise StagingError(
            _("Bản xem trước không còn hoặc đã được dùng; hãy tải tệp lên lại.")
        )
    staged = StagedUpload(**info)
    if staged.user_id != request.user.pk:
        raise StagingError(_("Bản xem trước này không phải của bạn."))
    try:
        data = _path(staged.token).read_bytes()
    except OSError as exc:
        raise StagingError(
            _("Bản xem trước đã hết hạn (quá một giờ); hãy tải tệp lên lại.")
        ) from exc
    if hashlib.sha256(data).hexdigest() != staged.sha256:
        raise StagingError(
            _("Tệp đã thay đổi kể từ khi xem trước; hãy tải tệp lên và xem lại.")
        )
    return staged, data


def upload_discard(*, request: HttpRequest, kind: str) -> None:
    info = request.session.pop(SESSION_PREFIX + kind, None)
    if info:
        _path(info["token"]).unlink(missing_ok=True)


def upload_too_big_message() -> str:
    return _("Tệp lớn hơn giới hạn %(mb)s MB.") % {
        "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    }


def upload_too_big(request: HttpRequest) -> bool:
    """Whether a POST announces a body larger than any accepted upload.

    Read from Content-Length before anything parses the body (the CSRF check would
    spool the whole upload to disk), so a huge upload costs nothing.
    """
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    return request.method == "POST" and length > (
        settings.UPLOAD_MAX_BYTES + settings.UPLOAD_ENVELOPE_BYTES
    )


def upload_size_check(upload: UploadedFile) -> UploadedFile:
    """A form's ``clean_<file>``: refuse a file over ``UPLOAD_MAX_BYTES``."""
    assert upload.size is not None  # a file a form received has its size
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(upload_too_big_message())
    return upload
