"""``manage.py backup`` / ``restore`` (parplan/backup.py): one archive with a
consistent snapshot of the database and every evidence file, restored into an empty
database and media folder of a new installation with the same figures and files.

Runs on the suite's database: SQLite (the online-backup API) in the SQLite run,
PostgreSQL (pg_dump / pg_restore) in the PostgreSQL run."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from criteria.models import Criterion, Plan
from reports.models import PeerRank
from tasks.evidence import evidence_add
from tasks.models import Status, TaskUnit
from tasks.progress import progress_record
from tests.helpers import PDF_BYTES, PNG_BYTES

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A new installation: an empty database (never migrated) of the suite's engine
    and an empty media folder, as environment variables for manage.py."""
    media = tmp_path / "restored-media"
    if connection.vendor == "sqlite":
        yield {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}",
            "MEDIA_ROOT": str(media),
        }
        return
    import psycopg2  # only the PostgreSQL run needs it

    db = connection.settings_dict
    name = f"parplan_restore_{uuid.uuid4().hex[:12]}"
    server = psycopg2.connect(
        dbname="postgres",
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
    )
    server.autocommit = True
    server.cursor().execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    try:
        yield {"DATABASE_URL": url, "MEDIA_ROOT": str(media)}
    finally:
        server.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MEDIA_ROOT"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**environ, **env, "DEBUG": "1"},
        capture_output=True,
        text=True,
    )


def files_of(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def projection_here() -> dict[str, object]:
    out = StringIO()
    call_command("projection", "--organization", "SKHCN", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def plan_with_evidence(seed_plan: Plan, media_root: Path, office: object) -> Plan:
    """The seed plan with progress, two evidence files and a ranking table."""
    part = TaskUnit.objects.filter(task__criterion__plan=seed_plan).first()
    assert part is not None
    update = progress_record(
        part=part,
        user=office,
        status=Status.IN_PROGRESS,
        percent=60,
        note="Đã ban hành kế hoạch",
        expected_version=part.version,
    )
    evidence_add(
        plan=seed_plan,
        user=office,
        progress_update=update,
        file=SimpleUploadedFile("ke-hoach.pdf", PDF_BYTES),
        summary="Kế hoạch đã ký",
    )
    evidence_add(
        plan=seed_plan,
        user=office,
        criterion=Criterion.objects.get(plan=seed_plan, code="1.1.1"),
        file=SimpleUploadedFile("anh-chup.png", PNG_BYTES),
        summary="Ảnh chụp cổng thông tin",
    )
    for position, (name, index) in enumerate(
        [("Sở Nội vụ", "90"), (seed_plan.organization.name, "80"), ("Sở Y tế", "70")],
        start=1,
    ):
        PeerRank.objects.create(
            year=2022,
            name=name,
            index=index,
            position=position,
            organization=seed_plan.organization if position == 2 else None,
        )
    return seed_plan


def test_backup_then_restore_gives_the_same_figures_and_the_same_files(
    plan_with_evidence: Plan, media_root: Path, target: dict[str, str], tmp_path: Path
) -> None:
    figures = projection_here()
    files = files_of(media_root)
    assert len(files) == 2
    archive = tmp_path / "sao-luu.tar.gz"
    out = StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert str(archive.resolve()) in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]  # a member is a file
    assert manifest["files"] == 2 and manifest["engine"] == connection.vendor
    assert manifest["tables"]["tasks_evidence"] == 2
    assert manifest["version"] and manifest["created"]
    assert len(manifest["checksums"]) == 3  # the database and two files

    restored = manage("restore", str(archive), env=target)
    assert restored.returncode == 0, restored.stderr
    assert "mọi mã kiểm tra đều khớp" in restored.stdout
    shown = manage("projection", "--organization", "SKHCN", "--json", env=target)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == figures
    assert figures["baseline_rank"] == 2
    assert files_of(Path(target["MEDIA_ROOT"])) == files

    # the new installation is no longer empty: a second restore is refused …
    again = manage("restore", str(archive), env=target)
    assert again.returncode != 0 and "--force" in again.stderr
    # … unless forced, which replaces everything with the archive again
    forced = manage("restore", str(archive), "--force", env=target)
    assert forced.returncode == 0, forced.stderr
    assert files_of(Path(target["MEDIA_ROOT"])) == files


def test_restore_refuses_an_archive_whose_checksum_differs(
    plan_with_evidence: Plan, target: dict[str, str], tmp_path: Path
) -> None:
    archive = tmp_path / "sao-luu.tar.gz"
    call_command("backup", "--output", str(archive), stdout=StringIO())
    tampered = tmp_path / "bi-sua.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]  # only files
            if member.name.endswith(".pdf"):
                data = data.replace(b"trailer", b"TRAILER")
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    result = manage("restore", str(tampered), env=target)
    assert result.returncode != 0
    assert "SHA-256" in result.stderr and "Traceback" not in result.stderr
    assert not Path(target["MEDIA_ROOT"]).exists()
    assert manage("showmigrations", "--list", env=target).stdout.count("[X]") == 0


def test_the_archive_is_read_without_extractalls_filter_which_debian_12s_python_lacks(
    plan_with_evidence: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parplan.backup import backup_read

    archive = tmp_path / "sao-luu.tar.gz"
    call_command("backup", "--output", str(archive), stdout=StringIO())

    def old_extractall(*args: object, **kwargs: object) -> None:
        if "filter" in kwargs:  # Python 3.11.2, as Debian 12 ships it
            raise TypeError("extractall() got an unexpected keyword argument 'filter'")

    monkeypatch.setattr(tarfile.TarFile, "extractall", old_extractall)
    into = tmp_path / "ra"
    into.mkdir()
    manifest = backup_read(archive, into)
    assert manifest["files"] == 2
    assert sorted(manifest["checksums"]) == sorted(
        str(path.relative_to(into))
        for path in into.rglob("*")
        if path.is_file()
        if path.name != "manifest.json"
    )


def test_a_folder_named_with_a_slash_is_created_and_each_night_gets_its_own_archive(
    plan_with_evidence: Plan, tmp_path: Path
) -> None:
    folder = tmp_path / "sao-luu"
    for _ in range(2):
        out = StringIO()
        call_command("backup", "--output", f"{folder}/", stdout=out)
        assert str(folder) in out.getvalue()
    archives = sorted(folder.iterdir())
    assert folder.is_dir() and len(archives) == 2
    assert all(
        a.name.startswith("parplan-") and a.name.endswith(".tar.gz") for a in archives
    )
    # it holds the password hashes: the owner's alone
    assert all(a.stat().st_mode & 0o077 == 0 for a in archives)
    assert folder.stat().st_mode & 0o077 == 0


def test_an_output_neither_a_folder_nor_a_tar_gz_is_refused_and_nothing_written(
    plan_with_evidence: Plan, tmp_path: Path
) -> None:
    from django.core.management.base import CommandError

    missing = tmp_path / "sao-luu"
    with pytest.raises(CommandError, match="thêm “/” ở cuối"):
        call_command("backup", "--output", str(missing), stdout=StringIO())
    assert not missing.exists()
