#!/usr/bin/env python
from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parplan.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    # A missing setting or an unreachable database is one line, not a traceback
    # (--traceback shows it whole).
    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        if "--traceback" in sys.argv:
            raise
        sys.exit(f"Lỗi cấu hình: {exc}. Xem README.md, mục “Triển khai”.")
    except OperationalError as exc:
        if "--traceback" in sys.argv:
            raise
        reason = " ".join(str(exc).split("\n")[0].split())
        if "no such table" in reason or "relation" in reason:
            sys.exit(
                f"Cơ sở dữ liệu chưa có bảng ({reason}): hãy chạy manage.py migrate."
            )
        sys.exit(f"Không kết nối được cơ sở dữ liệu: {reason}")


if __name__ == "__main__":
    main()
