"""Create next year's plan from a year's results (the page “Lập kế hoạch năm N+1”)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from criteria.commands import organization_argument, organization_option, plan_option
from parplan.scores import format_decimal
from reports.next_year import next_year_plan_create, next_year_preview


class Command(BaseCommand):
    help = (
        "Lập kế hoạch năm sau từ kết quả năm --year: điểm năm cơ sở là điểm tốt nhất "
        "đã có của từng tiêu chí, mục tiêu đề xuất là điểm chuẩn nơi còn mất điểm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        organization_argument(parser)
        parser.add_argument(
            "--year", type=int, required=True, help="Năm có kết quả, ví dụ 2023"
        )
        parser.add_argument(
            "--carry-all-tasks",
            action="store_true",
            help="Chuyển mọi nhiệm vụ chưa hoàn thành sang kế hoạch mới",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ cho xem kế hoạch mới sẽ thế nào, không ghi gì",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = plan_option(
            organization_option(options["organization"]), options["year"]
        )
        preview = next_year_preview(plan=plan)
        if preview.existing is not None:
            raise CommandError(
                f"Kế hoạch năm {preview.year} của {plan.organization.name} đã có: "
                f"“{preview.existing.title}”. Hãy sửa kế hoạch đó; muốn lập lại từ "
                f"kết quả năm {plan.year} thì xóa nó trong trang quản trị trước."
            )
        for row in preview.rows:
            if row.baseline is None:
                continue
            self.stdout.write(
                f"{row.code}: {format_decimal(row.baseline)} ({row.layer_label}) → "
                f"mục tiêu {format_decimal(row.target)}"
            )
        tasks = preview.open_tasks if options["carry_all_tasks"] else []
        summary = (
            f"năm {preview.year}: {len(preview.rows)} tiêu chí, điểm năm cơ sở "
            f"{format_decimal(preview.baseline_total)}, mục tiêu "
            f"{format_decimal(preview.target_total)}, {len(tasks)} nhiệm vụ chuyển "
            f"sang (trong {len(preview.open_tasks)} nhiệm vụ chưa hoàn thành)"
        )
        if options["dry_run"]:
            self.stdout.write(f"Chạy thử, không ghi gì. Kế hoạch {summary}.")
            return
        try:
            created = next_year_plan_create(
                plan=plan, user=None, carried_task_ids=[t.pk for t in tasks]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Đã lập kế hoạch “{created.title}”, {summary}.")
        )
