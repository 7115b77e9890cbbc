"""Criterion codes as the province writes them: ``1``, ``1.2``, ``1.2.3``."""

from __future__ import annotations

import re

CODE_RE = re.compile(r"^\d{1,4}(\.\d{1,4}){0,5}$")


def code_sort_key(code: str) -> str:
    """``1.10.2`` → ``0001.0010.0002``: sorts as people read codes, not as text."""
    return ".".join(part.zfill(4) for part in code.split("."))


def parent_code(code: str) -> str | None:
    head, sep, _tail = code.rpartition(".")
    return head if sep else None
