"""Tài liệu kiểm chứng: the documents that prove a score or a piece of progress,
their files (checked by content, stored outside the static tree) and their writes."""

from __future__ import annotations

import datetime
import zipfile
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from criteria.assessment_lock import self_assessment_lock_check
from criteria.models import Criterion, Plan
from parplan.history import by_user
from parplan.scores import format_decimal
from tasks.models import Evidence, ProgressUpdate

if TYPE_CHECKING:
    from parplan.history import AnyUser

# Extension → (what the content must be, the Content-Type it is served with).
ALLOWED_FILES: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "doc": ("ole", "application/msword"),
    "xls": ("ole", "application/vnd.ms-excel"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
_OOXML_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}


def file_extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def file_kind(upload: Any) -> str | None:
    """What the bytes are (pdf, png, jpeg, ole, docx, xlsx, pptx), by content only."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            # Only the directory is read: nothing is decompressed.
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for kind, part in _OOXML_PARTS.items():
                if part in names:
                    return kind
    return None


def content_type_of(name: str) -> str | None:
    """The Content-Type a stored file of an accepted kind is served with."""
    extension = file_extension(name)
    return ALLOWED_FILES[extension][1] if extension in ALLOWED_FILES else None


def max_upload_label() -> str:
    return format_decimal(Decimal(settings.UPLOAD_MAX_BYTES) / (1024 * 1024))


def evidence_file_check(upload: UploadedFile) -> UploadedFile:
    """Refuse a file that is too large, of a format not allowed, or whose content
    is not what its name says; the message names the file and the reason."""
    name = upload.name or ""
    if (upload.size or 0) > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            _("Tệp “%(name)s” lớn hơn giới hạn %(max)s MB.")
            % {"name": name, "max": max_upload_label()}
        )
    extension = file_extension(name)
    if extension not in ALLOWED_FILES:
        raise forms.ValidationError(
            _(
                "Tệp “%(name)s”: định dạng .%(ext)s không được nhận; chỉ nhận PDF, Word, Excel, PowerPoint (docx, xlsx, pptx, doc, xls) và ảnh PNG, JPG."
            )
            % {"name": name, "ext": extension or "?"}
        )
    if file_kind(upload) != ALLOWED_FILES[extension][0]:
        raise forms.ValidationError(
            _("Tệp “%(name)s”: nội dung không phải là tệp .%(ext)s thật.")
            % {"name": name, "ext": extension}
        )
    return upload


def evidence_file_help() -> str:
    return _("PDF, Word, Excel, PowerPoint hoặc ảnh PNG, JPG; tối đa %(max)s MB.") % {
        "max": max_upload_label()
    }


def evidence_add(
    *,
    plan: Plan,
    user: AnyUser | None,
    criterion: Criterion | None = None,
    progress_update: ProgressUpdate | None = None,
    number: str = "",
    issued_on: datetime.date | None = None,
    issuer: str = "",
    summary: str = "",
    location: str = "",
    file: UploadedFile | None = None,
    link: str = "",
) -> Evidence:
    """Attach a document to a criterion or to a progress report (checked already)."""
    self_assessment_lock_check(plan_id=plan.pk)
    assert user is None or user.is_authenticated  # the uploader is a signed-in user
    evidence = Evidence(
        plan=plan,
        criterion=criterion,
        progress_update=progress_update,
        number=number,
        issued_on=issued_on,
        issuer=issuer,
        summary=summary,
        location=location,
        link=link,
        uploaded_by=user,
    )
    if file:
        evidence.file = file
        # Storage may rename the file (a random suffix when the name is taken).
        evidence.original_name = (file.name or "").rsplit("/", 1)[-1][:255]
    evidence.full_clean(exclude=["file"])
    with transaction.atomic():
        by_user(evidence, user).save()
    return evidence


def evidence_update(
    *,
    evidence: Evidence,
    user: AnyUser | None,
    number: str = "",
    issued_on: datetime.date | None = None,
    issuer: str = "",
    summary: str = "",
    location: str = "",
    file: UploadedFile | None = None,
    link: str = "",
) -> Evidence:
    """Correct a document's metadata (số, ký hiệu, ngày, trích yếu, mục/trang …);
    a new file replaces the stored one, which goes once the change commits."""
    assert user is None or user.is_authenticated
    self_assessment_lock_check(plan_id=evidence.plan_id)
    old_name = evidence.file.name if evidence.file else ""
    evidence.number, evidence.issued_on, evidence.issuer = number, issued_on, issuer
    evidence.summary, evidence.location, evidence.link = summary, location, link
    if file:
        evidence.file = file
        evidence.original_name = (file.name or "").rsplit("/", 1)[-1][:255]
    evidence.full_clean(exclude=["file"])
    with transaction.atomic():
        by_user(evidence, user).save()
        if file and old_name:
            storage = evidence.file.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return evidence


def evidence_by_criterion(plan: Plan) -> dict[int, list[Evidence]]:
    """The plan's evidence by criterion: attached to it, or to a progress report of one
    of its tasks; by date of issue. One query."""
    found: dict[int, list[Evidence]] = {}
    items = Evidence.objects.filter(plan=plan).select_related(
        "progress_update__part__task"
    )
    for item in items.order_by(F("issued_on").asc(nulls_last=True), "pk"):
        criterion_id = item.criterion_id
        if criterion_id is None and item.progress_update is not None:
            criterion_id = item.progress_update.part.task.criterion_id
        if criterion_id is not None:
            found.setdefault(criterion_id, []).append(item)
    return found


def evidence_delete(*, evidence: Evidence, user: AnyUser | None) -> None:
    """Delete the record; its stored file goes once the deletion commits."""
    self_assessment_lock_check(plan_id=evidence.plan_id)
    with transaction.atomic():
        by_user(evidence, user).delete()


def stored_file_delete_on_commit(
    sender: type[Evidence], instance: Evidence, **kwargs: Any
) -> None:
    """``post_delete`` of Evidence: remove the stored file once the deletion commits.

    A receiver rather than a step of each write, because evidence is also deleted by
    the database's cascade (a criterion, a task, a unit's part or a progress report
    deleted with everything under it), and a rolled-back deletion keeps its file.
    """
    name = instance.file.name if instance.file else ""
    if name:
        storage = instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))
