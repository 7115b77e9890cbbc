from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.setup import demo_load
from parplan.tables import TableImportError


class Command(BaseCommand):
    help = (
        "Nạp kế hoạch mẫu năm 2023 của Sở KH&CN Đắk Nông và tài khoản trình diễn. Chỉ "
        "tạo những gì chưa có; không bao giờ sửa dữ liệu đã có."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-users", action="store_true", help="Không tạo tài khoản mẫu"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Nạp cả khi DEBUG=0 (máy chủ thật): tài khoản mẫu có mật khẩu công khai",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEPLOYED and not options["force"]:
            raise CommandError(
                "DEBUG=0: đây là máy chủ thật, không nạp dữ liệu trình diễn (tài khoản "
                "admin có mật khẩu công khai). Nếu thật sự cần, thêm --force."
            )
        try:
            report = demo_load(with_users=not options["no_users"])
        except TableImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Kế hoạch mẫu: {report.plan}")
        if report.created:
            self.stdout.write(f"  Đã tạo: {'; '.join(report.created)}.")
        if report.kept:
            self.stdout.write(
                f"  Đã có, giữ nguyên (không sửa): {'; '.join(report.kept)}."
            )
        if not options["no_users"]:
            self.stdout.write(
                "Tài khoản trình diễn: xem README.md (mật khẩu parplan-demo). Không "
                "dùng trên máy chủ thật."
            )
