from __future__ import annotations

from typing import Any

from criteria.commands import PlanImportCommand, import_words
from tasks.appendix.load import ImportReport, appendix_import


class Command(PlanImportCommand):
    help = (
        "Nhập phụ lục kế hoạch (STT | Lĩnh vực, tiêu chí | Điểm chuẩn | Điểm năm trước | "
        "Mục tiêu | Nhiệm vụ, giải pháp | Đơn vị chủ trì) từ .xlsx, .csv, .tsv hoặc .txt."
    )

    path_help = "Tệp phụ lục (.xlsx, .csv, .tsv, .txt)"

    def run(self, *, data: bytes, filename: str, **options: Any) -> ImportReport:
        return appendix_import(
            organization=self.organization(options),
            year=options["year"],
            data=data,
            filename=filename,
            dry_run=options["dry_run"],
        )

    def write_report(self, report: ImportReport) -> None:
        head, verb = import_words(report.dry_run)
        self.stdout.write(f"{head}: {report.plan}")
        self.stdout.write(
            f"Tiêu chí: {len(report.created)} {verb} tạo, {len(report.updated)} {verb} cập nhật, "
            f"{len(report.unchanged)} không đổi."
        )
        self.stdout.write(
            f"Nhiệm vụ: {report.tasks_created} {verb} tạo, {report.tasks_updated} {verb} cập nhật, "
            f"{report.tasks_unchanged} không đổi."
        )
        if report.units_created:
            self.stdout.write(
                f"Phòng, đơn vị {verb} tạo: {'; '.join(report.units_created)}"
            )
        if report.created:
            self.stdout.write(f"  Tạo mới: {', '.join(report.created)}")
        if report.updated:
            self.stdout.write(f"  Cập nhật: {', '.join(report.updated)}")
        if report.kept:
            self.stdout.write(
                f"  Có trong kế hoạch, không có trong tệp (giữ nguyên): {', '.join(report.kept)}"
            )
        if report.ignored_columns:
            self.stdout.write(
                "  Cột không được nhập (PAR Plan không đọc các cột này): "
                + "; ".join(f"“{name}”" for name in report.ignored_columns)
            )
        for notice in report.notices:
            self.stdout.write(f"  Lưu ý: {notice}")
        if not report.dry_run:
            self.stdout.write(self.style.SUCCESS("Xong."))
