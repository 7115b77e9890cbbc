"""The criteria app's querysets: the plans a user may see, the current plan, a
criterion's subtree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.apps import apps
from django.db import models
from django.db.models import Exists, Q

if TYPE_CHECKING:
    from criteria.models import Criterion, Plan
    from parplan.roles import AnyUser


def organization_visible(user: AnyUser, prefix: str | None = "") -> Q:
    """Rows whose organization (reached through ``prefix``; None: organizations
    themselves) ``user`` may see.

    A superuser sees every organization; anyone else, the organizations of the
    units they belong to (``tasks.Membership``). A person with a role but no unit
    (a director, a viewer) sees every organization: give each person a unit once
    an installation holds several. Built as subqueries, so it costs no query.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    # Looked up by name: the membership lives in the tasks app, above this one.
    organizations = apps.get_model("criteria", "Organization").objects.filter(
        units__memberships__user=user.pk
    )
    field = f"{prefix}organization__in" if prefix is not None else "pk__in"
    return Q(Q(**{field: organizations}) | ~Exists(organizations))


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, user: AnyUser) -> Self:
        """The plans of the organizations ``user`` may see."""
        return self.filter(organization_visible(user))

    def current(self, year: int | None = None) -> Plan | None:
        """The plan of ``year`` (the latest plan when None), or None."""
        plans = self.select_related("organization").order_by(
            "organization__is_synthetic", "-year", "pk"
        )
        if year is not None:
            plans = plans.filter(year=year)
        return plans.first()


class CriterionQuerySet(models.QuerySet["Criterion"]):
    def visible_to(self, user: AnyUser) -> Self:
        """The criteria of the organizations ``user`` may see."""
        return self.filter(organization_visible(user, "plan__"))

    def subtree(self, criterion: Criterion, *, include_self: bool = True) -> Self:
        """``criterion`` and every row below it (its sub-criteria, theirs …)."""
        below = Q(
            plan_id=criterion.plan_id, sort_key__startswith=criterion.sort_key + "."
        )
        return self.filter(below | Q(pk=criterion.pk) if include_self else below)
