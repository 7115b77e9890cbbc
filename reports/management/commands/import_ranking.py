from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from criteria.management.commands.import_appendix import (
    organization_for as only_organization,
)
from criteria.models import Organization
from parplan.scores import format_decimal
from reports.services import RankingImportError, RankingReport, ranking_import


def organization_for(name: str | None) -> Organization:
    """The organization named (it must exist: a ranking never creates one)."""
    if not name:
        return only_organization(None)
    organization = Organization.objects.filter(name=name.strip()).first()
    if organization is None:
        raise CommandError(f"Không có cơ quan “{name.strip()}”.")
    return organization


class Command(BaseCommand):
    help = (
        "Nhập bảng xếp hạng Chỉ số CCHC của một năm (STT | Tên đơn vị | Điểm / Chỉ số | "
        "Xếp hạng | Xếp loại) từ .xlsx, .csv hoặc .tsv; thay thế bảng đã có của năm đó."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Tệp bảng xếp hạng (.xlsx, .csv, .tsv)")
        parser.add_argument(
            "--year", type=int, required=True, help="Năm của bảng xếp hạng, ví dụ 2022"
        )
        parser.add_argument(
            "--self",
            dest="self_name",
            help="Tên đơn vị của chính cơ quan trong bảng (mặc định: dòng trùng tên cơ quan)",
        )
        parser.add_argument(
            "--organization", help="Tên cơ quan (mặc định: cơ quan duy nhất)"
        )
        parser.add_argument(
            "--source", default="", help="Quyết định công bố, ví dụ 251/QĐ-UBND"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ kiểm tra và báo cáo, không ghi",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{path}”.")
        try:
            report = ranking_import(
                year=options["year"],
                data=path.read_bytes(),
                filename=path.name,
                self_name=options["self_name"],
                organization=organization_for(options["organization"]),
                source=options["source"],
                dry_run=options["dry_run"],
            )
        except RankingImportError as exc:
            lines = [f"Không nhập được “{path.name}”; chưa ghi gì vào cơ sở dữ liệu:"]
            lines += [f"  - {problem}" for problem in exc.problems]
            raise CommandError("\n".join(lines)) from exc
        self.write_report(report)

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
            self.stdout.write(self.style.WARNING("Chưa xác định dòng của cơ quan."))
        for notice in report.notices:
            self.stdout.write(f"  Lưu ý: {notice}")
        if not report.dry_run:
            self.stdout.write(self.style.SUCCESS("Xong."))
