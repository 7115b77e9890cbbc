"""Criterion codes as the province writes them: ``1``, ``1.2``, ``1.2.3``."""

from __future__ import annotations

import re

CODE_RE = re.compile(r"^\d{1,4}(\.\d{1,4}){0,5}$")


def canonical_code(code: str) -> str:
    """``01.02`` → ``1.2``: the numbers of a code (one that matches ``CODE_RE``)
    without their leading zeros. A file that writes ``01`` means criterion ``1``,
    and two rows ``1.1`` and ``1.01`` are the same code twice: both would sort as
    one (``code_sort_key``), so every reader keeps the canonical code."""
    return ".".join(str(int(part)) for part in code.split("."))


def code_sort_key(code: str) -> str:
    """``1.10.2`` → ``0001.0010.0002``: sorts as people read codes, not as text."""
    return ".".join(part.zfill(4) for part in code.split("."))


def parent_code(code: str) -> str | None:
    head, sep, _tail = code.rpartition(".")
    return head if sep else None
