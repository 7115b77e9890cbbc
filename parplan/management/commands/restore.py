from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parplan.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu (manage.py backup) vào cơ sở dữ liệu trống và thư "
        "mục tệp trống, sau khi kiểm tra mọi mã kiểm tra."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="Tệp .tar.gz do manage.py backup tạo")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Thay toàn bộ dữ liệu và tệp hiện có bằng bản sao lưu",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(Path(options["archive"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục bản sao lưu ngày {manifest['created']} (phiên bản "
                f"{manifest['version']}): {len(manifest['tables'])} bảng, {rows} dòng, "
                f"{manifest['files']} tệp; mọi mã kiểm tra đều khớp."
            )
        )
