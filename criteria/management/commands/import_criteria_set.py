from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from criteria.commands import ORGANIZATION_HELP, organization_new_or_existing
from criteria.criteria_set.load import CriteriaSetReport, criteria_set_import
from criteria.criteria_set.rules import proposal_text
from parplan.commands import TableImportCommand
from parplan.scores import format_decimal


class Command(TableImportCommand):
    help = (
        "Nhập bộ tiêu chí của tỉnh (STT | Lĩnh vực, tiêu chí | Điểm tối đa | Cách chấm "
        "điểm | Hình thức đánh giá | Không áp dụng | Lý do) vào kế hoạch một năm."
    )
    path_help = "Tệp bộ tiêu chí (.xlsx, .csv, .tsv)"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--year", type=int, required=True, help="Năm kế hoạch, ví dụ 2023"
        )
        parser.add_argument(
            "--organization",
            help=ORGANIZATION_HELP + "; một tên mới tạo cơ quan mới cùng kế hoạch",
        )

    def run(self, *, data: bytes, filename: str, **options: Any) -> CriteriaSetReport:
        return criteria_set_import(
            organization=organization_new_or_existing(options["organization"]),
            year=options["year"],
            data=data,
            filename=filename,
            dry_run=options["dry_run"],
        )

    def write_report(self, report: CriteriaSetReport) -> None:
        verb = "sẽ" if report.dry_run else "đã"
        head = "Chạy thử (không ghi gì)" if report.dry_run else "Đã nhập"
        self.stdout.write(f"{head}: bộ tiêu chí vào {report.plan}")
        self.stdout.write(
            f"Tiêu chí: {len(report.created)} {verb} tạo, {len(report.updated)} {verb} "
            f"cập nhật, {len(report.unchanged)} không đổi, {len(report.removed)} {verb} "
            f"bỏ; {report.survey} chấm bằng điều tra xã hội học, "
            f"{report.not_applicable} không áp dụng."
        )
        for change in report.changes:
            self.stdout.write(
                f"  {change.code} — {change.field}: {change.old} → {change.new}"
            )
        if report.removed:
            self.stdout.write(f"  Bỏ: {', '.join(report.removed)}")
        for code, rule in report.rules.items():
            self.stdout.write(f"  Cách chấm đề xuất {code}: {proposal_text(rule)}")
        if report.full_scale:
            old, new = report.full_scale
            self.stdout.write(
                f"  Thang điểm tối đa: {format_decimal(old)} → {format_decimal(new)}"
            )
        if not report.dry_run:
            self.stdout.write(self.style.SUCCESS("Xong."))
