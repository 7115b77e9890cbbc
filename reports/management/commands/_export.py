"""What the workbook export commands share: choosing the plan and the output file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from criteria.models import Plan
from reports.self_assessment import export_filename


def plan_for(year: int, organization: str | None) -> Plan:
    """The plan of ``year``: of the organization named, or the only one there is."""
    plans = Plan.objects.filter(year=year).select_related("organization")
    if organization:
        plans = plans.filter(organization__name__iexact=organization.strip()) | (
            plans.filter(organization__short_name__iexact=organization.strip())
        )
    found = list(plans[:2])
    if not found:
        raise CommandError(f"Không có kế hoạch năm {year}.")
    if len(found) > 1:
        raise CommandError(
            f'Có nhiều kế hoạch năm {year}; hãy chọn cơ quan bằng --organization "Tên cơ quan".'
        )
    return found[0]


def output_path(value: str, default_name: str) -> Path:
    path = Path(value) if value else Path(default_name)
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
        parser.add_argument(
            "--organization",
            help="Tên hoặc tên viết tắt của cơ quan (mặc định: cơ quan duy nhất)",
        )
        parser.add_argument(
            "--output",
            default="",
            help=f"Tệp .xlsx hoặc thư mục (mặc định: {self.kind}-<cơ quan>-<năm>.xlsx)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = plan_for(options["year"], options["organization"])
        path = output_path(options["output"], export_filename(plan, self.kind))
        self.write(plan=plan, output=str(path))
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {self.done}: {path}"))
