from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.synthetic import synthetic_plan_build


class Command(BaseCommand):
    help = "Tạo một kế hoạch tổng hợp (dữ liệu giả lập, có ghi rõ) để đo hiệu năng."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--criteria", type=int, default=2000)
        parser.add_argument("--tasks", type=int, default=10000)
        parser.add_argument("--updates", type=int, default=50000)
        parser.add_argument("--units", type=int, default=12)
        parser.add_argument("--peers", type=int, default=30)
        parser.add_argument("--year", type=int, default=2023)
        parser.add_argument("--seed", type=int, default=2023)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["criteria"] < 2 or options["tasks"] < 1 or options["units"] < 1:
            raise CommandError("Cần ít nhất 2 tiêu chí, 1 nhiệm vụ và 1 đơn vị.")
        built = synthetic_plan_build(
            criteria=options["criteria"],
            tasks=options["tasks"],
            updates=options["updates"],
            units=options["units"],
            peers=options["peers"],
            year=options["year"],
            seed=options["seed"],
        )
        self.stdout.write(
            f"{built.plan}: {built.criteria} tiêu chí, {built.tasks} nhiệm vụ, "
            f"{built.parts} phần việc, {built.updates} lần cập nhật tiến độ."
        )
