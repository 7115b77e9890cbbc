from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.synthetic import SyntheticExists, synthetic_plan_build


class Command(BaseCommand):
    help = (
        "Tạo một cơ quan tổng hợp (dữ liệu giả lập, có ghi rõ) với kế hoạch và bảng "
        "xếp hạng riêng để đo hiệu năng; không đụng đến cơ quan thật nào."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--criteria", type=int, default=2000)
        parser.add_argument("--tasks", type=int, default=10000)
        parser.add_argument("--updates", type=int, default=50000)
        parser.add_argument("--units", type=int, default=12)
        parser.add_argument("--peers", type=int, default=30)
        parser.add_argument("--year", type=int, default=2023)
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Xóa cơ quan tổng hợp cùng hạt giống (--seed) đã có rồi tạo lại",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["criteria"] < 2 or options["tasks"] < 1 or options["units"] < 1:
            raise CommandError("Cần ít nhất 2 tiêu chí, 1 nhiệm vụ và 1 đơn vị.")
        if options["peers"] < 1 or options["updates"] < 0:
            raise CommandError("Cần ít nhất 1 dòng xếp hạng và số cập nhật không âm.")
        try:
            built = synthetic_plan_build(
                criteria=options["criteria"],
                tasks=options["tasks"],
                updates=options["updates"],
                units=options["units"],
                peers=options["peers"],
                year=options["year"],
                seed=options["seed"],
                replace=options["replace"],
            )
        except SyntheticExists as exc:
            if not exc.organization.is_synthetic:
                raise CommandError(
                    f"Đã có cơ quan thật tên “{exc.organization.name}”; hãy chọn "
                    "--seed khác."
                ) from exc
            raise CommandError(
                f"Đã có “{exc.organization.name}”. Thêm --replace để xóa và tạo lại, "
                "hoặc chọn --seed khác."
            ) from exc
        self.stdout.write(
            f"{built.plan}: {built.criteria} tiêu chí, {built.tasks} nhiệm vụ, "
            f"{built.parts} phần việc, {built.updates} lần cập nhật tiến độ; bảng "
            f"xếp hạng riêng năm {built.plan.baseline_year}."
        )
