"""The settings of a plan's self-assessment form, and their write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from criteria.models import Plan

if TYPE_CHECKING:
    from parplan.history import AnyUser


def plan_settings_save(
    *,
    plan: Plan,
    user: AnyUser | None,  # who asked; plans and organizations keep no history
    score_columns: str,
    governing_body: str,
    place: str,
) -> Plan:
    """Set which score columns the self-assessment shows, and the organization's
    governing body and place for its heading and date line."""
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        current.score_columns = score_columns
        current.full_clean(validate_unique=False, validate_constraints=False)
        current.save(update_fields=["score_columns"])
        organization = current.organization
        organization.governing_body = governing_body.strip()
        organization.place = place.strip()
        organization.full_clean(validate_unique=False)
        organization.save(update_fields=["governing_body", "place"])
    return current
