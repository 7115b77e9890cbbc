"""Run by tests/test_sqlite_write_lock.py in its own process, on a file-backed SQLite
database (DATABASE_URL): a large appendix preview in one thread while a unit head
reports progress on another connection. Prints what it measured as JSON."""

from __future__ import annotations

import json
import os
import sys
import threading
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parplan.settings")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from criteria.models import Organization  # noqa: E402
from parplan.roles import Role  # noqa: E402
from tasks.appendix.load import appendix_import  # noqa: E402
from tasks.models import TaskUnit, Unit  # noqa: E402
from tasks.progress import progress_record  # noqa: E402
from tests.helpers import SEED_FILE, client_for, make_user  # noqa: E402

HEADER = (
    "STT\tLĩnh vực, tiêu chí\tĐiểm chuẩn\tĐiểm 2022 đạt được\tMục tiêu năm 2023\t"
    "Nhiệm vụ, giải pháp\tĐơn vị chủ trì"
)


def big_appendix(areas: int, criteria: int) -> bytes:
    lines = [HEADER]
    for a in range(1, areas + 1):
        lines.append(f"{a}\tLĩnh vực {a}\t\t\t\t\t")
        lines += [
            f"{a}.{c}\tTiêu chí {a}.{c}\t1\t0,5\t1\tViệc {a}.{c}\tVăn phòng Sở"
            for c in range(1, criteria + 1)
        ]
    return "\n".join(lines).encode()


def main() -> None:
    setup_test_environment()
    organization = Organization.objects.create(name="Sở thử", short_name="ST")
    office_unit = Unit.objects.create(
        organization=organization, name="Văn phòng Sở", is_office=True
    )
    appendix_import(
        organization=organization,
        year=2023,
        data=SEED_FILE.read_bytes(),
        filename=SEED_FILE.name,
    )
    office = make_user("office", Role.OFFICE, office_unit)
    head = make_user("head", Role.UNIT_HEAD, office_unit)
    part = TaskUnit.objects.filter(unit=office_unit).first()
    assert part is not None
    data = big_appendix(int(sys.argv[1]), int(sys.argv[2]))
    timing: dict[str, float] = {}

    def preview() -> None:
        start = time.perf_counter()
        client = client_for(office)
        response = client.post(
            reverse("tasks-import"),
            {
                "organization": organization.pk,
                "year": 2023,
                "file": SimpleUploadedFile("big.txt", data),
            },
        )
        timing["preview_status"] = response.status_code
        timing["preview"] = time.perf_counter() - start
        connections.close_all()

    thread = threading.Thread(target=preview)
    thread.start()
    time.sleep(float(sys.argv[3]))
    start = time.perf_counter()
    progress_record(
        part=part,
        user=head,
        status="in_progress",
        percent=30,
        note="",
        expected_version=part.version,
    )
    timing["post"] = time.perf_counter() - start
    timing["preview_running"] = float(thread.is_alive())
    thread.join()
    print(json.dumps(timing))


if __name__ == "__main__":
    main()
