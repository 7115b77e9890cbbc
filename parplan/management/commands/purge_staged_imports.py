"""Remove import files staged for a preview and never confirmed or cancelled (run
from cron every few minutes; each new preview also purges)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from parplan.uploads import MAX_AGE_SECONDS, staged_purge


class Command(BaseCommand):
    help = _("Xóa các tệp nhập đang chờ xác nhận đã quá một giờ.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-age",
            type=int,
            default=MAX_AGE_SECONDS,
            help=_("Tuổi tối thiểu (giây) của tệp bị xóa; mặc định 3600."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        removed = staged_purge(max_age=options["max_age"])
        self.stdout.write(_("Đã xóa %(count)s tệp chờ xác nhận.") % {"count": removed})
