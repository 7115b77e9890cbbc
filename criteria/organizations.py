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


class OrganizationAmbiguous(LookupError):
    """Several organizations answer to the value (their short names agree)."""

    def __init__(self, value: str, candidates: list[Organization]) -> None:
        self.candidates = candidates
        names = "; ".join(f"“{o.name}”" for o in candidates)
        super().__init__(
            f"“{value.strip()}” là tên viết tắt của nhiều cơ quan: {names}. Hãy ghi "
            "tên đầy đủ."
        )


def organization_find(value: str) -> Organization | None:
    """The organization whose name or short name is ``value`` (folded), or None.
    A full name wins over a short name; a short name that several organizations
    share is refused (``OrganizationAmbiguous``) rather than one of them taken."""
    key = normalize_name(value)
    if not key:
        return None
    by_short_name = []
    for organization in Organization.objects.order_by("pk"):
        if key == normalize_name(organization.name):
            return organization
        if key == normalize_name(organization.short_name):
            by_short_name.append(organization)
    if len(by_short_name) > 1:
        raise OrganizationAmbiguous(value, by_short_name)
    return by_short_name[0] if by_short_name else None


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
