"""Backup and restore of a whole installation: the database and every uploaded file
(``MEDIA_ROOT``: the evidence) in one ``.tar.gz`` with a manifest.

It reads no app model, so it lives on the ground floor: the tables are found by
introspection and counted, the files by walking ``MEDIA_ROOT``.

- The database is a consistent snapshot: SQLite's online-backup API (a copy taken
  page by page under SQLite's own locking, safe while the app runs), ``pg_dump`` on
  PostgreSQL (one transaction, ``--format=custom``).
- ``manifest.json`` has the project's version, the date, the database engine, the row
  count of every table, the latest migration of every app, and a SHA-256 of every
  member of the archive.
- ``restore`` wants an empty database (no table) and an empty ``MEDIA_ROOT``; with
  ``force`` it replaces what is there. Every checksum is verified before anything is
  written, and the row counts after.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
FORMAT = 1


class BackupError(Exception):
    """What went wrong, in one sentence for the person at the command line."""


@dataclass
class BackupReport:
    path: Path
    manifest: dict[str, Any]


def _version() -> str:
    try:
        return metadata.version("parplan")
    except metadata.PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts() -> dict[str, int]:
    """Rows of every table of the database, by table name."""
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


def _migrations() -> dict[str, str]:
    if "django_migrations" not in connection.introspection.table_names():
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return dict(cursor.fetchall())


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every file under ``root`` with its archive name (``media/<relative path>``)."""
    if not root.is_dir():
        return
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            path = Path(folder) / name
            yield path, MEDIA_PREFIX + path.relative_to(root).as_posix()


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """The connection options of pg_dump / pg_restore, and the password variable."""
    db = connection.settings_dict
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args.append(f"{option}={db[key]}")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"Không tìm thấy {name} (PostgreSQL client): apt-get install postgresql-client."
        )
    return found


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        quote = connection.ops.quote_name
        return {
            n: db.execute(f"SELECT COUNT(*) FROM {quote(n)}").fetchone()[0]
            for n in names
        }


def _database_dump(target: Path) -> dict[str, int]:
    """Write the snapshot to ``target``; returns the row counts of that snapshot."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return _sqlite_counts(target)
    # PostgreSQL: count the rows in one repeatable-read transaction and have pg_dump
    # share its snapshot, so the counts are those of the dump.
    args, env = _pg_environment()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_counts()
        done = subprocess.run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                *args,
                str(connection.settings_dict["NAME"]),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise BackupError(f"pg_dump: {done.stderr.strip()}")
    return counts


def backup_target(raw: str, *, now: datetime) -> Path:
    """The archive's path for ``--output``: a folder (one that exists, or a name
    ending in “/”, created private) gets ``parplan-<date-time>.tar.gz`` inside it; a
    name ending in .tar.gz is the archive itself. Anything else is refused: taken for
    a file, a missing folder's name would be overwritten by every nightly run."""
    path = Path(raw)
    if raw.endswith(("/", os.sep)) or path.is_dir():
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupError(
                f"Không tạo được thư mục “{path}”: {exc.strerror}."
            ) from exc
        stamp = f"parplan-{now:%Y%m%d-%H%M%S}"
        archive, more = path / f"{stamp}.tar.gz", 1
        while archive.exists():  # two runs within a second: keep both
            more += 1
            archive = path / f"{stamp}-{more}.tar.gz"
        return archive
    if raw.endswith((".tar.gz", ".tgz")):
        return path
    raise BackupError(
        f"“{raw}” không phải thư mục có sẵn, cũng không phải tên tệp .tar.gz: thêm "
        "“/” ở cuối để tạo thư mục, hoặc ghi tên tệp kết thúc bằng .tar.gz."
    )


def backup_write(output: Path) -> BackupReport:
    """Write the archive to ``output`` (through a temporary file: a half-written
    archive is never left under that name)."""
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {connection.vendor}.")
    if not output.parent.is_dir():
        raise BackupError(f"Không có thư mục “{output.parent}”.")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="parplan-backup-") as work:
        dump = Path(work) / DATABASE_MEMBERS[connection.vendor]
        counts = _database_dump(dump)
        files = list(_media_files(media_root))
        checksums = {dump.name: _sha256(dump)}
        checksums |= {name: _sha256(path) for path, name in files}
        manifest = {
            "format": FORMAT,
            "application": "PAR Plan",
            "version": _version(),
            "created": timezone.now().isoformat(),
            "engine": connection.vendor,
            "database": dump.name,
            "tables": counts,
            "migrations": _migrations(),
            "files": len(files),
            "checksums": checksums,
        }
        partial = output.with_name(output.name + ".partial")
        # the archive holds the password hashes: readable by its owner only
        partial.touch(mode=0o600)
        partial.chmod(0o600)
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for path, name in files:
                tar.add(path, arcname=name)
        partial.replace(output)
    return BackupReport(path=output, manifest=manifest)


