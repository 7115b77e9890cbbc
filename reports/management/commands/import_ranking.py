from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from criteria.commands import organization_argument, organization_option
from parplan.commands import TableImportCommand
from parplan.scores import format_decimal
from reports.ranking import RankingReport, ranking_import


class Command(TableImportCommand):
    help = (
        "Nhập bảng xếp hạng Chỉ số CCHC của một năm (STT | Tên đơn vị | Điểm / Chỉ số | "
        "Xếp hạng | Xếp loại) từ .xlsx, .csv hoặc .tsv; thay thế bảng đã có của năm đó."
    )

    path_help = "Tệp bảng xếp hạng (.xlsx, .csv, .tsv)"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--year", type=int, required=True, help="Năm của bảng xếp hạng, ví dụ 2022"
        )
        parser.add_argument(
            "--self",
            dest="self_name",
            help="Tên đơn vị của chính cơ quan trong bảng (mặc định: dòng trùng tên cơ quan)",
        )
        organization_argument(parser)
        parser.add_argument(
            "--source", default="", help="Quyết định công bố, ví dụ 251/QĐ-UBND"
        )

    def run(self, *, data: bytes, filename: str, **options: Any) -> RankingReport:
        return ranking_import(
            year=options["year"],
            data=data,
            filename=filename,
            self_name=options["self_name"],
            organization=organization_option(options["organization"]),
            source=options["source"],
            dry_run=options["dry_run"],
        )

    def write_report(self, report: RankingReport) -> None:
        head = "Chạy thử (không ghi gì)" if report.dry_run else "Đã nhập"
        verb = "sẽ thay" if report.dry_run else "thay"
        self.stdout.write(
            f"{head}: bảng xếp hạng năm {report.year}, {len(report.rows)} đơn vị "
            f"({verb} {report.replaced} dòng cũ)."
        )
        for row in report.rows:
            value = format_decimal(row.index if row.index is not None else row.score)
            mark = "  ← cơ quan" if row.is_self else ""
            computed = " (tính)" if row.rank_computed else ""
            self.stdout.write(
                f"  {row.rank:>3}{computed}  {value:>8}  {row.name}{mark}"
            )
        if report.self_name is None:
            missing = report.own_missing or "Chưa xác định dòng của cơ quan."
            self.stdout.write(self.style.WARNING(missing))
        for notice in report.notices:
            self.stdout.write(f"  Lưu ý: {notice}")
        if not report.dry_run:
            self.stdout.write(self.style.SUCCESS("Xong."))
