from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.setup import demo_load
from parplan.tables import TableImportError


class Command(BaseCommand):
    help = "Nạp kế hoạch mẫu năm 2023 của Sở KH&CN Đắk Nông và tài khoản trình diễn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-users", action="store_true", help="Không tạo tài khoản mẫu"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_load(with_users=not options["no_users"])
        except TableImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Kế hoạch mẫu: {report.plan} – {len(report.created)} tiêu chí mới, "
            f"{len(report.updated)} cập nhật, {len(report.unchanged)} không đổi."
        )
        if not options["no_users"]:
            self.stdout.write(
                "Tài khoản trình diễn: xem README.md (mật khẩu parplan-demo)."
            )
