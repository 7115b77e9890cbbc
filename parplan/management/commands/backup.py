from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parplan.backup import BackupError, backup_target, backup_write


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu (bản chụp nhất quán) và mọi tệp minh chứng vào một tệp "
        ".tar.gz có bảng kê (phiên bản, ngày, số dòng, mã kiểm tra SHA-256)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            required=True,
            help=(
                "Tệp .tar.gz, hoặc thư mục (có sẵn, hoặc kết thúc bằng “/” để tạo) "
                "để lưu parplan-<ngày giờ>.tar.gz"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup_target(options["output"], now=timezone.localtime())
            report = backup_write(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = report.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu: {report.path.resolve()} ({manifest['engine']}, "
                f"{len(manifest['tables'])} bảng, {rows} dòng, {manifest['files']} tệp)."
            )
        )
