"""What the self-assessment still lacks before it can be submitted.

The Bộ Nội vụ's guidance (CV 383/BNV-CCHC) asks for a giải trình wherever a score is
claimed without full evidence: a criterion self-scored above zero with neither
evidence nor explanation is missing something, and so is a score the form cannot
hold. ``self_assessment_missing`` is the one list the page shows and that submitting
the self-assessment checks; its name and signature stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from criteria.models import Criterion, Plan
from parplan.scores import format_decimal
from tasks.evidence import evidence_by_criterion


class MissingKind:
    NO_EVIDENCE = "no_evidence"
    NO_SELF_SCORE = "no_self_score"
    ABOVE_MAX = "above_max"
    NO_REASON = "no_reason"


@dataclass(frozen=True)
class MissingItem:
    """One thing to fix: the criterion, what is missing, and where to fix it."""

    criterion_id: int
    code: str
    title: str
    kind: str  # a MissingKind
    message: str
    fix_url: str


def self_assessment_missing(*, plan: Plan) -> list[MissingItem]:
    """What blocks the plan's self-assessment, in code order; empty when complete.

    Per self-assessed criterion (scored, applicable, not scored by survey): a score
    above zero with neither evidence (its own, or of its tasks' progress reports) nor
    an explanation; no score at all; a score above the maximum. A criterion marked not
    applicable needs its reason. Two queries: the criteria and the evidence.
    """
    criteria = list(Criterion.objects.filter(plan=plan).order_by("sort_key"))
    evidence = evidence_by_criterion(plan)
    by_pk = {c.pk: c for c in criteria}
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    missing: list[MissingItem] = []

    def add(criterion: Criterion, kind: str, message: str, url: str) -> None:
        missing.append(
            MissingItem(
                criterion_id=criterion.pk,
                code=criterion.code,
                title=criterion.title,
                kind=kind,
                message=message,
                fix_url=url,
            )
        )

    for criterion in criteria:
        if not criterion.applicable:
            if not criterion.not_applicable_reason.strip():
                add(
                    criterion,
                    MissingKind.NO_REASON,
                    _("Không áp dụng nhưng chưa ghi lý do."),
                    reverse("criteria-layers", args=[criterion.pk]),
                )
            continue
        if (
            criterion.pk in parents
            or criterion.max_score is None
            or criterion.method == Criterion.Method.SURVEY
            or _inapplicable_above(criterion, by_pk)
        ):
            continue
        score_url = reverse("reports-criterion", args=[criterion.pk]) + "#self-score"
        score = criterion.self_score
        if score is None:
            add(
                criterion,
                MissingKind.NO_SELF_SCORE,
                _("Chưa tự chấm điểm."),
                score_url,
            )
            continue
        if score > criterion.max_score:
            add(
                criterion,
                MissingKind.ABOVE_MAX,
                _("Điểm tự đánh giá %(score)s vượt điểm tối đa %(max)s.")
                % {
                    "score": format_decimal(score),
                    "max": format_decimal(criterion.max_score),
                },
                score_url,
            )
        if (
            score > Decimal(0)
            and not evidence.get(criterion.pk)
            and not criterion.explanation.strip()
        ):
            add(
                criterion,
                MissingKind.NO_EVIDENCE,
                _(
                    "Tự chấm %(score)s điểm nhưng chưa có tài liệu kiểm chứng: hãy "
                    "thêm tài liệu hoặc ghi giải trình."
                )
                % {"score": format_decimal(score)},
                reverse("tasks-evidence-add", args=[criterion.pk]),
            )
    return missing


def _inapplicable_above(criterion: Criterion, by_pk: dict[int, Criterion]) -> bool:
    parent_id = criterion.parent_id
    while parent_id is not None:
        parent = by_pk[parent_id]
        if not parent.applicable:
            return True
        parent_id = parent.parent_id
    return False
