from __future__ import annotations

from reports.management.commands._export import PlanExportCommand
from reports.plan_workbook import plan_write


class Command(PlanExportCommand):
    help = (
        "Xuất kế hoạch một năm ra tệp .xlsx theo các cột của phụ lục (STT | Lĩnh vực, "
        "tiêu chí | Điểm chuẩn | Điểm năm trước | Mục tiêu | Nhiệm vụ, giải pháp | "
        "Đơn vị chủ trì); import_appendix nhập lại được đúng kế hoạch đó."
    )
    kind = "ke-hoach"
    done = "kế hoạch"
    write = staticmethod(plan_write)
