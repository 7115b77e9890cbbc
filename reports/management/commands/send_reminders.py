from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from reports.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Gửi thư nhắc việc trong ngày: lãnh đạo phòng, đơn vị nhận các phần việc đến "
        "hạn trong 14 ngày hoặc đã quá hạn; Văn phòng Sở nhận lịch cải cách hành "
        "chính sắp tới. Chạy lại trong cùng ngày không gửi thêm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help="Ngày gửi, dạng YYYY-MM-DD (mặc định: hôm nay)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["date"]
        today = timezone.localdate()
        if raw:
            try:
                today = date.fromisoformat(raw)
            except ValueError as exc:
                raise CommandError(
                    f"--date: “{raw}” không phải một ngày dạng YYYY-MM-DD."
                ) from exc
        with translation.override(settings.LANGUAGE_CODE):
            logs = reminders_send(today=today)
        for log in logs:
            self.stdout.write(
                f"{log.day:%d/%m/%Y} {log.user.get_username()}: "
                f"{log.get_kind_display()} ({log.items})"
            )
        self.stdout.write(f"Đã gửi {len(logs)} thư nhắc việc.")
