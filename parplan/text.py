"""How PAR Plan compares names: one folding for unit names, ranking rows, header
cells and scoring options alike."""

from __future__ import annotations

import unicodedata


def normalize_name(value: object) -> str:
    """Text folded for matching: NFC, case folded, single spaces (``""`` for None)."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).casefold().split())
