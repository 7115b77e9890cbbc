"""Create next year's plan from a year's results (the page “Lập kế hoạch năm N+1”)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from criteria.commands import organization_argument, organization_option, plan_option
from criteria.criteria_set.parse import criteria_set_parse
from criteria.models import Plan
from parplan.scores import format_decimal
from parplan.tables import TableImportError
from reports.next_year import (
    NextYearPreview,
    next_year_plan_create,
    next_year_preview,
)
from reports.next_year_crosswalk import (
    BY_CODE,
    BY_CROSSWALK,
    DROPPED,
    NEW,
    crosswalk_match,
    crosswalk_read,
)


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
            "--criteria-set",
            metavar="FILE",
            help="Dựng cây tiêu chí theo bộ tiêu chí mới của tỉnh (.xlsx, .csv)",
        )
        parser.add_argument(
            "--crosswalk",
            metavar="FILE",
            help="Bảng đối chiếu mã: hai cột “Mã năm N”, “Mã năm N+1” (.csv, .xlsx)",
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
        if options["criteria_set"]:
            self._from_set(plan, preview, options)
            return
        if options["crosswalk"]:
            raise CommandError("--crosswalk chỉ dùng cùng --criteria-set.")
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

    def _from_set(
        self, plan: Plan, preview: NextYearPreview, options: dict[str, Any]
    ) -> None:
        path = Path(options["criteria_set"])
        try:
            table = criteria_set_parse(data=path.read_bytes(), filename=path.name)
            entries = []
            if options["crosswalk"]:
                walk = Path(options["crosswalk"])
                entries = crosswalk_read(data=walk.read_bytes(), filename=walk.name)
            match = crosswalk_match(
                old_rows=list(preview.rows),
                table=table,
                entries=entries,
                year=plan.year,
            )
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc}") from exc
        except TableImportError as exc:
            raise CommandError("\n".join(str(p) for p in exc.problems)) from exc
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        for row in match.rows:
            if row.kind == BY_CROSSWALK:
                self.stdout.write(f"{row.old_code} → {row.code}")
            elif row.kind == DROPPED:
                self.stdout.write(f"{row.old_code}: bỏ (không còn trong bộ mới)")
        tasks = (
            [t.pk for r in match.rows if r.new is not None for t in r.open_tasks]
            if options["carry_all_tasks"]
            else []
        )
        summary = (
            f"năm {preview.year} theo bộ tiêu chí “{path.name}”: "
            f"{match.count(BY_CODE)} tiêu chí giữ mã, {match.count(BY_CROSSWALK)} "
            f"đối chiếu sang mã mới, {match.count(NEW)} tiêu chí mới, "
            f"{match.count(DROPPED)} tiêu chí bỏ, {len(tasks)} nhiệm vụ chuyển sang"
        )
        if options["dry_run"]:
            self.stdout.write(f"Chạy thử, không ghi gì. Kế hoạch {summary}.")
            return
        try:
            created = next_year_plan_create(
                plan=plan,
                user=None,
                carried_task_ids=tasks,
                criteria_set=table,
                criteria_set_name=path.name,
                crosswalk=entries,
            )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Đã lập kế hoạch “{created.title}”, {summary}.")
        )
