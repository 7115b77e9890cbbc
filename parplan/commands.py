"""What PAR Plan's management commands share: the table-import command (a file, an
optional dry run, every problem with its row and column, nothing written on any).
Choosing the organization and plan a command means is ``criteria.commands``'."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parplan.tables import TableImportError


class TableImportCommand(BaseCommand):
    """Imports one file; subclasses add their options, run the import and print its
    report."""

    path_help = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=self.path_help)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ kiểm tra và báo cáo những gì sẽ thay đổi, không ghi",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{path}”.")
        try:
            report = self.run(data=path.read_bytes(), filename=path.name, **options)
        except TableImportError as exc:
            lines = [f"Không nhập được “{path.name}”; chưa ghi gì vào cơ sở dữ liệu:"]
            lines += [f"  - {problem}" for problem in exc.problems]
            raise CommandError("\n".join(lines)) from exc
        self.write_report(report)

    def run(self, *, data: bytes, filename: str, **options: Any) -> Any:
        raise NotImplementedError

    def write_report(self, report: Any) -> None:
        raise NotImplementedError
