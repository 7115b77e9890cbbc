"""The evidence of the self-assessment's rows: each record by its metadata, a
criterion at a time in the order the rows are written."""

from __future__ import annotations

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from criteria.models import Plan
from reports.self_assessment_sums import STREAM_CHUNK
from tasks.models import Evidence


def evidence_line(evidence: Evidence) -> str:
    """``Số 12/TB-SKHCN ngày 15/03/2023 – Thông báo kết luận … – mục 2, trang 3 –
    Tệp: thong-bao.pdf``: by its metadata and the file's original name."""
    head = evidence.number
    if evidence.issued_on:
        issued = evidence.issued_on.strftime("%d/%m/%Y")
        head = (
            _("%(number)s ngày %(date)s") % {"number": head, "date": issued}
            if head
            else _("ngày %(date)s") % {"date": issued}
        )
    parts = [head, evidence.issuer, evidence.summary, evidence.location, evidence.link]
    if evidence.file:
        parts.append(_("tệp: %(name)s") % {"name": evidence.file_label})
    return " – ".join(" ".join(p.split()) for p in parts if p and p.strip())


class EvidenceLines:
    """The plan's evidence, a criterion at a time in the order the rows are written:
    attached to the criterion or to a progress report of one of its tasks, by date of
    issue (as ``tasks.evidence.evidence_by_criterion``), one query."""

    def __init__(self, plan: Plan) -> None:
        items = (
            Evidence.objects.filter(plan=plan)
            .annotate(
                target=Coalesce("criterion", "progress_update__part__task__criterion"),
                target_plan=Coalesce(
                    "criterion__plan", "progress_update__part__task__criterion__plan"
                ),
                target_key=Coalesce(
                    "criterion__sort_key",
                    "progress_update__part__task__criterion__sort_key",
                ),
            )
            .filter(target_plan=plan.pk)
            .order_by("target_key", "target", F("issued_on").asc(nulls_last=True), "pk")
            .only(*EVIDENCE_FIELDS)
        )
        self._items = items.iterator(chunk_size=STREAM_CHUNK)
        self._head = next(self._items, None)

    def of(self, criterion_id: int) -> str:
        lines = []
        while self._head is not None and self._head.target == criterion_id:
            lines.append(evidence_line(self._head))
            self._head = next(self._items, None)
        return "\n".join(lines)


EVIDENCE_FIELDS = (
    "number",
    "issued_on",
    "issuer",
    "summary",
    "location",
    "link",
    "file",
    "original_name",
)
