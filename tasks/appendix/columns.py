"""The appendix's columns: what each is called (to find the header row whatever its
wording) and what it is labelled in messages."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from parplan.tables import is_position_header
from parplan.text import normalize_name

COLUMNS = [
    "code",
    "title",
    "max_score",
    "baseline_score",
    "target_score",
    "task",
    "lead",
    "support",
    "due",
    "output",
]
# The columns of a task (beside its text): an empty one below a task is a merged cell.
TASK_COLUMNS = ["lead", "support", "due", "output"]
REQUIRED_COLUMNS = ["code", "title", "max_score", "baseline_score", "target_score"]
SCORE_COLUMNS = ["max_score", "baseline_score", "target_score"]
# The names a lead cell gives to "every unit of the organization".
ALL_UNITS_NAMES = (
    "Các phòng, đơn vị trực thuộc",
    "Các phòng, đơn vị",
    "Tất cả các phòng, đơn vị",
    "Các phòng chuyên môn, đơn vị trực thuộc",
    "Các phòng, đơn vị thuộc Sở",
)
ALL_UNITS_KEYS = {normalize_name(label) for label in ALL_UNITS_NAMES}


def column_labels() -> dict[str, str]:
    return {
        "code": _("STT"),
        "title": _("Lĩnh vực, tiêu chí"),
        "max_score": _("Điểm chuẩn"),
        "baseline_score": _("Điểm năm trước đạt được"),
        "target_score": _("Mục tiêu"),
        "task": _("Nhiệm vụ, giải pháp"),
        "lead": _("Đơn vị chủ trì"),
        "support": _("Đơn vị phối hợp"),
        "due": _("Thời gian hoàn thành"),
        "output": _("Sản phẩm"),
    }


def _is_code(t: str) -> bool:
    return is_position_header(t) or t in {"mã", "mã số"}


def _is_max(t: str) -> bool:
    return "điểm chuẩn" in t or "điểm tối đa" in t


def _is_baseline(t: str) -> bool:
    return "mục tiêu" not in t and (
        "đạt được" in t
        or "năm trước" in t
        or bool(re.search(r"điểm\s*(năm\s*)?\d{4}", t))
    )


def _is_target(t: str) -> bool:
    return "mục tiêu" in t


def _is_task(t: str) -> bool:
    return "nhiệm vụ" in t or "giải pháp" in t


def _is_lead(t: str) -> bool:
    return "chủ trì" in t or t in {"đơn vị", "đơn vị thực hiện"}


def _is_support(t: str) -> bool:
    return "phối hợp" in t


def _is_due(t: str) -> bool:
    return any(
        word in t for word in ("thời gian", "thời hạn", "hạn hoàn thành", "tiến độ")
    )


def _is_output(t: str) -> bool:
    return "sản phẩm" in t or "kết quả đầu ra" in t or t == "kết quả"


def _is_title(t: str) -> bool:
    return ("lĩnh vực" in t or "tiêu chí" in t or "nội dung" in t) and "điểm" not in t


MATCHERS = {
    "code": _is_code,
    "max_score": _is_max,
    "target_score": _is_target,
    "baseline_score": _is_baseline,
    # Before the task's and the lead's: "Đơn vị phối hợp thực hiện nhiệm vụ".
    "support": _is_support,
    "due": _is_due,
    "output": _is_output,
    "task": _is_task,
    "lead": _is_lead,
    "title": _is_title,
}