# Restore -----------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def backup_read(archive: Path, into: Path) -> dict[str, Any]:
    """Extract ``archive`` into the folder ``into`` and verify it: the manifest, a
    checksum for every member and a member for every checksum."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if MANIFEST not in members:
                raise BackupError(f"“{archive}” không có {MANIFEST}.")
            for member in members.values():
                if not (member.isfile() and _safe_name(member.name)):
                    raise BackupError(
                        f"Tệp sao lưu có mục không hợp lệ: {member.name}."
                    )
            # Member by member rather than extractall(filter="data"), which Python
            # has only since 3.11.4 (Debian 12 ships 3.11.2): every member is a
            # plain file with a relative name, checked above.
            for member in members.values():
                source = tar.extractfile(member)
                if source is None:
                    raise BackupError(
                        f"Tệp sao lưu có mục không hợp lệ: {member.name}."
                    )
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with source, open(target, "wb") as copy:
                    shutil.copyfileobj(source, copy)
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"“{archive}” không phải tệp sao lưu của PAR Plan.") from exc
    manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("application") != "PAR Plan":
        raise BackupError(f"“{archive}” không phải tệp sao lưu của PAR Plan.")
    checksums: dict[str, str] = manifest["checksums"]
    present = set(members) - {MANIFEST}
    if present != set(checksums):
        missing = sorted(set(checksums) - present) or sorted(present - set(checksums))
        raise BackupError(f"Tệp sao lưu không khớp bảng kê: {', '.join(missing[:5])}.")
    for name, expected in checksums.items():
        if _sha256(into / name) != expected:
            raise BackupError(f"Sai mã kiểm tra (SHA-256) của {name}: tệp đã bị hỏng.")
    return manifest


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def media_is_empty() -> bool:
    return next(_media_files(Path(settings.MEDIA_ROOT)), None) is None


def _database_load(manifest: dict[str, Any], dump: Path, *, force: bool) -> None:
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"Bản sao lưu là của {manifest['engine']}, cơ sở dữ liệu hiện tại là "
            f"{connection.vendor}."
        )
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    args, env = _pg_environment()
    connection.close()
    done = subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *(["--clean", "--if-exists"] if force else []),
            f"--dbname={connection.settings_dict['NAME']}",
            *args,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore: {done.stderr.strip()}")


def _media_load(extracted: Path, *, force: bool) -> None:
    root = Path(settings.MEDIA_ROOT)
    if force and root.is_dir():
        for path, _name in list(_media_files(root)):
            path.unlink()
    source = extracted / MEDIA_PREFIX.rstrip("/")
    if source.is_dir():
        shutil.copytree(source, root, dirs_exist_ok=True)


def backup_restore(archive: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore ``archive`` into this installation's database and ``MEDIA_ROOT``;
    returns its manifest. Refuses a database with tables or a media folder with
    files unless ``force``."""
    if not archive.is_file():
        raise BackupError(f"Không tìm thấy tệp “{archive}”.")
    if not force and not database_is_empty():
        raise BackupError(
            "Cơ sở dữ liệu đã có bảng: khôi phục vào một cơ sở dữ liệu mới tạo (chưa "
            "chạy migrate), hoặc thêm --force để thay toàn bộ dữ liệu hiện có."
        )
    if not force and not media_is_empty():
        raise BackupError(
            f"Thư mục tệp ({settings.MEDIA_ROOT}) đã có tệp: hãy dùng thư mục trống, "
            "hoặc thêm --force để thay."
        )
    with tempfile.TemporaryDirectory(prefix="parplan-restore-") as work:
        extracted = Path(work)
        manifest = backup_read(archive, extracted)
        _database_load(manifest, extracted / manifest["database"], force=force)
        _media_load(extracted, force=force)
    counts = table_counts()
    differ = [name for name, n in manifest["tables"].items() if counts.get(name) != n]
    if differ:
        raise BackupError(
            f"Sau khi khôi phục, số dòng khác bảng kê ở: {', '.join(differ[:5])}."
        )
    return manifest
