"""Hostile files against the limits of ``parplan.spreadsheets``: each is refused
quickly, with little memory, naming the limit, in the browser, the command and the
admin. The bounds are loose for a busy machine; the unbounded reader took tens of
seconds and gigabytes on each of these files (the dimension bomb: 30 s and 1.8 GB
before a worker was killed)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from criteria.models import Criterion, Plan
from parplan.spreadsheets import TableError, read_rows
from tasks.models import Task
from tests import hostile_files
from tests.helpers import client_for
from tests.workbooks import database_state

SECONDS = 10.0
MEGABYTES = 150


@contextmanager
def bounded(seconds: float = SECONDS) -> Iterator[None]:
    """Assert that the block ran within the time bound."""
    started = time.perf_counter()
    yield
    elapsed = time.perf_counter() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s"


def _resident_kb() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def read_in_child(data: bytes, filename: str) -> tuple[str, float, int]:
    """Read the file in a forked child: what it raised (or "read"), how long it took,
    and how far its resident memory grew above the parent's, in MB (the kernel's
    peak, so measuring costs nothing)."""
    reading, writing = os.pipe()
    baseline = _resident_kb()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: read, report, leave without running any cleanup
        try:
            os.close(reading)
            read_rows(data, filename)
            outcome = "read"
        except TableError as exc:
            outcome = str(exc)
        except BaseException as exc:  # the child must never return into pytest
            outcome = repr(exc)
        finally:
            os.write(writing, outcome.encode())
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        outcome = pipe.read().decode()
    _pid, _status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - started
    return outcome, elapsed, (usage.ru_maxrss - baseline) // 1024


# Built once for the session: the large ones take a second or two to write.
million_rows = cache(hostile_files.million_rows)
four_million_strings = cache(lambda: hostile_files.shared_strings(4_000_000))

CORPUS: list[tuple[str, Callable[[], bytes], str, str]] = [
    (
        "a million rows",
        million_rows,
        "a.xlsx",
        "Tệp “a.xlsx” có hơn 50000 dòng, quá giới hạn cho một bảng.",
    ),
    (
        "four million shared strings",
        four_million_strings,
        "a.xlsx",
        "Tệp “a.xlsx” có hơn 200000 chuỗi văn bản dùng chung, quá giới hạn cho một "
        "bảng.",
    ),
    (
        "a cell in column XFD",
        hostile_files.far_cell,
        "a.xlsx",
        "Dòng 1 của tệp “a.xlsx” có hơn 100 cột, quá giới hạn cho một bảng.",
    ),
    (
        "a cell of 40,000 characters",
        lambda: hostile_files.long_cell(40_000),
        "a.xlsx",
        "Ô ở dòng 1, cột 1 của tệp “a.xlsx” dài hơn giới hạn 32767 ký tự cho một ô.",
    ),
    (
        "a CSV field over 128 KB",
        lambda: hostile_files.csv_with_field(200_000),
        "a.csv",
        "Dòng 2 của tệp “a.csv” có một ô dài hơn giới hạn 32767 ký tự cho một ô.",
    ),
    (
        "a CSV field over the cell limit",
        lambda: hostile_files.csv_with_field(40_000),
        "a.csv",
        "Ô ở dòng 2, cột 2 của tệp “a.csv” dài hơn giới hạn 32767 ký tự cho một ô.",
    ),
    (
        "a million CSV lines",
        lambda: b"1\n" * 1_000_000,
        "a.csv",
        "Tệp “a.csv” có hơn 50000 dòng, quá giới hạn cho một bảng.",
    ),
    (
        "a line of 1,000 tab-separated cells",
        lambda: ("\t".join(["x"] * 1_000) + "\n").encode(),
        "a.txt",
        "Dòng 1 của tệp “a.txt” có hơn 100 cột, quá giới hạn cho một bảng.",
    ),
]


@pytest.mark.parametrize(
    ("make", "filename", "expected"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_a_file_over_a_limit_is_refused_quickly_naming_the_limit(
    make: Callable[[], bytes], filename: str, expected: str
) -> None:
    outcome, elapsed, megabytes = read_in_child(make(), filename)
    assert outcome == expected
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert megabytes < MEGABYTES, f"grew by {megabytes} MB"


def test_the_declared_dimension_is_ignored() -> None:
    data = hostile_files.dimension_bomb()
    assert len(data) < 8192
    outcome, elapsed, megabytes = read_in_child(data, "a.xlsx")
    assert outcome == "read"
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert megabytes < MEGABYTES, f"grew by {megabytes} MB"
    _kind, rows = read_rows(data, "a.xlsx")
    assert [row.cells for row in rows] == [["STT"]]


def test_the_cell_and_text_limits_come_from_the_settings(settings: object) -> None:
    settings.TABLE_MAX_CELLS = 5  # type: ignore[attr-defined]
    with pytest.raises(TableError, match="có hơn 5 ô"):
        read_rows(b"a,b,c\nd,e,f\n", "a.csv")
    settings.TABLE_MAX_CELLS = 100  # type: ignore[attr-defined]
    settings.TABLE_MAX_TEXT_CHARS = 10  # type: ignore[attr-defined]
    with pytest.raises(TableError, match="có hơn 10 ký tự văn bản"):
        read_rows(b"abcdef,ghijkl\n", "a.csv")


def test_a_file_within_the_limits_reads_whole(settings: object) -> None:
    settings.TABLE_MAX_ROWS = 3  # type: ignore[attr-defined]
    _kind, rows = read_rows(b"a\nb\nc\n", "a.csv")
    assert [row.cells for row in rows] == [["a"], ["b"], ["c"]]


def test_the_browser_import_refuses_a_million_rows_quickly(
    seed_plan: Plan, office: User
) -> None:
    before = database_state()
    client = client_for(office)
    data = million_rows()
    with bounded():
        response = client.post(
            reverse("tasks-import"),
            {
                "organization": seed_plan.organization_id,
                "year": 2023,
                "file": SimpleUploadedFile("lon.xlsx", data),
            },
        )
    assert response.status_code == 200
    assert "có hơn 50000 dòng" in response.content.decode()
    assert database_state() == before


def test_the_ranking_import_refuses_a_dimension_bomb_and_a_million_rows(
    seed_plan: Plan, office: User
) -> None:
    client = client_for(office)
    for data, reason in [
        (hostile_files.dimension_bomb(), "bom.xlsx"),
        (million_rows(), "có hơn 50000 dòng"),
    ]:
        with bounded():
            response = client.post(
                reverse("reports-ranking-import"),
                {
                    "year": 2022,
                    "file": SimpleUploadedFile("bom.xlsx", data),
                    "self_name": "",
                    "source": "",
                },
            )
        assert response.status_code == 200
        assert reason in response.content.decode()
        assert "Xác nhận nhập" not in response.content.decode()


def test_the_command_refuses_four_million_shared_strings_quickly(
    seed_plan: Plan, tmp_path: Path
) -> None:
    path = tmp_path / "chuoi.xlsx"
    path.write_bytes(four_million_strings())
    with bounded(), pytest.raises(CommandError) as caught:
        call_command("import_appendix", str(path), "--year", "2023")
    assert "có hơn 200000 chuỗi văn bản dùng chung" in str(caught.value)


@pytest.fixture
def staff_office(office: User) -> User:
    office.is_staff = True
    office.save()
    return office


def test_the_admin_criterion_import_refuses_a_million_rows_quickly(
    seed_plan: Plan, staff_office: User
) -> None:
    before = database_state()
    with bounded():
        response = client_for(staff_office).post(
            "/admin/criteria/criterion/import/",
            {
                "plan": seed_plan.pk,
                "format": 0,
                "resource": 0,
                "import_file": SimpleUploadedFile("lon.xlsx", million_rows()),
            },
        )
    assert response.status_code == 200
    assert "có hơn 50000 dòng" in response.content.decode()
    assert database_state() == before


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (million_rows, "có hơn 50000 dòng"),
        (hostile_files.far_cell, "có hơn 100 cột"),
    ],
    ids=["a million rows", "a cell in column XFD"],
)
def test_the_admin_task_import_reads_through_the_same_limits(
    seed_plan: Plan, staff_office: User, make: Callable[[], bytes], expected: str
) -> None:
    tasks = Task.objects.count()
    with bounded():
        response = client_for(staff_office).post(
            "/admin/tasks/task/import/",
            {
                "format": 0,
                "resource": 0,
                "import_file": SimpleUploadedFile("lon.xlsx", make()),
            },
        )
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert Task.objects.count() == tasks
    assert Criterion.objects.filter(plan=seed_plan).exists()


DONE_WHEN: list[tuple[str, Callable[[], bytes], str]] = [
    ("the 1,830-byte dimension bomb", hostile_files.dimension_bomb, ""),
    ("a million rows", million_rows, "có hơn 50000 dòng"),
    ("four million shared strings", four_million_strings, "chuỗi văn bản dùng chung"),
]
DOORS = ["browser", "command", "admin criteria", "admin tasks"]


def _through(door: str, plan: Plan, user: User, data: bytes, tmp_path: Path) -> str:
    """What the door answers for the file (the page or the command's error)."""
    upload = SimpleUploadedFile("lon.xlsx", data)
    client = client_for(user)
    if door == "command":
        path = tmp_path / "lon.xlsx"
        path.write_bytes(data)
        try:
            call_command("import_appendix", str(path), "--year", "2023")
        except CommandError as exc:
            return str(exc)
        raise AssertionError("the command imported a hostile file")
    if door == "browser":
        fields = {"organization": plan.organization_id, "year": 2023, "file": upload}
        response = client.post(reverse("tasks-import"), fields)
    elif door == "admin criteria":
        fields = {"plan": plan.pk, "format": 0, "resource": 0, "import_file": upload}
        response = client.post("/admin/criteria/criterion/import/", fields)
    else:
        fields = {"format": 0, "resource": 0, "import_file": upload}
        response = client.post("/admin/tasks/task/import/", fields)
    assert response.status_code in {200, 400}, response.status_code
    body = response.content.decode()
    assert "Xác nhận nhập" not in body and 'name="import_file_name"' not in body
    return body


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("make", "expected"),
    [case[1:] for case in DONE_WHEN],
    ids=[case[0] for case in DONE_WHEN],
)
def test_the_hostile_workbooks_are_refused_quickly_through_every_door(
    seed_plan: Plan,
    staff_office: User,
    tmp_path: Path,
    make: Callable[[], bytes],
    expected: str,
    door: str,
) -> None:
    """The issue's "done when": through the browser, the command and the admin, each
    refused within the bound and nothing written (their memory is bounded by the
    reader, measured above in a child process)."""
    before = database_state()
    data = make()
    # A whole request around the reader (the old code ran until a worker's timeout).
    with bounded(2 * SECONDS):
        answer = _through(door, seed_plan, staff_office, data, tmp_path)
    assert expected in answer
    assert database_state() == before
