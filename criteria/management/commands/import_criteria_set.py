from __future__ import annotations

from typing import Any

from criteria.commands import PlanImportCommand, import_words
from criteria.criteria_set.load import CriteriaSetReport, criteria_set_import
from criteria.criteria_set.rules import proposal_text
from parplan.scores import format_decimal


class Command(PlanImportCommand):
    help = (
        "Nhập bộ tiêu chí của tỉnh (STT | Lĩnh vực, tiêu chí | Điểm tối đa | Cách chấm "
        "điểm | Hình thức đánh giá | Không áp dụng | Lý do) vào kế hoạch một năm."
    )
    path_help = "Tệp bộ tiêu chí (.xlsx, .csv, .tsv)"

    def run(self, *, data: bytes, filename: str, **options: Any) -> CriteriaSetReport:
        return criteria_set_import(
            organization=self.organization(options),
            year=options["year"],
            data=data,
            filename=filename,
            dry_run=options["dry_run"],
        )

    def write_report(self, report: CriteriaSetReport) -> None:
        head, verb = import_words(report.dry_run)
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
