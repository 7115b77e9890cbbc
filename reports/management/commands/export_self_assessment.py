from __future__ import annotations

from reports.management.commands._export import PlanExportCommand
from reports.self_assessment import self_assessment_write


class Command(PlanExportCommand):
    help = "Xuất bảng tự đánh giá, chấm điểm Chỉ số CCHC của kế hoạch một năm ra tệp .xlsx."
    kind = "tu-danh-gia"
    done = "bảng tự đánh giá"
    write = staticmethod(self_assessment_write)
