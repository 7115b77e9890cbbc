"""The criteria set's columns: the wordings provinces give them (to find the header
row whatever its wording) and what they are called in messages."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parplan.tables import is_position_header

REQUIRED = ["code", "title", "max_score"]


def labels() -> dict[str, str]:
    return {
        "code": _("STT"),
        "title": _("Lĩnh vực, tiêu chí"),
        "max_score": _("Điểm tối đa"),
        "scoring_text": _("Cách chấm điểm"),
        "method": _("Hình thức đánh giá"),
        "survey": _("Điều tra xã hội học"),
        "not_applicable": _("Không áp dụng"),
        "reason": _("Lý do"),
    }


def _is_code(t: str) -> bool:
    return is_position_header(t) or t in {"mã", "mã số", "mã tiêu chí", "số hiệu"}


def _is_scoring_text(t: str) -> bool:
    return any(
        w in t
        for w in (
            "cách chấm",
            "hướng dẫn chấm",
            "phương pháp chấm",
            "cách tính điểm",
            "cách thức chấm",
            "hướng dẫn đánh giá",
        )
    )


def _is_max(t: str) -> bool:
    return any(w in t for w in ("điểm tối đa", "điểm chuẩn", "thang điểm"))


def _is_method(t: str) -> bool:
    return (
        "hình thức" in t
        or "phương thức" in t
        or "cách đánh giá" in t
        or ("thẩm định" in t and "điều tra" in t)
    )


def _is_survey(t: str) -> bool:
    return "điều tra" in t or "xhh" in t or "sipas" in t or "xã hội học" in t


def _is_not_applicable(t: str) -> bool:
    return "không áp dụng" in t


def _is_reason(t: str) -> bool:
    return "lý do" in t or "ghi chú" in t


def _is_title(t: str) -> bool:
    return ("lĩnh vực" in t or "tiêu chí" in t or "nội dung" in t) and "điểm" not in t


# Order matters: a cell goes to the first role that matches it ("Mã tiêu chí" is the
# code, "Hướng dẫn chấm điểm" the scoring text, not a maximum).
MATCHERS = {
    "code": _is_code,
    "scoring_text": _is_scoring_text,
    "not_applicable": _is_not_applicable,
    "max_score": _is_max,
    "method": _is_method,
    "survey": _is_survey,
    "reason": _is_reason,
    "title": _is_title,
}
