"""Writes of the criteria tree made from its pages: one named function per action,
each in one transaction, each refusing to overwrite what someone else saved meanwhile
(``parplan.history.claim``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from criteria.assessment_lock import self_assessment_lock_check
from criteria.codes import parent_code
from criteria.models import Criterion, Plan, ScoringRule
from parplan.history import by_user, claim

if TYPE_CHECKING:
    from parplan.history import AnyUser


def criterion_self_score_set(
    *,
    criterion: Criterion,
    user: AnyUser | None,
    self_score: Decimal | None,
    explanation: str,
    expected_version: int,
) -> Criterion:
    """Enter the self-assessed score and the explanation of one criterion."""
    with transaction.atomic():
        self_assessment_lock_check(plan_id=criterion.plan_id)
        current = claim(Criterion, criterion.pk, expected_version)
        current.self_score, current.explanation = self_score, explanation.strip()
        current.full_clean(validate_unique=False, validate_constraints=False)
        by_user(current, user).save()
    return current


def criterion_layers_set(
    *,
    criterion: Criterion,
    user: AnyUser | None,
    method: str,
    applicable: bool,
    not_applicable_reason: str,
    appraised_score: Decimal | None,
    final_score: Decimal | None,
    appraisal_note: str,
    survey_score: Decimal | None,
    expected_version: int,
) -> Criterion:
    """Enter what the province decided on one criterion: how it is scored, whether
    it applies to the organization, the council's score (and the final one after an
    explanation or appeal) with its note, and the survey score."""
    with transaction.atomic():
        current = claim(Criterion, criterion.pk, expected_version)
        current.method, current.applicable = method, applicable
        current.not_applicable_reason = not_applicable_reason.strip()
        current.appraised_score, current.final_score = appraised_score, final_score
        current.appraisal_note = appraisal_note.strip()
        current.survey_score = survey_score
        current.full_clean(validate_unique=False, validate_constraints=False)
        by_user(current, user).save()
    return current


def criterion_save(
    *,
    user: AnyUser | None,
    criterion: Criterion | None,
    plan: Plan,
    code: str,
    title: str,
    max_score: Decimal | None,
    baseline_score: Decimal | None,
    target_score: Decimal | None,
    expected_version: int | None = None,
) -> Criterion:
    """Create or change a criterion row; its parent follows from its code."""
    code = code.strip()
    with transaction.atomic():
        if criterion is None:
            current = Criterion(plan=plan)
        else:
            if expected_version is None:
                raise ValueError("expected_version is required to change a criterion")
            current = claim(Criterion, criterion.pk, expected_version)
            if current.code != code and current.children.exists():
                raise ValidationError(
                    {
                        "code": _(
                            "Không đổi được mã %(code)s vì tiêu chí này có tiêu chí con."
                        )
                        % {"code": current.code}
                    }
                )
        has_children = criterion is not None and current.children.exists()
        if has_children and any(
            v is not None for v in (max_score, baseline_score, target_score)
        ):
            raise ValidationError(
                {
                    "max_score": _(
                        "Tiêu chí %(code)s có tiêu chí con: điểm của nó là tổng điểm các tiêu chí con, không nhập riêng."
                    )
                    % {"code": code}
                }
            )
        wanted_parent = parent_code(code)
        current.parent = (
            Criterion.objects.filter(plan=plan, code=wanted_parent).first()
            if wanted_parent
            else None
        )
        if wanted_parent and current.parent is None:
            raise ValidationError(
                {
                    "code": _(
                        "Chưa có tiêu chí %(parent)s để tiêu chí %(code)s thuộc vào; hãy tạo nó trước."
                    )
                    % {"parent": wanted_parent, "code": code}
                }
            )
        current.code, current.title = code, title.strip()
        current.max_score = max_score
        current.baseline_score = baseline_score
        current.target_score = target_score
        current.full_clean(exclude=["depth", "sort_key"])
        by_user(current, user).save()
    return current


def criterion_delete(*, criterion: Criterion, user: AnyUser | None) -> None:
    """Delete a criterion with its sub-criteria and everything attached to them
    (tasks, progress, evidence: the database cascades; evidence files are removed
    once the deletion commits, see ``tasks.evidence``). Refused while the plan's
    self-assessment is locked: the self-scores and evidence would go with it."""
    with transaction.atomic():
        self_assessment_lock_check(plan_id=criterion.plan_id)
        by_user(criterion, user).delete()


def criterion_scoring_save(
    *,
    criterion: Criterion,
    user: AnyUser | None,
    rule: ScoringRule,
    apply: bool,
    expected_version: int,
) -> tuple[Criterion, Decimal]:
    """Keep a criterion's scoring rule and figures, and the score they give; with
    ``apply`` that score becomes the self-assessed score. Version-checked like any
    edit of the criterion (the rule is part of it): a form opened before someone
    else's save of the rule or the criterion is refused with StaleEditError, and two
    first saves at once cannot both create the rule. Raises ValidationError naming
    the missing figure; with ``apply``, an approved self-assessment refuses it."""
    with transaction.atomic():
        if apply:
            self_assessment_lock_check(plan_id=criterion.plan_id)
        current = claim(Criterion, criterion.pk, expected_version)
        rule.criterion = current
        rule.pk = (
            ScoringRule.objects.filter(criterion=current)
            .values_list("pk", flat=True)
            .first()
        )
        score = rule.score()
        by_user(rule, user).save()
        if apply:
            current.self_score = score
            current.full_clean(validate_unique=False, validate_constraints=False)
        by_user(current, user).save()
    return current, score
