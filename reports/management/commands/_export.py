"""What the workbook export commands share: the output file (where it is asked to
be, said in full when written)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from criteria.commands import organization_argument, organization_option, plan_option
from reports.self_assessment import export_filename


def output_path(value: str, default_name: str) -> Path:
    """The file ``--output`` names, or ``default_name`` inside the folder it names
    (``--output .`` for the current folder); never a file nobody asked for."""
    if not value:
        raise CommandError(
            f"Hãy ghi nơi lưu: --output TỆP.xlsx, hoặc --output THƯ_MỤC (ví dụ "
            f"--output . để lưu {default_name} vào thư mục hiện tại)."
        )
    path = Path(value)
    if path.is_dir():
        path = path / default_name
    if not path.parent.is_dir():
        raise CommandError(f"Không có thư mục “{path.parent}”.")
    return path


class PlanExportCommand(BaseCommand):
    """Writes one workbook of a year's plan; subclasses name the kind and the writer."""

    kind: str  # the file name's prefix, e.g. "ke-hoach"
    done: str  # what the success line calls the workbook
    write: Callable[..., None]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, required=True, help="Năm kế hoạch, ví dụ 2023"
        )
        organization_argument(parser)
        parser.add_argument(
            "--output",
            default="",
            help=f"Tệp .xlsx, hoặc thư mục để lưu {self.kind}-<cơ quan>-<năm>.xlsx",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = plan_option(
            organization_option(options["organization"]), options["year"]
        )
        path = output_path(options["output"], export_filename(plan, self.kind))
        self.write(plan=plan, output=str(path))
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {self.done}: {path.resolve()}"))
