from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from criteria.exports import export_filename, plan_write
from criteria.management.commands.export_self_assessment import output_path, plan_for


class Command(BaseCommand):
    help = (
        "Xuất kế hoạch một năm ra tệp .xlsx theo các cột của phụ lục (STT | Lĩnh vực, "
        "tiêu chí | Điểm chuẩn | Điểm năm trước | Mục tiêu | Nhiệm vụ, giải pháp | "
        "Đơn vị chủ trì); import_appendix nhập lại được đúng kế hoạch đó."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, required=True, help="Năm kế hoạch, ví dụ 2023"
        )
        parser.add_argument(
            "--organization",
            help="Tên hoặc tên viết tắt của cơ quan (mặc định: cơ quan duy nhất)",
        )
        parser.add_argument(
            "--output",
            default="",
            help="Tệp .xlsx hoặc thư mục (mặc định: ke-hoach-<cơ quan>-<năm>.xlsx)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = plan_for(options["year"], options["organization"])
        path = output_path(options["output"], export_filename(plan, "ke-hoach"))
        plan_write(plan=plan, output=str(path))
        self.stdout.write(self.style.SUCCESS(f"Đã xuất kế hoạch: {path}"))
