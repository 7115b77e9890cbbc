from __future__ import annotations

import io
from typing import Any

from django.core.management.base import CommandError, CommandParser

from criteria.commands import organization_option, plan_option
from criteria.models import Plan
from parplan.workbook_values import PdfUnavailableError, pdf_of_workbook
from reports.management.commands._export import PlanExportCommand, output_path
from reports.self_assessment import export_filename, self_assessment_write
from reports.self_assessment_steps import self_assessment_status_line


def _write(*, plan: Plan, output: Any) -> None:
    """The workbook with its state and version under the title."""
    self_assessment_write(
        plan=plan, output=output, status_line=self_assessment_status_line(plan=plan)
    )


class Command(PlanExportCommand):
    help = (
        "Xuất bảng tự đánh giá, chấm điểm Chỉ số CCHC của kế hoạch một năm ra tệp "
        ".xlsx (và .pdf với --pdf)."
    )
    kind = "tu-danh-gia"
    done = "bảng tự đánh giá"
    write = staticmethod(_write)

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--pdf",
            action="store_true",
            help="Ghi thêm bản PDF cùng tên (LibreOffice chuyển từ chính tệp .xlsx).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["pdf"]:
            super().handle(*args, **options)
            return
        plan = plan_option(
            organization_option(options["organization"]), options["year"]
        )
        path = output_path(options["output"], export_filename(plan, self.kind))
        workbook = io.BytesIO()
        _write(plan=plan, output=workbook)
        pdf_path = path.with_suffix(".pdf")
        try:
            with open(pdf_path, "wb") as handle:
                pdf_of_workbook(workbook.getvalue(), handle)
        except PdfUnavailableError as exc:
            pdf_path.unlink(missing_ok=True)
            raise CommandError(
                "Không tạo được bản PDF: cần LibreOffice (lệnh soffice) trên máy này."
            ) from exc
        path.write_bytes(workbook.getvalue())
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {self.done}: {path.resolve()}"))
        self.stdout.write(self.style.SUCCESS(f"Đã xuất bản PDF: {pdf_path.resolve()}"))
