from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from criteria.appraisal_import import AppraisalReport, appraisal_import
from criteria.commands import organization_argument, organization_option, plan_option
from parplan.commands import TableImportCommand


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
        organization_argument(parser)

    def run(self, *, data: bytes, filename: str, **options: Any) -> AppraisalReport:
        organization = organization_option(options["organization"])
        plan = plan_option(organization, options["year"])
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
