"""The criteria app's querysets: the current plan, a criterion's subtree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from criteria.models import Criterion, Plan


class PlanQuerySet(models.QuerySet["Plan"]):
    def current(self, year: int | None = None) -> Plan | None:
        """The plan of ``year`` (the latest plan when None), or None."""
        plans = self.select_related("organization").order_by(
            "organization__is_synthetic", "-year", "pk"
        )
        if year is not None:
            plans = plans.filter(year=year)
        return plans.first()


class CriterionQuerySet(models.QuerySet["Criterion"]):
    def subtree(self, criterion: Criterion, *, include_self: bool = True) -> Self:
        """``criterion`` and every row below it (its sub-criteria, theirs …)."""
        below = Q(
            plan_id=criterion.plan_id, sort_key__startswith=criterion.sort_key + "."
        )
        return self.filter(below | Q(pk=criterion.pk) if include_self else below)
