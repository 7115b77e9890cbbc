from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from criteria.appraisal_import import AppraisalReport, appraisal_import
from criteria.models import Plan
from parplan.commands import TableImportCommand, sole
from parplan.text import normalize_name


class Command(TableImportCommand):
    help = (
        "Nhập kết quả thẩm định của tỉnh (STT | Điểm thẩm định | Điểm sau giải trình, "
        "phúc khảo | Điểm điều tra xã hội học | Ý kiến) vào kế hoạch một năm."
    )
    path_help = "Tệp kết quả thẩm định (.xlsx, .csv, .tsv)"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--year", type=int, required=True, help="Năm kế hoạch, ví dụ 2023"
        )
        parser.add_argument(
            "--organization",
            help="Tên hoặc tên viết tắt của cơ quan (mặc định: cơ quan duy nhất)",
        )

    def run(self, *, data: bytes, filename: str, **options: Any) -> AppraisalReport:
        plans = Plan.objects.filter(year=options["year"]).select_related("organization")
        if options["organization"]:
            wanted = normalize_name(options["organization"])
            plans = plans.filter(
                pk__in=[
                    p.pk
                    for p in plans
                    if wanted
                    in {
                        normalize_name(p.organization.name),
                        normalize_name(p.organization.short_name),
                    }
                ]
            )
        plan = sole(
            plans,
            none=f"Không có kế hoạch năm {options['year']} của cơ quan đã chọn.",
            many=(
                f"Có nhiều kế hoạch năm {options['year']}; hãy chọn cơ quan bằng "
                '--organization "Tên cơ quan".'
            ),
        )
        return appraisal_import(
            plan=plan, data=data, filename=filename, dry_run=options["dry_run"]
        )

    def write_report(self, report: AppraisalReport) -> None:
        verb = "sẽ cập nhật" if report.dry_run else "đã cập nhật"
        head = "Chạy thử (không ghi gì)" if report.dry_run else "Đã nhập"
        self.stdout.write(f"{head}: kết quả thẩm định vào {report.plan}")
        self.stdout.write(
            f"Tiêu chí {verb}: {len(report.updated)}; không đổi: {len(report.unchanged)}."
        )
        if report.updated:
            self.stdout.write(f"  Cập nhật: {', '.join(report.updated)}")
        for notice in report.notices:
            self.stdout.write(f"  Lưu ý: {notice}")
        if not report.dry_run:
            self.stdout.write(self.style.SUCCESS("Xong."))
