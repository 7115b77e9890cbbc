"""Evidence (tài liệu kiểm chứng): checked by content, stored outside the static
tree, served only to signed-in users with a role."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from criteria.models import Criterion, Plan
from tasks.models import Evidence, Task, Unit
from tests.helpers import PDF_BYTES, PNG_BYTES, client_for, part_of


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def add_to_criterion(client: Client, criterion: Criterion, **data: object) -> object:
    return client.post(f"/ke-hoach/tieu-chi/{criterion.pk}/tai-lieu/them/", data)


@pytest.fixture
def criterion(seed_plan: Plan) -> Criterion:
    return Criterion.objects.get(plan=seed_plan, code="1.2.2")


def test_the_office_attaches_a_pdf_with_its_number_date_issuer_and_page(
    office: User, criterion: Criterion, media_root: Path
) -> None:
    response = add_to_criterion(
        client_for(office),
        criterion,
        number="05/TB-SKHCN",
        issued_on="2023-04-10",
        issuer="Sở Khoa học và Công nghệ",
        summary="Thông báo kết luận giao ban quý I",
        location="Mục 2, trang 3",
        file=SimpleUploadedFile("thong-bao.pdf", PDF_BYTES),
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(criterion=criterion)
    assert (evidence.number, str(evidence.issued_on), evidence.location) == (
        "05/TB-SKHCN",
        "2023-04-10",
        "Mục 2, trang 3",
    )
    stored = Path(evidence.file.path)
    assert stored.is_file()
    assert stored.is_relative_to(media_root)
    assert not stored.is_relative_to(settings.BASE_DIR / "static")
    page = client_for(office).get(criterion.get_absolute_url()).content.decode()
    assert "05/TB-SKHCN" in page
    assert f"/ke-hoach/tai-lieu/{evidence.pk}/tep/" in page
    assert "Mục 2, trang 3" in page


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("anh.png", PNG_BYTES),
        ("bien-ban.docx", docx_bytes()),
        ("ANH.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
        ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
    ],
)
def test_office_and_image_formats_are_accepted(
    office: User, criterion: Criterion, media_root: Path, name: str, content: bytes
) -> None:
    response = add_to_criterion(
        client_for(office), criterion, file=SimpleUploadedFile(name, content)
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(criterion=criterion).count() == 1


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (
            "script.html",
            b"<script>alert(1)</script>",
            "định dạng .html không được nhận",
        ),
        ("gia.pdf", b"<html>not a pdf</html>", "nội dung không phải là tệp .pdf thật"),
        ("gia.docx", PDF_BYTES, "nội dung không phải là tệp .docx thật"),
        ("anh.png", PDF_BYTES, "nội dung không phải là tệp .png thật"),
        ("khong-duoi", PDF_BYTES, "định dạng .? không được nhận"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(
    office: User,
    criterion: Criterion,
    media_root: Path,
    name: str,
    content: bytes,
    reason: str,
) -> None:
    response = add_to_criterion(
        client_for(office), criterion, file=SimpleUploadedFile(name, content)
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Evidence.objects.exists()
    stored_files = [p for p in media_root.rglob("*") if p.is_file()]
    assert stored_files == []


def test_a_file_over_the_size_limit_is_refused_and_the_limit_is_stated(
    office: User, criterion: Criterion, media_root: Path, settings: object
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    form_page = client_for(office).get(
        f"/ke-hoach/tieu-chi/{criterion.pk}/tai-lieu/them/"
    )
    assert "tối đa 1 MB" in form_page.content.decode()
    big = PDF_BYTES + b"0" * (1024 * 1024)
    response = add_to_criterion(
        client_for(office), criterion, file=SimpleUploadedFile("lon.pdf", big)
    )
    assert response.status_code == 400
    assert "lớn hơn giới hạn 1 MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_needs_at_least_a_number_summary_file_or_link(
    office: User, criterion: Criterion
) -> None:
    response = add_to_criterion(client_for(office), criterion, issuer="Sở Nội vụ")
    assert response.status_code == 400
    assert "cần ít nhất số, ký hiệu, trích yếu, tệp hoặc đường dẫn" in (
        response.content.decode()
    )


def test_a_link_is_enough(office: User, criterion: Criterion) -> None:
    response = add_to_criterion(
        client_for(office), criterion, link="https://dichvucong.gov.vn/bao-cao"
    )
    assert response.status_code == 302
    assert Evidence.objects.get().link == "https://dichvucong.gov.vn/bao-cao"


@pytest.fixture
def stored(office: User, criterion: Criterion, media_root: Path) -> Evidence:
    add_to_criterion(
        client_for(office),
        criterion,
        number="01/BC",
        file=SimpleUploadedFile("bao-cao.pdf", PDF_BYTES),
    )
    return Evidence.objects.get()


def test_the_file_is_served_to_any_role_with_safe_headers(
    stored: Evidence, viewer: User
) -> None:
    response = client_for(viewer).get(f"/ke-hoach/tai-lieu/{stored.pk}/tep/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_the_file_is_not_served_to_the_anonymous_or_to_users_without_a_role(
    stored: Evidence, outsider: User
) -> None:
    url = f"/ke-hoach/tai-lieu/{stored.pk}/tep/"
    assert Client().get(url).status_code == 302
    assert client_for(outsider).get(url).status_code == 403


def test_no_static_or_media_route_serves_the_file(stored: Evidence) -> None:
    assert Client().get("/media/" + stored.file.name).status_code == 404
    assert Client().get("/static/" + stored.file.name).status_code == 404


def test_a_unit_head_attaches_a_file_to_a_progress_report(
    head_center: User,
    shared_task: Task,
    units: dict[str, Unit],
    media_root: Path,
) -> None:
    part = part_of(shared_task, units["center"])
    response = client_for(head_center).post(
        f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/",
        {
            f"p{part.pk}-status": "in_progress",
            f"p{part.pk}-percent": "50",
            f"p{part.pk}-version": part.version,
            f"p{part.pk}-evidence_number": "17/KH-TTKT",
            f"p{part.pk}-evidence_file": SimpleUploadedFile("ke-hoach.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.progress_update.part == part
    assert evidence.uploaded_by == head_center
    assert evidence.criterion is None
    page = client_for(head_center).get(shared_task.get_absolute_url()).content.decode()
    assert "17/KH-TTKT" in page
    assert f"/ke-hoach/tai-lieu/{evidence.pk}/tep/" in page


def test_a_progress_report_with_a_fake_file_is_refused_whole(
    head_center: User, shared_task: Task, units: dict[str, Unit], media_root: Path
) -> None:
    part = part_of(shared_task, units["center"])
    response = client_for(head_center).post(
        f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/",
        {
            f"p{part.pk}-status": "in_progress",
            f"p{part.pk}-percent": "50",
            f"p{part.pk}-version": part.version,
            f"p{part.pk}-evidence_file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00"),
        },
    )
    assert response.status_code == 400
    part.refresh_from_db()
    assert part.percent == 0
    assert not Evidence.objects.exists()


def test_deleting_evidence_removes_its_file_once_committed(
    stored: Evidence,
    office: User,
    criterion: Criterion,
    django_capture_on_commit_callbacks: object,
) -> None:
    path = Path(stored.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office).post(f"/ke-hoach/tai-lieu/{stored.pk}/xoa/")
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert not path.exists()


def test_a_unit_head_may_delete_evidence_of_their_own_units_report_only(
    head_center: User,
    head_office: User,
    shared_task: Task,
    units: dict[str, Unit],
    media_root: Path,
) -> None:
    part = part_of(shared_task, units["center"])
    client_for(head_center).post(
        f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/",
        {
            f"p{part.pk}-status": "in_progress",
            f"p{part.pk}-percent": "50",
            f"p{part.pk}-version": part.version,
            f"p{part.pk}-evidence_link": "https://example.org/nham",
        },
    )
    evidence = Evidence.objects.get()
    delete_url = f"/ke-hoach/tai-lieu/{evidence.pk}/xoa/"
    other_page = client_for(head_office).get(shared_task.get_absolute_url())
    assert delete_url not in other_page.content.decode()
    assert client_for(head_office).post(delete_url).status_code == 403
    own_page = client_for(head_center).get(shared_task.get_absolute_url())
    assert delete_url in own_page.content.decode()
    assert client_for(head_center).post(delete_url).status_code == 302
    assert not Evidence.objects.exists()


def test_deleting_a_criterion_removes_the_files_of_its_evidence(
    stored: Evidence,
    office: User,
    criterion: Criterion,
    django_capture_on_commit_callbacks: object,
) -> None:
    path = Path(stored.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office).post(f"/ke-hoach/tieu-chi/{criterion.pk}/xoa/")
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert not path.exists()


def test_a_very_long_file_name_uploaded_twice_is_stored_both_times(
    office: User, criterion: Criterion, media_root: Path
) -> None:
    name = "Thông báo kết luận giao ban quý " * 8  # about 255 characters, 2 bytes each
    name = name[:251] + ".pdf"
    client = client_for(office)
    for _ in range(2):
        response = add_to_criterion(
            client, criterion, file=SimpleUploadedFile(name, PDF_BYTES)
        )
        assert response.status_code == 302
    stored = [e.file.name for e in Evidence.objects.filter(criterion=criterion)]
    assert len(stored) == 2 and len(set(stored)) == 2
    for path in stored:
        assert path.endswith(".pdf")
        assert len(Path(path).name.encode("utf-8")) <= 255
        assert (media_root / path).read_bytes() == PDF_BYTES


def test_the_original_file_name_is_kept_when_storage_renames_the_file(
    office: User, criterion: Criterion, media_root: Path
) -> None:
    for _copy in range(2):
        add_to_criterion(
            client_for(office),
            criterion,
            number="05/TB-SKHCN",
            file=SimpleUploadedFile("thông báo.pdf", PDF_BYTES),
        )
    first, second = Evidence.objects.filter(criterion=criterion).order_by("pk")
    assert first.file.name != second.file.name  # the second got a random suffix
    assert first.original_name == second.original_name == "thông báo.pdf"
    assert second.file_label == "thông báo.pdf"
    response = client_for(office).get(f"/ke-hoach/tai-lieu/{second.pk}/tep/")
    assert "th%C3%B4ng%20b%C3%A1o.pdf" in response["Content-Disposition"]
    page = client_for(office).get(criterion.get_absolute_url()).content.decode()
    assert "thông báo.pdf" in page


def test_the_office_corrects_a_documents_metadata_and_keeps_its_file(
    office: User, criterion: Criterion, media_root: Path
) -> None:
    add_to_criterion(
        client_for(office),
        criterion,
        number="05",
        file=SimpleUploadedFile("tb.pdf", PDF_BYTES),
    )
    evidence = Evidence.objects.get(criterion=criterion)
    url = f"/ke-hoach/tai-lieu/{evidence.pk}/sua/"
    assert client_for(office).get(url).status_code == 200
    response = client_for(office).post(
        url,
        {
            "number": "05/TB-SKHCN",
            "issued_on": "2023-04-10",
            "summary": "Thông báo kết luận giao ban quý I",
            "location": "mục 2, trang 3",
        },
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.number, str(evidence.issued_on), evidence.location) == (
        "05/TB-SKHCN",
        "2023-04-10",
        "mục 2, trang 3",
    )
    assert evidence.summary == "Thông báo kết luận giao ban quý I"
    assert evidence.file and evidence.original_name == "tb.pdf"


def test_a_correction_that_leaves_nothing_is_refused(
    office: User, criterion: Criterion
) -> None:
    evidence = Evidence.objects.create(
        plan=criterion.plan, criterion=criterion, number="05"
    )
    response = client_for(office).post(f"/ke-hoach/tai-lieu/{evidence.pk}/sua/", {})
    assert response.status_code == 400
    evidence.refresh_from_db()
    assert evidence.number == "05"


def test_a_viewer_cannot_correct_evidence(viewer: User, criterion: Criterion) -> None:
    evidence = Evidence.objects.create(
        plan=criterion.plan, criterion=criterion, number="05"
    )
    url = f"/ke-hoach/tai-lieu/{evidence.pk}/sua/"
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(viewer).post(url, {"number": "x"}).status_code == 403
