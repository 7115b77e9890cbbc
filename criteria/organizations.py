"""Finding an organization by what people type: its name or short name, folded the
one way PAR Plan folds names (``normalize_name``), and spotting a near-duplicate
before a second organization is created by a variant of a name."""

from __future__ import annotations

import difflib
import unicodedata

from criteria.models import Organization
from parplan.text import normalize_name

# Two names this close (difflib's ratio of their folded, unaccented letters) are
# taken for the same organization written two ways.
NEAR = 0.88


def _letters(value: str) -> str:
    """Folded, without accents or punctuation: “Sở KH&CN” and “so kh cn” agree."""
    folded = unicodedata.normalize("NFD", normalize_name(value).replace("đ", "d"))
    kept = (c for c in folded if c.isalnum() or c.isspace())
    return " ".join("".join(c for c in kept if not unicodedata.combining(c)).split())


def organization_find(value: str) -> Organization | None:
    """The organization whose name or short name is ``value`` (folded), or None."""
    key = normalize_name(value)
    if not key:
        return None
    for organization in Organization.objects.all():
        if key in (
            normalize_name(organization.name),
            normalize_name(organization.short_name),
        ):
            return organization
    return None


def organization_near(value: str) -> Organization | None:
    """An existing organization whose name is ``value`` written differently (case,
    spaces, accents, punctuation or a letter or two), or None."""
    letters = _letters(value)
    best, best_ratio = None, NEAR
    for organization in Organization.objects.all():
        ratio = difflib.SequenceMatcher(
            None, letters, _letters(organization.name)
        ).ratio()
        if ratio >= best_ratio:
            best, best_ratio = organization, ratio
    return best
